// UpdateAccountSettings: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void UpdateAccountSettings(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement UpdateAccountSettings yet", 501));
}

}  // namespace kinesim::api::ops
