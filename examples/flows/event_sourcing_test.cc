#include "examples/flows/event_sourcing.h"

#include "examples/flows/flow_test.h"

namespace kinesim::flows {
namespace {

using harness::HasJsonField;
using harness::HasPartitionKey;
using ::testing::AllOf;
using ::testing::ElementsAre;

class EventSourcingTest : public FlowTest {};
KINESIM_FLOW_SUITE(EventSourcingTest);

TEST_P(EventSourcingTest, PublishesEventJsonKeyedByUserStampedByTheClock) {
  CreateStream("accounts", 2);
  EventPublisher publisher(client(), env().clock());
  auto opened =
      publisher.publish_event("accounts", "ACCOUNT_OPENED", R"({"userId":"u1","plan":"basic"})");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  env().advance_clock(1234);
  auto deposited =
      publisher.publish_event("accounts", "MONEY_DEPOSITED", R"({"userId":"u1","amount":50})");
  ASSERT_TRUE(deposited.ok()) << deposited.error().describe();
  EXPECT_EQ(opened->timestamp, "2100-01-01T00:00:00.000Z");
  EXPECT_EQ(deposited->timestamp, "2100-01-01T00:00:01.234Z");
  EXPECT_NE(opened->event_id, deposited->event_id);
  EXPECT_EQ(opened->shard_id, deposited->shard_id);  // one user, one shard

  auto records = Drain("accounts");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0], AllOf(HasPartitionKey("u1"), HasJsonField("eventType", "ACCOUNT_OPENED"),
                                HasJsonField("eventId", opened->event_id),
                                HasJsonField("timestamp", "2100-01-01T00:00:00.000Z"),
                                HasJsonField("payload.plan", "basic")));
  EXPECT_THAT(records[1], AllOf(HasPartitionKey("u1"), HasJsonField("payload.amount", "50"),
                                HasJsonField("timestamp", "2100-01-01T00:00:01.234Z")));
  // Kinesis stamped the arrivals on the same frozen clock.
  EXPECT_EQ(records[0].approximate_arrival_ms, kStartMs);
  EXPECT_EQ(records[1].approximate_arrival_ms, kStartMs + 1234);
}

TEST_P(EventSourcingTest, ReplayRebuildsEveryBalanceAndIgnoresRedelivery) {
  CreateStream("accounts", 4);
  EventPublisher publisher(client(), env().clock());
  AccountService accounts(publisher, "accounts");
  for (const char* user : {"alice", "bob", "carol"}) ASSERT_TRUE(accounts.open(user).ok());
  ASSERT_TRUE(accounts.deposit("alice", 100).ok());
  ASSERT_TRUE(accounts.deposit("bob", 40).ok());
  env().advance_clock(10);
  ASSERT_TRUE(accounts.withdraw(client(), "alice", 30).ok());
  ASSERT_TRUE(accounts.deposit("alice", 5).ok());
  ASSERT_TRUE(accounts.withdraw(client(), "bob", 40).ok());

  auto state = Replay(client(), "accounts").value();
  EXPECT_EQ(state.applied(), 8);
  ASSERT_TRUE(state.account("alice"));
  EXPECT_EQ(state.account("alice")->balance, 75);
  EXPECT_EQ(state.account("alice")->version, 4);
  EXPECT_EQ(state.account("alice")->last_event_at, "2100-01-01T00:00:00.010Z");
  EXPECT_EQ(state.account("bob")->balance, 0);
  EXPECT_EQ(state.account("carol")->balance, 0);
  EXPECT_FALSE(state.account("dave"));

  // A consumer handed every record a second time ends in the same state.
  for (const auto& r : Drain("accounts")) state.handle(r);
  EXPECT_EQ(state.applied(), 8);
  EXPECT_EQ(state.account("alice")->balance, 75);
  // And a second replay from scratch agrees.
  auto again = Replay(client(), "accounts").value();
  EXPECT_EQ(again.accounts().size(), 3u);
  EXPECT_EQ(again.account("alice")->balance, 75);
}

TEST_P(EventSourcingTest, OverdraftIsRefusedAndWritesNothing) {
  CreateStream("accounts", 1);
  EventPublisher publisher(client(), env().clock());
  AccountService accounts(publisher, "accounts");
  ASSERT_TRUE(accounts.open("u1").ok());
  ASSERT_TRUE(accounts.deposit("u1", 50).ok());
  auto refused = accounts.withdraw(client(), "u1", 80);
  EXPECT_EQ(refused.error().type, "InsufficientFunds");
  EXPECT_EQ(refused.error().message, "balance of u1 is 50, below 80");
  auto unknown = accounts.withdraw(client(), "nobody", 1);
  EXPECT_EQ(unknown.error().type, "InsufficientFunds");
  EXPECT_THAT(Types(Drain("accounts")), ElementsAre("ACCOUNT_OPENED", "MONEY_DEPOSITED"));
  ASSERT_TRUE(accounts.withdraw(client(), "u1", 50).ok());
  EXPECT_EQ(Replay(client(), "accounts")->account("u1")->balance, 0);
}

TEST_P(EventSourcingTest, PublishingToAMissingStreamAnswersResourceNotFound) {
  EventPublisher publisher(client(), env().clock());
  auto put = publisher.publish_event("nope", "ACCOUNT_OPENED", R"({"userId":"u1"})");
  EXPECT_EQ(put.error().type, "ResourceNotFoundException");
  EXPECT_EQ(put.error().message, "Stream nope under account 000000000000 not found.");
  EXPECT_EQ(put.error().http_status, 400);
}

}  // namespace
}  // namespace kinesim::flows
