#include "api/ops/retention_period.h"

#include "api/streams.h"

namespace kinesim::api::ops {
namespace {

constexpr int64_t kMinRetentionHours = 24;
constexpr int64_t kMaxRetentionHours = 8760;

std::string hours(int64_t h) { return std::to_string(h) + " hours"; }

}  // namespace

void change_retention_period(Call& call, bool increase) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const int64_t requested = *call.in["RetentionPeriodHours"].integer();
  // The model gives the member no minimum, but Kinesis validates one on the wire.
  if (requested < 1) {
    return call.reply.fail(validation_error(
        {"Value '" + std::to_string(requested) +
         "' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value "
         "greater than or equal to 1"}));
  }
  change_stream(call, key, false,
                [requested, increase](StreamInfo& stream, int64_t now) -> std::optional<Error> {
                  if (auto e = require_active(stream, now)) return e;
                  if (requested < kMinRetentionHours) {
                    return errors::invalid_argument(
                        "Minimum allowed retention period is " + hours(kMinRetentionHours) +
                        ". Requested retention period (" + hours(requested) + ") is too short.");
                  }
                  if (requested > kMaxRetentionHours) {
                    return errors::invalid_argument(
                        "Maximum allowed retention period is " + hours(kMaxRetentionHours) +
                        ". Requested retention period (" + hours(requested) + ") is too long.");
                  }
                  const int64_t current = stream.retention_hours;
                  if (increase && requested < current) {
                    return errors::invalid_argument(
                        "Requested retention period (" + hours(requested) + ") for stream " +
                        stream.key.name + " can not be shorter than existing retention period (" +
                        hours(current) + "). Use DecreaseRetentionPeriod API.");
                  }
                  if (!increase && requested > current) {
                    return errors::invalid_argument(
                        "Requested retention period (" + hours(requested) + ") for stream " +
                        stream.key.name + " can not be longer than existing retention period (" +
                        hours(current) + "). Use IncreaseRetentionPeriod API.");
                  }
                  stream.retention_hours = static_cast<int32_t>(requested);
                  return std::nullopt;
                });
}

}  // namespace kinesim::api::ops
