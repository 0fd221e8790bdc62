#include "examples/flows/retry.h"

#include <random>

#include "examples/flows/flow_test.h"

namespace kinesim::flows {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

TEST(Backoff, FullJitterUnderADoublingCeiling) {
  RetryPolicy policy{10, milliseconds(100), milliseconds(250), 42};
  Backoff backoff(policy);
  // Ceilings 100, 200, then capped at 250; each wait is uniform in [0, ceiling].
  std::mt19937_64 rng(42);
  const uint64_t ceilings[] = {100, 200, 250, 250, 250};
  for (uint64_t ceiling : ceilings) {
    EXPECT_EQ(static_cast<uint64_t>(backoff.next().count()), rng() % (ceiling + 1));
  }
}

TEST(Backoff, SameSeedSameScheduleOtherSeedOtherSchedule) {
  RetryPolicy a{5, milliseconds(1000), milliseconds(60000), 1};
  RetryPolicy b = a;
  b.jitter_seed = 2;
  Backoff x(a), y(a), z(b);
  std::vector<int64_t> xs, ys, zs;
  for (int i = 0; i < 6; ++i) {
    xs.push_back(x.next().count());
    ys.push_back(y.next().count());
    zs.push_back(z.next().count());
  }
  EXPECT_EQ(xs, ys);
  EXPECT_NE(xs, zs);
}

TEST(Backoff, ZeroBaseNeverWaits) {
  Backoff backoff(RetryPolicy{3, milliseconds(0), milliseconds(1000), 9});
  EXPECT_EQ(backoff.next().count(), 0);
  EXPECT_EQ(backoff.next().count(), 0);
}

class RetryTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("orders", 1);
  }
  // A sleeper that advances the server's clock and notes the time it then reads.
  Sleeper Recording() {
    return [this](milliseconds wait) {
      env().advance_clock(wait.count());
      woke_at_.push_back(env().clock().now_ms());
    };
  }
  std::vector<int64_t> woke_at_;
};
KINESIM_FLOW_SUITE(RetryTest);

TEST_P(RetryTest, SurvivesThrottlesOnTheExactBackoffSchedule) {
  const int64_t fault =
      env().add_fault(R"({"kind":"throttle","stream":"orders","operation":"PutRecord","count":3})");
  RetryPolicy policy{5, milliseconds(100), milliseconds(1000), 42};
  RetryLog log;
  auto put = put_record_with_retry(client(), "orders", "u1", "payload", policy, Recording(), &log);
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(log.attempts, 4);
  EXPECT_EQ(env().fired(fault), 3);

  // Full jitter: the n-th wait is uniform in [0, 100 * 2^(n-1)] ms, from the seeded generator.
  std::mt19937_64 rng(42);
  const int64_t w1 = static_cast<int64_t>(rng() % 101);
  const int64_t w2 = static_cast<int64_t>(rng() % 201);
  const int64_t w3 = static_cast<int64_t>(rng() % 401);
  EXPECT_THAT(log.delays, ElementsAre(milliseconds(w1), milliseconds(w2), milliseconds(w3)));
  EXPECT_THAT(woke_at_, ElementsAre(kStartMs + w1, kStartMs + w1 + w2, kStartMs + w1 + w2 + w3));

  // The one record Kinesis took arrived after all three waits.
  auto records = Drain("orders");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sequence_number, put->sequence_number);
  EXPECT_EQ(records[0].approximate_arrival_ms, kStartMs + w1 + w2 + w3);
}

TEST_P(RetryTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  const int64_t fault =
      env().add_fault(R"({"kind":"throttle","stream":"orders","operation":"PutRecord"})");
  RetryPolicy policy{4, milliseconds(50), milliseconds(120), 3};
  RetryLog log;
  auto put = put_record_with_retry(client(), "orders", "u1", "payload", policy, Recording(), &log);
  EXPECT_EQ(put.error().type, "ProvisionedThroughputExceededException");
  EXPECT_EQ(put.error().message,
            "Rate exceeded for shard shardId-000000000000 in stream orders under account "
            "000000000000.");
  EXPECT_EQ(put.error().http_status, 400);
  EXPECT_EQ(log.attempts, 4);
  EXPECT_EQ(log.delays.size(), 3u);  // no wait after the last attempt
  for (size_t i = 0; i < log.delays.size(); ++i) {
    EXPECT_LE(log.delays[i].count(), std::min<int64_t>(120, 50 << i));
  }
  EXPECT_EQ(env().fired(fault), 4);
  EXPECT_THAT(Drain("orders"), IsEmpty());
}

TEST_P(RetryTest, InternalFailureIsRetriedToo) {
  const int64_t fault = env().add_fault(
      R"({"kind":"internal_failure","stream":"orders","operation":"PutRecord","count":1})");
  RetryLog log;
  auto put = put_record_with_retry(client(), "orders", "u1", "x",
                                   RetryPolicy{3, milliseconds(10), milliseconds(10), 1},
                                   Recording(), &log);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(log.attempts, 2);
  EXPECT_EQ(env().fired(fault), 1);
  EXPECT_EQ(Drain("orders").size(), 1u);
}

TEST_P(RetryTest, ErrorsARetryCannotCureComeBackAtOnce) {
  RetryLog log;
  auto put =
      put_record_with_retry(client(), "missing", "u1", "x", RetryPolicy{}, Recording(), &log);
  EXPECT_EQ(put.error().type, "ResourceNotFoundException");
  EXPECT_EQ(put.error().message, "Stream missing under account 000000000000 not found.");
  EXPECT_EQ(log.attempts, 1);
  EXPECT_THAT(woke_at_, IsEmpty());
  EXPECT_EQ(env().clock().now_ms(), kStartMs);
  // A throttle on another stream is never met.
  const int64_t other =
      env().add_fault(R"({"kind":"throttle","stream":"elsewhere","operation":"PutRecord"})");
  ASSERT_TRUE(
      put_record_with_retry(client(), "orders", "u1", "x", RetryPolicy{}, Recording()).ok());
  EXPECT_EQ(env().fired(other), 0);
  EXPECT_THAT(woke_at_, ElementsAreArray(std::vector<int64_t>{}));
}

}  // namespace
}  // namespace kinesim::flows
