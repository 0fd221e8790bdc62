// IncreaseStreamRetentionPeriod: a longer retention period (api/ops/retention_period.h).
#include "api/ops/ops.h"
#include "api/ops/retention_period.h"

namespace kinesim::api::ops {

void IncreaseStreamRetentionPeriod(Call& call) { change_retention_period(call, true); }

}  // namespace kinesim::api::ops
