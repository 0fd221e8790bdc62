// DeregisterStreamConsumer: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DeregisterStreamConsumer(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement DeregisterStreamConsumer yet", 501));
}

}  // namespace kinesim::api::ops
