// ListStreamConsumers: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void ListStreamConsumers(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement ListStreamConsumers yet", 501));
}

}  // namespace kinesim::api::ops
