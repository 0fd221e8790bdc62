// UpdateMaxRecordSize: not written yet.
#include "api/ops/ops.h"

namespace kinesim::api::ops {

void UpdateMaxRecordSize(Call& call) {
  call.reply.fail(
      errors::make("InternalFailure", "kinesim does not implement UpdateMaxRecordSize yet", 501));
}

}  // namespace kinesim::api::ops
