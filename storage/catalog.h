// The catalog: every stream and shard the store holds, in memory.
//
// A stream's description (StreamInfo) is immutable once published: a change makes a new one
// and publishes it in place of the old, so a reader holding a StreamInfo keeps a consistent view
// without locks. The catalog itself is one map from StreamKey to the current StreamInfo, guarded
// by a reader/writer lock: a lookup is O(log n) under a shared lock, and a commit that changed k
// streams publishes them in O(k log n) under the exclusive lock. The writer stages its changes in
// a CatalogDraft and publishes them only after COMMIT, so readers never see uncommitted state.
//
// Record positions (each shard's last committed record and how far it has been trimmed) change
// on every write, so they live in a ShardCursor shared by every version of the shard.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/hash_key.h"
#include "storage/sequence_number.h"

namespace kinesim {

enum class StreamMode { kProvisioned, kOnDemand };

// A stream's lifecycle. kCreating, kUpdating and kDeleting last until StreamInfo::state_until_ms;
// then a creating or updating stream is ACTIVE and a deleting one is gone.
enum class StreamStatus { kCreating = 0, kActive = 1, kUpdating = 2, kDeleting = 3, kGone = 4 };

// Where a shard's committed records begin and end.
struct ShardCursor {
  // Counter of the newest committed record (0: none yet). Written after commit only.
  std::atomic<uint64_t> last_counter{0};
  // Records with counters up to this one have been trimmed (deleted) for retention.
  std::atomic<uint64_t> trimmed_through{0};
  // Arrival time of the oldest record still stored (0: none stored, or not known yet).
  std::atomic<int64_t> oldest_arrival_ms{0};

  // Owned by the writing thread (one at a time, handed over under the writer's queue lock).
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
  std::optional<int64_t> closed_ms;        // when a reshard closed it
  std::optional<uint64_t> ending_counter;  // the last counter it will ever hold, once closed
  // The shard's part of its records' sequence numbers (storage/sequence_number.h).
  SequenceNumberFormat sequence_format;
  std::shared_ptr<ShardCursor> cursor;

  bool open() const { return !ending_counter.has_value(); }
  // The sequence number of this shard's record `counter` that arrived at `arrival_ms`.
  SequenceNumber sequence_number(uint64_t counter, int64_t arrival_ms) const {
    return SequenceNumber{sequence_format, index, counter, arrival_ms / 1000};
  }
  // Counter 0 at the shard's creation second.
  SequenceNumber starting_sequence_number() const {
    return SequenceNumber{sequence_format, index, 0, sequence_format.shard_created_s};
  }
  // A closed shard's EndingSequenceNumber: above every record it holds (for shards in Kinesis'
  // layout, kEndingCounter at the second it closed).
  SequenceNumber ending_sequence_number() const {
    if (sequence_format.layout == SequenceNumberFormat::Layout::kLegacy) {
      return SequenceNumber{sequence_format, index, ending_counter.value_or(0), 0};
    }
    return SequenceNumber{sequence_format, index, kEndingCounter, closed_ms.value_or(0) / 1000};
  }
};

// A stream's shards, by index, with a lookup from hash key to open shard. Immutable once built.
class ShardMap {
 public:
  ShardMap() = default;
  explicit ShardMap(std::vector<ShardInfo> shards);

  const std::vector<ShardInfo>& all() const { return shards_; }
  size_t size() const { return shards_.size(); }
  const ShardInfo* shard(int64_t index) const {
    return index >= 0 && index < static_cast<int64_t>(shards_.size())
               ? &shards_[static_cast<size_t>(index)]
               : nullptr;
  }
  int64_t open_count() const { return static_cast<int64_t>(open_by_start_.size()); }
  // The open shard whose range holds `key`; nullptr only if ranges are inconsistent.
  const ShardInfo* shard_for(HashKey key) const;
  // The open shards in hash-key order.
  std::vector<const ShardInfo*> open_shards() const;

