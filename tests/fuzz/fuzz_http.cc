// Fuzzes the server's connection handling with the real kinesim server (server/server.h) running
// inside the fuzzer on a loopback port: protocol detection (TLS, h2c, HTTP/1.1), Beast's HTTP/1.1
// sessions and the nghttp2 sessions, down to the Dispatcher and an in-memory store.
//
// Each input is one connection: its bytes are written, the client half-closes, and the answer is
// read until the server closes. Then a fresh connection must still get a ListStreams answered:
// a server that crashed, hangs or stopped accepting is the finding.
//
// Input layout:
//   byte 0    the mode, b % 6:
//               0  the rest as it is (any protocol; TLS when it starts with 0x16)
//               1  the HTTP/2 client preface, then the rest (frames)
//               2  an HTTP/1.1 POST in JSON for the operation byte 1 names (as in
//                  fuzz_json_request), signed, with the rest as its body
//               3  the same in CBOR
//               4  an HTTP/2 request (made by nghttp2's client) in JSON for the operation byte
//                  1 names, with the rest as its body
//               5  an HTTP/2 ListStreams, then the rest (frames into a live session)
//   the rest  as the mode says
//
// Beyond what the sanitizers catch (in the server's threads too):
//  - the server closes every connection the client half-closed, within kCloseWithinMs once it
//    goes quiet (kinesim answers what arrived whole, then closes);
//  - a whole HTTP/1.1 request (modes 2 and 3) is answered, and a 500 only as Kinesis' bare
//    InternalFailure;
//  - after every input, the server answers a ListStreams on a new connection.
//
// KINESIM_FUZZ_VERBOSE=1 prints each connection's first answered line (to see what a seed does).
//
// The server lives for kInputsPerServer inputs, then a new one starts, which bounds what
// accumulates in its store; LeakSanitizer checks the process in between. It starts with stream
// "fuzz" (2 shards, 3 records) and consumer "fuzz-consumer" on a fake clock, so seeds can name them
// (consumer ARNs carry the clock).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sanitizer/lsan_interface.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"
#include "server/server.h"
#include "storage/clock.h"
#include "tests/fuzz/fixtures.h"

namespace {

using kinesim::fuzz::die;

constexpr int kInputsPerServer = 2000;
// How long the server may stay silent, with the connection open, after the client half-closed.
constexpr int kSilenceMs = 200;
constexpr int kCloseWithinMs = 2000;

constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=000000000000/20231114/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=0000000000000000000000000000000000000000000000000000000000000000";

// --- a blocking loopback client ---------------------------------------------------------------

class Connection {
 public:
  explicit Connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) die("socket: " + std::string(std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      // libFuzzer's timer signal may interrupt the connect, which then goes on by itself.
      if (errno != EINTR || !connected_after_interrupt()) {
        die("cannot connect to kinesim: " + std::string(std::strerror(errno)));
      }
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Writes what it can: a server may close before reading everything, which is its right.
  void write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  void half_close() { ::shutdown(fd_, SHUT_WR); }

  enum class End { kClosed, kSilent };
  // Reads until the server closes (or resets), or stays silent for `silence_ms`.
  End read_all(std::string& out, int silence_ms) {
    char buf[16384];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, silence_ms);
      if (ready == 0) return End::kSilent;
      if (ready < 0) {
        if (errno == EINTR) continue;
        die("poll: " + std::string(std::strerror(errno)));
      }
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return End::kClosed;
      out.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  bool connected_after_interrupt() {
    pollfd p{fd_, POLLOUT, 0};
    while (::poll(&p, 1, 5000) < 0) {
      if (errno != EINTR) return false;
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return false;
    errno = error;
    return error == 0;
  }

  int fd_ = -1;
};

// --- requests ---------------------------------------------------------------------------------

std::string http1_request(std::string_view operation, std::string_view content_type,
                          std::string_view body, bool close) {
  std::string r = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  r += "Content-Type: " + std::string(content_type) + "\r\n";
  r += "X-Amz-Target: Kinesis_20131202." + std::string(operation) + "\r\n";
  r += "X-Amz-Date: 20231114T221320Z\r\n";
  r += "Authorization: " + std::string(kAuthorization) + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (close) r += "Connection: close\r\n";
  r += "\r\n";
  r += body;
  return r;
}

// An HTTP/2 connection's first bytes, as nghttp2's client writes them: the preface (nghttp2
// writes it), SETTINGS and one POST (stream 1) carrying `body`.
std::string http2_request(std::string_view operation, std::string_view body) {
  struct Body {
    std::string_view rest;
  } source{body};
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session* session = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) die("nghttp2 callbacks");
  if (nghttp2_session_client_new(&session, callbacks, nullptr) != 0) die("nghttp2 client");
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
  const std::string target = "Kinesis_20131202." + std::string(operation);
  const std::string length = std::to_string(body.size());
  auto nv = [](std::string_view name, std::string_view value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NONE};
  };
  const nghttp2_nv headers[] = {
      nv(":method", "POST"),
      nv(":scheme", "http"),
      nv(":authority", "127.0.0.1"),
      nv(":path", "/"),
      nv("content-type", "application/x-amz-json-1.1"),
      nv("x-amz-target", target),
      nv("x-amz-date", "20231114T221320Z"),
      nv("authorization", kAuthorization),
      nv("content-length", length),
  };
  nghttp2_data_provider provider{};
  provider.source.ptr = &source;
  provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length,
                              uint32_t* flags, nghttp2_data_source* src, void*) -> ssize_t {
    auto* b = static_cast<Body*>(src->ptr);
    const size_t n = std::min(length, b->rest.size());
    std::memcpy(buf, b->rest.data(), n);
    b->rest.remove_prefix(n);
    if (b->rest.empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  };
  if (nghttp2_submit_request(session, nullptr, headers, std::size(headers), &provider, nullptr) <
      0) {
    die("nghttp2 request");
  }
  std::string out;
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session, &data);
    if (n < 0) die("nghttp2 send");
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  nghttp2_session_del(session);
  return out;
}

