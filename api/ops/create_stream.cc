// CreateStream: a PROVISIONED stream with ShardCount shards, or an ON_DEMAND one, which starts
// with four shards as Kinesis' on-demand streams do. Without ShardCount or a mode, Kinesis makes
// an on-demand stream. Tags, the maximum record size and (on-demand streams of accounts with the
// billing commitment) the warm throughput are set at creation.
#include "api/ops/ops.h"
#include "api/streams.h"
#include "api/tags.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kOnDemandInitialShards = 4;
}

void CreateStream(Call& call) {
  NewStream spec;
  spec.key =
      StreamKey{call.caller.account, call.caller.region, std::string(*call.in["StreamName"].str())};
  auto mode = call.in["StreamModeDetails"]["StreamMode"].str();
  auto shard_count = call.in["ShardCount"].integer();
  spec.mode = (mode && *mode == "ON_DEMAND") || (!mode && !shard_count) ? StreamMode::kOnDemand
                                                                        : StreamMode::kProvisioned;
  if (spec.mode == StreamMode::kOnDemand) {
    if (shard_count) {
      return call.reply.fail(
          errors::invalid_argument("ShardCount is not expected when StreamMode=ON_DEMAND"));
    }
    spec.shard_count = kOnDemandInitialShards;
  } else if (!shard_count) {
    return call.reply.fail(
        errors::invalid_argument("ShardCount is required for streams in PROVISIONED mode."));
  } else {
    spec.shard_count = *shard_count;
  }
  if (auto kib = call.in["MaxRecordSizeInKiB"].integer()) {
    spec.max_record_size_kib = static_cast<int32_t>(*kib);
  }
  if (auto e = read_tags(call.in["Tags"], spec.key, spec.tags)) return call.reply.fail(*e);
  if (spec.tags.size() > kMaxTagsPerResource) return call.reply.fail(too_many_tags(spec.key));
  if (auto warm = call.in["WarmThroughputMiBps"].integer(); warm && *warm > 0) {
    if (spec.mode != StreamMode::kOnDemand) {
      return call.reply.fail(warm_throughput_needs_on_demand());
    }
    if (auto e = check_warm_throughput(call, spec.key, *warm)) return call.reply.fail(*e);
    spec.warm_throughput_mibps = static_cast<int32_t>(*warm);
  }
  StreamKey key = spec.key;
  Reply reply = call.reply;
  const int64_t requested = spec.shard_count;
  call.store().create_stream(std::move(spec), [reply, key, requested](Status s) {
    if (s.ok()) return reply.ok_empty();
    if (s.code == StatusCode::kLimitExceeded && s.detail != 1) {
      return reply.fail(shard_limit_exceeded(key, s.current, s.limit, requested));
    }
    reply.fail(storage_error(s, key));
  });
}

}  // namespace kinesim::api::ops
