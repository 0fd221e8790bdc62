// SubscribeToShard: an ACTIVE consumer's subscription to one shard of its stream, answered as an
// event stream that pushes the shard's records for up to five minutes (api/subscriptions.h). The
// starting position follows GetShardIterator's rules. Everything wrong with the request is a
// plain error response, before the stream starts.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/starting_position.h"
#include "api/streams.h"
#include "api/subscriptions.h"

namespace kinesim::api::ops {
void SubscribeToShard(Call& call) {
  Resource consumer;
  if (auto e = find_named_consumer(call, consumer)) return call.reply.fail(*e);
  const StreamKey& key = consumer.key();
  const int64_t now = call.now_ms();
  if (consumer.consumer->status_at(now) != ConsumerStatus::kActive) {
    return call.reply.fail(subscriber_not_active(key, *consumer.consumer));
  }
  auto found = find_readable_shard(call, key, *call.in["ShardId"].str(), now);
  if (auto* e = std::get_if<Error>(&found)) return call.reply.fail(*e);
  const ReadableShard& target = std::get<ReadableShard>(found);

  const Input start = call.in["StartingPosition"];
  const StartingPosition position{*start["Type"].str(), start["SequenceNumber"].str(),
                                  start["Timestamp"].timestamp_ms()};
  auto after = resolve_starting_position(call, key, target, position, now);
  if (auto* e = std::get_if<Error>(&after)) return call.reply.fail(*e);

  SubscriptionTarget subscription;
  subscription.stream = key;
  subscription.stream_id = target.stream->id;
  subscription.consumer = consumer.consumer->name;
  subscription.consumer_created_ms = consumer.consumer->created_ms;
  subscription.shard_index = target.shard->index;
  subscription.shard_gid = target.shard->gid;
  subscription.after_counter = std::get<uint64_t>(after);
  subscription.format = call.format;
  auto started = call.services.subscriptions->subscribe(subscription);
  if (auto* e = std::get_if<Error>(&started)) return call.reply.fail(*e);
  call.reply.stream(kEventStreamContentType,
                    std::move(std::get<std::shared_ptr<BodySource>>(started)));
}

}  // namespace kinesim::api::ops
