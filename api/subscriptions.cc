#include "api/subscriptions.h"

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "api/codec.h"
#include "api/event_stream.h"
#include "api/records.h"
#include "api/streams.h"

namespace kinesim::api {
namespace {

// One event carries what one GetRecords call may return at most.
constexpr size_t kMaxRecordsPerEvent = 10000;
constexpr size_t kMaxBytesPerEvent = 10 * 1024 * 1024;

// An event's payload and the media type it is in. Payloads are written through Output here and
// only here, in the format of the SubscribeToShard request: a CBOR caller (the Java SDKs, the
// KCL) reads its events with the same CBOR unmarshaller as its other responses, so Data is a
// byte string and ApproximateArrivalTimestamp tag 1 over epoch milliseconds there.
struct EventPayload {
  std::string content_type;
  std::string bytes;
};

// The :content-type of an event's payload. JSON events say application/json, as AWS's do; CBOR
// events name the request's own media type (the SDKs decode by the operation's protocol and do
// not read this header).
const char* payload_content_type(WireFormat format) {
  return format == WireFormat::kCbor ? content_type(WireFormat::kCbor) : "application/json";
}

EventPayload event_payload(WireFormat format, const std::function<void(Output&)>& write) {
  return EventPayload{payload_content_type(format), encode_body(format, write)};
}

std::string event_message(std::string_view event_type, EventPayload payload) {
  EventMessage m;
  m.headers = {{":message-type", "event"},
               {":event-type", std::string(event_type)},
               {":content-type", std::move(payload.content_type)}};
  m.payload = std::move(payload.bytes);
  return encode_event_message(m);
}

// An error as the event stream reports it: a modeled exception of SubscribeToShardEventStream.
std::string exception_message(WireFormat format, const Error& e) {
  // The stream's union names the internal error InternalFailureException.
  const std::string type = e.type == "InternalFailure" ? "InternalFailureException" : e.type;
  EventPayload payload = event_payload(format, [&](Output& out) {
    out.begin_object();
    out.field("message", e.message);
    out.end_object();
  });
  EventMessage m;
  m.headers = {{":message-type", "exception"},
               {":exception-type", type},
               {":content-type", std::move(payload.content_type)}};
  m.payload = std::move(payload.bytes);
  return encode_event_message(m);
}

// SubscribeToShardOutput has no members besides the event stream, so its initial response is
// an empty object.
std::string initial_response(WireFormat format) {
  return event_message("initial-response", event_payload(format, [](Output& out) {
                         out.begin_object();
                         out.end_object();
                       }));
}

bool same_claim(const SubscriptionTarget& a, const SubscriptionTarget& b) {
  return a.stream_id == b.stream_id && a.shard_gid == b.shard_gid && a.consumer == b.consumer &&
         a.consumer_created_ms == b.consumer_created_ms;
}

// ResourceInUseException for a consumer's second subscription to a shard (the identifier is
// ACCOUNT:STREAM:SHARD:CONSUMER).
Error another_active_subscription(const SubscriptionTarget& t) {
  return errors::resource_in_use(
      "Another active subscription exists for this consumer: " + t.stream.account + ":" +
      t.stream.name + ":" + shard_id(t.shard_index) + ":" + t.consumer);
}

// LimitExceededException for a consumer's second SubscribeToShard to a shard within a second.
Error subscribe_rate_exceeded(const SubscriptionTarget& t) {
  return errors::limit_exceeded("Rate exceeded for consumer " + t.consumer + " and shard " +
                                shard_id(t.shard_index) + " in stream " + t.stream.name +
                                " under account " + t.stream.account + ".");
}

// What identifies a consumer's claim on a shard (same_claim), as a map key.
using ClaimKey = std::tuple<int64_t, int64_t, std::string, int64_t>;
ClaimKey claim_key(const SubscriptionTarget& t) {
  return {t.stream_id, t.shard_gid, t.consumer, t.consumer_created_ms};
}

}  // namespace

// What the hub's thread and the subscriptions (called from server threads) share. Kept alive by
// every subscription, so a BodySource called after the hub stopped finds it still there.
struct SubscriptionHub::Shared {
  std::mutex mutex;
  std::condition_variable cv;
  bool work = false;  // something may be ready to send: look at every subscription
  bool stopping = false;
  std::vector<std::shared_ptr<Subscription>> subscriptions;
  // When each claim last started a subscription, for the once-a-second rate; entries older than
  // kRateWindowMs are dropped as new calls come.
  std::map<ClaimKey, int64_t> last_started_ms;

