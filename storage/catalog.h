// The catalog: every stream and shard the store holds, as an immutable snapshot. The writer
// publishes a new snapshot after each commit that changes metadata; readers take the current
// one without locks held while they use it. Record positions (the last committed record of each
// shard) change on every write, so they live in a ShardCursor shared between snapshots.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "storage/hash_key.h"

namespace kinesim {

enum class StreamMode { kProvisioned, kOnDemand };

// Where a shard's committed records end. Written by the writing thread after commit only.
struct ShardCursor {
  std::atomic<uint64_t> last_counter{0};  // counter of the newest committed record (0: none)

  // Owned by the writing thread (one at a time, handed over under the queue lock).
  uint64_t pending_counter = 0;  // newest counter handed out in the open transaction
  int64_t last_arrival_ms = 0;   // arrival times never go backwards within a shard
  bool touched = false;          // changed by the open transaction
};

struct ShardInfo {
  int64_t gid = 0;    // store-wide shard id; keys the shard's records
  int64_t index = 0;  // position in the stream: shardId-000000000000 is index 0
  HashKeyRange range;
  std::optional<int64_t> parent_index;
  std::optional<int64_t> adjacent_parent_index;
  int64_t created_ms = 0;
  std::optional<uint64_t> ending_counter;  // set once the shard is closed
  std::shared_ptr<ShardCursor> cursor;

  bool open() const { return !ending_counter.has_value(); }
};

struct StreamKey {
  std::string account;
  std::string region;
  std::string name;
  auto operator<=>(const StreamKey&) const = default;
};

struct StreamInfo {
  int64_t id = 0;  // store-wide, never reused
  StreamKey key;
  int64_t created_ms = 0;
  StreamMode mode = StreamMode::kProvisioned;
  int32_t retention_hours = 24;
  int32_t max_record_size_kib = 1024;
  std::vector<ShardInfo> shards;  // by index

  const ShardInfo* shard(int64_t index) const {
    return index >= 0 && index < static_cast<int64_t>(shards.size())
               ? &shards[static_cast<size_t>(index)]
               : nullptr;
  }
  int64_t open_shard_count() const {
    int64_t n = 0;
    for (const auto& s : shards) n += s.open() ? 1 : 0;
    return n;
  }
  // The open shard whose range holds `key`; nullptr only if ranges are inconsistent.
  const ShardInfo* shard_for(HashKey key) const;
  // Rebuilds the lookup shard_for uses; call after changing `shards`.
  void index_open_shards();

 private:
  std::vector<std::pair<HashKey, int64_t>> open_by_start_;  // (range start, index), sorted
};

struct Catalog {
  std::map<StreamKey, std::shared_ptr<const StreamInfo>> streams;

  std::shared_ptr<const StreamInfo> find(const StreamKey& key) const {
    auto it = streams.find(key);
    return it == streams.end() ? nullptr : it->second;
  }
  // Open shards of one account in one region, for the account shard limit.
  int64_t open_shards(const std::string& account, const std::string& region) const;
};

}  // namespace kinesim
