// What kinesim counts for GET /metrics: Kinesis' CloudWatch metrics per stream (and per shard for
// the metrics a stream's enhanced monitoring lists), and requests and errors per operation.
//
// Stream metrics keep CloudWatch's names, with '.' written as '_' (Prometheus allows no dots):
//   kinesis_IncomingRecords, kinesis_IncomingBytes, kinesis_GetRecords_Records,
//   kinesis_GetRecords_Bytes, kinesis_GetRecords_IteratorAgeMilliseconds,
//   kinesis_WriteProvisionedThroughputExceeded, kinesis_ReadProvisionedThroughputExceeded,
//   kinesis_PutRecord_Latency, kinesis_PutRecords_Latency (milliseconds; _sum and _count)
// labelled {account, region, stream}. Shard metrics (kinesis_shard_IncomingBytes, ...,
// kinesis_shard_IteratorAgeMilliseconds) add {shard}. Counters count since start-up (CloudWatch
// sums per period; a Prometheus rate() over them gives the same figures); IteratorAgeMilliseconds
// is a gauge holding the age the last GetRecords saw. A deleted stream's series disappear, and
// its counters are freed when the next new stream's are made.
//
// Updates are lock-free atomics once a stream's entry exists; finding the entry takes a shared
// lock, so the data plane's threads never wait on one another here.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/catalog.h"

namespace kinesim::api {

class Metrics {
 public:
  // Per-stream and per-shard counters (one set of atomics).
  struct Counters {
    std::atomic<uint64_t> incoming_records{0}, incoming_bytes{0};
    std::atomic<uint64_t> outgoing_records{0}, outgoing_bytes{0};
    std::atomic<uint64_t> write_throttled{0}, read_throttled{0};
    std::atomic<int64_t> iterator_age_ms{-1};  // -1: no GetRecords yet
    std::atomic<uint64_t> put_record_count{0}, put_record_micros{0};
    std::atomic<uint64_t> put_records_count{0}, put_records_micros{0};
  };

  // The data plane's events. Shard counters are kept only while the stream's enhanced monitoring
  // lists some metric (render() shows only the listed ones).
  //
  // A PutRecord (batch false) or PutRecords acknowledged after `latency`: `stored` records of
  // `bytes` bytes in all; `shard_bytes` gives each stored record's shard index and size, and is
  // read only when the stream has shard metrics.
  void put(const StreamInfo& stream, bool batch, std::chrono::steady_clock::duration latency,
           uint64_t stored, uint64_t bytes,
           const std::vector<std::pair<int64_t, uint64_t>>& shard_bytes);
  void write_throttled(const StreamInfo& stream, int64_t shard_index, uint64_t records);
  // A GetRecords answer: `records` of `bytes` bytes, `age_ms` behind the shard's newest record.
  void read(const StreamInfo& stream, int64_t shard_index, uint64_t records, uint64_t bytes,
            int64_t age_ms);
  void read_throttled(const StreamInfo& stream, int64_t shard_index);

  // `operations`: every operation's name; request() counts by position in it. `catalog` tells
  // which streams still exist.
  Metrics(std::vector<std::string> operations, const Catalog& catalog);

  // A request to operation `op` (an index into the operations, or kUnknown for requests that
  // named none) answered with `error_type` ("" for success).
  static constexpr size_t kUnknown = static_cast<size_t>(-1);
  void request(size_t op, std::string_view error_type);

  // The Prometheus text exposition (format 0.0.4) of every metric of the streams the catalog
  // still holds, with `now_ms` deciding which are gone.
  std::string render(int64_t now_ms) const;

  // How many streams have counters (for tests: deleted streams' are freed).
  size_t streams_counted() const;

 private:
  // A stream's counters. Entries follow the stream's id, so a stream deleted and created again
  // under its name starts from zero. The data plane holds an entry's shared_ptr while it counts,
  // so freeing a deleted stream's entry never pulls it from under a request still in flight.
  struct StreamEntry {
    StreamKey key;
    Counters totals;
    mutable std::mutex shards_mutex;
    std::map<int64_t, std::unique_ptr<Counters>> shards;  // by shard index
    Counters& shard(int64_t shard_index);
  };
  std::shared_ptr<StreamEntry> entry(const StreamInfo& stream);

  const Catalog& catalog_;
  mutable std::shared_mutex streams_mutex_;
  std::unordered_map<int64_t, std::shared_ptr<StreamEntry>> streams_;  // by stream id

  std::vector<std::string> operations_;
  std::unique_ptr<std::atomic<uint64_t>[]> requests_;  // by operation; the last is "unknown"
  mutable std::mutex errors_mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> errors_;  // (operation, error type)
};

}  // namespace kinesim::api
