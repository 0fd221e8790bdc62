// The aggregated producer: events packed into KPL-aggregated records, one per shard and round,
// read back one by one through the LambdaRunner, which de-aggregates as Lambda's consumers do.
#include "examples/flows/aggregated_producer.h"

#include <map>
#include <string>
#include <vector>

#include "examples/flows/fanout.h"
#include "examples/flows/flow_test.h"

namespace kinesim::flows {
namespace {

using ::testing::ElementsAreArray;

class AggregatedProducerTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("orders", 2);
    publisher_ = std::make_unique<AggregatingPublisher>(client(), env().clock(), "orders");
  }
  void Add(int i) {
    ASSERT_TRUE(publisher_
                    ->add("ORDER_PLACED", JsonObject()
                                              .add("orderId", "o" + std::to_string(i))
                                              .add("userId", "u" + std::to_string(i % 5))
                                              .add("sku", "sku-1")
                                              .add("quantity", 1)
                                              .str())
                    .ok());
  }
  // Runs a LambdaRunner over the stream: every user record goes to the inventory feed, and each
  // user's orderIds are noted in the order the function saw them.
  void Consume() {
    harness::LambdaRunner::Config config;
    config.clock = &env().clock();
    config.batch_size = 7;
    harness::LambdaRunner runner(
        env().endpoint(), "orders",
        [this](const harness::KinesisEvent& event) {
          for (const auto& r : event.records) {
            inventory_.handle(AsRecord(r));
            if (auto e = DecodeEvent(r.data))
              seen_by_user_[r.partition_key].push_back(e->str("orderId"));
          }
          return harness::BatchResponse::Success();
        },
        config);
    runner.run_until_idle();
    ASSERT_FALSE(runner.last_error()) << runner.last_error()->describe();
  }
  std::map<std::string, std::vector<std::string>> Expected(int n) const {
    std::map<std::string, std::vector<std::string>> out;
    for (int i = 1; i <= n; ++i)
      out["u" + std::to_string(i % 5)].push_back("o" + std::to_string(i));
    return out;
  }

  std::unique_ptr<AggregatingPublisher> publisher_;
  InventoryFeed inventory_;
  std::map<std::string, std::vector<std::string>> seen_by_user_;
};
KINESIM_FLOW_SUITE(AggregatedProducerTest);

TEST_P(AggregatedProducerTest, FortyEventsTravelInTwoRecordsAndComeBackOneByOne) {
  for (int i = 1; i <= 40; ++i) Add(i);
  auto flushed = publisher_->flush();
  ASSERT_TRUE(flushed.ok()) << flushed.error().describe();
  EXPECT_EQ(flushed->events_sent, 40u);
  EXPECT_EQ(flushed->records_sent, 2u);  // one aggregate per shard
  EXPECT_EQ(publisher_->pending(), 0u);

  // On the stream: two Kinesis records, each on the shard all of its users hash to.
  const auto records = Drain("orders");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[0].shard_id, records[1].shard_id);
  for (const auto& r : records) {
    auto users = harness::kpl::deaggregate(r.data);
    ASSERT_TRUE(users) << "not an aggregated record";
    for (const auto& u : *users) {
      const auto placed = client().put_record("orders", u.partition_key, "probe");
      EXPECT_EQ(placed.value().shard_id, r.shard_id) << u.partition_key;
    }
  }

  Consume();
  EXPECT_EQ(inventory_.seen().size(), 40u);
  for (const auto& [order, times] : inventory_.seen()) EXPECT_EQ(times, 1) << order;
  EXPECT_EQ(inventory_.shipped_out("sku-1"), 40);
  for (const auto& [user, orders] : Expected(40)) {
    EXPECT_THAT(seen_by_user_[user], ElementsAreArray(orders)) << user;
  }
}

TEST_P(AggregatedProducerTest, AFailedAggregateIsSentAgainAloneWithoutDuplicates) {
  for (int i = 1; i <= 20; ++i) Add(i);
  // The first entry of the first PutRecords fails: that shard's events stay pending.
  const int64_t fault = env().add_fault(
      R"({"kind":"fail_records","stream":"orders","operation":"PutRecords","records":[0],)"
      R"("count":1})");
  auto first = publisher_->flush();
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(env().fired(fault), 1);
  EXPECT_EQ(first->records_sent, 1u);
  EXPECT_GT(first->events_remaining, 0u);
  EXPECT_EQ(first->events_sent + first->events_remaining, 20u);
  for (int i = 21; i <= 25; ++i) Add(i);  // later events queue behind the kept ones

  auto second = publisher_->flush();
  ASSERT_TRUE(second.ok()) << second.error().describe();
  EXPECT_EQ(second->events_remaining, 0u);
  EXPECT_EQ(first->events_sent + second->events_sent, 25u);

  Consume();
  EXPECT_EQ(inventory_.seen().size(), 25u);
  for (const auto& [order, times] : inventory_.seen()) EXPECT_EQ(times, 1) << order;
  for (const auto& [user, orders] : Expected(25)) {
    EXPECT_THAT(seen_by_user_[user], ElementsAreArray(orders)) << user;
  }
}

TEST_P(AggregatedProducerTest, InvalidOrOversizedEventsAreRefusedBeforeAnythingIsSent) {
  auto refused = publisher_->add("ORDER_PLACED", R"({"orderId":"o1"})");
  EXPECT_EQ(refused.error().type, "InvalidEvent");
  const std::string huge(1024 * 1024, 'x');  // with its envelope, more than a record holds
  auto too_large = publisher_->add(
      "ORDER_PLACED",
      JsonObject().add("orderId", "o2").add("userId", "u1").add("note", huge).str());
  EXPECT_EQ(too_large.error().type, "InvalidEvent");
  EXPECT_EQ(too_large.error().message, "the event does not fit in a Kinesis record");
  EXPECT_EQ(publisher_->pending(), 0u);
  EXPECT_EQ(publisher_->flush()->records_sent, 0u);
  EXPECT_TRUE(Drain("orders").empty());
}

}  // namespace
}  // namespace kinesim::flows
