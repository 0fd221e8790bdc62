// Records: writing them into the shard that owns their hash key, reading a shard's range, and
// finding positions by time. Records past their stream's retention period are never read back,
// whether or not the background pass has trimmed them yet.
#include <algorithm>

#include "storage/store_internal.h"

namespace kinesim {

using store_internal::internal;
using store_internal::record_id;

namespace store_internal {

Status delete_records(Transaction& t, int64_t shard_gid, uint64_t after, uint64_t upto) {
  auto& st = t.statement("DELETE FROM records WHERE id > ? AND id <= ?");
  sqlite::ResetOnExit reset(st);
  st.bind(1, record_id(shard_gid, after));
  st.bind(2, record_id(shard_gid, upto));
  if (st.step() != SQLITE_DONE) return t.error("delete records");
  return Status::Ok();
}

}  // namespace store_internal

void Store::put_records(StreamKey key, std::vector<RecordToPut> records,
                        std::function<void(Result<std::vector<PutResult>>)> done) {
  submit(make_result_job<std::vector<PutResult>>(
      [key = std::move(key),
       records = std::move(records)](Transaction& t) -> Result<std::vector<PutResult>> {
        auto stream = store_internal::live_stream(t, key);
        if (!stream) return Status::Error(StatusCode::kNotFound);
        const StreamStatus status = stream->status_at(t.now_ms());
        if (status != StreamStatus::kActive && status != StreamStatus::kUpdating) {
          // Kinesis takes no records before a stream is ACTIVE, nor once it is deleting.
          return Status::Error(StatusCode::kNotFound);
        }
        std::vector<PutResult> out;
        out.reserve(records.size());
        const int64_t now = t.now_ms();
        const bool encrypted = stream->encrypted();
        auto& insert =
            t.statement("INSERT INTO records(id, ts, pkey, data, encrypted) VALUES(?, ?, ?, ?, ?)");
        for (const auto& r : records) {
          const ShardInfo* shard = stream->shard_for(r.hash_key);
          if (!shard) return internal("no open shard covers the hash key");
          ShardCursor& cursor = *shard->cursor;
          if (cursor.pending_counter >= kMaxRecordCounter) return internal("shard is full");
          t.touch(cursor);
          const uint64_t counter = ++cursor.pending_counter;
          cursor.last_arrival_ms = std::max(cursor.last_arrival_ms, now);
          // A hint for trimming and TRIM_HORIZON (see ShardCursor): set when the shard was empty.
          int64_t none = 0;
          cursor.oldest_arrival_ms.compare_exchange_strong(none, cursor.last_arrival_ms);
          sqlite::ResetOnExit reset(insert);
          insert.bind(1, record_id(shard->gid, counter));
          insert.bind(2, cursor.last_arrival_ms);
          insert.bind(3, r.partition_key);
          insert.bind_blob(4, r.data);
          insert.bind(5, int64_t{encrypted ? 1 : 0});
          if (insert.step() != SQLITE_DONE) return t.error("insert record");
          out.push_back(PutResult{
              shard->index, shard->sequence_number(counter, cursor.last_arrival_ms), encrypted});
        }
        return out;
      },
      std::move(done)));
}

Status Store::read_records(int64_t shard_gid, uint64_t after, uint64_t upto, int64_t not_before_ms,
                           size_t max_records, size_t max_bytes,
                           const std::function<void(const StoredRecord&)>& visit) {
  if (upto <= after || max_records == 0) return Status::Ok();
  return with_reader([&](ReadConnection& conn) -> Status {
    sqlite::Statement& st = conn.statement(
        "SELECT id, ts, pkey, data, encrypted FROM records WHERE id > ? AND id <= ? AND ts >= ? "
        "ORDER BY id");
    sqlite::ResetOnExit reset(st);
    st.bind(1, record_id(shard_gid, after));
    st.bind(2, record_id(shard_gid, upto));
    st.bind(3, not_before_ms);
    size_t count = 0, bytes = 0;
    int rc = SQLITE_DONE;
    while (count < max_records && (rc = st.step()) == SQLITE_ROW) {
      StoredRecord r;
      r.counter = static_cast<uint64_t>(st.column_int(0)) & kMaxRecordCounter;
      r.arrival_ms = st.column_int(1);
      r.partition_key = st.column_text(2);
      r.data = st.column_blob(3);
      r.encrypted = st.column_int(4) != 0;
      bytes += r.data.size();
      if (count > 0 && bytes > max_bytes) break;
      visit(r);
      ++count;
    }
    if (count < max_records && rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return internal(std::string("read records: ") + sqlite3_errstr(rc));
    }
    return Status::Ok();
  });
}

Result<uint64_t> Store::counter_before_time(int64_t shard_gid, uint64_t upto, int64_t ms) {
  uint64_t found = 0;
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    // Arrival times never decrease within a shard, so "the first record at or after counter c
    // arrived at or after ms" is monotonic in c: binary search for the smallest such c.
    sqlite::Statement& st =
        conn.statement("SELECT ts FROM records WHERE id >= ? AND id <= ? ORDER BY id LIMIT 1");
    uint64_t lo = 1, hi = upto + 1;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      st.bind(1, record_id(shard_gid, mid));
      st.bind(2, record_id(shard_gid, upto));
      const int rc = st.step();
      bool at_or_after = true;  // no record at or after mid: treat as arriving at infinity
      if (rc == SQLITE_ROW) {
        at_or_after = st.column_int(0) >= ms;
      } else if (rc != SQLITE_DONE) {
        st.reset();
        return internal(std::string("read arrival time: ") + sqlite3_errstr(rc));
      }
      st.reset();
      if (at_or_after) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    found = lo - 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return found;
}

Result<uint64_t> Store::trim_horizon(const StreamInfo& stream, const ShardInfo& shard,
                                     int64_t now_ms) {
  const ShardCursor& cursor = *shard.cursor;
  const uint64_t trimmed = cursor.trimmed_through.load(std::memory_order_acquire);
  const int64_t oldest = cursor.oldest_arrival_ms.load(std::memory_order_relaxed);
  const int64_t cutoff = now_ms - stream.retention_ms();
  // The hint never runs ahead of the oldest stored record, so when it is within retention so is
  // every record after the trimmed ones.
  if (oldest != 0 && oldest >= cutoff) return trimmed;
  const uint64_t last = cursor.last_counter.load(std::memory_order_acquire);
  if (last <= trimmed) return trimmed;
  auto found = counter_before_time(shard.gid, last, cutoff);
  if (!found.ok()) return found;
  return std::max(trimmed, found.value());
}

}  // namespace kinesim
