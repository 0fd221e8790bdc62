// DescribeLimits: the caller's shard and ON_DEMAND stream limits in its region, with what it uses
// of them (open shards only: closed shards do not count).
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DescribeLimits(Call& call) {
  const AccountTotals totals =
      call.store().catalog().totals(call.caller.account, call.caller.region);
  const StoreOptions& options = call.store().options();
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.field("ShardLimit", options.shard_limit);
    out.field("OpenShardCount", totals.open_shards);
    out.field("OnDemandStreamCount", totals.on_demand_streams);
    out.field("OnDemandStreamCountLimit", options.on_demand_stream_limit);
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
