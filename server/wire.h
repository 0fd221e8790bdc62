// What every protocol session of the server shares: limits, the ids AWS puts on each response,
// and the answers the server gives itself before a request reaches the api layer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "api/http.h"

namespace kinesim::wire {

// Large enough for a PutRecords of 10 MiB of data once base64 and JSON are around it.
constexpr uint64_t kMaxRequestBodyBytes = 16 * 1024 * 1024;
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
// A client that opens a connection must finish its TLS handshake or first request this soon.
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);

// How long a connection may take, set at start-up (Config::idle_timeout_ms, header_timeout_ms).
struct Timeouts {
  // A connection with nothing to do for this long is closed: no bytes in either direction, no
  // request being answered.
  std::chrono::milliseconds idle{300000};
  // An HTTP/1.1 request's head (request line and headers), or an HTTP/2 request's header block,
  // must arrive whole this soon after its first byte (first frame), or the connection is closed:
  // a client trickling a head byte by byte cannot hold a connection (and its memory) for the
  // whole idle period. 0: no limit.
  std::chrono::milliseconds header{10000};
};

// A request id in the form Kinesis uses (a random UUID).
std::string request_id();
// An x-amz-id-2 value: random bytes in base64, as long as AWS's.
std::string amz_id_2();

// The answer to a body larger than kMaxRequestBodyBytes, in the format of the request whose
// head (method, target and headers, no body) this is (api::body_too_large).
api::HttpResponse body_too_large(const api::HttpRequest& head);

// Header names are handed to the api layer in lower case.
std::string lower(std::string_view s);

}  // namespace kinesim::wire
