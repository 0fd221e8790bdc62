// RegisterStreamConsumer: registers an enhanced fan-out consumer with an ACTIVE (or UPDATING)
// stream. The consumer is CREATING for the configured delay, then ACTIVE; its ARN ends in its
// creation second. A stream holds at most 20 consumers, at most 5 of them CREATING at once.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/streams.h"
#include "api/tags.h"

namespace kinesim::api::ops {

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
  Reply reply = call.reply;
  call.store().register_consumer(
      key, name, std::move(tags), kMaxConsumersPerStream, kMaxCreatingConsumers,
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
        if (s.code == StatusCode::kLimitExceeded && s.detail == 1) {
          return reply.fail(errors::limit_exceeded(
              "This request would exceed the limit of " + std::to_string(s.limit) +
              " consumers in CREATING status for stream " + key.name + " under account " +
              key.account + "."));
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
