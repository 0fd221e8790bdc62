#include "api/throughput.h"

namespace kinesim::api {

ThroughputLimiter::Window& ThroughputLimiter::window(int64_t shard_gid) {
  const int64_t second = clock_.now_ms() / 1000;
  Window& w = shards_[shard_gid];
  if (w.second != second) w = Window{second};
  return w;
}

bool ThroughputLimiter::admit_write(int64_t shard_gid, size_t bytes) {
  std::lock_guard lock(mutex_);
  Window& w = window(shard_gid);
  // A record larger than a second's bytes (records may be up to 10 MiB) still gets through
  // when it is the shard's first of the second.
  const bool over_bytes = w.write_bytes + static_cast<int64_t>(bytes) > kShardWriteBytesPerSecond;
  if (w.write_records + 1 > kShardWriteRecordsPerSecond || (over_bytes && w.write_records > 0)) {
    return false;
  }
  ++w.write_records;
  w.write_bytes += static_cast<int64_t>(bytes);
  return true;
}

bool ThroughputLimiter::admit_read(int64_t shard_gid) {
  std::lock_guard lock(mutex_);
  Window& w = window(shard_gid);
  if (w.read_calls + 1 > kShardReadCallsPerSecond || w.read_bytes >= kShardReadBytesPerSecond) {
    return false;
  }
  ++w.read_calls;
  return true;
}

void ThroughputLimiter::charge_read(int64_t shard_gid, size_t bytes) {
  std::lock_guard lock(mutex_);
  window(shard_gid).read_bytes += static_cast<int64_t>(bytes);
}

}  // namespace kinesim::api
