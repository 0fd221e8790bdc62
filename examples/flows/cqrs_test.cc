#include "examples/flows/cqrs.h"

#include <map>
#include <set>

#include "examples/flows/flow_test.h"
#include "examples/flows/shard_poller.h"

namespace kinesim::flows {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class CqrsTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("order-commands", 3);
  }
};
KINESIM_FLOW_SUITE(CqrsTest);

TEST_P(CqrsTest, ProjectorBuildsOrdersByStatusAndByUser) {
  EventPublisher publisher(client(), env().clock(), "orderId");
  OrderCommands commands(publisher, "order-commands");
  for (int i = 1; i <= 6; ++i) {
    const std::string id = "o" + std::to_string(i);
    ASSERT_TRUE(commands.place(id, i % 2 ? "ann" : "ben", 100 * i).ok());
  }
  ASSERT_TRUE(commands.ship("o1").ok());
  ASSERT_TRUE(commands.ship("o4").ok());
  ASSERT_TRUE(commands.cancel("o2").ok());

  OrderReadModel model;
  ShardPoller poller(client(), "order-commands");
  EXPECT_EQ(poller.poll([&](const harness::Record& r) { model.handle(r); }).value(), 9u);
  EXPECT_THAT(model.by_status("PLACED"), ElementsAre("o3", "o5", "o6"));
  EXPECT_THAT(model.by_status("SHIPPED"), ElementsAre("o1", "o4"));
  EXPECT_THAT(model.by_status("CANCELLED"), ElementsAre("o2"));
  EXPECT_THAT(model.by_user("ann"), ElementsAre("o1", "o3", "o5"));
  EXPECT_THAT(model.by_user("ben"), ElementsAre("o2", "o4", "o6"));
  EXPECT_EQ(model.orders().at("o4").total_cents, 400);
  EXPECT_EQ(model.rejected(), 0);

  // Commands are keyed by orderId: each order's commands sit on one shard.
  std::map<std::string, std::set<std::string>> shards_of;
  for (const auto& r : Drain("order-commands")) shards_of[r.partition_key].insert(r.shard_id);
  EXPECT_EQ(shards_of.size(), 6u);
  for (const auto& [order, shards] : shards_of) EXPECT_EQ(shards.size(), 1u) << order;
}

TEST_P(CqrsTest, ProjectorCatchesUpAndRejectsInvalidTransitions) {
  EventPublisher publisher(client(), env().clock(), "orderId");
  OrderCommands commands(publisher, "order-commands");
  ASSERT_TRUE(commands.place("o1", "ann", 10).ok());
  ASSERT_TRUE(commands.place("o2", "ann", 20).ok());
  ASSERT_TRUE(commands.ship("o1").ok());
  ASSERT_TRUE(commands.cancel("o2").ok());
  OrderReadModel model;
  ShardPoller poller(client(), "order-commands");
  auto handle = [&](const harness::Record& r) { model.handle(r); };
  ASSERT_EQ(poller.poll(handle).value(), 4u);
  EXPECT_EQ(poller.poll(handle).value(), 0u);  // nothing new

  ASSERT_TRUE(commands.ship("o2").ok());             // already cancelled
  ASSERT_TRUE(commands.cancel("o1").ok());           // already shipped
  ASSERT_TRUE(commands.ship("o9").ok());             // never placed
  ASSERT_TRUE(commands.place("o1", "eve", 5).ok());  // placed twice
  ASSERT_TRUE(commands.place("o7", "eve", 70).ok());
  EXPECT_EQ(poller.poll(handle).value(), 5u);
  EXPECT_EQ(model.rejected(), 4);
  EXPECT_THAT(model.by_status("SHIPPED"), ElementsAre("o1"));
  EXPECT_THAT(model.by_status("CANCELLED"), ElementsAre("o2"));
  EXPECT_THAT(model.by_status("PLACED"), ElementsAre("o7"));
  EXPECT_THAT(model.by_user("eve"), ElementsAre("o7"));
  EXPECT_EQ(model.orders().at("o1").user, "ann");

  // A projector built from scratch reaches the same model.
  OrderReadModel rebuilt;
  ShardPoller fresh(client(), "order-commands");
  EXPECT_EQ(fresh.poll([&](const harness::Record& r) { rebuilt.handle(r); }).value(), 9u);
  EXPECT_EQ(rebuilt.by_status("PLACED"), model.by_status("PLACED"));
  EXPECT_EQ(rebuilt.rejected(), model.rejected());
  EXPECT_THAT(rebuilt.by_user("nobody"), IsEmpty());
}

}  // namespace
}  // namespace kinesim::flows
