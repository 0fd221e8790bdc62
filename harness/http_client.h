// A small blocking HTTP/1.1 client over one keep-alive TCP connection.
//
// It exists so that tests and the load generator (bench/) can talk to a Kinesis endpoint
// without pulling Boost into their translation units, and so that the client's own cost stays
// small next to the server's: one request and one response buffer are reused for the life of
// the client, and the only per-request allocation is growth of the response body when a
// response is larger than any before it.
//
// Contract:
// - One client, one connection, one request at a time; not thread-safe. Use one client per
//   thread for concurrency.
// - Only plain HTTP. Hosts are "localhost" or numeric IPv4/IPv6 literals (no DNS).
// - Response bodies framed by Content-Length, by chunked transfer-coding, or by connection
//   close are all read in full; 1xx interim responses are skipped.
// - If the server closed the keep-alive connection while it sat idle, the next request
//   reconnects and is sent again, but only when no byte of a response had arrived, so a request
//   the server answered is never repeated.
// - Socket and protocol failures throw HttpError; HTTP error statuses do not (the caller reads
//   `status`).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kinesim::harness {

// A transport or framing failure: the connection could not be made, broke, timed out, or the
// peer sent something that is not HTTP/1.x. The client is closed when this is thrown and will
// reconnect on the next request.
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpHeader {
  std::string_view name;
  std::string_view value;
};

// One response. Owned by the client and overwritten by its next request; copy what must
// outlive that.
struct HttpResponse {
  int status = 0;
  std::string body;
  // Views into the client's header buffer; valid until the next request.
  std::vector<HttpHeader> headers;

  // The value of the first header named `name` (ASCII case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

// Where a server listens: host as given ("localhost", "127.0.0.1", "::1") and TCP port.
struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// Parses "http://HOST:PORT[/]" (IPv6 hosts in brackets). Throws std::invalid_argument for any
// other form, including https and missing ports.
Endpoint ParseEndpoint(std::string_view url);

// True when `host` names a loopback address: "localhost", 127.0.0.0/8 or ::1.
bool IsLoopbackHost(std::string_view host);

class HttpClient {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{5000};
    // Bounds every single send and receive, so no request can hang forever.
    std::chrono::milliseconds io_timeout{30000};
  };

  // Does not connect; the first request does. Throws HttpError if `host` is not "localhost" or
  // a numeric address.
  HttpClient(std::string host, uint16_t port, Options options);
  HttpClient(std::string host, uint16_t port) : HttpClient(std::move(host), port, Options{}) {}
  explicit HttpClient(const Endpoint& endpoint) : HttpClient(endpoint.host, endpoint.port) {}
  ~HttpClient();

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;

  // Sends `POST <path>` with Host, Content-Length and `headers` (which must not repeat those
  // two), and returns the response, valid until the next call.
  const HttpResponse& post(std::string_view path, std::span<const HttpHeader> headers,
                           std::string_view body) {
    return send("POST", path, headers, body);
  }
  // The same with any method ("GET", "OPTIONS", ...).
  const HttpResponse& send(std::string_view method, std::string_view path,
                           std::span<const HttpHeader> headers, std::string_view body);

  // A Kinesis JSON call: POST / with X-Amz-Target Kinesis_20131202.<operation>, Content-Type
  // application/x-amz-json-1.1, X-Amz-Date of now, and a SigV4-shaped Authorization header for
  // access key "test" in us-east-1. The signature is a fixed placeholder: local servers do not
  // verify it, and computing a real one would make the client, not the server, the bottleneck.
  const HttpResponse& call(std::string_view operation, std::string_view json_body);

  // Drops the connection (if any); the next request opens a new one.
  void close();

  // How many TCP connections this client has opened so far.
  uint64_t connect_count() const { return connect_count_; }

 private:
  // Appends "<method> <path> HTTP/1.1", Host and Content-Length to the emptied request buffer.
  void StartRequest(std::string_view method, std::string_view path, size_t body_size);
  // Sends the request buffer plus `body`, reads the response, reconnecting once if a reused
  // connection turns out to be dead.
  const HttpResponse& Exchange(std::string_view body);
  void Connect();
  bool IdleConnectionLooksClosed() const;
  void SendAll(std::string_view head, std::string_view body);
  // Reads one response into response_. Sets *got_any once any response byte has arrived.
  void ReadResponse(bool* got_any);
  // Reads more bytes into rbuf_; returns false on orderly EOF.
  bool Fill();
  // Ensures rbuf_ holds at least one full line starting at rpos_; returns its length without
  // CRLF and the offset of the next line in *next.
  std::string_view ReadLine(size_t* next);
  void ReadBodyBytes(size_t n);
  void ReadChunkedBody();
  void ReadUntilEof();
  void UpdateDate();

  std::string host_;
  uint16_t port_;
  Options options_;
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;
  std::string host_header_;  // "host:port", as sent in Host
  int fd_ = -1;
  bool keep_alive_ = false;
  uint64_t connect_count_ = 0;

  std::string wbuf_;  // request line and headers; the body is sent from the caller's buffer
  std::string rbuf_;  // bytes received and not yet consumed
  size_t rpos_ = 0;   // start of unconsumed bytes in rbuf_
  std::string head_;  // status line and headers of the current response; response_.headers view it
  HttpResponse response_;

  // X-Amz-Date ("20261127T101500Z") and the credential scope date, rebuilt once per second.
  long long date_second_ = -1;
  char amz_date_[17] = {};
};

}  // namespace kinesim::harness
