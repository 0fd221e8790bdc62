// What DescribeAccountSettings and UpdateAccountSettings share: the
// MinimumThroughputBillingCommitment member both answer with.
#pragma once

#include "api/codec.h"
#include "storage/store.h"

namespace kinesim::api::ops {

inline const char* billing_commitment_name(BillingCommitment c) {
  switch (c) {
    case BillingCommitment::kEnabled:
      return "ENABLED";
    case BillingCommitment::kEnabledUntilEarliestAllowedEnd:
      return "ENABLED_UNTIL_EARLIEST_ALLOWED_END";
    case BillingCommitment::kDisabled:
      break;
  }
  return "DISABLED";
}

// {"MinimumThroughputBillingCommitment": {"Status", "StartedAt", "EndedAt",
// "EarliestAllowedEndAt"}} as of `now_ms`; an account that never had a commitment is DISABLED
// with no times.
inline void write_account_settings(Output& out, const AccountSettings& settings, int64_t now_ms) {
  out.begin_object();
  out.key("MinimumThroughputBillingCommitment");
  out.begin_object();
  out.field("Status", billing_commitment_name(settings.commitment_at(now_ms)));
  for (auto [member, ms] :
       {std::pair{"StartedAt", settings.started_ms}, std::pair{"EndedAt", settings.ended_ms},
        std::pair{"EarliestAllowedEndAt", settings.earliest_end_ms}}) {
    if (ms == 0) continue;
    out.key(member);
    out.timestamp_ms(ms);
  }
  out.end_object();
  out.end_object();
}

}  // namespace kinesim::api::ops
