// What the parts of Store (store.cc, streams.cc, records.cc, resources.cc, maintenance.cc) share
// and nothing outside storage/ needs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "storage/catalog.h"
#include "storage/sqlite.h"
#include "storage/store.h"
#include "storage/writer.h"

namespace kinesim {

// A connection for reads with its statements. For an in-memory database it borrows the writer's
// connection, and the caller holds the database lock while using it.
class Store::ReadConnection {
 public:
  sqlite::Statement& statement(const char* sql) { return statements_.get(handle_, sql); }
  sqlite3* handle() const { return handle_; }

  sqlite::Connection owned_;  // file databases: the reader's own connection
  sqlite3* handle_ = nullptr;

 private:
  sqlite::StatementCache statements_;
};

// The writer's connection and the writer itself.
struct Store::Database {
  sqlite::Connection connection;
  std::unique_ptr<GroupCommitWriter> writer;
};

// The background thread: maintenance passes and WAL checkpoints (maintenance.cc).
class Store::Background {
 public:
  explicit Background(Store& store);
  ~Background();  // stops and joins the thread

 private:
  void loop();
  // A PASSIVE checkpoint copies committed WAL frames into the database without blocking the
  // writer or readers. But the WAL only starts over once every frame has been copied, and under
  // a steady write load a background pass never catches up, so the WAL would grow without bound
  // (and every read would slow down with it). So once the WAL is past options.wal_reset_pages, a
  // second pass runs while this thread holds the writer's role: it only has to copy what arrived
  // during the first, and writes wait that long (queued, then group-committed) instead of paying
  // for the whole copy. The next commit then restarts the WAL from its beginning.
  void checkpoint(sqlite::Connection& db);

  Store& store_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

namespace store_internal {

// A record's id is (shard id << kCounterBits) | counter.
constexpr int kCounterBits = 40;
inline int64_t record_id(int64_t shard_gid, uint64_t counter) {
  return (shard_gid << kCounterBits) | static_cast<int64_t>(counter);
}

inline Status internal(std::string message) {
  return Status::Error(StatusCode::kInternal, std::move(message));
}

// The stream at `key` as the transaction sees it, unless it has finished deleting.
std::shared_ptr<const StreamInfo> live_stream(Transaction& t, const StreamKey& key);

// The pragmas every connection to a file database runs: the busy timeout and the sync mode
// (store.cc; the writer's connection and the checkpointer's).
std::string file_pragmas(const StoreOptions& options);

// Removes a stream with everything it holds (streams.cc).
Status purge_stream(Transaction& t, const StreamInfo& stream);
// Deletes a shard's records with after < counter <= upto (records.cc).
Status delete_records(Transaction& t, int64_t shard_gid, uint64_t after, uint64_t upto);
// Removes a stream's consumers, tags and policies (resources.cc).
Status purge_stream_resources(Transaction& t, int64_t stream_id);
// Removes consumers that finished deleting, with their tags and policies (resources.cc).
Status purge_deleted_consumers(Transaction& t);
// Deletes every record of `stream` that arrived before `cutoff_ms`, in this transaction, and
// raises the shards' counter floors past them (maintenance.cc).
Status expire_records(Transaction& t, const StreamInfo& stream, int64_t cutoff_ms);

}  // namespace store_internal
}  // namespace kinesim
