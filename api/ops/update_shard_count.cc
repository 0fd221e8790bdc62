// UpdateShardCount: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void UpdateShardCount(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement UpdateShardCount yet", 501));
}

}  // namespace kinesim::api::ops
