// ListTagsForStream: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void ListTagsForStream(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement ListTagsForStream yet", 501));
}

}  // namespace kinesim::api::ops
