// MergeShards: two adjacent open shards become one covering both; the stream is UPDATING for the
// configured delay. The order of the two matters, as in Kinesis: ShardToMerge must end right
// below where AdjacentShardToMerge starts. Checks that depend on the stream run inside the store's
// writer, so they hold against concurrent splits and merges.
#include "api/ops/ops.h"
#include "api/ops/resharding.h"
#include "api/streams.h"
#include "storage/lineage.h"

namespace kinesim::api::ops {

void MergeShards(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  // Ids that do not parse are "not found" before the stream is looked up, named as sent.
  const std::string_view raw_first = *call.in["ShardToMerge"].str();
  const std::string_view raw_second = *call.in["AdjacentShardToMerge"].str();
  const auto first = parse_shard_id(raw_first);
  if (!first) return call.reply.fail(could_not_find_shard(key, raw_first));
  const auto second = parse_shard_id(raw_second);
  if (!second) return call.reply.fail(could_not_find_shard(key, raw_second));

  Refusal refuse;
  Reply reply = call.reply;
  call.store().reshard(
      key, false,
      [refuse, first = *first, second = *second](const StreamInfo& stream,
                                                 int64_t now) -> Result<ReshardPlan> {
        if (auto e = require_reshardable(stream, now)) return refuse(std::move(*e));
        auto a = open_shard(stream, first);
        if (auto* e = std::get_if<Error>(&a)) return refuse(std::move(*e));
        auto b = open_shard(stream, second);
        if (auto* e = std::get_if<Error>(&b)) return refuse(std::move(*e));
        const HashKeyRange& lower = std::get<const ShardInfo*>(a)->range;
        const HashKeyRange& upper = std::get<const ShardInfo*>(b)->range;
        if (lower.end == kMaxHashKey || lower.end + 1 != upper.start) {
          return refuse(errors::invalid_argument(
              "Shards " + shard_id(first) + " and " + shard_id(second) + " in stream " +
              stream.key.name + " under account " + stream.key.account +
              " are not an adjacent pair of shards eligible for merging"));
        }
        return plan_merge(*stream.shards, first, second);
      },
      [reply, refuse, key](Result<int64_t> r) {
        if (r.ok()) return reply.ok_empty();
        reply.fail(refuse.error_for(r.status(), key));
      });
}

}  // namespace kinesim::api::ops
