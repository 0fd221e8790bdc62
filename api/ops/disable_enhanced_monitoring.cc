// DisableEnhancedMonitoring: removes shard-level metrics ("ALL": every one) from the stream's
// enhanced monitoring; metrics that were not enabled are ignored. Answers the metrics before
// (Current) and after (Desired) the call. The stream is UPDATING for the configured delay.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void DisableEnhancedMonitoring(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const uint32_t removing = shard_level_metric_bits(call.in["ShardLevelMetrics"]);
  auto before = std::make_shared<uint32_t>(0);
  change_stream(
      call, key, true,
      [removing, before](StreamInfo& stream, int64_t now) -> std::optional<Error> {
        if (auto e = require_active(stream, now)) return e;
        *before = stream.shard_metrics;
        stream.shard_metrics &= ~removing;
        return std::nullopt;
      },
      [key, removing, before](const Reply& reply) {
        reply.ok([&](Output& out) {
          write_enhanced_monitoring(out, key, *before, *before & ~removing);
        });
      });
}

}  // namespace kinesim::api::ops
