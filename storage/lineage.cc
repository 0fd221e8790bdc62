#include "storage/lineage.h"

#include <algorithm>

namespace kinesim {

bool adjacent(const ShardInfo& a, const ShardInfo& b) {
  if (!a.open() || !b.open()) return false;
  return (a.range.end != kMaxHashKey && a.range.end + 1 == b.range.start) ||
         (b.range.end != kMaxHashKey && b.range.end + 1 == a.range.start);
}

namespace {

// Builds a plan shard by shard, handing out indexes in creation order.
class PlanBuilder {
 public:
  explicit PlanBuilder(const ShardMap& shards) : next_index_(static_cast<int64_t>(shards.size())) {}

  // A shard taking part: an existing open one (to close if it changes) or a new one.
  struct Piece {
    int64_t index;
    HashKeyRange range;
    bool existing;
  };

  // Splits `p` at `at`; returns the two children.
  std::pair<Piece, Piece> split(const Piece& p, HashKey at) {
    retire(p);
    Piece left = add(PlannedShard{{p.range.start, at - 1}, p.index, std::nullopt});
    Piece right = add(PlannedShard{{at, p.range.end}, p.index, std::nullopt});
    return {left, right};
  }

  Piece merge(const Piece& parent, const Piece& adjacent_parent) {
    retire(parent);
    retire(adjacent_parent);
    const HashKeyRange r{std::min(parent.range.start, adjacent_parent.range.start),
                         std::max(parent.range.end, adjacent_parent.range.end)};
    return add(PlannedShard{r, parent.index, adjacent_parent.index});
  }

  ReshardPlan take() { return std::move(plan_); }

 private:
  void retire(const Piece& p) {
    if (p.existing) {
      plan_.close.push_back(p.index);
    } else {
      plan_.create[static_cast<size_t>(p.index - first_new())].closed = true;
    }
  }
  Piece add(PlannedShard s) {
    plan_.create.push_back(s);
    return Piece{next_index_++, s.range, false};
  }
  int64_t first_new() const { return next_index_ - static_cast<int64_t>(plan_.create.size()); }

  int64_t next_index_;
  ReshardPlan plan_;
};

}  // namespace

ReshardPlan plan_split(const ShardMap& shards, int64_t index, HashKey new_start) {
  PlanBuilder b(shards);
  const ShardInfo& s = *shards.shard(index);
  b.split({s.index, s.range, true}, new_start);
  return b.take();
}

ReshardPlan plan_merge(const ShardMap& shards, int64_t index, int64_t adjacent_index) {
  PlanBuilder b(shards);
  const ShardInfo& s = *shards.shard(index);
  const ShardInfo& a = *shards.shard(adjacent_index);
  b.merge({s.index, s.range, true}, {a.index, a.range, true});
  return b.take();
}

namespace {

// The ranges of `target` equal shards, with each boundary moved onto a boundary of the open
// shards that lies within rounding distance of it. Even ranges of n shards start at multiples of
// floor(2^128 / n), so the boundaries of 3 and of 6 even shards, say, are a key or two apart where
// they should coincide; without this, doubling a 3-shard stream would split off shards one key
// wide instead of splitting each shard once. Distinct boundaries are 2^128 / target apart, far
// more than the tolerance, so the ranges stay in order and none becomes empty.
std::vector<HashKeyRange> target_ranges(const ShardMap& shards, int64_t target) {
  auto ranges = split_evenly(static_cast<int>(target));
  const auto open = shards.open_shards();
  const HashKey tolerance =
      static_cast<HashKey>(std::max<int64_t>(target, static_cast<int64_t>(open.size())));
  auto distance = [](HashKey a, HashKey b) { return a > b ? a - b : b - a; };
  size_t j = 1;  // open[0] starts at 0, which is no boundary
  for (size_t r = 1; r < ranges.size(); ++r) {
    const HashKey wanted = ranges[r].start;
    while (j < open.size() && open[j]->range.start < wanted &&
           wanted - open[j]->range.start > tolerance) {
      ++j;
    }
    if (j == open.size()) break;
    const HashKey existing = open[j]->range.start;
    if (distance(existing, wanted) <= tolerance) {
      ranges[r - 1].end = existing - 1;
      ranges[r].start = existing;
    }
  }
  return ranges;
}

}  // namespace

ReshardPlan plan_uniform_scaling(const ShardMap& shards, int64_t target) {
  PlanBuilder b(shards);
  const auto ranges = target_ranges(shards, target);
  // Phase 1: split every open shard at each new boundary inside it, so every piece lies within
  // one new range. Pieces come out in hash-key order.
  std::vector<PlanBuilder::Piece> pieces;
  size_t r = 0;  // first new range that may start inside the current shard
  for (const ShardInfo* s : shards.open_shards()) {
    PlanBuilder::Piece current{s->index, s->range, true};
    while (r < ranges.size() && ranges[r].start <= current.range.start) ++r;
    while (r < ranges.size() && ranges[r].start <= current.range.end) {
      auto [left, right] = b.split(current, ranges[r].start);
      pieces.push_back(left);
      current = right;
      ++r;
    }
    pieces.push_back(current);
  }
  // Phase 2: merge the pieces of each new range, left to right.
  size_t i = 0;
  for (const auto& range : ranges) {
    PlanBuilder::Piece merged = pieces[i++];
    while (i < pieces.size() && pieces[i].range.end <= range.end) {
      merged = b.merge(merged, pieces[i++]);
    }
  }
  return b.take();
}

}  // namespace kinesim
