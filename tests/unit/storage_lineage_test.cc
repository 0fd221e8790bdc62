// Reshard plans (storage/lineage.h) checked without a database: which shards close, which open,
// with which parents and ranges, for splits, merges and uniform scaling.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "storage/lineage.h"

namespace kinesim {
namespace {

constexpr HashKey kHalf = HashKey{1} << 127;

// A shard map of open shards with these ranges, indexes 0.., as CreateStream makes them.
ShardMap open_map(const std::vector<HashKeyRange>& ranges) {
  std::vector<ShardInfo> shards;
  for (size_t i = 0; i < ranges.size(); ++i) {
    ShardInfo s;
    s.index = static_cast<int64_t>(i);
    s.range = ranges[i];
    shards.push_back(s);
  }
  return ShardMap(std::move(shards));
}

ShardMap even_map(int count) { return open_map(split_evenly(count)); }

// The shard map a plan leaves behind, applied the way the store applies it.
ShardMap apply(const ShardMap& before, const ReshardPlan& plan) {
  std::vector<ShardInfo> shards = before.all();
  for (int64_t index : plan.close) shards[static_cast<size_t>(index)].ending_counter = 0;
  for (const PlannedShard& p : plan.create) {
    ShardInfo s;
    s.index = static_cast<int64_t>(shards.size());
    s.range = p.range;
    s.parent_index = p.parent_index;
    s.adjacent_parent_index = p.adjacent_parent_index;
    if (p.closed) s.ending_counter = 0;
    shards.push_back(s);
  }
  return ShardMap(std::move(shards));
}

std::vector<HashKeyRange> open_ranges(const ShardMap& map) {
  std::vector<HashKeyRange> out;
  for (const ShardInfo* s : map.open_shards()) out.push_back(s->range);
  return out;
}

HashKey width(const HashKeyRange& r) { return r.end - r.start; }  // one less than the key count

// Everything a plan must satisfy, whatever it does. Returns the map after it.
ShardMap check_plan(const ShardMap& before, const ReshardPlan& plan) {
  const int64_t first_new = static_cast<int64_t>(before.size());
  std::set<int64_t> closed(plan.close.begin(), plan.close.end());
  EXPECT_EQ(closed.size(), plan.close.size()) << "a shard closes twice";
  for (int64_t index : plan.close) {
    const ShardInfo* s = before.shard(index);
    EXPECT_TRUE(s && s->open()) << "closes shard " << index << ", which is not open";
  }
  const ShardMap after = apply(before, plan);
  std::map<int64_t, int> children;  // parent index -> number of new shards naming it
  for (size_t i = 0; i < plan.create.size(); ++i) {
    const PlannedShard& p = plan.create[i];
    const int64_t index = first_new + static_cast<int64_t>(i);
    EXPECT_TRUE(p.parent_index.has_value()) << "new shard " << index << " has no parent";
    if (!p.parent_index) continue;
    EXPECT_LT(*p.parent_index, index);
    const ShardInfo& parent = *after.shard(*p.parent_index);
    ++children[parent.index];
    if (p.adjacent_parent_index) {
      // A merge: the parent ends right below the adjacent parent, and the child covers both.
      EXPECT_LT(*p.adjacent_parent_index, index);
      const ShardInfo& adjacent = *after.shard(*p.adjacent_parent_index);
      ++children[adjacent.index];
      EXPECT_EQ(parent.range.end + 1, adjacent.range.start) << "merge of non-adjacent shards";
      EXPECT_EQ(p.range, (HashKeyRange{parent.range.start, adjacent.range.end}));
    } else {
      // A split: the child lies inside its parent.
      EXPECT_TRUE(parent.range.start <= p.range.start && p.range.end <= parent.range.end);
      EXPECT_LE(p.range.start, p.range.end);
    }
  }
  // Every shard that stops being open (an existing one or an intermediate) has children, split
  // children twice over and merge parents once; and no open shard is anyone's parent.
  for (const ShardInfo& s : after.all()) {
    const bool retired = closed.count(s.index) || (s.index >= first_new && !s.open());
    if (!retired) {
      EXPECT_EQ(children.count(s.index), 0u) << "open shard " << s.index << " has children";
      continue;
    }
    const int n = children.count(s.index) ? children[s.index] : 0;
    EXPECT_TRUE(n == 1 || n == 2) << "retired shard " << s.index << " has " << n << " children";
  }
  // The open shards tile the hash key space exactly.
  const auto ranges = open_ranges(after);
  EXPECT_FALSE(ranges.empty());
  if (ranges.empty()) return after;
  EXPECT_EQ(ranges.front().start, HashKey{0});
  EXPECT_EQ(ranges.back().end, kMaxHashKey);
  for (size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_EQ(ranges[i - 1].end + 1, ranges[i].start) << "gap or overlap before open range " << i;
  }
  return after;
}

// Uniform scaling to `target`: the checks above, `target` open shards of nearly equal width
// (within rounding), and every shard the plan did not touch exactly as it was.
ShardMap check_uniform(const ShardMap& before, int64_t target) {
  const ReshardPlan plan = plan_uniform_scaling(before, target);
  const ShardMap after = check_plan(before, plan);
  const auto ranges = open_ranges(after);
  EXPECT_EQ(static_cast<int64_t>(ranges.size()), target);
  const HashKey step = kMaxHashKey / static_cast<HashKey>(target);
  const HashKey slack = static_cast<HashKey>(2 * (target + before.open_count()) + 2);
  for (const auto& r : ranges) {
    const HashKey w = width(r);
    EXPECT_LE(w > step ? w - step : step - w, slack)
        << "uneven range " << to_decimal(r.start) << ".." << to_decimal(r.end) << " for " << target
        << " shards";
  }
  std::set<int64_t> closed(plan.close.begin(), plan.close.end());
  for (const ShardInfo* s : before.open_shards()) {
    if (closed.count(s->index)) continue;
    EXPECT_TRUE(after.shard(s->index)->open());
    EXPECT_EQ(after.shard(s->index)->range, s->range);
  }
  return after;
}

size_t intermediates(const ReshardPlan& plan) {
  return static_cast<size_t>(std::count_if(plan.create.begin(), plan.create.end(),
                                           [](const PlannedShard& p) { return p.closed; }));
}

TEST(Lineage, SplitMakesTwoChildrenOfTheShard) {
  const ShardMap map = even_map(2);
  const HashKey at = kHalf + 12345;
  const ReshardPlan plan = plan_split(map, 1, at);
  check_plan(map, plan);
  EXPECT_EQ(plan.close, std::vector<int64_t>{1});
  ASSERT_EQ(plan.create.size(), 2u);
  EXPECT_EQ(plan.create[0].range, (HashKeyRange{kHalf, at - 1}));
  EXPECT_EQ(plan.create[1].range, (HashKeyRange{at, kMaxHashKey}));
  for (const auto& c : plan.create) {
    EXPECT_EQ(c.parent_index, 1);
    EXPECT_FALSE(c.adjacent_parent_index);
    EXPECT_FALSE(c.closed);
  }
}

TEST(Lineage, MergeMakesOneChildWithBothParents) {
  const ShardMap map = even_map(3);
  const ReshardPlan plan = plan_merge(map, 1, 2);
  check_plan(map, plan);
  EXPECT_EQ(plan.close, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(plan.create.size(), 1u);
  EXPECT_EQ(plan.create[0].parent_index, 1);
  EXPECT_EQ(plan.create[0].adjacent_parent_index, 2);
  EXPECT_EQ(plan.create[0].range, (HashKeyRange{map.shard(1)->range.start, kMaxHashKey}));
}

TEST(Lineage, AdjacentNeedsTwoOpenShardsThatTouch) {
  const ShardMap map = even_map(3);
  EXPECT_TRUE(adjacent(*map.shard(0), *map.shard(1)));
  EXPECT_TRUE(adjacent(*map.shard(1), *map.shard(0)));
  EXPECT_FALSE(adjacent(*map.shard(0), *map.shard(2)));
  const ShardMap after = apply(map, plan_merge(map, 0, 1));
  EXPECT_FALSE(adjacent(*after.shard(1), *after.shard(2)));  // 1 is closed now
  EXPECT_TRUE(adjacent(*after.shard(3), *after.shard(2)));
}

TEST(Lineage, OneToTwoSplitsOnce) {
  const ShardMap map = even_map(1);
  const ReshardPlan plan = plan_uniform_scaling(map, 2);
  check_uniform(map, 2);
  EXPECT_EQ(plan.close, std::vector<int64_t>{0});
  ASSERT_EQ(plan.create.size(), 2u);
  EXPECT_EQ(intermediates(plan), 0u);
  EXPECT_EQ(plan.create[0].range, (HashKeyRange{0, kHalf - 1}));
  EXPECT_EQ(plan.create[1].range, (HashKeyRange{kHalf, kMaxHashKey}));
}

TEST(Lineage, TwoToOneMergesOnce) {
  const ShardMap map = even_map(2);
  const ReshardPlan plan = plan_uniform_scaling(map, 1);
  check_uniform(map, 1);
  ASSERT_EQ(plan.create.size(), 1u);
  EXPECT_EQ(plan.create[0].parent_index, 0);
  EXPECT_EQ(plan.create[0].adjacent_parent_index, 1);
  EXPECT_EQ(plan.create[0].range, (HashKeyRange{0, kMaxHashKey}));
}

TEST(Lineage, OneToThreeSplitsTwiceThroughAnIntermediate) {
  const ShardMap map = even_map(1);
  const ReshardPlan plan = plan_uniform_scaling(map, 3);
  const ShardMap after = check_uniform(map, 3);
  EXPECT_EQ(plan.create.size(), 4u);
  EXPECT_EQ(intermediates(plan), 1u);
  EXPECT_EQ(open_ranges(after), split_evenly(3));
}

TEST(Lineage, ThreeToTwo) {
  const ShardMap map = even_map(3);
  const ReshardPlan plan = plan_uniform_scaling(map, 2);
  const ShardMap after = check_uniform(map, 2);
  // The middle shard splits at the new boundary; each half merges with its outer neighbour.
  EXPECT_EQ(plan.close.size(), 3u);
  EXPECT_EQ(plan.create.size(), 4u);
  EXPECT_EQ(intermediates(plan), 2u);
  EXPECT_EQ(open_ranges(after), split_evenly(2));
}

TEST(Lineage, FourToThree) {
  const ShardMap map = even_map(4);
  const ReshardPlan plan = plan_uniform_scaling(map, 3);
  check_uniform(map, 3);
  EXPECT_EQ(plan.close.size(), 4u);
  EXPECT_EQ(plan.create.size(), 7u);  // two splits, three merges
  EXPECT_EQ(intermediates(plan), 4u);
}

TEST(Lineage, FiveToEightAndBack) {
  const ShardMap five = even_map(5);
  const ShardMap eight = check_uniform(five, 8);
  EXPECT_EQ(eight.open_count(), 8);
  const ShardMap back = check_uniform(eight, 5);
  EXPECT_EQ(back.open_count(), 5);
  const ShardMap from_eight = check_uniform(even_map(8), 5);
  EXPECT_EQ(open_ranges(from_eight), split_evenly(5));
}

TEST(Lineage, EvenShardsAreLeftAlone) {
  for (int n : {1, 2, 3, 4, 5, 7, 10}) {
    const ReshardPlan same = plan_uniform_scaling(even_map(n), n);
    EXPECT_TRUE(same.close.empty() && same.create.empty()) << n;
  }
  // Doubling splits every shard once and halving merges pairs, even where the even ranges of n
  // and 2n shards round a key or two apart (3 and 6, 5 and 10, 6 and 12).
  for (int n : {1, 2, 3, 4, 5, 6, 7, 12}) {
    const ShardMap map = even_map(n);
    const ReshardPlan up = plan_uniform_scaling(map, 2 * n);
    check_uniform(map, 2 * n);
    EXPECT_EQ(up.close.size(), static_cast<size_t>(n)) << n;
    EXPECT_EQ(up.create.size(), static_cast<size_t>(2 * n)) << n;
    EXPECT_EQ(intermediates(up), 0u) << n;
    const ShardMap doubled = apply(map, up);
    const ReshardPlan down = plan_uniform_scaling(doubled, n);
    check_uniform(doubled, n);
    EXPECT_EQ(down.create.size(), static_cast<size_t>(n)) << n;
    EXPECT_EQ(intermediates(down), 0u) << n;
    for (const auto& c : down.create) EXPECT_TRUE(c.adjacent_parent_index.has_value());
  }
  // Shards that already have one of the target ranges stay open: after the upper two quarters
  // were merged, scaling back to four splits only that half.
  const ShardMap four = even_map(4);
  const ShardMap merged = apply(four, plan_merge(four, 2, 3));
  const ReshardPlan back = plan_uniform_scaling(merged, 4);
  check_uniform(merged, 4);
  EXPECT_EQ(back.close, std::vector<int64_t>{4});
  EXPECT_EQ(back.create.size(), 2u);
}

TEST(Lineage, UnevenShardsBecomeEven) {
  // A stream split by hand at arbitrary points.
  ShardMap map = even_map(1);
  map = apply(map, plan_split(map, 0, 2));  // [0, 1] and [2, max]
  map = apply(map, plan_split(map, 2, kHalf + 7));
  ASSERT_EQ(map.open_count(), 3);
  for (int64_t target : {2, 3, 4, 5, 6}) check_uniform(map, target);
}

TEST(Lineage, EveryScalingWithinTheLimitsHolds) {
  for (int n = 1; n <= 16; ++n) {
    const ShardMap map = even_map(n);
    for (int target = (n + 1) / 2; target <= 2 * n; ++target) {
      SCOPED_TRACE(std::to_string(n) + " -> " + std::to_string(target));
      check_uniform(map, target);
    }
  }
}

TEST(Lineage, ChainsOfScalingsKeepTheInvariants) {
  ShardMap map = even_map(1);
  for (int64_t target : {2, 3, 5, 8, 13, 7, 4, 6, 11, 20, 10, 5, 3, 2, 1, 2}) {
    SCOPED_TRACE("to " + std::to_string(target));
    map = check_uniform(map, target);
  }
  // Every shard ever made is still in the map, closed unless it is one of the final two.
  EXPECT_EQ(map.open_count(), 2);
  for (const ShardInfo& s : map.all()) {
    EXPECT_LE(static_cast<int>(s.parent_index.has_value()) +
                  static_cast<int>(s.adjacent_parent_index.has_value()),
              2);
  }
}

}  // namespace
}  // namespace kinesim
