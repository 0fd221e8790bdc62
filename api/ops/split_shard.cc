// SplitShard: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void SplitShard(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement SplitShard yet", 501));
}

}  // namespace kinesim::api::ops
