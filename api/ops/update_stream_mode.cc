// UpdateStreamMode: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void UpdateStreamMode(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement UpdateStreamMode yet", 501));
}

}  // namespace kinesim::api::ops
