// The GoogleTest helpers: fixtures, WaitForActive, DrainStream across resharding, and the
// record matchers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "harness/gtest.h"
#include "storage/clock.h"

namespace kinesim::harness {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// --- Fixtures ---------------------------------------------------------------------------------

class FreshServerTest : public KinesisTest {};

// Both tests create the same stream; each passes only because each has its own server.
TEST_F(FreshServerTest, FirstTestStartsEmpty) {
  EXPECT_THAT(client().list_streams().value(), IsEmpty());
  ASSERT_TRUE(client().create_stream("orders", 1).ok());
}
TEST_F(FreshServerTest, SecondTestStartsEmptyToo) {
  EXPECT_THAT(client().list_streams().value(), IsEmpty());
  ASSERT_TRUE(client().create_stream("orders", 1).ok());
}

class SharedServerTest : public SharedKinesisTest {
 protected:
  static std::string& first_prefix() {
    static std::string prefix;
    return prefix;
  }
};

TEST_F(SharedServerTest, NamespacesDoNotCollide) {
  first_prefix() = prefix();
  EXPECT_THAT(prefix(), StartsWith("ns"));
  ASSERT_TRUE(client().create_stream(Stream("orders"), 1).ok());
  EXPECT_THAT(client().list_streams().value(), Contains(Stream("orders")));
}
// Run after the test above in one process (as gtest does) it shares that test's server: the
// earlier "orders" is there, under another prefix, and creating this test's own succeeds.
TEST_F(SharedServerTest, SameNameInAnotherTestIsAnotherStream) {
  if (!first_prefix().empty()) {
    EXPECT_NE(prefix(), first_prefix());
    EXPECT_THAT(client().list_streams().value(), Contains(first_prefix() + "orders"));
  }
  EXPECT_THAT(client().list_streams().value(), Each(Not(StartsWith(prefix()))));
  ASSERT_TRUE(client().create_stream(Stream("orders"), 1).ok());
}

// --- WaitForActive ------------------------------------------------------------------------------

class WaitForActiveTest : public KinesisTest {
 protected:
  TestServer::Options ServerOptions() override {
    TestServer::Options options;
    options.clock = &clock_;
    options.delays.creating_ms = 5000;
    return options;
  }
  FakeClock clock_{1'790'000'000'000};
};

TEST_F(WaitForActiveTest, TimesOutWhileCreatingThenSucceeds) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  auto waited = WaitForActive(client(), "s", std::chrono::milliseconds(30));
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().type, "Timeout");
  EXPECT_EQ(waited.error().message, "stream s still CREATING after 30 ms");

  clock_.advance_ms(5000);
  EXPECT_TRUE(WaitForActive(client(), "s", std::chrono::milliseconds(30)).ok());
}

TEST_F(WaitForActiveTest, MissingStreamFailsAtOnce) {
  auto waited = WaitForActive(client(), "nope");
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().type, "ResourceNotFoundException");
}

// --- DrainStream --------------------------------------------------------------------------------

class DrainStreamTest : public KinesisTest {
 protected:
  // Puts `count` records round-robin over keys u0..u<keys-1>, each carrying its global index.
  void PutNumbered(const std::string& stream, int from, int count, int keys) {
    for (int i = from; i < from + count; ++i) {
      std::string key = "u" + std::to_string(i % keys);
      ASSERT_TRUE(
          client().put_record(stream, key, R"({"type":"N","i":)" + std::to_string(i) + "}").ok());
    }
  }
  static int Index(const Record& r) {
    std::string text;
    EXPECT_TRUE(detail::JsonFieldText(r.data, "i", &text));
    return std::stoi(text);
  }
};

