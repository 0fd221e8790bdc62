// UntagResource: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void UntagResource(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement UntagResource yet", 501));
}

}  // namespace kinesim::api::ops
