// The same round trip as main.cc, written with kinesim's GoogleTest fixture and matchers.
#include "harness/gtest.h"

namespace {

using kinesim::harness::HasJsonField;
using kinesim::harness::HasPartitionKey;
using ::testing::AllOf;
using ::testing::ElementsAre;

class Orders : public kinesim::harness::KinesisTest {};

TEST_F(Orders, PutThenDrain) {
  ASSERT_TRUE(client().create_stream("orders", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "orders").ok());
  ASSERT_TRUE(client().put_record("orders", "u1", R"({"type":"ORDER_PLACED"})").ok());
  EXPECT_THAT(DrainStream(client(), "orders").value(),
              ElementsAre(AllOf(HasPartitionKey("u1"), HasJsonField("type", "ORDER_PLACED"))));
}

}  // namespace