TEST_F(DrainStreamTest, ReadsEveryShardInShardOrder) {
  ASSERT_TRUE(client().create_stream("s", 4).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  PutNumbered("s", 0, 40, 8);
  auto records = DrainStream(client(), "s");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  ASSERT_EQ(records->size(), 40u);
  // Shards come one after another, and each shard's records are in sequence order.
  for (size_t i = 1; i < records->size(); ++i) {
    const auto& a = (*records)[i - 1];
    const auto& b = (*records)[i];
    ASSERT_LE(a.shard_id, b.shard_id);
    if (a.shard_id == b.shard_id) {
      EXPECT_LT(Index(a), Index(b));
    }
  }
}

TEST_F(DrainStreamTest, EmptyAndMissingStreams) {
  ASSERT_TRUE(client().create_stream("s", 2).ok());
  EXPECT_THAT(ReadAll(client(), "s").value(), IsEmpty());
  auto missing = DrainStream(client(), "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().type, "ResourceNotFoundException");
}

// Resharding mid-stream: the parent is read to its end before its children, so every key's
// records come out in the order they were written.
TEST_F(DrainStreamTest, FollowsReshardingAndKeepsPerKeyOrder) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  PutNumbered("s", 0, 30, 6);
  ASSERT_TRUE(client().update_shard_count("s", 2).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  PutNumbered("s", 30, 30, 6);

  auto shards = client().list_shards("s").value();
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_TRUE(shards[0].closed());
  EXPECT_EQ(shards[1].parent_shard_id, shards[0].shard_id);
  EXPECT_EQ(shards[2].parent_shard_id, shards[0].shard_id);

  auto records = DrainStream(client(), "s");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  ASSERT_EQ(records->size(), 60u);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ((*records)[i].shard_id, shards[0].shard_id);
  }
  std::map<std::string, std::vector<int>> by_key;
  for (const auto& r : *records) by_key[r.partition_key].push_back(Index(r));
  ASSERT_EQ(by_key.size(), 6u);
  for (const auto& [key, indexes] : by_key) {
    ASSERT_EQ(indexes.size(), 10u) << key;
    for (size_t i = 1; i < indexes.size(); ++i) EXPECT_LT(indexes[i - 1], indexes[i]) << key;
  }
}

TEST(ParentsFirst, OrdersMergesAndSplitsAfterTheirParents) {
  auto shard = [](std::string id, std::string parent, std::string adjacent) {
    Shard s;
    s.shard_id = std::move(id);
    s.parent_shard_id = std::move(parent);
    s.adjacent_parent_shard_id = std::move(adjacent);
    return s;
  };
  // 4 is a merge of 2 and 3, which split from 1; 0 is unrelated; 9's parent has expired.
  std::vector<Shard> shards = {shard("4", "2", "3"), shard("3", "1", ""), shard("2", "1", ""),
                               shard("1", "", ""),   shard("0", "", ""),  shard("9", "8", "")};
  std::vector<std::string> ids;
  for (const auto& s : ParentsFirst(shards)) ids.push_back(s.shard_id);
  EXPECT_THAT(ids, ElementsAre("1", "0", "9", "3", "2", "4"));
}

// --- Matchers -----------------------------------------------------------------------------------

Record MakeRecord(std::string key, std::string data) {
  Record r;
  r.partition_key = std::move(key);
  r.data = std::move(data);
  return r;
}

TEST(RecordMatchers, PartitionKeyAndData) {
  Record r = MakeRecord("u1", "hello");
  EXPECT_THAT(r, HasPartitionKey("u1"));
  EXPECT_THAT(r, Not(HasPartitionKey("u2")));
  EXPECT_THAT(r, HasData("hello"));
  EXPECT_THAT(r, Not(HasData("hell")));
  EXPECT_EQ(::testing::DescribeMatcher<Record>(HasPartitionKey("u1")), "has partition key \"u1\"");
  EXPECT_EQ(::testing::DescribeMatcher<Record>(HasPartitionKey("u1"), true),
            "has no partition key \"u1\"");
}

TEST(RecordMatchers, JsonFields) {
  Record r =
      MakeRecord("u1", R"({"type":"ORDER_PLACED","total":42,"paid":true,"order":{"id":"o-7"}})");
  EXPECT_THAT(r, HasJsonField("type", "ORDER_PLACED"));
  EXPECT_THAT(r, HasJsonField("total", "42"));
  EXPECT_THAT(r, HasJsonField("paid", "true"));
  EXPECT_THAT(r, HasJsonField("order.id", "o-7"));
  EXPECT_THAT(r, Not(HasJsonField("type", "ORDER_SHIPPED")));
  EXPECT_THAT(r, Not(HasJsonField("missing", "x")));
  EXPECT_THAT(r, Not(HasJsonField("type.inner", "x")));
  EXPECT_THAT(MakeRecord("u1", "not json"), Not(HasJsonField("type", "x")));
  EXPECT_THAT(MakeRecord("u1", "[1,2]"), Not(HasJsonField("type", "x")));

  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(::testing::ExplainMatchResult(HasJsonField("type", "ORDER_SHIPPED"), r, &listener));
  EXPECT_EQ(listener.str(), "whose JSON field type is \"ORDER_PLACED\"");
}

TEST(RecordMatchers, ComposeOverAStream) {
  std::vector<Record> records = {MakeRecord("u1", R"({"type":"ORDER_PLACED"})"),
                                 MakeRecord("u2", R"({"type":"ORDER_PAID"})")};
  EXPECT_THAT(records, Contains(AllOf(HasPartitionKey("u2"), HasJsonField("type", "ORDER_PAID"))));
  EXPECT_THAT(records,
              Not(Contains(AllOf(HasPartitionKey("u1"), HasJsonField("type", "ORDER_PAID")))));
}

}  // namespace
}  // namespace kinesim::harness
