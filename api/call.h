// One operation call as an operation handler sees it: the caller, the validated input, the
// services it may use, and a Reply to answer through. Handlers read everything they need from
// `in` before they return (the request buffer is released then); the Reply may be used later,
// from any thread, exactly once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/codec.h"
#include "api/error.h"
#include "api/http.h"
#include "api/sealed.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::api {

using Responder = std::function<void(HttpResponse)>;

// Answers one call, with bodies in the request's wire format. Copyable; the first answer wins and
// later ones are ignored.
class Reply {
 public:
  explicit Reply(Responder done, WireFormat format = WireFormat::kJson)
      : state_(std::make_shared<State>(std::move(done))), format_(format) {}

  void ok(const std::function<void(Output&)>& write_body) const;
  // Like ok(), but the body writer may give up with an error, which is sent instead.
  void respond(const std::function<std::optional<Error>(Output&)>& write_body) const;
  void ok_empty() const;  // operations whose output shape has no members
  void fail(const Error& e) const;
  // 200 with a body of type `content_type` that `source` streams (SubscribeToShard).
  void stream(std::string content_type, std::shared_ptr<BodySource> source) const;

  WireFormat format() const { return format_; }

 private:
  struct State {
    explicit State(Responder d) : done(std::move(d)) {}
    Responder done;
    bool answered = false;
  };
  std::shared_ptr<State> state_;
  WireFormat format_;
};

// Who is calling: the account and region a request acts in.
struct Caller {
  std::string account;
  std::string region;
};

class ThroughputLimiter;
class SubscriptionHub;
class FaultRegistry;
class Metrics;

struct Services {
  Store& store;
  const Clock& clock;
  const Sealer& sealer;
  ThroughputLimiter* limiter;      // enforces only while enabled()
  SubscriptionHub* subscriptions;  // SubscribeToShard's (api/subscriptions.h)
  FaultRegistry* faults;           // injected faults (api/faults.h)
  Metrics* metrics;                // what GET /metrics reports (api/metrics.h)
};

struct Call {
  const Services& services;
  Caller caller;
  Input in;
  Reply reply;
  // The request's body format; the reply answers in it, and so must anything else sent back
  // (encode_body in api/codec.h).
  WireFormat format = WireFormat::kJson;

  Store& store() const { return services.store; }
  int64_t now_ms() const { return services.clock.now_ms(); }
};

using OperationHandler = void (*)(Call&);

}  // namespace kinesim::api
