// The Kinesis API as a function from an HTTP request to an HTTP response. The server hands each
// parsed request here; nothing in this layer knows about sockets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/call.h"
#include "api/http.h"
#include "api/sealed.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::api {

// Region and account a request acts in, read from its SigV4 credential scope; the account is
// the access key itself when that is a 12-digit number, else `default_account`.
Caller caller_from_authorization(std::string_view authorization,
                                 std::string_view default_account = "000000000000");

class SubscriptionHub;

// Contract: the store must outlive the dispatcher (its destructor ends every SubscribeToShard
// subscription, which reads the store until then).
class Dispatcher {
 public:
  // With `throughput_limits`, shards are held to Kinesis' per-shard rates (api/throughput.h).
  // Requests whose access key is not an account id act in `default_account`.
  Dispatcher(Store& store, const Clock& clock, bool throughput_limits = false,
             std::string default_account = "000000000000");
  ~Dispatcher();

  // Answers `request` through `done`, exactly once: before handle() returns, or later from the
  // thread that commits the store's writes for operations that write. A SubscribeToShard answer
  // streams its body (HttpResponse::stream) from the dispatcher's subscription thread.
  void handle(HttpRequest request, Responder done);

 private:
  // Validation limits that depend on the stream the request names (see RequestLimits).
  RequestLimits limits_for(std::string_view op, const Input& in, const Caller& caller) const;

  Sealer sealer_;
  std::unique_ptr<ThroughputLimiter> limiter_;
  std::shared_ptr<SubscriptionHub> subscriptions_;
  Services services_;
  std::string default_account_;
};

}  // namespace kinesim::api
