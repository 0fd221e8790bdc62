// TagResource: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void TagResource(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement TagResource yet", 501));
}

}  // namespace kinesim::api::ops
