// A consumer that reads parents before children keeps each key's order across resharding.
#include <map>
#include <set>

#include "examples/flows/flow_test.h"
#include "examples/flows/shard_poller.h"

namespace kinesim::flows {
namespace {

using ::testing::ElementsAre;

class ReshardingTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    CreateStream("clicks", 1);
    poller_ = std::make_unique<ShardPoller>(client(), "clicks");
  }
  // Writes `rounds` events for each of 8 keys, round-robin; each event is "key:n" with n counting
  // up per key.
  void Write(int rounds) {
    for (int r = 0; r < rounds; ++r) {
      for (int k = 0; k < 8; ++k) {
        const std::string key = "key-" + std::to_string(k);
        ASSERT_TRUE(
            client().put_record("clicks", key, key + ":" + std::to_string(next_[key]++)).ok());
      }
    }
  }
  void Reshard(int target) {
    auto r = client().update_shard_count("clicks", target);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    ASSERT_TRUE(harness::WaitForActive(client(), "clicks").ok());
  }
  // Polls, appending "key:n" to the per-key log and the shard of each record to `order_`.
  size_t Poll() {
    return poller_
        ->poll([this](const harness::Record& r) {
          seen_[r.partition_key].push_back(std::stoi(r.data.substr(r.data.find(':') + 1)));
          order_.push_back(r.shard_id);
        })
        .value();
  }
  // Every key saw 0, 1, 2, ... exactly once and in order.
  void ExpectEveryKeyInOrder() {
    ASSERT_EQ(seen_.size(), next_.size());
    for (const auto& [key, ns] : seen_) {
      std::vector<int> expected(next_[key]);
      for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int>(i);
      EXPECT_EQ(ns, expected) << key;
    }
  }
  // The position of the last record from `shard` and of the first from `child` in delivery order.
  size_t Last(const std::string& shard) const {
    for (size_t i = order_.size(); i-- > 0;) {
      if (order_[i] == shard) return i;
    }
    return 0;
  }
  size_t First(const std::string& shard) const {
    for (size_t i = 0; i < order_.size(); ++i) {
      if (order_[i] == shard) return i;
    }
    return order_.size();
  }

  std::unique_ptr<ShardPoller> poller_;
  std::map<std::string, int> next_;
  std::map<std::string, std::vector<int>> seen_;
  std::vector<std::string> order_;
};
KINESIM_FLOW_SUITE(ReshardingTest);

constexpr const char* kShard0 = "shardId-000000000000";
constexpr const char* kShard1 = "shardId-000000000001";
constexpr const char* kShard2 = "shardId-000000000002";
constexpr const char* kShard3 = "shardId-000000000003";

TEST_P(ReshardingTest, SplitInTheMiddleOfWritingKeepsEachKeysOrder) {
  Write(5);
  Reshard(2);
  Write(5);
  EXPECT_EQ(Poll(), 80u);
  ExpectEveryKeyInOrder();

  auto shards = client().list_shards("clicks").value();
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_TRUE(shards[0].closed());
  EXPECT_EQ(shards[1].parent_shard_id, kShard0);
  EXPECT_EQ(shards[2].parent_shard_id, kShard0);
  // The parent was read to its end before either child.
  EXPECT_TRUE(poller_->finished(kShard0));
  EXPECT_EQ(Last(kShard0), 39u);
  EXPECT_GT(First(kShard1), Last(kShard0));
  EXPECT_GT(First(kShard2), Last(kShard0));
  EXPECT_EQ(Poll(), 0u);  // every checkpoint is at the tip
}

TEST_P(ReshardingTest, SplitThenMergeWithPollsInBetween) {
  Write(3);
  EXPECT_EQ(Poll(), 24u);  // checkpoint in the open shard 0
  Write(2);
  Reshard(2);
  Write(3);
  EXPECT_EQ(Poll(), 40u);  // the rest of shard 0, then its children
  Write(1);
  Reshard(1);
  Write(4);
  EXPECT_EQ(Poll(), 40u);
  ExpectEveryKeyInOrder();

  auto shards = client().list_shards("clicks").value();
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_EQ(shards[3].shard_id, kShard3);
  EXPECT_EQ(shards[3].parent_shard_id, kShard1);
  EXPECT_EQ(shards[3].adjacent_parent_shard_id, kShard2);
  for (const char* s : {kShard0, kShard1, kShard2}) EXPECT_TRUE(poller_->finished(s)) << s;
  EXPECT_FALSE(poller_->finished(kShard3));
  // The merged child came after both its parents.
  EXPECT_GT(First(kShard3), Last(kShard1));
  EXPECT_GT(First(kShard3), Last(kShard2));
  std::set<std::string> delivered(order_.begin(), order_.end());
  EXPECT_THAT(delivered, ElementsAre(kShard0, kShard1, kShard2, kShard3));
}

}  // namespace
}  // namespace kinesim::flows
