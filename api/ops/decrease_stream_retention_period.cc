// DecreaseStreamRetentionPeriod: a shorter retention period (api/ops/retention_period.h); records
// older than the new period are unreadable at once and trimmed by the next maintenance pass.
#include "api/ops/ops.h"
#include "api/ops/retention_period.h"

namespace kinesim::api::ops {

void DecreaseStreamRetentionPeriod(Call& call) { change_retention_period(call, false); }

}  // namespace kinesim::api::ops
