// UpdateShardCount: UNIFORM_SCALING to TargetShardCount open shards of equal hash-key ranges, done
// with splits and merges in one step (storage/lineage.h); the stream is UPDATING for the
// configured delay. Kinesis' default limits apply: the account's shard limit, at most double and
// at least half the open shards, at most 10000 shards in a stream, and ten scalings per rolling
// 24 hours. A target the open shards already have, evenly spread, changes nothing and does not
// count as a scaling.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/ops/resharding.h"
#include "api/streams.h"
#include "storage/lineage.h"

namespace kinesim::api::ops {
namespace {

constexpr int64_t kMaxTargetShardCount = 100000;  // checked on the wire
constexpr int64_t kMaxShardsPerStream = 10000;
constexpr int64_t kMaxScalingsPerDay = 10;
constexpr int64_t kDayMs = 24 * 3600 * 1000;

std::string counts(int64_t open, int64_t target) {
  return "Current open shard count: " + std::to_string(open) +
         ", Target shard count: " + std::to_string(target);
}

Error over_shard_limit(int64_t limit, int64_t open, int64_t target) {
  return errors::limit_exceeded(
      "Target shard count or number of open shards cannot be greater than " +
      std::to_string(limit) + ". " + counts(open, target));
}

// The limits on one scaling of `stream` (checked inside the writer).
std::optional<Error> check_scaling(const StreamInfo& stream, int64_t open, int64_t target,
                                   int64_t now) {
  if (target > 2 * open) {
    return errors::limit_exceeded(
        "UpdateShardCount cannot scale up over double your current open shard count. " +
        counts(open, target));
  }
  if (2 * target < open) {
    return errors::limit_exceeded(
        "UpdateShardCount cannot scale down below half your current open shard count. " +
        counts(open, target));
  }
  const std::string most = std::to_string(kMaxShardsPerStream);
  if (target > kMaxShardsPerStream) {
    return errors::limit_exceeded("UpdateShardCount cannot scale up to more than " + most +
                                  " shards in a stream. " + counts(open, target));
  }
  if (open > kMaxShardsPerStream && target == kMaxShardsPerStream) {
    return errors::limit_exceeded("UpdateShardCount cannot scale down a stream of more than " +
                                  most + " shards unless the result is less than " + most +
                                  " shards. " + counts(open, target));
  }
  const auto recent = std::count_if(stream.scalings_ms.begin(), stream.scalings_ms.end(),
                                    [now](int64_t at) { return at > now - kDayMs; });
  if (recent >= kMaxScalingsPerDay) {
    return errors::limit_exceeded("UpdateShardCount cannot scale stream " + stream.key.name +
                                  " under account " + stream.key.account + " more than " +
                                  std::to_string(kMaxScalingsPerDay) +
                                  " times in a rolling 24-hour period.");
  }
  return std::nullopt;
}

}  // namespace

void UpdateShardCount(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const int64_t target = *call.in["TargetShardCount"].integer();
  if (target > kMaxTargetShardCount) {
    return call.reply.fail(validation_error(
        {"Value '" + std::to_string(target) +
         "' at 'targetShardCount' failed to satisfy constraint: Member must have value less than "
         "or equal to " +
         std::to_string(kMaxTargetShardCount)}));
  }
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  // Kinesis names the account's shard limit before the per-stream limits. The store checks it
  // again when it applies the plan; this early look only puts the answers in that order.
  const int64_t limit = call.store().options().shard_limit;
  if (!require_reshardable(*stream, call.now_ms())) {
    const int64_t open = stream->open_shard_count();
    const AccountTotals totals = call.store().catalog().totals(key.account, key.region);
    if (totals.open_shards - open + target > limit) {
      return call.reply.fail(over_shard_limit(limit, open, target));
    }
  }

  Refusal refuse;
  Reply reply = call.reply;
  auto open_before = std::make_shared<int64_t>(0);  // written by the planner, read by the answer
  call.store().reshard(
      key, true,
      [refuse, target, open_before](const StreamInfo& s, int64_t now) -> Result<ReshardPlan> {
        if (auto e = require_reshardable(s, now)) return refuse(std::move(*e));
        *open_before = s.open_shard_count();
        if (auto e = check_scaling(s, *open_before, target, now)) return refuse(std::move(*e));
        return plan_uniform_scaling(*s.shards, target);
      },
      [reply, refuse, key, target, open_before](Result<int64_t> r) {
        if (!r.ok()) {
          const Status& s = r.status();
          if (s.code == StatusCode::kLimitExceeded) {
            return reply.fail(over_shard_limit(s.limit, *open_before, target));
          }
          return reply.fail(refuse.error_for(s, key));
        }
        const int64_t current = r.value();
        reply.ok([&](Output& out) {
          out.begin_object();
          out.field("StreamName", key.name);
          out.field("CurrentShardCount", current);
          out.field("TargetShardCount", target);
          out.field("StreamARN", stream_arn(key));
          out.end_object();
        });
      });
}

}  // namespace kinesim::api::ops
