// DescribeStreamConsumer: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DescribeStreamConsumer(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement DescribeStreamConsumer yet", 501));
}

}  // namespace kinesim::api::ops
