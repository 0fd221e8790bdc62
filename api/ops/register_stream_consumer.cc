// RegisterStreamConsumer: registers an enhanced fan-out consumer with an ACTIVE (or UPDATING)
// stream. The consumer is CREATING for the configured delay, then ACTIVE; its ARN ends in its
// creation second. A stream holds at most 20 consumers, at most 5 of them CREATING at once.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/streams.h"
#include "api/tags.h"

namespace kinesim::api::ops {
namespace {

// How many of the stream's consumers are CREATING at `now`.
Result<int64_t> creating_consumers(Store& store, int64_t stream_id, int64_t now) {
  auto all = store.list_consumers(stream_id, "", kMaxConsumersPerStream * 4);
  if (!all.ok()) return all.status();
  int64_t n = 0;
  for (const auto& c : all.value()) n += c.status_at(now) == ConsumerStatus::kCreating ? 1 : 0;
  return n;
}

}  // namespace

void RegisterStreamConsumer(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::string name(*call.in["ConsumerName"].str());
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  std::vector<Tag> tags;
  if (auto e = read_tags(call.in["Tags"], key, tags)) return call.reply.fail(*e);
  if (tags.size() > kMaxTagsPerResource) {
    return call.reply.fail(too_many_consumer_tags(key, name));
  }
  // Checked before the store's own checks, outside its writer: two registrations racing may
  // both pass, which only matters while consumers take time to create.
  auto creating = creating_consumers(call.store(), stream->id, call.now_ms());
  if (!creating.ok()) return call.reply.fail(storage_error(creating.status(), key));
  if (creating.value() >= kMaxCreatingConsumers) {
    return call.reply.fail(errors::limit_exceeded(
        "This request would exceed the limit of " + std::to_string(kMaxCreatingConsumers) +
        " consumers in CREATING status for stream " + key.name + " under account " + key.account +
        "."));
  }
  Reply reply = call.reply;
  call.store().register_consumer(
      key, name, std::move(tags), kMaxConsumersPerStream,
      [reply, key, name](Result<ConsumerInfo> r) {
        if (r.ok()) {
          return reply.ok([&](Output& out) {
            out.begin_object();
            out.key("Consumer");
            // As it was when registered: CREATING, or ACTIVE without a delay.
            write_consumer(out, key, r.value(), r.value().created_ms, false);
            out.end_object();
          });
        }
        const Status& s = r.status();
        if (s.code == StatusCode::kAlreadyExists) {
          return reply.fail(errors::resource_in_use("Consumer " + name + " under stream " +
                                                    key.name + " and account " + key.account +
                                                    " already exists."));
        }
        if (s.code == StatusCode::kLimitExceeded) {
          return reply.fail(errors::limit_exceeded("This request would exceed the limit of " +
                                                   std::to_string(s.limit) +
                                                   " consumers registered with stream " + key.name +
                                                   " under account " + key.account + "."));
        }
        reply.fail(storage_error(s, key));
      });
}

}  // namespace kinesim::api::ops
