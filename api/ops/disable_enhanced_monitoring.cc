// DisableEnhancedMonitoring: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DisableEnhancedMonitoring(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement DisableEnhancedMonitoring yet", 501));
}

}  // namespace kinesim::api::ops