// --- the server -------------------------------------------------------------------------------

class FuzzServer {
 public:
  FuzzServer() {
    kinesim::Config config;
    config.port = 0;
    config.db = ":memory:";
    config.threads = 2;
    config.maintenance_interval_ms = 3'600'000;
    auto server = kinesim::Server::start(config, &clock_);
    if (!server.ok()) die("cannot start kinesim: " + server.status().message);
    server_ = std::move(server.value());
    setup("CreateStream", R"({"StreamName":"fuzz","ShardCount":2})");
    setup("PutRecords", R"({"StreamName":"fuzz","Records":[)"
                        R"({"PartitionKey":"a","Data":"AAEC"},)"
                        R"({"PartitionKey":"b","Data":"aGVsbG8="},)"
                        R"({"PartitionKey":"c","Data":"d29ybGQ=","ExplicitHashKey":"1"}]})");
    setup("RegisterStreamConsumer",
          R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/fuzz",)"
          R"("ConsumerName":"fuzz-consumer"})");
  }

  uint16_t port() const { return server_->port(); }

  // One HTTP/1.1 request on its own connection; the whole answer ("" when none came in time).
  std::string call(std::string_view operation, std::string_view body) {
    Connection c(port());
    c.write(http1_request(operation, "application/x-amz-json-1.1", body, true));
    std::string answer;
    if (c.read_all(answer, 5000) != Connection::End::kClosed) return "";
    return answer;
  }

  void check_alive() {
    const std::string answer = call("ListStreams", "{}");
    if (answer.rfind("HTTP/1.1 200 ", 0) != 0) {
      die("kinesim stopped answering: a ListStreams on a new connection got \"" +
          answer.substr(0, 200) + "\"");
    }
  }

 private:
  void setup(std::string_view operation, std::string_view body) {
    const std::string answer = call(operation, body);
    if (answer.rfind("HTTP/1.1 200 ", 0) != 0) die(std::string(operation) + " failed: " + answer);
  }

  kinesim::FakeClock clock_{kinesim::fuzz::kStartMs};
  std::unique_ptr<kinesim::Server> server_;
};

// A whole HTTP/1.1 request must be answered, and a 500 only as the bare InternalFailure.
void check_http1_answer(std::string_view answer, bool cbor) {
  if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) {
    die("a whole HTTP/1.1 request got no answer: \"" + std::string(answer.substr(0, 200)) + "\"");
  }
  if (answer.substr(9, 3) != "500") return;
  const size_t body_at = answer.find("\r\n\r\n");
  const std::string_view body = body_at == std::string_view::npos ? "" : answer.substr(body_at + 4);
  const std::string bare =
      cbor ? kinesim::api::error_cbor(kinesim::api::errors::make("InternalFailure", "", 500))
           : R"({"__type":"InternalFailure"})";
  if (body != bare) die("internal failure: " + std::string(answer.substr(0, 2000)));
}

}  // namespace

// OpenSSL (3.0, Debian 12) keeps an error queue per thread that touched TLS and does not free it
// when the thread ends (OPENSSL_thread_stop() does not either): 904 bytes per server thread,
// allocated in ERR_clear_error during a handshake, reported when a server stops. libcrypto is
// built without frame pointers, so the stacks LeakSanitizer records end inside it and only the
// library can name them. LeakSanitizer reads these suppressions.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcrypto.so\n"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static std::unique_ptr<FuzzServer> server;
  static int inputs = 0;
  if (!server || ++inputs % kInputsPerServer == 0) {
    server.reset();
    // libFuzzer stops checking for leaks after each input here (the server frees memory after
    // the input returns); once the server is gone, whatever it still holds has leaked.
    if (__lsan_do_recoverable_leak_check() != 0) die("the stopped server leaked memory");
    server = std::make_unique<FuzzServer>();
  }

  const int mode = data[0] % 6;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string operation = "ListStreams";
  if (mode >= 2 && mode <= 4 && !rest.empty()) {
    operation = kinesim::fuzz::operation_for_byte(static_cast<uint8_t>(rest[0]));
    rest.remove_prefix(1);
  }
  std::string bytes;
  switch (mode) {
    case 0:
      bytes = rest;
      break;
    case 1:
      bytes = std::string(kH2Preface) + std::string(rest);
      break;
    case 2:
      bytes = http1_request(operation, "application/x-amz-json-1.1", rest, false);
      break;
    case 3:
      bytes = http1_request(operation, "application/x-amz-cbor-1.1", rest, false);
      break;
    case 4:
      bytes = http2_request(operation, rest);
      break;
    default:
      bytes = http2_request("ListStreams", "{}") + std::string(rest);
      break;
  }

  std::string answer;
  {
    Connection c(server->port());
    c.write(bytes);
    c.half_close();
    if (c.read_all(answer, kSilenceMs) == Connection::End::kSilent &&
        c.read_all(answer, kCloseWithinMs) == Connection::End::kSilent) {
      die("kinesim keeps a half-closed connection open (mode " + std::to_string(mode) +
          "), having answered " + std::to_string(answer.size()) + " bytes");
    }
  }
  static const bool verbose = std::getenv("KINESIM_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "<< mode %d, %zu bytes sent, %zu answered: %s\n", mode, bytes.size(),
                 answer.size(), answer.substr(0, answer.find_first_of("\r\n")).c_str());
  }
  if (mode == 2 || mode == 3) check_http1_answer(answer, mode == 3);
  server->check_alive();
  return 0;
}
