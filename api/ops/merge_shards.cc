// MergeShards: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void MergeShards(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement MergeShards yet", 501));
}

}  // namespace kinesim::api::ops