  // Called on every commit: without subscriptions there is nothing to push, and waking the hub's
  // thread would cost each write a context switch.
  void wake_for_records() {
    {
      std::lock_guard lock(mutex);
      if (subscriptions.empty()) return;
      work = true;
    }
    cv.notify_one();
  }
};

class SubscriptionHub::Subscription final : public BodySource {
 public:
  Subscription(std::shared_ptr<Shared> shared, const SubscriptionTarget& target, int64_t now_ms)
      : target(target),
        started_ms(now_ms),
        after(target.after_counter),
        // The first event follows the initial response at once, so a client learns its
        // ContinuationSequenceNumber before any record arrives.
        last_event_ms(now_ms - kHeartbeatMs),
        shared_(std::move(shared)) {}

  void on_ready(std::shared_ptr<BodyWriter> w) override {
    {
      std::lock_guard lock(shared_->mutex);
      if (cancelled || ended) return;
      writer = std::move(w);
      ready = true;
      shared_->work = true;
    }
    shared_->cv.notify_one();
  }

  void on_cancel() override {
    {
      std::lock_guard lock(shared_->mutex);
      cancelled = true;
      writer.reset();
      shared_->work = true;
    }
    shared_->cv.notify_one();
  }

  bool live() const { return !cancelled && !ended; }
  int64_t deadline_ms() const { return started_ms + kLifetimeMs; }

  const SubscriptionTarget target;
  const int64_t started_ms;

  // Guarded by Shared::mutex.
  std::shared_ptr<BodyWriter> writer;  // set by the first on_ready()
  bool ready = false;                  // the writer takes one more chunk
  bool cancelled = false;              // the client went away
  bool ended = false;                  // the hub finished the body
  bool superseded = false;             // no longer holds the consumer's claim on the shard
  std::optional<Error> ending;         // the exception event to end with

  // The hub thread's alone.
  uint64_t after;  // records up to this counter were sent (or skipped)
  bool initial_sent = false;
  int64_t last_event_ms;
  std::optional<int64_t> after_arrival_s;  // arrival second of record `after`, once known

 private:
  std::shared_ptr<Shared> shared_;
};

SubscriptionHub::SubscriptionHub(Store& store, const Clock& clock)
    : store_(store), clock_(clock), shared_(std::make_shared<Shared>()) {
  listener_ = store_.records_committed().listen([shared = shared_] { shared->wake_for_records(); });
  thread_ = std::thread([this] { run(); });
}

SubscriptionHub::~SubscriptionHub() { stop(); }

void SubscriptionHub::stop() {
  if (std::exchange(stopped_, true)) return;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
  store_.records_committed().unlisten(listener_);
  // Nothing more will be sent: every body still open ends here.
  std::vector<std::shared_ptr<BodyWriter>> open;
  {
    std::lock_guard lock(shared_->mutex);
    for (auto& sub : shared_->subscriptions) {
      if (sub->live() && sub->writer) open.push_back(std::move(sub->writer));
      sub->ended = true;
      sub->writer.reset();
    }
    shared_->subscriptions.clear();
  }
  for (auto& w : open) w->finish();
}

std::variant<std::shared_ptr<BodySource>, Error> SubscriptionHub::subscribe(
    const SubscriptionTarget& target) {
  std::shared_ptr<Subscription> sub;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping) return errors::internal("kinesim is stopping.");
    const int64_t now = clock_.now_ms();
    std::erase_if(shared_->last_started_ms,
                  [now](const auto& entry) { return now - entry.second >= kRateWindowMs; });
    ClaimKey key = claim_key(target);
    // The rate comes first: a call within a second of the last start is throttled, whatever
    // the subscription it started is doing now.
    if (shared_->last_started_ms.contains(key)) return subscribe_rate_exceeded(target);
    for (auto& other : shared_->subscriptions) {
      if (!other->live() || other->superseded || !same_claim(other->target, target)) continue;
      if (now >= other->deadline_ms()) continue;  // over, and about to be finished
      if (now - other->started_ms < kTakeoverAfterMs) return another_active_subscription(target);
      other->superseded = true;
      other->ending = another_active_subscription(target);
    }
    shared_->last_started_ms[std::move(key)] = now;
    sub = std::make_shared<Subscription>(shared_, target, now);
    shared_->subscriptions.push_back(sub);
    shared_->work = true;
  }
  shared_->cv.notify_one();
  return std::shared_ptr<BodySource>(std::move(sub));
}

