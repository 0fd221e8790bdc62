// DescribeAccountSettings: the caller's MinimumThroughputBillingCommitment in its region.
#include "api/ops/account_settings.h"
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void DescribeAccountSettings(Call& call) {
  auto settings = call.store().account_settings(call.caller.account, call.caller.region);
  if (!settings.ok()) {
    return call.reply.fail(storage_error(
        settings.status(), StreamKey{call.caller.account, call.caller.region, std::string()}));
  }
  const int64_t now = call.now_ms();
  call.reply.ok([&](Output& out) { write_account_settings(out, settings.value(), now); });
}

}  // namespace kinesim::api::ops
