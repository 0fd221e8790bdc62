// Writing a record until Kinesis takes it: exponential backoff with full jitter (each wait drawn
// uniformly from zero to min(max_delay, base_delay * 2^(failures - 1))), for the errors a retry
// can cure: throttling (ProvisionedThroughputExceededException), InternalFailure,
// ServiceUnavailable, KMSThrottlingException and transport failures. Other errors (a missing
// stream, bad input) come back at once.
//
// The waiting is done by a Sleeper the caller passes, so a test advances kinesim's fake clock
// instead of sleeping, and the jitter comes from a generator seeded by the policy, so a schedule
// repeats exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim::flows {

struct RetryPolicy {
  int max_attempts = 5;  // attempts in all, the first included; at least 1
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};
  uint64_t jitter_seed = 0;
};

using Sleeper = std::function<void(std::chrono::milliseconds)>;

// True for the errors worth another attempt (see above).
bool IsRetryable(const harness::KinesisError& error);

// The waits of one retry loop: next() is the wait after the first failure, then the second, ...
class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy) : policy_(policy), rng_(policy.jitter_seed) {}
  std::chrono::milliseconds next();

 private:
  RetryPolicy policy_;
  std::mt19937_64 rng_;
  int failures_ = 0;
};

// What a retry loop did: how many attempts, and the waits between them.
struct RetryLog {
  int attempts = 0;
  std::vector<std::chrono::milliseconds> delays;
};

// PutRecord under `policy`: the first success, or the last error once max_attempts were made
// (or at once when the error is not retryable).
harness::Result<harness::PutRecordResult> put_record_with_retry(
    harness::KinesisClient& client, std::string_view stream, std::string_view partition_key,
    std::string_view data, const RetryPolicy& policy, const Sleeper& sleeper,
    RetryLog* log = nullptr);

}  // namespace kinesim::flows
