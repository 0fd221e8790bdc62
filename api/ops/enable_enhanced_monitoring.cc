// EnableEnhancedMonitoring: adds shard-level metrics ("ALL": all seven) to the stream's enhanced
// monitoring. Answers the metrics before (Current) and after (Desired) the call, in the model's
// order, with "ALL" spelled out as Kinesis does. The stream is UPDATING for the configured delay,
// as for every other settings change.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void EnableEnhancedMonitoring(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const uint32_t adding = shard_level_metric_bits(call.in["ShardLevelMetrics"]);
  auto before = std::make_shared<uint32_t>(0);
  change_stream(
      call, key, true,
      [adding, before](StreamInfo& stream, int64_t now) -> std::optional<Error> {
        if (auto e = require_active(stream, now)) return e;
        *before = stream.shard_metrics;
        stream.shard_metrics |= adding;
        return std::nullopt;
      },
      [key, adding, before](const Reply& reply) {
        reply.ok(
            [&](Output& out) { write_enhanced_monitoring(out, key, *before, *before | adding); });
      });
}

}  // namespace kinesim::api::ops
