#include "examples/flows/orders.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "examples/flows/flow_test.h"
#include "examples/flows/shard_poller.h"

namespace kinesim::flows {
namespace {

using ::testing::ElementsAre;

class OrderProcessingTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("orders", 4);
  }
};
KINESIM_FLOW_SUITE(OrderProcessingTest);

TEST_P(OrderProcessingTest, InventoryReservesOnCreateRejectsShortageAndReleasesOnCancel) {
  EventPublisher publisher(client(), env().clock());
  OrderProcessingService orders(publisher, "orders");
  // o1 and o2 compete for sku-1; one user's events keep their order, so o1 comes first. (Orders
  // of different users may be handled in either order: they can sit on different shards.)
  ASSERT_TRUE(orders.create_order({"o1", "u1", "sku-1", 3}).ok());
  ASSERT_TRUE(orders.create_order({"o2", "u1", "sku-1", 3}).ok());  // only 2 left
  ASSERT_TRUE(orders.create_order({"o3", "u2", "sku-2", 1}).ok());
  ASSERT_TRUE(orders.cancel_order("o1", "u1").ok());
  ASSERT_TRUE(orders.cancel_order("o2", "u1").ok());  // was rejected: nothing to release

  InventoryService inventory({{"sku-1", 5}, {"sku-2", 1}});
  ShardPoller poller(client(), "orders");
  ASSERT_EQ(poller.poll([&](const harness::Record& r) { inventory.handle(r); }).value(), 5u);
  EXPECT_EQ(inventory.available("sku-1"), 5);
  EXPECT_EQ(inventory.available("sku-2"), 0);
  EXPECT_TRUE(inventory.reserved("o3"));
  EXPECT_FALSE(inventory.reserved("o1"));
  EXPECT_THAT(inventory.rejected(), ElementsAre("o2"));
  EXPECT_THAT(inventory.released(), ElementsAre("o1"));

  // Every record handed over again (a consumer restarted without its checkpoint): no change.
  for (const auto& r : Drain("orders")) inventory.handle(r);
  EXPECT_EQ(inventory.available("sku-1"), 5);
  EXPECT_EQ(inventory.available("sku-2"), 0);
  EXPECT_THAT(inventory.released(), ElementsAre("o1"));
}

TEST_P(OrderProcessingTest, StockNeverGoesNegative) {
  EventPublisher publisher(client(), env().clock());
  OrderProcessingService orders(publisher, "orders");
  for (int i = 0; i < 12; ++i) {
    const std::string user = "u" + std::to_string(i % 4);
    ASSERT_TRUE(orders.create_order({"o" + std::to_string(i), user, "sku", 2}).ok());
    if (i % 5 == 4) {
      // Cancelled by the user who placed it, so the cancel follows the create on one shard.
      ASSERT_TRUE(
          orders.cancel_order("o" + std::to_string(i - 2), "u" + std::to_string((i - 2) % 4)).ok());
    }
  }
  InventoryService inventory({{"sku", 7}});
  int64_t lowest = 7;
  ShardPoller poller(client(), "orders");
  ASSERT_TRUE(poller
                  .poll([&](const harness::Record& r) {
                    inventory.handle(r);
                    lowest = std::min(lowest, inventory.available("sku"));
                  })
                  .ok());
  EXPECT_GE(lowest, 0);
  EXPECT_FALSE(inventory.rejected().empty());
  // What is held plus what is left is what there was.
  int64_t held = 0;
  for (int i = 0; i < 12; ++i) held += inventory.reserved("o" + std::to_string(i)) ? 2 : 0;
  EXPECT_EQ(held + inventory.available("sku"), 7);
}

TEST_P(OrderProcessingTest, EventsOfOneUserComeOutInWrittenOrder) {
  EventPublisher publisher(client(), env().clock());
  OrderProcessingService orders(publisher, "orders");
  std::map<std::string, std::vector<std::string>> written;  // user -> "TYPE orderId"
  for (int i = 0; i < 40; ++i) {
    const std::string user = "user-" + std::to_string(i % 6);
    const std::string id = "o" + std::to_string(i);
    ASSERT_TRUE(orders.create_order({id, user, "sku", 1}).ok());
    written[user].push_back("ORDER_CREATED " + id);
    if (i % 3 == 0) {
      ASSERT_TRUE(orders.cancel_order(id, user).ok());
      written[user].push_back("ORDER_CANCELLED " + id);
    }
  }
  std::map<std::string, std::vector<std::string>> read;
  std::set<std::string> shards_used;
  ShardPoller poller(client(), "orders");
  ASSERT_TRUE(poller
                  .poll([&](const harness::Record& r) {
                    auto e = DecodeEvent(r.data);
                    ASSERT_TRUE(e);
                    read[r.partition_key].push_back(e->event_type + " " + e->str("orderId"));
                    shards_used.insert(r.shard_id);
                  })
                  .ok());
  EXPECT_EQ(read, written);
  EXPECT_GT(shards_used.size(), 1u);  // the users really were spread over shards
}

}  // namespace
}  // namespace kinesim::flows
