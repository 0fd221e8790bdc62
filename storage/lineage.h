// Resharding as plans: which open shards close and which new shards open, with their hash-key
// ranges and parents. Pure functions of a stream's shard map, so the lineage rules are tested
// without a database; the store applies a plan in one transaction.
//
// Every new shard has at most two parents, as in Kinesis: a split child has its shard as parent;
// a merge child has the two merged shards as parent and adjacent parent. UpdateShardCount
// (uniform scaling) is done the way Kinesis does it, as splits and merges: each open shard is
// split at every new boundary inside it, then the pieces of each new range are merged left to
// right. Pieces that are split or merged again are made and closed in the same step (they never
// hold records), so a reader that follows parents before children sees every record in order.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "storage/catalog.h"
#include "storage/hash_key.h"

namespace kinesim {

struct PlannedShard {
  HashKeyRange range;
  std::optional<int64_t> parent_index;
  std::optional<int64_t> adjacent_parent_index;
  bool closed = false;  // an intermediate step: made and closed at once
};

struct ReshardPlan {
  std::vector<int64_t> close;        // open shards to close, by index
  std::vector<PlannedShard> create;  // new shards; the first gets index shards.size()
};

// The shard at `index` (open) splits at `new_start` (start < new_start <= end): children
// [start, new_start - 1] and [new_start, end].
ReshardPlan plan_split(const ShardMap& shards, int64_t index, HashKey new_start);
// Two open, adjacent shards merge into one covering both; `index` is the parent and
// `adjacent_index` the adjacent parent.
ReshardPlan plan_merge(const ShardMap& shards, int64_t index, int64_t adjacent_index);
// The open shards are reshaped into `target` (>= 1) shards of equal ranges; a boundary the open
// shards already have within rounding of an even one is kept. Open shards whose range already is
// one of the new ranges stay as they are, so doubling splits each shard once and halving merges
// pairs, as in Kinesis.
ReshardPlan plan_uniform_scaling(const ShardMap& shards, int64_t target);

// True when a and b are open and their ranges touch.
bool adjacent(const ShardInfo& a, const ShardInfo& b);

}  // namespace kinesim
