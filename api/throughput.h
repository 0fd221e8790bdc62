// Kinesis' per-shard throughput limits, for testing producers' and consumers' retry code. Off
// unless the server is started with --throughput-limits on or a test switches them on at run
// time (set_enabled, reached through the fault registry). Each shard takes in at most
// 1,000 records and 1 MiB per second, and serves at most 5 GetRecords calls and 2 MiB per
// second; past that Kinesis answers ProvisionedThroughputExceededException.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "storage/clock.h"

namespace kinesim::api {

constexpr int64_t kShardWriteRecordsPerSecond = 1000;
constexpr int64_t kShardWriteBytesPerSecond = 1024 * 1024;
constexpr int64_t kShardReadCallsPerSecond = 5;
constexpr int64_t kShardReadBytesPerSecond = 2 * 1024 * 1024;

// Counts use of each shard in one-second windows of the clock. Thread-safe.
class ThroughputLimiter {
 public:
  ThroughputLimiter(const Clock& clock, bool enabled) : clock_(clock), enabled_(enabled) {}

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

  // Takes room for one record of `bytes` (data and partition key) on the shard in the current
  // second; false, taking nothing, when the shard's write limits are used up.
  bool admit_write(int64_t shard_gid, size_t bytes);
  // Takes one GetRecords call; false when the shard has served its calls or bytes this second.
  bool admit_read(int64_t shard_gid);
  // Counts the bytes a GetRecords call returned.
  void charge_read(int64_t shard_gid, size_t bytes);

 private:
  struct Window {
    int64_t second = -1;
    int64_t write_records = 0;
    int64_t write_bytes = 0;
    int64_t read_calls = 0;
    int64_t read_bytes = 0;
  };
  Window& window(int64_t shard_gid);  // the shard's counters for this second; mutex_ held

  const Clock& clock_;
  std::atomic<bool> enabled_;
  std::mutex mutex_;
  std::unordered_map<int64_t, Window> shards_;
};

}  // namespace kinesim::api
