// CreateStream: a PROVISIONED stream with ShardCount shards, or an ON_DEMAND one, which starts
// with four shards as Kinesis' on-demand streams do.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kOnDemandInitialShards = 4;
}

void CreateStream(Call& call) {
  NewStream spec;
  spec.key =
      StreamKey{call.caller.account, call.caller.region, std::string(*call.in["StreamName"].str())};
  auto mode = call.in["StreamModeDetails"]["StreamMode"].str();
  spec.mode = mode && *mode == "ON_DEMAND" ? StreamMode::kOnDemand : StreamMode::kProvisioned;
  auto shard_count = call.in["ShardCount"].integer();
  if (spec.mode == StreamMode::kOnDemand) {
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
  StreamKey key = spec.key;
  Reply reply = call.reply;
  const int64_t requested = spec.shard_count;
  call.store().create_stream(std::move(spec), [reply, key, requested](Status s) {
    if (s.ok()) return reply.ok_empty();
    if (s.code == StatusCode::kLimitExceeded) {
      return reply.fail(errors::limit_exceeded(
          "This request would exceed the shard limit for the account " + key.account + " in " +
          key.region + ". Current shard count for the account: " + std::to_string(s.current) +
          ". Limit: " + std::to_string(s.limit) +
          ". Number of additional shards that would have resulted from this request: " +
          std::to_string(requested) +
          ". Refer to the AWS Service Limits page "
          "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
          "limits and how to request higher limits."));
    }
    reply.fail(storage_error(s, key));
  });
}

}  // namespace kinesim::api::ops
