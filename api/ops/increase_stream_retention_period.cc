// IncreaseStreamRetentionPeriod: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void IncreaseStreamRetentionPeriod(Call& call) {
  call.reply.fail(errors::make(
      "InternalFailure", "kinesim does not implement IncreaseStreamRetentionPeriod yet", 501));
}

}  // namespace kinesim::api::ops
