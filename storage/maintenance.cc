// Background maintenance, on one thread per store:
// - retention: records older than their stream's retention period are deleted, a bounded chunk
//   per transaction, and the shard's counter floor (shards.trimmed_through) is raised with them,
//   so counters are never reused once their records are gone;
// - lifecycle: streams and consumers whose DELETING state has ended are removed;
// - checkpoints (file databases): the WAL is copied back into the database off the commit path.
//
// Reads never depend on this pass having run: they skip records past retention and treat
// finished deletions as gone (StreamInfo::status_at). It only reclaims space.
#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <thread>

#include "storage/store_internal.h"

namespace kinesim {

using store_internal::internal;
using store_internal::record_id;

namespace {

// At most this many records are deleted per transaction, so trimming never holds writes back
// for long.
constexpr uint64_t kTrimChunk = 10000;

// Submits `job` and waits until it has committed or failed.
Status run_and_wait(const std::function<void(std::unique_ptr<WriteJob>)>& submit,
                    std::function<Status(Transaction&)> apply) {
  auto done = std::make_shared<std::promise<Status>>();
  auto result = done->get_future();
  submit(make_job(std::move(apply), [done](Status s) { done->set_value(std::move(s)); }));
  return result.get();
}

// Raises a published counter floor; never lowers it (two trims may commit out of order).
void raise_floor(std::atomic<uint64_t>& floor, uint64_t to) {
  uint64_t now = floor.load(std::memory_order_acquire);
  while (now < to && !floor.compare_exchange_weak(now, to, std::memory_order_acq_rel)) {
  }
}

// Deletes a shard's records with trimmed < counter <= upto and raises its counter floor to
// `upto`: in the database now, in `cursor` once the transaction commits. Sets the cursor's
// oldest-record hint to `next_oldest` at once, so puts later in this transaction see it (a hint
// may run behind the truth, never ahead).
Status trim_shard(Transaction& t, int64_t gid, const std::shared_ptr<ShardCursor>& cursor,
                  uint64_t trimmed, uint64_t upto, int64_t next_oldest) {
  if (upto > trimmed) {
    if (Status s = store_internal::delete_records(t, gid, trimmed, upto); !s.ok()) return s;
    auto& st =
        t.statement("UPDATE shards SET trimmed_through = max(trimmed_through, ?) WHERE id = ?");
    sqlite::ResetOnExit reset(st);
    st.bind(1, static_cast<int64_t>(upto));
    st.bind(2, gid);
    if (st.step() != SQLITE_DONE) return t.error("raise counter floor");
    t.after_commit([cursor, upto] { raise_floor(cursor->trimmed_through, upto); });
  }
  cursor->oldest_arrival_ms.store(next_oldest, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace

namespace store_internal {

Status expire_records(Transaction& t, const StreamInfo& stream, int64_t cutoff_ms) {
  for (const ShardInfo& shard : stream.shards->all()) {
    ShardCursor& cursor = *shard.cursor;
    const int64_t oldest = cursor.oldest_arrival_ms.load(std::memory_order_relaxed);
    if (oldest == 0 || oldest >= cutoff_ms) continue;
    const uint64_t trimmed = cursor.trimmed_through.load(std::memory_order_acquire);
    // Arrival times never decrease within a shard: the expired records are the ones before the
    // first record that has not expired (or all of them).
    auto& first = t.statement(
        "SELECT id, ts FROM records WHERE id > ? AND id <= ? AND ts >= ? ORDER BY id LIMIT 1");
    sqlite::ResetOnExit reset_first(first);
    first.bind(1, record_id(shard.gid, trimmed));
    first.bind(2, record_id(shard.gid, kMaxRecordCounter));
    first.bind(3, cutoff_ms);
    const int rc = first.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return t.error("find unexpired record");
    const bool kept = rc == SQLITE_ROW;
    const uint64_t upto = kept
                              ? (static_cast<uint64_t>(first.column_int(0)) & kMaxRecordCounter) - 1
                              : cursor.pending_counter;
    const int64_t next_oldest = kept ? first.column_int(1) : 0;
    if (Status s = trim_shard(t, shard.gid, shard.cursor, trimmed, upto, next_oldest); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace store_internal

Store::Background::Background(Store& store) : store_(store) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "kinesim-maint");
    loop();
  });
}

Store::Background::~Background() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Store::Background::loop() {
  const StoreOptions& o = store_.options_;
  sqlite::Connection db;  // file databases: the checkpointer's own connection
  bool checkpoints = !store_.in_memory_;
  if (checkpoints) {
    checkpoints = db.open(o.path, false).ok() && db.exec(store_internal::file_pragmas(o)).ok();
  }
  using Clock = std::chrono::steady_clock;
  const auto checkpoint_every = std::chrono::milliseconds(o.checkpoint_interval_ms);
  const auto maintain_every = std::chrono::milliseconds(o.maintenance_interval_ms);
  auto next_checkpoint = Clock::now() + checkpoint_every;
  auto next_maintenance = Clock::now() + maintain_every;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto wake = checkpoints ? std::min(next_checkpoint, next_maintenance) : next_maintenance;
    cv_.wait_until(lock, wake, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const auto now = Clock::now();
    if (checkpoints && now >= next_checkpoint) {
      checkpoint(db);
      next_checkpoint = now + checkpoint_every;
    }
    if (now >= next_maintenance) {
      (void)store_.run_maintenance();
      next_maintenance = Clock::now() + maintain_every;
    }
    lock.lock();
  }
  lock.unlock();
  // Leave a compact database behind on a clean stop.
  if (checkpoints) (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE);");
}

void Store::Background::checkpoint(sqlite::Connection& db) {
  struct Progress {
    int frames = 0;  // pages in the WAL
    int copied = 0;  // of which already in the database file
  };
  auto passive = [&db] {
    Progress p;
    sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &p.frames,
                              &p.copied);
    return p;
  };
  const int reset_pages = store_.options_.wal_reset_pages;
  Progress p = passive();
  if (p.frames < reset_pages) return;
  // The WAL only starts over once a checkpoint has copied all of it, which under a steady load
  // never happens by itself, so writes must be held back for a moment: while the last
  // checkpoint copies and syncs what arrived during the one before it. So checkpoints run back
  // to back while writes go on, each copying only what arrived during the previous one and so
  // taking less time, until one is short; the pause is then about as short. (Judged by time, as
  // SQLite reports the WAL as it was when a checkpoint started, not what arrived during it.) A
  // WAL that keeps growing anyway is reset all the same once it is twice the limit.
  constexpr auto kShortCheckpoint = std::chrono::milliseconds(8);
  constexpr int kMaxAttempts = 16;
  bool short_enough = false;
  for (int attempt = 0; attempt < kMaxAttempts && !short_enough; ++attempt) {
    const auto start = std::chrono::steady_clock::now();
    p = passive();
    short_enough = std::chrono::steady_clock::now() - start <= kShortCheckpoint;
  }
  if (!short_enough && p.frames < 2 * reset_pages) return;
  store_.db_->writer->exclusive([&] { passive(); });
}

Status Store::run_maintenance() {
  auto submit = [this](std::unique_ptr<WriteJob> job) { this->submit(std::move(job)); };
  const int64_t now = clock_.now_ms();

  // Lifecycle: remove what finished deleting. A deleted stream's records go first, a chunk per
  // transaction as retention trims them, so removing a big stream never holds other writes up
  // for long; the stream is invisible meanwhile, and a stop half-way leaves the rest for later.
  std::vector<StreamKey> finished;
  std::vector<std::shared_ptr<const StreamInfo>> gone;
  catalog_.for_each([&](const std::shared_ptr<const StreamInfo>& s) {
    if (s->status_at(now) != StreamStatus::kGone) return;
    finished.push_back(s->key);
    gone.push_back(s);
  });
  for (const auto& stream : gone) {
    for (const ShardInfo& shard : stream->shards->all()) {
      const uint64_t last = shard.cursor->last_counter.load(std::memory_order_acquire);
      const int64_t gid = shard.gid;
      for (uint64_t after = shard.cursor->trimmed_through.load(std::memory_order_acquire);
           after < last; after += kTrimChunk) {
        const uint64_t upto = std::min(last, after + kTrimChunk);
        Status s = run_and_wait(submit, [gid, after, upto](Transaction& t) {
          return store_internal::delete_records(t, gid, after, upto);
        });
        if (!s.ok()) return s;
      }
    }
  }
  Status result = run_and_wait(submit, [finished](Transaction& t) -> Status {
    for (const auto& key : finished) {
      auto s = t.catalog().find(key);
      if (!s || s->status_at(t.now_ms()) != StreamStatus::kGone) continue;
      if (Status st = store_internal::purge_stream(t, *s); !st.ok()) return st;
    }
    return store_internal::purge_deleted_consumers(t);
  });

  // Retention: trim each shard whose oldest record has expired.
  std::vector<std::shared_ptr<const StreamInfo>> streams;
  catalog_.for_each([&](const std::shared_ptr<const StreamInfo>& s) { streams.push_back(s); });
  for (const auto& stream : streams) {
    const int64_t cutoff = now - stream->retention_ms();
    for (const ShardInfo& shard : stream->shards->all()) {
      ShardCursor& cursor = *shard.cursor;
      for (;;) {
        const int64_t oldest = cursor.oldest_arrival_ms.load(std::memory_order_relaxed);
        if (oldest == 0 || oldest >= cutoff) break;
        const uint64_t last = cursor.last_counter.load(std::memory_order_acquire);
        const uint64_t trimmed = cursor.trimmed_through.load(std::memory_order_acquire);
        auto expired = counter_before_time(shard.gid, last, cutoff);
        if (!expired.ok()) return expired.status();
        const uint64_t upto = std::min(expired.value(), trimmed + kTrimChunk);
        const int64_t gid = shard.gid;
        Status s = run_and_wait(submit, [gid, trimmed, upto, c = shard.cursor](Transaction& t) {
          // The oldest record left after the trim is the new hint.
          auto& first =
              t.statement("SELECT ts FROM records WHERE id > ? AND id <= ? ORDER BY id LIMIT 1");
          sqlite::ResetOnExit reset(first);
          first.bind(1, record_id(gid, upto));
          first.bind(2, record_id(gid, kMaxRecordCounter));
          const int rc = first.step();
          if (rc != SQLITE_ROW && rc != SQLITE_DONE) return t.error("read oldest record");
          return trim_shard(t, gid, c, trimmed, upto, rc == SQLITE_ROW ? first.column_int(0) : 0);
        });
        if (!s.ok()) return s;
        if (upto >= expired.value()) break;
      }
    }
  }
  return result;
}

void Store::reset(std::function<void(Status)> done) {
  submit(make_job(
      [this](Transaction& t) -> Status {
        for (const char* sql : {"DELETE FROM records", "DELETE FROM shards", "DELETE FROM streams",
                                "DELETE FROM consumers", "DELETE FROM tags", "DELETE FROM policies",
                                "DELETE FROM account_settings"}) {
          auto& st = t.statement(sql);
          if (Status s = t.run(st); !s.ok()) return s;
        }
        // The writer is the only one that changes the catalog, so what it has published is
        // every stream there is.
        catalog_.for_each([&](const std::shared_ptr<const StreamInfo>& stream) {
          t.catalog().erase(stream->key);
        });
        return Status::Ok();
      },
      std::move(done)));
}

}  // namespace kinesim
