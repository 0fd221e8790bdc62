// StartStreamEncryption: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void StartStreamEncryption(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement StartStreamEncryption yet", 501));
}

}  // namespace kinesim::api::ops
