// RegisterStreamConsumer: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void RegisterStreamConsumer(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement RegisterStreamConsumer yet", 501));
}

}  // namespace kinesim::api::ops
