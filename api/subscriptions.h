// SubscribeToShard's subscriptions: each is the streamed body of one SubscribeToShard response,
// and one thread (the hub's) feeds them all.
//
// Contract:
// - Records are pushed: the store raises its records_committed signal after each commit that
//   appended records, the hub wakes, reads what is new for every subscription that can take a
//   chunk (BodySource::on_ready), and writes one event each. Nothing runs on the server's or the
//   writer's threads but noting that there is work.
// - A body is `application/vnd.amazon.eventstream`: an initial-response event first, then
//   SubscribeToShardEvent events (records, or none every kHeartbeatMs so the client sees
//   MillisBehindLatest), and at the end of a closed shard one event naming the child shards.
//   Payloads are in the request's wire format (JSON or CBOR); the framing is the same for both.
//   A subscription that can no longer go on (its stream deleted, its consumer deregistered,
//   taken over by a newer subscription) ends with an exception event saying why.
// - A subscription lasts kLifetimeMs on the server's clock; the hub looks at the clock at least
//   every kTickMs, so a fake clock's advance ends it too. At the end the body finishes cleanly.
// - One consumer holds one subscription per shard: a second SubscribeToShard within
//   kTakeoverAfterMs of a live one is refused; a later one takes over.
// - A consumer may subscribe to a shard once per kRateWindowMs: a call within that long of the
//   last one that started a subscription (live or not) is refused with LimitExceededException.
//   The rate is checked first, so within the window that is the answer even while the earlier
//   subscription is live; a refused call does not count against the rate.
// - stop() ends every subscription and joins the thread; it must run while the store is alive.
//   BodySources handed out stay safe to call after that (they just do nothing).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "api/codec.h"
#include "api/error.h"
#include "api/http.h"
#include "storage/catalog.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::api {

// The media type of SubscribeToShard's response body.
constexpr const char* kEventStreamContentType = "application/vnd.amazon.eventstream";

// What a new subscription reads, and for whom.
struct SubscriptionTarget {
  StreamKey stream;
  int64_t stream_id = 0;
  std::string consumer;             // the consumer's name ...
  int64_t consumer_created_ms = 0;  // ... and creation time: a consumer registered again is another
  int64_t shard_index = 0;
  int64_t shard_gid = 0;
  uint64_t after_counter = 0;  // the first record sent is the first with a larger counter
  // The SubscribeToShard request's body format: every event payload is in it.
  WireFormat format = WireFormat::kJson;
};

class SubscriptionHub : public std::enable_shared_from_this<SubscriptionHub> {
 public:
  static constexpr int64_t kLifetimeMs = 5 * 60 * 1000;
  static constexpr int64_t kTakeoverAfterMs = 5 * 1000;
  static constexpr int64_t kHeartbeatMs = 5 * 1000;
  static constexpr int64_t kTickMs = 50;
  static constexpr int64_t kRateWindowMs = 1000;

  SubscriptionHub(Store& store, const Clock& clock);
  ~SubscriptionHub();  // stop()
  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // Starts a subscription now, or refuses with LimitExceededException within kRateWindowMs of
  // the same consumer's last subscription to the same shard, or with ResourceInUseException
  // while that consumer's live subscription to the shard is younger than kTakeoverAfterMs. An
  // older one is taken over: it ends with a ResourceInUseException event.
  std::variant<std::shared_ptr<BodySource>, Error> subscribe(const SubscriptionTarget& target);

  // Ends the subscriptions of a consumer that can no longer subscribe (e.g. deregistered), with
  // `why` as their last event.
  void end_consumer(int64_t stream_id, std::string_view consumer, int64_t created_ms,
                    const Error& why);

  void stop();

 private:
  struct Shared;
  class Subscription;

  void run();
  // What one subscription gets next: at most one chunk, and perhaps the end of the body.
  struct Step {
    std::optional<std::string> chunk;
    bool finish = false;
  };
  // Sends `sub` what it has next; `ready` says whether its writer takes a chunk now.
  void serve(Subscription& sub, const std::shared_ptr<BodyWriter>& writer, bool ready,
             int64_t now_ms);
  Step next_step(Subscription& sub, int64_t now_ms);
  // The records after the subscription's position, up to `tip`; nullopt when they are all past
  // retention (the position then moves to the tip).
  std::optional<Step> records_step(Subscription& sub, const StreamInfo& stream,
                                   const ShardInfo& shard, uint64_t tip, int64_t now_ms);
  // An event without records, for a subscription that is caught up.
  std::string empty_event(Subscription& sub, const ShardInfo& shard, int64_t now_ms);

  Store& store_;
  const Clock& clock_;
  std::shared_ptr<Shared> shared_;
  uint64_t listener_ = 0;
  bool stopped_ = false;  // stop() has run (only the owner calls stop() and the destructor)
  std::thread thread_;
};

}  // namespace kinesim::api
