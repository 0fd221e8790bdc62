// UpdateStreamWarmThroughput: sets the write throughput an ON_DEMAND stream keeps ready, for
// accounts with the MinimumThroughputBillingCommitment. The stream is UPDATING for the configured
// delay while it scales: the answer's CurrentMiBps is what it had before the call, TargetMiBps
// what it scales to (DescribeStreamSummary shows both at the target once the stream is ACTIVE).
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void UpdateStreamWarmThroughput(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const int64_t target = *call.in["WarmThroughputMiBps"].integer();
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  if (stream->mode != StreamMode::kOnDemand) {
    return call.reply.fail(warm_throughput_needs_on_demand());
  }
  if (auto e = check_warm_throughput(call, key, target)) return call.reply.fail(*e);
  auto current = std::make_shared<int64_t>(0);
  change_stream(
      call, key, true,
      [target, current](StreamInfo& s, int64_t now) -> std::optional<Error> {
        if (auto e = require_active(s, now)) return e;
        if (s.mode != StreamMode::kOnDemand) return warm_throughput_needs_on_demand();
        *current = s.warm_throughput_mibps;
        s.warm_throughput_mibps = static_cast<int32_t>(target);
        return std::nullopt;
      },
      [key, target, current](const Reply& reply) {
        reply.ok([&](Output& out) {
          out.begin_object();
          out.field("StreamARN", stream_arn(key));
          out.field("StreamName", key.name);
          out.key("WarmThroughput");
          out.begin_object();
          out.field("TargetMiBps", target);
          out.field("CurrentMiBps", *current);
          out.end_object();
          out.end_object();
        });
      });
}

}  // namespace kinesim::api::ops
