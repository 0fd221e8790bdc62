// UpdateStreamMode: switches a stream between PROVISIONED and ON_DEMAND capacity. The shards stay
// as they are; the stream is UPDATING for the configured delay.
//
// Limits, as Kinesis documents them: two switches per stream in any 24 hours, and the account's
// ON_DEMAND stream limit (checked by the store). WarmThroughputMiBps goes with a switch to
// ON_DEMAND only, and needs the account's billing commitment; a switch to PROVISIONED drops the
// stream's warm throughput. Asking for the mode the stream is already in is refused and does not
// count as a switch.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kDayMs = 24 * 3600 * 1000;
constexpr size_t kSwitchesPerDay = 2;
}  // namespace

void UpdateStreamMode(Call& call) {
  StreamKey key;  // by StreamARN, which the model requires here
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const StreamMode mode = *call.in["StreamModeDetails"]["StreamMode"].str() == "ON_DEMAND"
                              ? StreamMode::kOnDemand
                              : StreamMode::kProvisioned;
  const int64_t warm = call.in["WarmThroughputMiBps"].integer().value_or(0);
  if (warm > 0) {
    if (mode != StreamMode::kOnDemand) return call.reply.fail(warm_throughput_needs_on_demand());
    if (auto e = check_warm_throughput(call, key, warm)) return call.reply.fail(*e);
  }
  change_stream(call, key, true,
                [mode, warm](StreamInfo& stream, int64_t now) -> std::optional<Error> {
                  if (auto e = require_active(stream, now)) return e;
                  const std::string where =
                      "stream " + stream.key.name + " under account " + stream.key.account;
                  if (stream.mode == mode) {
                    return errors::invalid_argument("The capacity mode of " + where +
                                                    " is already " + stream_mode_name(mode) + ".");
                  }
                  auto& switches = stream.mode_switches_ms;
                  switches.erase(std::remove_if(switches.begin(), switches.end(),
                                                [now](int64_t t) { return t <= now - kDayMs; }),
                                 switches.end());
                  if (switches.size() >= kSwitchesPerDay) {
                    return errors::limit_exceeded("Cannot switch the capacity mode of " + where +
                                                  " more than " + std::to_string(kSwitchesPerDay) +
                                                  " times in a rolling 24-hour period.");
                  }
                  switches.push_back(now);
                  stream.mode = mode;
                  stream.warm_throughput_mibps =
                      mode == StreamMode::kOnDemand ? static_cast<int32_t>(warm) : 0;
                  return std::nullopt;
                });
}

}  // namespace kinesim::api::ops
