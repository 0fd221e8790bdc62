#include "examples/flows/dual_write.h"

#include <map>

#include "examples/flows/flow_test.h"

namespace kinesim::flows {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class DualWriteTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("orders", 2);
  }
  static Order MakeOrder(int i) {
    return Order{"o" + std::to_string(i), "u" + std::to_string(i % 3), "sku", i};
  }
  // How often each orderId is on the stream.
  std::map<std::string, int> StreamCounts() {
    std::map<std::string, int> counts;
    for (const auto& r : Drain("orders")) {
      EXPECT_THAT(r, harness::HasJsonField("orderId", r.partition_key));
      ++counts[r.partition_key];
    }
    return counts;
  }
  void ExpectEachOrderOnceOnBothSides(int n) {
    auto counts = StreamCounts();
    ASSERT_EQ(counts.size(), static_cast<size_t>(n));
    ASSERT_EQ(table_.size(), static_cast<size_t>(n));
    for (int i = 1; i <= n; ++i) {
      const std::string id = "o" + std::to_string(i);
      EXPECT_EQ(counts[id], 1) << id;
      EXPECT_EQ(table_.writes(id), 1) << id;
      EXPECT_EQ(table_.rows().at(id), OrderJson(MakeOrder(i)));
    }
  }
  LegacyOrderTable table_;
};
KINESIM_FLOW_SUITE(DualWriteTest);

TEST_P(DualWriteTest, FailedStreamWritesAreRetriedWithoutWritingTheLegacySideTwice) {
  const int64_t fault = env().add_fault(
      R"({"kind":"internal_failure","stream":"orders","operation":"PutRecord","count":2})");
  // One attempt per write, so the two failures reach the writer.
  OrderWriter writer(client(), "orders", table_, RetryPolicy{1}, env().sleeper());
  auto first = writer.write(MakeOrder(1));
  EXPECT_EQ(first.error().type, "InternalFailure");
  EXPECT_EQ(first.error().http_status, 500);
  EXPECT_FALSE(writer.write(MakeOrder(2)).ok());
  ASSERT_TRUE(writer.write(MakeOrder(3)).ok());
  EXPECT_THAT(writer.pending(), ElementsAre("o1", "o2"));
  EXPECT_EQ(table_.size(), 3u);  // the legacy side took all three at once
  EXPECT_EQ(env().fired(fault), 2);

  ASSERT_TRUE(writer.retry_pending().ok());
  EXPECT_THAT(writer.pending(), IsEmpty());
  // A caller retrying a whole order that is already on both sides writes nothing more.
  ASSERT_TRUE(writer.write(MakeOrder(1)).ok());
  ASSERT_TRUE(writer.write(MakeOrder(3)).ok());
  ExpectEachOrderOnceOnBothSides(3);
}

TEST_P(DualWriteTest, RetryPolicyRidesOutFailuresInsideOneWrite) {
  const int64_t fault = env().add_fault(
      R"({"kind":"internal_failure","stream":"orders","operation":"PutRecord","count":2})");
  OrderWriter writer(client(), "orders", table_,
                     RetryPolicy{3, milliseconds(100), milliseconds(1000), 5}, env().sleeper());
  ASSERT_TRUE(writer.write(MakeOrder(1)).ok());
  ASSERT_TRUE(writer.write(MakeOrder(2)).ok());
  EXPECT_EQ(env().fired(fault), 2);
  Backoff b(RetryPolicy{3, milliseconds(100), milliseconds(1000), 5});
  const int64_t waited = (b.next() + b.next()).count();
  EXPECT_EQ(env().clock().now_ms(), kStartMs + waited);
  ExpectEachOrderOnceOnBothSides(2);
}

TEST_P(DualWriteTest, OrderWrittenAgainAfterAnOutageLandsOnceOnEachSide) {
  const int64_t fault =
      env().add_fault(R"({"kind":"internal_failure","stream":"orders","operation":"PutRecord"})");
  OrderWriter writer(client(), "orders", table_,
                     RetryPolicy{2, milliseconds(10), milliseconds(10), 1}, env().sleeper());
  EXPECT_EQ(writer.write(MakeOrder(1)).error().type, "InternalFailure");
  EXPECT_EQ(writer.retry_pending().error().type, "InternalFailure");
  EXPECT_EQ(env().fired(fault), 4);
  EXPECT_THAT(Drain("orders"), IsEmpty());
  env().clear_faults();  // the outage ends
  ASSERT_TRUE(writer.write(MakeOrder(1)).ok());
  EXPECT_THAT(writer.pending(), IsEmpty());
  ExpectEachOrderOnceOnBothSides(1);
}

TEST_P(DualWriteTest, BatchSendsAgainOnlyTheRecordsThatFailed) {
  const int64_t fault =
      env().add_fault(R"({"kind":"fail_records","stream":"orders","records":[1,3],"count":1})");
  OrderWriter writer(client(), "orders", table_,
                     RetryPolicy{3, milliseconds(100), milliseconds(1000), 11}, env().sleeper());
  std::vector<Order> orders;
  for (int i = 1; i <= 5; ++i) orders.push_back(MakeOrder(i));
  ASSERT_TRUE(writer.write_batch(orders).ok());
  EXPECT_EQ(env().fired(fault), 1);
  EXPECT_THAT(writer.pending(), IsEmpty());
  // o2 and o4 failed the first time, so they were written last.
  auto records = Drain("orders");
  ASSERT_EQ(records.size(), 5u);
  const int64_t wait =
      Backoff(RetryPolicy{3, milliseconds(100), milliseconds(1000), 11}).next().count();
  EXPECT_EQ(env().clock().now_ms(), kStartMs + wait);
  for (const auto& r : records) {
    const bool retried = r.partition_key == "o2" || r.partition_key == "o4";
    EXPECT_EQ(r.approximate_arrival_ms, retried ? kStartMs + wait : kStartMs) << r.partition_key;
  }
  ExpectEachOrderOnceOnBothSides(5);
}

TEST_P(DualWriteTest, BatchGivesUpWithThePerRecordErrorAndKeepsThoseOrdersPending) {
  env().add_fault(
      R"({"kind":"fail_records","stream":"orders","records":[0],"error_code":"InternalFailure"})");
  OrderWriter writer(client(), "orders", table_,
                     RetryPolicy{2, milliseconds(10), milliseconds(10), 1}, env().sleeper());
  auto status = writer.write_batch({MakeOrder(1), MakeOrder(2)});
  EXPECT_EQ(status.error().type, "InternalFailure");
  // Each retry sends the failed record first again, so it fails again; the other got through.
  EXPECT_THAT(writer.pending(), ElementsAre("o1"));
  EXPECT_TRUE(writer.streamed("o2"));
  EXPECT_EQ(table_.size(), 2u);
  env().clear_faults();
  ASSERT_TRUE(writer.retry_pending().ok());
  ExpectEachOrderOnceOnBothSides(2);
}

}  // namespace
}  // namespace kinesim::flows
