// UpdateAccountSettings: opts the caller's account (in its region) in to or out of the
// MinimumThroughputBillingCommitment, and answers the settings as they now are.
//
// A commitment lasts at least 24 hours. Disabling it earlier schedules its end for the earliest
// allowed time (ENABLED_UNTIL_EARLIEST_ALLOWED_END), when it ends by itself on the store's
// clock; enabling again before then cancels the scheduled end. Enabling an enabled commitment
// and disabling one already scheduled to end change nothing. Disabling without a commitment is a
// ValidationException.
#include "api/ops/account_settings.h"
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kMinimumCommitmentMs = 24 * 3600 * 1000;
}

void UpdateAccountSettings(Call& call) {
  const bool enable = *call.in["MinimumThroughputBillingCommitment"]["Status"].str() == "ENABLED";
  Refusal refuse;
  auto changed_at = std::make_shared<int64_t>(0);
  Reply reply = call.reply;
  StreamKey account{call.caller.account, call.caller.region, std::string()};
  call.store().change_account_settings(
      call.caller.account, call.caller.region,
      [enable, refuse, changed_at](AccountSettings& s, int64_t now) -> Status {
        *changed_at = now;
        s.commitment = s.commitment_at(now);  // a scheduled end that is due has happened
        switch (s.commitment) {
          case BillingCommitment::kDisabled:
            if (!enable) {
              return refuse(errors::validation(
                  "Account isn't opted in to MinimumThroughputBillingCommitment, so there is no "
                  "commitment to disable."));
            }
            s = AccountSettings{BillingCommitment::kEnabled, now, 0, now + kMinimumCommitmentMs};
            break;
          case BillingCommitment::kEnabledUntilEarliestAllowedEnd:
            if (enable) {
              s.commitment = BillingCommitment::kEnabled;
              s.ended_ms = 0;
            }
            break;
          case BillingCommitment::kEnabled:
            if (!enable) {
              if (now >= s.earliest_end_ms) {
                s.commitment = BillingCommitment::kDisabled;
                s.ended_ms = now;
              } else {
                s.commitment = BillingCommitment::kEnabledUntilEarliestAllowedEnd;
                s.ended_ms = s.earliest_end_ms;
              }
            }
            break;
        }
        return Status::Ok();
      },
      [reply, refuse, account, changed_at](Result<AccountSettings> r) {
        if (!r.ok()) return reply.fail(refuse.error_for(r.status(), account));
        const int64_t now = *changed_at;
        reply.ok([&](Output& out) { write_account_settings(out, r.value(), now); });
      });
}

}  // namespace kinesim::api::ops
