// SplitShard: one open shard becomes two, divided at NewStartingHashKey; the stream is UPDATING
// for the configured delay. Every check that depends on the stream runs inside the store's writer,
// so a concurrent split or merge cannot slip between the check and the change.
//
// Kinesis' order: a shard id that does not parse is "not found" before the stream is looked up;
// then the stream, its mode and state, the shard, the hash key, and last the account's shard
// limit.
#include "api/ops/ops.h"
#include "api/ops/resharding.h"
#include "api/streams.h"
#include "storage/lineage.h"

namespace kinesim::api::ops {
namespace {

// Kinesis takes a new starting hash key strictly inside the shard, leaving each child at least
// two hash keys: StartingHashKey + 1 < key < EndingHashKey.
bool splits_inside(const HashKeyRange& range, std::optional<HashKey> key) {
  return key && *key > range.start && *key - range.start > 1 && *key < range.end;
}

}  // namespace

void SplitShard(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const std::string_view raw_shard = *call.in["ShardToSplit"].str();
  const auto index = parse_shard_id(raw_shard);
  if (!index) return call.reply.fail(could_not_find_shard(key, raw_shard));
  // As sent: the error for a key out of range echoes it (the model allows 39 digits, which can be
  // more than 2^128 - 1).
  std::string new_start(*call.in["NewStartingHashKey"].str());

  Refusal refuse;
  Reply reply = call.reply;
  call.store().reshard(
      key, false,
      [refuse, index = *index, new_start = std::move(new_start)](
          const StreamInfo& stream, int64_t now) -> Result<ReshardPlan> {
        if (auto e = require_reshardable(stream, now)) return refuse(std::move(*e));
        auto shard = open_shard(stream, index);
        if (auto* e = std::get_if<Error>(&shard)) return refuse(std::move(*e));
        const HashKeyRange& range = std::get<const ShardInfo*>(shard)->range;
        const auto at = parse_hash_key(new_start);
        if (!splits_inside(range, at)) {
          return refuse(errors::invalid_argument(
              "NewStartingHashKey " + new_start + " used in SplitShard() on shard " +
              shard_id(index) + " in stream " + stream.key.name + " under account " +
              stream.key.account + " is not both greater than one plus the shard's " +
              "StartingHashKey " + to_decimal(range.start) +
              " and less than the shard's EndingHashKey " + to_decimal(range.end) + "."));
        }
        return plan_split(*stream.shards, index, *at);
      },
      [reply, refuse, key](Result<int64_t> r) {
        if (r.ok()) return reply.ok_empty();
        const Status& s = r.status();
        if (s.code == StatusCode::kLimitExceeded) {
          return reply.fail(shard_limit_exceeded(key, s.current, s.limit, 1));
        }
        reply.fail(refuse.error_for(s, key));
      });
}

}  // namespace kinesim::api::ops
