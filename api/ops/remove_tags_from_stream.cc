// RemoveTagsFromStream: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void RemoveTagsFromStream(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement RemoveTagsFromStream yet", 501));
}

}  // namespace kinesim::api::ops
