// EnableEnhancedMonitoring: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void EnableEnhancedMonitoring(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement EnableEnhancedMonitoring yet", 501));
}

}  // namespace kinesim::api::ops
