// DescribeAccountSettings: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void DescribeAccountSettings(Call& call) {
  call.reply.fail(errors::make("InternalFailure",
                               "kinesim does not implement DescribeAccountSettings yet", 501));
}

}  // namespace kinesim::api::ops
