// PutResourcePolicy: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void PutResourcePolicy(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement PutResourcePolicy yet", 501));
}

}  // namespace kinesim::api::ops
