// The Kinesis API as a function from an HTTP request to an HTTP response. The server hands each
// parsed request here; nothing in this layer knows about sockets.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/call.h"
#include "api/faults.h"
#include "api/http.h"
#include "api/metrics.h"
#include "api/sealed.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::api {

struct DispatcherOptions {
  bool throughput_limits = false;  // hold shards to Kinesis' per-shard rates (api/throughput.h)
  AuthOptions auth;                // signature checks and the accounts of keys (api/auth.h)
};

class SubscriptionHub;

// Handles requests under kAdminPrefix (the admin surface, server/admin.h) when installed.
using AdminHandler = std::function<void(HttpRequest&, Responder&)>;
// No Kinesis call uses this path: Kinesis calls are POST / with an X-Amz-Target header.
constexpr std::string_view kAdminPrefix = "/_kinesim/";

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

  // The faults injected into calls (api/faults.h); also switches throughput limits.
  FaultRegistry& faults() { return faults_; }
  // What GET /metrics reports.
  Metrics& metrics() { return metrics_; }
  // Routes requests under kAdminPrefix to `admin`. Without it they are answered like any other
  // request that is not a Kinesis call. Call it before serving starts.
  void set_admin(AdminHandler admin) { admin_ = std::move(admin); }

 private:
  // Applies the faults for a validated call: answers it with an injected failure (true), or
  // lets it run, with `done` holding its answer back when a latency fires.
  bool inject_faults(std::string_view op, const Input& in, const Caller& caller, WireFormat format,
                     Responder& done);

  // Validation limits that depend on the stream the request names (see RequestLimits).
  RequestLimits limits_for(std::string_view op, const Input& in, const Caller& caller) const;

  // GET /health, /metrics and the console under /ui; false for any other request.
  bool serve_own_page(const HttpRequest& request, Responder& done);

  FaultRegistry faults_;
  DelayQueue delayed_;  // answers held back by latency faults
  AdminHandler admin_;
  Sealer sealer_;
  std::unique_ptr<ThroughputLimiter> limiter_;
  std::shared_ptr<SubscriptionHub> subscriptions_;
  Metrics metrics_;
  Services services_;
  Authenticator auth_;
};

}  // namespace kinesim::api
