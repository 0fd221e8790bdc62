// The fault registry on its own: matching, counting, spending and seeded determinism.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/faults.h"
#include "storage/clock.h"

namespace kinesim::api {
namespace {

FaultRule rule(FaultKind kind, std::string stream = "", std::string op = "") {
  FaultRule r;
  r.kind = kind;
  r.stream = std::move(stream);
  r.operation = std::move(op);
  return r;
}

TEST(FaultRegistry, MatchesByStreamAndOperation) {
  FaultRegistry faults;
  const int64_t id = faults.add(rule(FaultKind::kThrottle, "orders", "PutRecord"));
  EXPECT_FALSE(faults.on_call("other", "PutRecord").failure);
  EXPECT_FALSE(faults.on_call("orders", "GetRecords").failure);
  EXPECT_EQ(faults.on_call("orders", "PutRecord").failure, FaultKind::kThrottle);
  EXPECT_EQ(faults.fired(id), 1);
  // An empty stream and operation match everything.
  const int64_t any = faults.add(rule(FaultKind::kInternalFailure));
  EXPECT_EQ(faults.on_call("", "ListStreams").failure, FaultKind::kInternalFailure);
  EXPECT_EQ(faults.fired(any), 1);
}

TEST(FaultRegistry, CountedRulesStopAfterNCallsAndKeepTheirCounters) {
  FaultRegistry faults;
  FaultRule r = rule(FaultKind::kThrottle, "s");
  r.count = 2;
  const int64_t id = faults.add(r);
  EXPECT_TRUE(faults.on_call("s", "PutRecord").failure);
  EXPECT_TRUE(faults.on_call("s", "PutRecord").failure);
  EXPECT_FALSE(faults.on_call("s", "PutRecord").failure);
  EXPECT_EQ(faults.fired(id), 2);
  ASSERT_EQ(faults.rules().size(), 1u);
  EXPECT_EQ(faults.rules()[0].fired, 2);
}

TEST(FaultRegistry, FirstFailingRuleWinsAndLatenciesAdd) {
  FaultRegistry faults;
  const int64_t first = faults.add(rule(FaultKind::kInternalFailure));
  const int64_t second = faults.add(rule(FaultKind::kThrottle));
  FaultRule slow = rule(FaultKind::kLatency);
  slow.latency_ms = 30;
  faults.add(slow);
  faults.add(slow);
  const CallFaults f = faults.on_call("s", "PutRecord");
  EXPECT_EQ(f.failure, FaultKind::kInternalFailure);
  EXPECT_EQ(f.latency_ms, 60);
  EXPECT_EQ(faults.fired(first), 1);
  EXPECT_EQ(faults.fired(second), 0);
}

// The same seed hits the same calls; a fraction hits about that share of them.
TEST(FaultRegistry, FractionsAreDeterministicWithASeed) {
  auto pattern = [](uint64_t seed) {
    FaultRegistry faults;
    FaultRule r = rule(FaultKind::kThrottle);
    r.fraction = 0.3;
    r.seed = seed;
    faults.add(r);
    std::vector<bool> hits;
    for (int i = 0; i < 1000; ++i)
      hits.push_back(faults.on_call("s", "PutRecord").failure.has_value());
    return hits;
  };
  const auto a = pattern(42);
  EXPECT_EQ(a, pattern(42));
  EXPECT_NE(a, pattern(43));
  const auto hits = std::count(a.begin(), a.end(), true);
  EXPECT_GT(hits, 240);
  EXPECT_LT(hits, 360);
}

TEST(FaultRegistry, FailRecordsChoosesPositionsOrAFraction) {
  FaultRegistry faults;
  FaultRule r = rule(FaultKind::kFailRecords, "s");
  r.records = {1, 3};
  r.error_code = "InternalFailure";
  const int64_t id = faults.add(r);
  auto out = faults.on_records("s", 4);
  EXPECT_FALSE(out[0]);
  EXPECT_EQ(out[1], "InternalFailure");
  EXPECT_FALSE(out[2]);
  EXPECT_EQ(out[3], "InternalFailure");
  EXPECT_EQ(faults.fired(id), 1);
  EXPECT_FALSE(faults.on_records("t", 4)[1]);
  // Call-level checks ignore record rules.
  EXPECT_FALSE(faults.on_call("s", "PutRecords").failure);
}

TEST(FaultRegistry, RemoveAndClear) {
  FaultRegistry faults;
  EXPECT_TRUE(faults.empty());
  const int64_t a = faults.add(rule(FaultKind::kThrottle));
  const int64_t b = faults.add(rule(FaultKind::kThrottle));
  EXPECT_FALSE(faults.empty());
  EXPECT_TRUE(faults.remove(a));
  EXPECT_FALSE(faults.remove(a));
  EXPECT_EQ(faults.rules().size(), 1u);
  EXPECT_FALSE(faults.empty());
  EXPECT_TRUE(faults.on_call("s", "PutRecord").failure);  // b still fires
  EXPECT_TRUE(faults.remove(b));
  EXPECT_TRUE(faults.empty());
  faults.add(rule(FaultKind::kThrottle));
  faults.clear();
  EXPECT_TRUE(faults.empty());
  EXPECT_TRUE(faults.rules().empty());
  EXPECT_FALSE(faults.on_call("s", "PutRecord").failure);
}

TEST(DelayQueue, RunsCallbacksAfterTheirDelayInOrder) {
  DelayQueue q;
  // The callbacks write first and second after they bump order, so those are atomic too.
  std::atomic<int> order{0}, first{0}, second{0};
  const auto start = std::chrono::steady_clock::now();
  q.schedule(60, [&] { second = ++order; });
  q.schedule(20, [&] { first = ++order; });
  while (second.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(60));
  EXPECT_EQ(first.load(), 1);
  EXPECT_EQ(second.load(), 2);
}

TEST(ControllableClock, FollowsItsBaseUntilFrozenAndNeverGoesBack) {
  FakeClock base(1000);
  ControllableClock clock(base);
  base.advance_ms(5);
  EXPECT_EQ(clock.now_ms(), 1005);
  EXPECT_FALSE(clock.advance(10));   // not frozen
  EXPECT_FALSE(clock.freeze(1000));  // earlier than now
  EXPECT_TRUE(clock.freeze(2000));
  base.advance_ms(5);
  EXPECT_EQ(clock.now_ms(), 2000);
  EXPECT_TRUE(clock.advance(500));
  EXPECT_FALSE(clock.advance(-1));
  EXPECT_EQ(clock.now_ms(), 2500);
  clock.resume();  // keeps its lead over the base
  EXPECT_EQ(clock.now_ms(), 2500);
  base.advance_ms(10);
  EXPECT_EQ(clock.now_ms(), 2510);
  clock.reset();
  EXPECT_EQ(clock.now_ms(), 1020);
}

}  // namespace
}  // namespace kinesim::api
