// DecreaseStreamRetentionPeriod: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DecreaseStreamRetentionPeriod(Call& call) {
  call.reply.fail(errors::make(
      "InternalFailure", "kinesim does not implement DecreaseStreamRetentionPeriod yet", 501));
}

}  // namespace kinesim::api::ops
