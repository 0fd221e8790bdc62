// IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod share everything but their
// direction.
#pragma once

#include "api/call.h"

namespace kinesim::api::ops {

// Sets the stream's retention period to RetentionPeriodHours (24 to 8760) when that goes the
// operation's way (or stays the same) and the stream is ACTIVE. The change is immediate: the
// stream stays ACTIVE, reads see the new period at once, and a longer period never brings back
// records that had already expired.
void change_retention_period(Call& call, bool increase);

}  // namespace kinesim::api::ops
