// UpdateStreamWarmThroughput: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void UpdateStreamWarmThroughput(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement UpdateStreamWarmThroughput yet", 501));
}

}  // namespace kinesim::api::ops
