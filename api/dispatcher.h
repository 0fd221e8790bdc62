// The Kinesis API as a function from an HTTP request to an HTTP response. The server hands each
// parsed request here; nothing in this layer knows about sockets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/call.h"
#include "api/http.h"
#include "api/sealed.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::api {

struct DispatcherOptions {
  bool throughput_limits = false;  // hold shards to Kinesis' per-shard rates (api/throughput.h)
  AuthOptions auth;                // signature checks and the accounts of keys (api/auth.h)
};

class SubscriptionHub;

// Contract: the store must outlive the dispatcher (its destructor ends every SubscribeToShard
// subscription, which reads the store until then).
class Dispatcher {
 public:
  // `clock` also decides whether a signature has expired (in verify mode).
  Dispatcher(Store& store, const Clock& clock, DispatcherOptions options = {});
  ~Dispatcher();

  // Ends every streamed answer (subscriptions) and the thread that feeds them. The server calls
  // it once no request can arrive any more, before it tears connections and the store down.
  void stop_streams();

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
  Authenticator auth_;
};

}  // namespace kinesim::api
