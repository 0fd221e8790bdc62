#include "examples/flows/retry.h"

#include <algorithm>

namespace kinesim::flows {

bool IsRetryable(const harness::KinesisError& error) {
  return error.type == "ProvisionedThroughputExceededException" ||
         error.type == "InternalFailure" || error.type == "ServiceUnavailable" ||
         error.type == "KMSThrottlingException" || error.type == "TransportError";
}

std::chrono::milliseconds Backoff::next() {
  ++failures_;
  // base * 2^(failures - 1), capped before it can overflow.
  const int64_t base = std::max<int64_t>(0, policy_.base_delay.count());
  const int64_t cap = std::max<int64_t>(0, policy_.max_delay.count());
  int64_t ceiling = base;
  for (int i = 1; i < failures_ && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  // Modulo of a 64-bit draw: the same numbers on every platform, unlike the distributions.
  return std::chrono::milliseconds(
      static_cast<int64_t>(rng_() % static_cast<uint64_t>(ceiling + 1)));
}

harness::Result<harness::PutRecordResult> put_record_with_retry(
    harness::KinesisClient& client, std::string_view stream, std::string_view partition_key,
    std::string_view data, const RetryPolicy& policy, const Sleeper& sleeper, RetryLog* log) {
  Backoff backoff(policy);
  const int attempts = std::max(1, policy.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (log) log->attempts = attempt;
    auto put = client.put_record(stream, partition_key, data);
    if (put.ok() || attempt >= attempts || !IsRetryable(put.error())) return put;
    const auto wait = backoff.next();
    if (log) log->delays.push_back(wait);
    sleeper(wait);
  }
}

}  // namespace kinesim::flows
