// ListTagsForResource: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void ListTagsForResource(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement ListTagsForResource yet", 501));
}

}  // namespace kinesim::api::ops
