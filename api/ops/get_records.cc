// GetRecords: up to Limit records (10,000 and 10 MiB at most) from where the iterator stands,
// a fresh iterator for the next call, and how far behind the tip of the shard the reader is.
// Records past the stream's retention period are skipped. At the end of a closed shard the answer
// names its children (ChildShards) and carries no NextShardIterator.
#include <algorithm>
#include <ctime>

#include "api/metrics.h"
#include "api/ops/ops.h"
#include "api/records.h"
#include "api/shard_iterator.h"
#include "api/streams.h"
#include "api/throughput.h"

namespace kinesim::api::ops {
namespace {

constexpr size_t kMaxRecords = 10000;
constexpr size_t kMaxBytes = 10 * 1024 * 1024;

// Kinesis prints times in iterator errors like "Thu Jan 22 01:22:02 UTC 2015".
std::string amz_utc(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

}  // namespace

void GetRecords(Call& call) {
  auto it = ShardIterator::open(call.services.sealer, *call.in["ShardIterator"].str());
  if (!it) return call.reply.fail(errors::invalid_argument("Invalid ShardIterator."));
  const int64_t now = call.now_ms();
  if (now - it->issued_ms > kIteratorLifetimeMs) {
    return call.reply.fail(
        errors::expired_iterator("Iterator expired. The iterator was created at time " +
                                 amz_utc(it->issued_ms) + " while right now it is " + amz_utc(now) +
                                 " which is further in the future than the tolerated delay of " +
                                 std::to_string(kIteratorLifetimeMs) + " milliseconds."));
  }
  const StreamKey key{it->account, it->region, it->stream_name};
  auto stream = call.store().catalog().find(key);
  const ShardInfo* shard =
      stream && stream->id == it->stream_id && stream->status_at(now) != StreamStatus::kGone
          ? stream->shard(it->shard_index)
          : nullptr;
  if (!shard || shard->gid != it->shard_gid) {
    return call.reply.fail(shard_not_found(key, shard_id(it->shard_index)));
  }
  ThroughputLimiter* limiter = call.services.limiter->enabled() ? call.services.limiter : nullptr;
  if (limiter && !limiter->admit_read(shard->gid)) {
    call.services.metrics->read_throttled(*stream, shard->index);
    return call.reply.fail(throughput_exceeded(key, shard->index));
  }
  const size_t limit = static_cast<size_t>(std::clamp<int64_t>(
      call.in["Limit"].integer().value_or(kMaxRecords), 1, static_cast<int64_t>(kMaxRecords)));
  const uint64_t tip = shard->cursor->last_counter.load(std::memory_order_acquire);
  const int64_t not_before = now - stream->retention_ms();

  // Rows are written straight into the response as they are read.
  ShardIterator next = *it;
  next.issued_ms = now;
  int64_t last_arrival = 0;
  size_t bytes_read = 0, count = 0;
  const SequenceNumberWriter sequence(shard->sequence_format, shard->index);
  call.reply.respond([&](Output& out) -> std::optional<Error> {
    out.begin_object();
    out.key("Records");
    out.begin_array();
    Status read = call.store().read_records(shard->gid, it->after_counter, tip, not_before, limit,
                                            kMaxBytes, [&](const StoredRecord& r) {
                                              write_record(out, sequence, r);
                                              next.after_counter = r.counter;
                                              last_arrival = r.arrival_ms;
                                              bytes_read += r.data.size() + r.partition_key.size();
                                              ++count;
                                            });
    out.end_array();
    if (!read.ok()) return storage_error(read, key);
    // Nothing left to read before the tip but records past retention: the reader is at the tip.
    if (count == 0) next.after_counter = std::max(next.after_counter, tip);
    if (limiter) limiter->charge_read(shard->gid, bytes_read);
    const bool closed_and_done =
        shard->ending_counter && next.after_counter >= *shard->ending_counter;
    if (closed_and_done) {
      write_child_shards(out, *stream, *shard);
    } else {
      out.field("NextShardIterator", next.seal(call.services.sealer));
    }
    const bool caught_up = next.after_counter >= tip;
    const int64_t behind = caught_up ? int64_t{0} : std::max<int64_t>(0, now - last_arrival);
    out.field("MillisBehindLatest", behind);
    call.services.metrics->read(*stream, shard->index, count, bytes_read, behind);
    out.end_object();
    return std::nullopt;
  });
}

}  // namespace kinesim::api::ops
