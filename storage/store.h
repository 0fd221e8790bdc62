// Store: streams, shards and records on SQLite.
//
// Contract:
// - Mutations are group-committed: whatever requests are waiting go into one transaction. The
//   thread that submits a mutation while no commit is running becomes the writer: it commits
//   its own request and every request queued meanwhile, batch after batch, until the queue is
//   empty (so a lone request pays no thread hand-off). A mutation's callback runs after its
//   transaction has committed, on the writing thread, so a caller that acknowledges a write from
//   the callback never acknowledges something a crash could lose (WAL mode; `sync_full` also
//   survives power loss). Callbacks may submit further mutations.
// - Reads never wait for the writer when the database is a file: each reading thread borrows a
//   connection of its own and sees committed data only. An in-memory database has one
//   connection, shared under a lock.
// - The catalog (streams and shards) is an immutable snapshot; take it with catalog().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/catalog.h"
#include "storage/clock.h"
#include "storage/sequence_number.h"
#include "storage/status.h"

namespace kinesim {

struct StoreOptions {
  std::string path = "./data/kinesim.db";  // ":memory:" keeps nothing on disk
  bool sync_full = false;                  // fsync every commit (survives power loss)
  int64_t shard_limit = 500;               // open shards per account and region
  // File databases: how often the WAL is copied back into the database in the background.
  int checkpoint_interval_ms = 250;
  // File databases: once the WAL holds this many pages, the checkpointer briefly holds writes
  // back to copy the rest and let the WAL start over (see checkpoint_loop).
  int wal_reset_pages = 4096;  // 16 MiB of 4 KiB pages
  // The WAL file is trimmed back to this size when it starts over.
  int64_t wal_size_limit_bytes = 64 * 1024 * 1024;
};

struct NewStream {
  StreamKey key;
  int64_t shard_count = 1;
  StreamMode mode = StreamMode::kProvisioned;
  int32_t max_record_size_kib = 1024;
};

struct RecordToPut {
  HashKey hash_key = 0;
  std::string partition_key;
  std::string data;
};

struct PutResult {
  int64_t shard_index = 0;
  SequenceNumber sequence_number;
};

// A record as read back; the views are valid only inside the visiting callback.
struct StoredRecord {
  uint64_t counter = 0;
  int64_t arrival_ms = 0;
  std::string_view partition_key;
  std::string_view data;
};

class Store {
 public:
  // Opens or creates the database (and, for a file, its checkpoint thread). Fails (kInternal) when
  // the file cannot be opened or written, or was written by a newer schema.
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options, const Clock& clock);
  ~Store();  // finishes queued writes, then stops the writer
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::shared_ptr<const Catalog> catalog() const;

  // 32 random bytes made when the database was created; keys the shard iterators and tokens,
  // so they stay valid across restarts of the same database.
  const std::string& secret() const { return secret_; }

  // --- Writes. Each callback runs on the writing thread once the outcome is durable; the call
  // may return before or after that. ---
  // kAlreadyExists, kLimitExceeded (current/limit set) or Ok.
  void create_stream(NewStream spec, std::function<void(Status)> done);
  // kNotFound or Ok. Removes the stream, its shards and its records.
  void delete_stream(StreamKey key, std::function<void(Status)> done);
  // kNotFound, or one PutResult per record in order. All records commit together.
  void put_records(StreamKey key, std::vector<RecordToPut> records,
                   std::function<void(Result<std::vector<PutResult>>)> done);

  // --- Reads, on the calling thread. ---
  // Visits committed records of shard `shard_gid` with after < counter <= upto, in order,
  // stopping after `max_records`, or before the record that would take the data bytes over
  // `max_bytes` (the first record is always visited).
  Status read_records(int64_t shard_gid, uint64_t after, uint64_t upto, size_t max_records,
                      size_t max_bytes, const std::function<void(const StoredRecord&)>& visit);
  // The largest counter c <= upto such that every record after c arrived at or after `ms`
  // (so reading after c starts at the first record with arrival >= ms).
  Result<uint64_t> counter_before_time(int64_t shard_gid, uint64_t upto, int64_t ms);

 private:
  class Writer;
  class ReadConnection;
  struct Job;
  friend class Writer;

  Store(StoreOptions options, const Clock& clock);
  Status start();
  void submit(std::unique_ptr<Job> job);
  // With queue_mutex_ held through `lock` and writing_ set: commits until the queue is empty,
  // then clears writing_ and returns with the lock released.
  void drain_queue(std::unique_lock<std::mutex>& lock);
  void commit_batch(std::vector<std::unique_ptr<Job>>& batch);
  std::unique_ptr<ReadConnection> acquire_reader();
  void release_reader(std::unique_ptr<ReadConnection> conn);

  const StoreOptions options_;
  const Clock& clock_;
  const bool in_memory_;
  std::string secret_;

  mutable std::mutex catalog_mutex_;
  std::shared_ptr<const Catalog> catalog_;

  std::unique_ptr<Writer> writer_;
  std::mutex queue_mutex_;
  std::condition_variable idle_cv_;  // signalled when a writing thread finishes
  std::vector<std::unique_ptr<Job>> queue_;
  bool writing_ = false;            // a thread is committing; it will also take what is queued
  bool checkpoint_wanted_ = false;  // the checkpointer waits for the writer's role
  bool stopping_ = false;
  // File databases: copies the WAL back into the database in the background, so commits never
  // pay for a checkpoint.
  std::thread checkpoint_thread_;
  std::condition_variable checkpoint_cv_;  // with queue_mutex_: wakes it for shutdown
  void checkpoint_loop();

  std::mutex memory_db_mutex_;  // in-memory only: guards the single shared connection
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<ReadConnection>> idle_readers_;
};

}  // namespace kinesim
