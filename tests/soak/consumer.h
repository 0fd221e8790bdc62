// A soak consumer: one thread that reads every shard of the stream with GetRecords, as an
// application of its own would, so each consumer must see every record. It starts with the
// shards listed at start-up from TRIM_HORIZON, reads a shard's parents to their end before the
// shard itself (so a key's records come in order across a split or a merge), and finds children
// through the ChildShards at a closed shard's end. An expired iterator (the soak moves the
// server's clock by hours) is replaced by one AFTER_SEQUENCE_NUMBER of the last record read.
//
// It publishes, per shard, whether it read the shard to its end and the arrival time of the last
// record it read there, so the soak can tell when every consumer is past a point in time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/kinesis_client.h"
#include "tests/soak/ledger.h"

namespace kinesim::soak {

struct ConsumerOptions {
  std::string endpoint;
  std::string stream;
  std::chrono::milliseconds poll{50};  // pause after a round over the shards
  int limit = 10000;                   // GetRecords Limit
};

struct ConsumerStats {
  int64_t get_records_calls = 0;
  int64_t records_read = 0;
  int64_t expired_iterators = 0;
  int64_t corrupt = 0;
  // Records read after watch_trim() that arrived before its time: ones the trim should remove.
  int64_t read_after_trim = 0;
  std::map<std::string, int64_t> errors;
  std::map<std::string, int64_t> unexpected;
};

// Where a consumer stands on one shard.
struct ShardProgress {
  bool finished = false;        // read to the end of the closed shard
  int64_t last_arrival_ms = 0;  // of the last record read (0: none yet)
};

class Consumer {
 public:
  explicit Consumer(ConsumerOptions options);

  // Reads until `stop`; or, once `drain` is set, until a whole round that began after it found
  // every shard read to its end or caught up. Call once, on the consumer's own thread.
  void run(const std::atomic<bool>& drain, const std::atomic<bool>& stop);

  // From now on, reading a record that arrived before `old_before_ms` (one the soak is about to
  // trim) is counted in ConsumerStats::read_after_trim. Thread-safe.
  void watch_trim(int64_t old_before_ms) { old_before_ms_.store(old_before_ms); }

  // Thread-safe, while run() goes on.
  std::map<std::string, ShardProgress> progress() const;
  bool drained() const { return drained_.load(); }

  // Valid after run() returned.
  const std::vector<Read>& reads() const { return reads_; }
  const ConsumerStats& stats() const { return stats_; }

 private:
  struct ShardState {
    harness::Shard info;
    std::optional<std::string> iterator;  // none until started
    std::string last_sequence;            // "" until a record was read
    bool finished = false;
  };

  // Adds the listed shards not known yet. False when ListShards failed.
  bool refresh(harness::KinesisClient& client);
  bool parents_finished(const ShardState& s) const;
  // Gets an iterator: AFTER_SEQUENCE_NUMBER of the last record read, else TRIM_HORIZON.
  bool open(harness::KinesisClient& client, ShardState& s);
  // One GetRecords on `s`. Answers whether the shard had nothing more to give.
  bool read_once(harness::KinesisClient& client, ShardState& s, bool& need_refresh);
  void take(const std::string& shard_id, const std::vector<harness::Record>& records);
  void error(const std::string& type, bool expected);

  ConsumerOptions o_;
  std::map<std::string, ShardState> shards_;  // by shard id, which sorts parents first
  std::vector<Read> reads_;
  ConsumerStats stats_;
  std::atomic<int64_t> old_before_ms_{0};
  std::atomic<bool> drained_{false};
  mutable std::mutex progress_mutex_;
  std::map<std::string, ShardProgress> progress_;
};

}  // namespace kinesim::soak
