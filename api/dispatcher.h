// The Kinesis API as a function from an HTTP request to an HTTP response. The server hands each
// parsed request here; nothing in this layer knows about sockets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/call.h"
#include "api/sealed.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::api {

struct HttpRequest {
  std::string target;                // X-Amz-Target
  std::string content_type;          // Content-Type
  std::string authorization;         // Authorization header
  bool query_authorization = false;  // the URL carries X-Amz-Algorithm (presigned request)
  bool has_date = false;             // an X-Amz-Date or Date header is present
  std::string body;
};

// Region and account a request acts in, read from its SigV4 credential scope; the account is
// the access key itself when that is a 12-digit number, else 000000000000.
Caller caller_from_authorization(std::string_view authorization);

class Dispatcher {
 public:
  // With `throughput_limits`, shards are held to Kinesis' per-shard rates (api/throughput.h).
  Dispatcher(Store& store, const Clock& clock, bool throughput_limits = false);
  ~Dispatcher();

  // Answers `request` through `done`, exactly once: before handle() returns, or later from the
  // thread that commits the store's writes for operations that write.
  void handle(HttpRequest request, Responder done);

 private:
  Sealer sealer_;
  std::unique_ptr<ThroughputLimiter> limiter_;
  Services services_;
};

}  // namespace kinesim::api
