// The catalog: per-stream snapshots, a writer's draft that nobody sees before it is published,
// and account totals kept without scanning.
#include <gtest/gtest.h>

#include "storage/catalog.h"

namespace kinesim {
namespace {

std::shared_ptr<StreamInfo> stream(const std::string& name, int shards, bool on_demand = false,
                                   const std::string& region = "us-east-1") {
  auto s = std::make_shared<StreamInfo>();
  s->key = StreamKey{"000000000000", region, name};
  s->mode = on_demand ? StreamMode::kOnDemand : StreamMode::kProvisioned;
  std::vector<ShardInfo> list;
  const auto ranges = split_evenly(shards);
  for (int i = 0; i < shards; ++i) {
    ShardInfo shard;
    shard.index = i;
    shard.range = ranges[static_cast<size_t>(i)];
    shard.cursor = std::make_shared<ShardCursor>();
    list.push_back(shard);
  }
  s->shards = std::make_shared<ShardMap>(std::move(list));
  return s;
}

TEST(Catalog, ADraftIsInvisibleUntilPublished) {
  Catalog catalog;
  CatalogDraft draft(catalog);
  draft.put(stream("a", 2));
  EXPECT_TRUE(draft.find(StreamKey{"000000000000", "us-east-1", "a"}));
  EXPECT_FALSE(catalog.find(StreamKey{"000000000000", "us-east-1", "a"}));
  EXPECT_EQ(catalog.totals("000000000000", "us-east-1").open_shards, 0);
  EXPECT_EQ(draft.totals("000000000000", "us-east-1").open_shards, 2);
  draft.publish();
  EXPECT_TRUE(catalog.find(StreamKey{"000000000000", "us-east-1", "a"}));
  EXPECT_EQ(catalog.totals("000000000000", "us-east-1").open_shards, 2);
  EXPECT_TRUE(draft.empty());
}

TEST(Catalog, DiscardForgetsEveryChange) {
  Catalog catalog;
  catalog.load(stream("a", 1));
  CatalogDraft draft(catalog);
  draft.erase(StreamKey{"000000000000", "us-east-1", "a"});
  draft.put(stream("b", 3));
  EXPECT_FALSE(draft.find(StreamKey{"000000000000", "us-east-1", "a"}));
  draft.discard();
  draft.publish();
  EXPECT_TRUE(catalog.find(StreamKey{"000000000000", "us-east-1", "a"}));
  EXPECT_FALSE(catalog.find(StreamKey{"000000000000", "us-east-1", "b"}));
  EXPECT_EQ(catalog.totals("000000000000", "us-east-1").open_shards, 1);
}

TEST(Catalog, TotalsFollowReplacementsAndRemovalsPerRegion) {
  Catalog catalog;
  catalog.load(stream("a", 4));
  catalog.load(stream("b", 1, true));
  catalog.load(stream("a", 7, false, "eu-west-1"));
  CatalogDraft draft(catalog);
  draft.put(stream("a", 2));                                 // replaced: 4 -> 2 open shards
  draft.erase(StreamKey{"000000000000", "us-east-1", "b"});  // removed with its on-demand mode
  draft.put(stream("c", 5, true));
  EXPECT_EQ(draft.totals("000000000000", "us-east-1").open_shards, 7);
  draft.publish();
  const AccountTotals us = catalog.totals("000000000000", "us-east-1");
  EXPECT_EQ(us.open_shards, 7);
  EXPECT_EQ(us.on_demand_streams, 1);
  EXPECT_EQ(catalog.totals("000000000000", "eu-west-1").open_shards, 7);
  EXPECT_EQ(catalog.totals("999999999999", "us-east-1").open_shards, 0);
}

TEST(Catalog, ReadersKeepTheSnapshotTheyTook) {
  Catalog catalog;
  catalog.load(stream("a", 1));
  auto before = catalog.find(StreamKey{"000000000000", "us-east-1", "a"});
  CatalogDraft draft(catalog);
  auto next = std::make_shared<StreamInfo>(*before);
  next->retention_hours = 48;
  draft.put(next);
  draft.publish();
  EXPECT_EQ(before->retention_hours, 24);
  EXPECT_EQ(catalog.find(StreamKey{"000000000000", "us-east-1", "a"})->retention_hours, 48);
}

TEST(Catalog, ListsOneAccountAndRegionInNameOrderAfterAName) {
  Catalog catalog;
  for (const char* n : {"d", "a", "c", "b"}) catalog.load(stream(n, 1));
  catalog.load(stream("a", 1, false, "eu-west-1"));
  auto page = catalog.list("000000000000", "us-east-1", "a", 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0]->key.name, "b");
  EXPECT_EQ(page[1]->key.name, "c");
  EXPECT_EQ(catalog.list("000000000000", "us-east-1", "", 10).size(), 4u);
  EXPECT_EQ(catalog.list("000000000000", "eu-west-1", "", 10).size(), 1u);
}

TEST(Catalog, TransitionalStatesEndOnTheClock) {
  StreamInfo s;
  s.state = StreamStatus::kCreating;
  s.state_until_ms = 1000;
  EXPECT_EQ(s.status_at(999), StreamStatus::kCreating);
  EXPECT_EQ(s.status_at(1000), StreamStatus::kActive);
  s.state = StreamStatus::kDeleting;
  EXPECT_EQ(s.status_at(1000), StreamStatus::kGone);
  s.state = StreamStatus::kUpdating;
  EXPECT_EQ(s.status_at(500), StreamStatus::kUpdating);
  EXPECT_EQ(s.status_at(2000), StreamStatus::kActive);
}

TEST(ShardMap, FindsTheOpenShardOfAHashKey) {
  auto s = stream("a", 4);
  const auto ranges = split_evenly(4);
  for (int i = 0; i < 4; ++i) {
    const auto& r = ranges[static_cast<size_t>(i)];
    EXPECT_EQ(s->shard_for(r.start)->index, i);
    EXPECT_EQ(s->shard_for(r.end)->index, i);
  }
  EXPECT_EQ(s->open_shard_count(), 4);
}

}  // namespace
}  // namespace kinesim
