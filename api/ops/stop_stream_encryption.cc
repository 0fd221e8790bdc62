// StopStreamEncryption: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void StopStreamEncryption(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement StopStreamEncryption yet", 501));
}

}  // namespace kinesim::api::ops
