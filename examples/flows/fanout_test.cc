#include "examples/flows/fanout.h"

#include <map>

#include "examples/flows/flow_test.h"
#include "examples/flows/shard_poller.h"

namespace kinesim::flows {
namespace {

class FanOutTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("orders", 3);
    publisher_ = std::make_unique<EventPublisher>(client(), env().clock(), "orderId");
    // Each consumer has its own client and its own checkpoints.
    email_client_ = std::make_unique<harness::KinesisClient>(env().endpoint());
    inventory_client_ = std::make_unique<harness::KinesisClient>(env().endpoint());
    email_poller_ = std::make_unique<ShardPoller>(*email_client_, "orders");
    inventory_poller_ = std::make_unique<ShardPoller>(*inventory_client_, "orders");
  }
  void Place(int i) {
    ASSERT_TRUE(publisher_
                    ->publish_event("orders", "ORDER_PLACED",
                                    JsonObject()
                                        .add("orderId", "o" + std::to_string(i))
                                        .add("userId", "u" + std::to_string(i % 4))
                                        .add("sku", i % 2 ? "sku-odd" : "sku-even")
                                        .add("quantity", i)
                                        .str())
                    .ok());
  }
  void Ship(int i) {
    ASSERT_TRUE(publisher_
                    ->publish_event("orders", "ORDER_SHIPPED",
                                    JsonObject().add("orderId", "o" + std::to_string(i)).str())
                    .ok());
  }
  harness::Result<size_t> PollEmail() {
    return email_poller_->poll([this](const harness::Record& r) { email_.handle(r); });
  }
  harness::Result<size_t> PollInventory() {
    return inventory_poller_->poll([this](const harness::Record& r) { inventory_.handle(r); });
  }
  void ExpectEachSawOrders(int n) {
    std::map<std::string, int> emails;
    for (const auto& e : email_.outbox()) ++emails[e.order_id];
    ASSERT_EQ(emails.size(), static_cast<size_t>(n));
    ASSERT_EQ(inventory_.seen().size(), static_cast<size_t>(n));
    for (int i = 1; i <= n; ++i) {
      const std::string id = "o" + std::to_string(i);
      EXPECT_EQ(emails[id], 1) << id;
      EXPECT_EQ(inventory_.seen().at(id), 1) << id;
    }
  }

  std::unique_ptr<EventPublisher> publisher_;
  std::unique_ptr<harness::KinesisClient> email_client_, inventory_client_;
  std::unique_ptr<ShardPoller> email_poller_, inventory_poller_;
  EmailNotifications email_;
  InventoryFeed inventory_;
};
KINESIM_FLOW_SUITE(FanOutTest);

TEST_P(FanOutTest, EachConsumerSeesEveryOrderPlacedOnce) {
  for (int i = 1; i <= 6; ++i) Place(i);
  Ship(1);
  Ship(2);
  EXPECT_EQ(PollEmail().value(), 8u);  // the e-mail consumer runs ahead
  for (int i = 7; i <= 10; ++i) Place(i);
  EXPECT_EQ(PollEmail().value(), 4u);
  EXPECT_EQ(PollInventory().value(), 12u);
  EXPECT_EQ(PollEmail().value(), 0u);
  EXPECT_EQ(PollInventory().value(), 0u);

  ExpectEachSawOrders(10);
  EXPECT_EQ(email_.outbox().size(), 10u);
  for (const auto& e : email_.outbox()) {
    EXPECT_EQ(e.to, "u" + std::to_string(std::stoi(e.order_id.substr(1)) % 4)) << e.order_id;
  }
  EXPECT_EQ(inventory_.shipped_out("sku-odd"), 1 + 3 + 5 + 7 + 9);
  EXPECT_EQ(inventory_.shipped_out("sku-even"), 2 + 4 + 6 + 8 + 10);
}