 private:
  std::vector<ShardInfo> shards_;
  std::vector<std::pair<HashKey, int64_t>> open_by_start_;  // (range start, index), sorted
};

struct StreamKey {
  std::string account;
  std::string region;
  std::string name;
  auto operator<=>(const StreamKey&) const = default;
};

// Everything about a stream except its records. Copy it to change it (StreamSettings are cheap
// to copy; the shard map is shared until a reshard replaces it).
struct StreamInfo {
  int64_t id = 0;  // store-wide, never reused
  StreamKey key;
  int64_t created_ms = 0;
  StreamMode mode = StreamMode::kProvisioned;
  int32_t retention_hours = 24;
  int32_t max_record_size_kib = 1024;
  std::string kms_key_id;             // empty: records are not encrypted
  uint32_t shard_metrics = 0;         // enhanced monitoring: a bit per metric (api/ names them)
  int32_t warm_throughput_mibps = 0;  // 0: none requested
  StreamStatus state = StreamStatus::kActive;
  int64_t state_until_ms = 0;        // end of a kCreating, kUpdating or kDeleting state
  std::vector<int64_t> scalings_ms;  // UpdateShardCount calls, newest last (last 24 hours)
  // UpdateStreamMode's switches between capacity modes, newest last (last 24 hours).
  std::vector<int64_t> mode_switches_ms;
  std::shared_ptr<const ShardMap> shards = std::make_shared<ShardMap>();

  // The state a client sees at `now_ms`: transitional states end on their own.
  StreamStatus status_at(int64_t now_ms) const;
  bool encrypted() const { return !kms_key_id.empty(); }
  int64_t retention_ms() const { return int64_t{retention_hours} * 3600 * 1000; }

  const ShardInfo* shard(int64_t index) const { return shards->shard(index); }
  const ShardInfo* shard_for(HashKey key) const { return shards->shard_for(key); }
  int64_t open_shard_count() const { return shards->open_count(); }
};

// What an account holds in a region, for its limits (DescribeLimits).
struct AccountTotals {
  int64_t open_shards = 0;
  int64_t on_demand_streams = 0;
};

class CatalogDraft;

class Catalog {
 public:
  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // The stream as last committed, in whatever state (callers check status_at), or nullptr.
  std::shared_ptr<const StreamInfo> find(const StreamKey& key) const;
  // Up to `limit` streams of one account and region with names after `after`, in name order.
  std::vector<std::shared_ptr<const StreamInfo>> list(const std::string& account,
                                                      const std::string& region,
                                                      const std::string& after, size_t limit) const;
  AccountTotals totals(const std::string& account, const std::string& region) const;
  size_t size() const;
  // Calls `visit` for every stream (a snapshot taken under the lock, visited without it).
  void for_each(const std::function<void(const std::shared_ptr<const StreamInfo>&)>& visit) const;

  // Loading, before the store serves: adds a stream as committed.
  void load(std::shared_ptr<const StreamInfo> stream);

 private:
  friend class CatalogDraft;
  using Region = std::pair<std::string, std::string>;  // account, region

  mutable std::shared_mutex mutex_;
  std::map<StreamKey, std::shared_ptr<const StreamInfo>> streams_;
  std::map<Region, AccountTotals> totals_;
};

// The writer's view during one transaction: the published catalog plus its own changes, which
// publish() makes visible (after COMMIT) and discard() forgets (after ROLLBACK).
class CatalogDraft {
 public:
  explicit CatalogDraft(Catalog& published) : published_(published) {}

  std::shared_ptr<const StreamInfo> find(const StreamKey& key) const;
  void put(std::shared_ptr<const StreamInfo> stream);
  void erase(const StreamKey& key);
  AccountTotals totals(const std::string& account, const std::string& region) const;

  bool empty() const { return changes_.empty(); }
  void publish();
  void discard() { changes_.clear(); }

 private:
  Catalog& published_;
  std::map<StreamKey, std::shared_ptr<const StreamInfo>> changes_;  // nullptr: erased
};

}  // namespace kinesim
