// DeleteResourcePolicy: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DeleteResourcePolicy(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement DeleteResourcePolicy yet", 501));
}

}  // namespace kinesim::api::ops