void SubscriptionHub::end_consumer(int64_t stream_id, std::string_view consumer, int64_t created_ms,
                                   const Error& why) {
  {
    std::lock_guard lock(shared_->mutex);
    for (auto& sub : shared_->subscriptions) {
      const SubscriptionTarget& t = sub->target;
      if (!sub->live() || t.stream_id != stream_id || t.consumer != consumer ||
          t.consumer_created_ms != created_ms) {
        continue;
      }
      sub->superseded = true;
      if (!sub->ending) sub->ending = why;
    }
    shared_->work = true;
  }
  shared_->cv.notify_one();
}

void SubscriptionHub::run() {
  struct Due {
    std::shared_ptr<Subscription> sub;
    std::shared_ptr<BodyWriter> writer;
    bool ready;
  };
  std::vector<Due> due;
  std::unique_lock lock(shared_->mutex);
  while (!shared_->stopping) {
    // The timeout is what notices a clock that jumped (a fake one, in tests): lifetimes and
    // heartbeats are measured on the server's clock, which signals nothing. Without
    // subscriptions there is nothing to time, and the thread sleeps until one comes.
    const auto has_work = [this] { return shared_->work || shared_->stopping; };
    if (shared_->subscriptions.empty()) {
      shared_->cv.wait(lock, has_work);
    } else {
      shared_->cv.wait_for(lock, std::chrono::milliseconds(kTickMs), has_work);
    }
    if (shared_->stopping) break;
    shared_->work = false;
    std::erase_if(shared_->subscriptions, [](const auto& sub) { return !sub->live(); });
    for (const auto& sub : shared_->subscriptions) {
      if (sub->writer) due.push_back(Due{sub, sub->writer, sub->ready});
    }
    lock.unlock();
    const int64_t now = clock_.now_ms();
    for (const Due& d : due) serve(*d.sub, d.writer, d.ready, now);
    due.clear();
    lock.lock();
  }
}

void SubscriptionHub::serve(Subscription& sub, const std::shared_ptr<BodyWriter>& writer,
                            bool ready, int64_t now_ms) {
  Step step;
  if (ready) {
    step = next_step(sub, now_ms);
  } else if (now_ms >= sub.deadline_ms()) {
    // A client that stopped reading still loses the subscription on time: finish() may be
    // called while a chunk is in flight.
    step.finish = true;
  }
  if (!step.chunk && !step.finish) return;
  {
    std::lock_guard lock(shared_->mutex);
    if (!sub.live()) return;
    sub.ready = false;
    if (step.finish) {
      sub.ended = true;
      sub.writer.reset();
    }
  }
  // Outside the lock: the writer may call on_ready() before write() returns.
  if (step.chunk) writer->write(std::move(*step.chunk));
  if (step.finish) writer->finish();
}

SubscriptionHub::Step SubscriptionHub::next_step(Subscription& sub, int64_t now_ms) {
  if (!sub.initial_sent) {
    sub.initial_sent = true;
    return Step{initial_response(sub.target.format), false};
  }
  std::optional<Error> ending;
  {
    std::lock_guard lock(shared_->mutex);
    ending = sub.ending;
  }
  const SubscriptionTarget& t = sub.target;
  if (ending) return Step{exception_message(t.format, *ending), true};
  if (now_ms >= sub.deadline_ms()) return Step{std::nullopt, true};

  auto stream = store_.catalog().find(t.stream);
  const StreamStatus status = stream ? stream->status_at(now_ms) : StreamStatus::kGone;
  const ShardInfo* shard =
      stream && stream->id == t.stream_id ? stream->shard(t.shard_index) : nullptr;
  // A stream being deleted takes its consumers with it.
  if (!shard || shard->gid != t.shard_gid || status == StreamStatus::kDeleting ||
      status == StreamStatus::kGone) {
    return Step{exception_message(t.format, stream_not_found(t.stream)), true};
  }
  const uint64_t tip = shard->cursor->last_counter.load(std::memory_order_acquire);
  if (sub.after < tip) {
    if (auto step = records_step(sub, *stream, *shard, tip, now_ms)) return std::move(*step);
  }
  if (shard->ending_counter && sub.after >= *shard->ending_counter) {
    // The end of a closed shard: its children, and no ContinuationSequenceNumber (nothing
    // follows in this shard).
    sub.last_event_ms = now_ms;
    std::string event =
        event_message("SubscribeToShardEvent", event_payload(t.format, [&](Output& out) {
                        out.begin_object();
                        out.key("Records");
                        out.begin_array();
                        out.end_array();
                        out.field("MillisBehindLatest", int64_t{0});
                        write_child_shards(out, *stream, *shard);
                        out.end_object();
                      }));
    return Step{std::move(event), true};
  }
  if (now_ms - sub.last_event_ms >= kHeartbeatMs) {
    return Step{empty_event(sub, *shard, now_ms), false};
  }
  return Step{};
}

