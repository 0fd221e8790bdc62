// GetResourcePolicy: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void GetResourcePolicy(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement GetResourcePolicy yet", 501));
}

}  // namespace kinesim::api::ops
