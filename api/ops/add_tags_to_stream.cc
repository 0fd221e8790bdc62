// AddTagsToStream: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void AddTagsToStream(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement AddTagsToStream yet", 501));
}

}  // namespace kinesim::api::ops