std::optional<SubscriptionHub::Step> SubscriptionHub::records_step(Subscription& sub,
                                                                   const StreamInfo& stream,
                                                                   const ShardInfo& shard,
                                                                   uint64_t tip, int64_t now_ms) {
  const SequenceNumberWriter sequence(shard.sequence_format, shard.index);
  const uint64_t from = sub.after;
  int64_t last_arrival_ms = 0;
  size_t count = 0;
  Status read;
  EventPayload payload = event_payload(sub.target.format, [&](Output& out) {
    out.begin_object();
    out.key("Records");
    out.begin_array();
    read = store_.read_records(shard.gid, from, tip, now_ms - stream.retention_ms(),
                               kMaxRecordsPerEvent, kMaxBytesPerEvent, [&](const StoredRecord& r) {
                                 write_record(out, sequence, r);
                                 sub.after = r.counter;
                                 last_arrival_ms = r.arrival_ms;
                                 ++count;
                               });
    out.end_array();
    if (count > 0) {
      char seq[SequenceNumber::kLength];
      sequence.write(sub.after, last_arrival_ms / 1000, seq);
      out.field("ContinuationSequenceNumber", std::string_view(seq, sizeof seq));
      const bool caught_up = sub.after >= tip;
      out.field("MillisBehindLatest",
                caught_up ? int64_t{0} : std::max<int64_t>(0, now_ms - last_arrival_ms));
    }
    out.end_object();
  });
  if (!read.ok())
    return Step{exception_message(sub.target.format, errors::internal(read.message)), true};
  if (count == 0) {
    // Everything before the tip is past retention: the reader is at the tip.
    sub.after = tip;
    sub.after_arrival_s.reset();
    return std::nullopt;
  }
  sub.after_arrival_s = last_arrival_ms / 1000;
  sub.last_event_ms = now_ms;
  return Step{event_message("SubscribeToShardEvent", std::move(payload)), false};
}

std::string SubscriptionHub::empty_event(Subscription& sub, const ShardInfo& shard,
                                         int64_t now_ms) {
  if (!sub.after_arrival_s) {
    // A sequence number carries its record's arrival second. Position 0 is the shard's
    // StartingSequenceNumber; a record already trimmed away gets the current second, which is
    // harmless: numbers order by counter first.
    sub.after_arrival_s = sub.after == 0 ? shard.sequence_format.shard_created_s : now_ms / 1000;
    if (sub.after > 0) {
      (void)store_.read_records(
          shard.gid, sub.after - 1, sub.after, 0, 1, kMaxBytesPerEvent,
          [&](const StoredRecord& r) { sub.after_arrival_s = r.arrival_ms / 1000; });
    }
  }
  char seq[SequenceNumber::kLength];
  SequenceNumberWriter(shard.sequence_format, shard.index)
      .write(sub.after, *sub.after_arrival_s, seq);
  sub.last_event_ms = now_ms;
  return event_message("SubscribeToShardEvent", event_payload(sub.target.format, [&](Output& out) {
                         out.begin_object();
                         out.key("Records");
                         out.begin_array();
                         out.end_array();
                         out.field("ContinuationSequenceNumber", std::string_view(seq, sizeof seq));
                         out.field("MillisBehindLatest", int64_t{0});
                         out.end_object();
                       }));
}

}  // namespace kinesim::api
