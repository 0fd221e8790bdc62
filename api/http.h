// The contract between the server (which speaks HTTP/1.1, HTTP/2 and TLS) and the api layer
// (which speaks Kinesis): one request in, one response out, where a response's body is either a
// finished string or a stream of chunks written over time. Nothing here knows about sockets or
// protocols; the server has one writer per protocol for the same streamed body.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kinesim::api {

// One header. The server hands request header names over in lower case.
struct Header {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "POST";  // "POST", "GET", "OPTIONS", ...
  std::string target = "/";     // the request-target: path and query, e.g. "/?X-Amz-Date=..."
  std::vector<Header> headers;  // as received, names in lower case
  std::string body;

  // The first header called `name` (lower case), or "" when there is none.
  std::string_view header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.name == name) return h.value;
    }
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.name == name) return true;
    }
    return false;
  }
};

// Where a streamed body goes: implemented by the server, once per protocol (HTTP/1.1 chunks,
// HTTP/2 DATA frames). Thread-safe; calls after the client went away are ignored.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Sends one chunk. Call it at most once per BodySource::on_ready().
  virtual void write(std::string chunk) = 0;
  // Ends the body (after the chunks already written). Allowed at any time.
  virtual void finish() = 0;
};

// What produces a streamed body: implemented by the api layer (e.g. a SubscribeToShard
// subscription). The server calls it from its own threads; neither call may block.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The writer can take one more chunk: called once after the response head is sent and again
  // each time the previous chunk has been handed to the transport. This is the backpressure:
  // a source writes nothing more until it is called again.
  virtual void on_ready(std::shared_ptr<BodyWriter> writer) = 0;
  // The client went away (connection closed, stream reset, server stopping). No further
  // on_ready() follows; the source should release what it holds.
  virtual void on_cancel() = 0;
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status_code, std::string type, std::string text)
      : status(status_code), content_type(std::move(type)), body(std::move(text)) {}

  int status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
  std::vector<Header> headers;  // further headers to send
  // Whether the server adds an x-amz-id-2 header. AWS sends one with every answer but the one to
  // a CORS preflight, and only the api knows which answer that is.
  bool amz_id_2 = true;
  // An error answer's type (InvalidArgumentException, ...), for counting and logging; not sent.
  std::string error_type;
  // When set, the body is streamed from here and `body` is ignored.
  std::shared_ptr<BodySource> stream;
};

}  // namespace kinesim::api