TEST_P(FanOutTest, AThrottledConsumerResumesFromItsCheckpointWithoutHoldingTheOtherBack) {
  for (int i = 1; i <= 5; ++i) Place(i);
  ASSERT_EQ(PollEmail().value(), 5u);
  for (int i = 6; i <= 9; ++i) Place(i);
  // A GetRecords names its stream through its iterator: the rule can be scoped to the stream.
  const int64_t fault = env().add_fault(
      R"({"kind":"throttle","stream":"orders","operation":"GetRecords","count":1})");
  auto throttled = PollEmail();
  EXPECT_EQ(throttled.error().type, "ProvisionedThroughputExceededException");
  EXPECT_THAT(throttled.error().message,
              ::testing::MatchesRegex("Rate exceeded for shard shardId-00000000000[0-2] in stream "
                                      "orders under account 000000000000\\."));
  EXPECT_EQ(env().fired(fault), 1);
  EXPECT_EQ(email_.outbox().size(), 5u);

  EXPECT_EQ(PollInventory().value(), 9u);  // unaffected
  EXPECT_EQ(PollEmail().value(), 4u);      // on from its checkpoints: no repeats, no gaps
  ExpectEachSawOrders(9);
}

// The same two consumers as Lambda functions, each behind its own event source mapping.
TEST_P(FanOutTest, EachLambdaFunctionSeesEveryOrderPlacedOnce) {
  for (int i = 1; i <= 6; ++i) Place(i);
  Ship(1);
  auto runner_for = [this](auto& consumer, const std::string& name) {
    harness::LambdaRunner::Config config;
    config.clock = &env().clock();
    config.batch_size = 4;
    config.function_name = name;
    return std::make_unique<harness::LambdaRunner>(
        env().endpoint(), "orders",
        [&consumer](const harness::KinesisEvent& event) {
          for (const auto& r : event.records) consumer.handle(AsRecord(r));
          return harness::BatchResponse::Success();
        },
        config);
  };
  auto email = runner_for(email_, "email-notifications");
  auto inventory = runner_for(inventory_, "inventory");
  EXPECT_EQ(email->run_until_idle(), 7u);
  for (int i = 7; i <= 10; ++i) Place(i);
  EXPECT_EQ(email->run_until_idle(), 4u);
  EXPECT_EQ(inventory->run_until_idle(), 11u);
  EXPECT_EQ(email->run_until_idle(), 0u);
  ExpectEachSawOrders(10);
  EXPECT_EQ(inventory_.shipped_out("sku-even"), 2 + 4 + 6 + 8 + 10);
}

// The same two consumers with enhanced fan-out: each a registered stream consumer with its own
// SubscribeToShard pushes, read until caught up.
TEST_P(FanOutTest, EachEnhancedFanOutConsumerSeesEveryOrderPlacedOnce) {
  for (int i = 1; i <= 8; ++i) Place(i);
  Ship(3);
  const std::string arn = client().describe_stream_summary("orders").value().stream_arn;
  const auto shards = client().list_shards("orders").value();
  ASSERT_EQ(shards.size(), 3u);
  auto subscribe_all = [&](const std::string& name, auto& consumer) {
    const harness::Consumer registered = client().register_stream_consumer(arn, name).value();
    for (const auto& shard : shards) {
      auto end = client().subscribe_to_shard(
          registered.consumer_arn, shard.shard_id, harness::StartingPosition::TrimHorizon(),
          [&](const harness::SubscribeToShardEvent& event) {
            for (const auto& r : event.records) consumer.handle(r);
            return event.millis_behind_latest != 0;  // caught up: done with this shard
          });
      ASSERT_TRUE(end.ok()) << end.error().describe();
      EXPECT_TRUE(end->stopped);
    }
  };
  subscribe_all("email-notifications", email_);
  subscribe_all("inventory", inventory_);
  ExpectEachSawOrders(8);
  EXPECT_EQ(inventory_.shipped_out("sku-odd"), 1 + 3 + 5 + 7);
}

TEST_P(FanOutTest, ConsumerOfAMissingStreamGetsResourceNotFound) {
  harness::KinesisClient c(env().endpoint());
  ShardPoller poller(c, "gone");
  auto r = poller.poll([](const harness::Record&) { FAIL() << "no records expected"; });
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
  EXPECT_EQ(r.error().message, "Stream gone under account 000000000000 not found.");
}

}  // namespace
}  // namespace kinesim::flows
