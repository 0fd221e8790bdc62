// DescribeLimits: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DescribeLimits(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement DescribeLimits yet", 501));
}

}  // namespace kinesim::api::ops
