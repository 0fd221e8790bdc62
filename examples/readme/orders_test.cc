#include "harness/gtest.h"  // TestServer, KinesisClient, WaitForActive, DrainStream, matchers

using namespace kinesim::harness;
using ::testing::AllOf;
using ::testing::Contains;

class OrdersTest : public KinesisTest {};  // a fresh in-memory server per test

TEST_F(OrdersTest, KeepsOrderPerUser) {
  ASSERT_TRUE(client().create_stream("orders", 2).ok());
  ASSERT_TRUE(WaitForActive(client(), "orders").ok());
  ASSERT_TRUE(client().put_record("orders", "u1", R"({"type":"ORDER_PLACED"})").ok());
  EXPECT_THAT(DrainStream(client(), "orders").value(),
              Contains(AllOf(HasPartitionKey("u1"), HasJsonField("type", "ORDER_PLACED"))));
}
