// Opening a store: the database and its schema, the catalog loaded into memory, the writer, the
// readers' connections and the background maintenance thread.
#include "storage/store.h"

#include <algorithm>
#include <filesystem>

#include "storage/schema.h"
#include "storage/store_internal.h"

namespace kinesim {

using store_internal::internal;
using store_internal::record_id;

namespace store_internal {

std::string file_pragmas(const StoreOptions& options) {
  return "PRAGMA busy_timeout=" + std::to_string(options.busy_timeout_ms) + ";" +
         (options.sync_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
}

}  // namespace store_internal

namespace {

// Settings every connection of a file database gets.
Status configure(sqlite::Connection& db, const StoreOptions& options, bool in_memory) {
  std::string pragmas = "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;";
  // The busy timeout first: switching to WAL takes a lock another process may hold.
  if (!in_memory) pragmas += store_internal::file_pragmas(options) + "PRAGMA journal_mode=WAL;";
  return db.exec(pragmas);
}

// Why a start-up step on `db` failed, in words that tell the user what to do about it.
std::string start_failure(const sqlite::Connection& db, const StoreOptions& options,
                          const std::string& what) {
  const int rc = sqlite3_errcode(db.handle()) & 0xff;
  const std::string& path = options.path;
  switch (rc) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "cannot use " + path + ": it is locked by another process (waited " +
             std::to_string(options.busy_timeout_ms) + " ms); is another kinesim using it? (" +
             what + ")";
    case SQLITE_READONLY:  // Store::start() refused a read-only file before any of these steps
    case SQLITE_CANTOPEN:
      // The file opened for writing, so what failed is a file beside it: the WAL or its index.
      return "cannot use " + path + ": cannot create its -wal and -shm files; is its directory " +
             "writable? (" + what + ")";
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return "cannot use " + path + ": it is not a kinesim database or is corrupt (" + what + ")";
    case SQLITE_FULL:
      return "cannot use " + path + ": the disk is full (" + what + ")";
    default:
      return "cannot use " + path + ": " + what;
  }
}

std::vector<int64_t> parse_times(std::string_view text) {
  std::vector<int64_t> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string item(text.substr(0, comma));
    if (!item.empty()) out.push_back(std::stoll(item));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Store::Store(StoreOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), in_memory_(options_.path == ":memory:") {}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options, const Clock& clock) {
  std::unique_ptr<Store> store(new Store(options, clock));
  if (Status s = store->start(); !s.ok()) return s;
  return store;
}

Status Store::start() {
  if (!in_memory_) {
    std::error_code ec;
    const auto parent = std::filesystem::path(options_.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  db_ = std::make_unique<Database>();
  sqlite::Connection& db = db_->connection;
  if (Status s = db.open(options_.path, true); !s.ok()) return s;
  // SQLite opens a file it may not write read-only, and says so only at the first write.
  if (!in_memory_ && sqlite3_db_readonly(db.handle(), "main") == 1) {
    return internal("cannot use " + options_.path +
                    ": it is read-only (kinesim must be able to write the file and its directory)");
  }
  if (Status s = configure(db, options_, in_memory_); !s.ok()) {
    return internal(start_failure(db, options_, s.message));
  }
  // The writer never checkpoints: the background thread does, off the commit path.
  if (!in_memory_) {
    // journal_size_limit shrinks the WAL file back when it restarts after a burst.
    if (Status s = db.exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=" +
                           std::to_string(options_.wal_size_limit_bytes) + ";");
        !s.ok()) {
      return s;
    }
  }
  auto secret = schema::open(db, options_.path);
  if (!secret.ok()) return internal(start_failure(db, options_, secret.status().message));
  secret_ = std::move(secret.value());
  if (!in_memory_) {
    // Take the write lock once now: a database another process holds (another kinesim on the
    // same file) stops the start, after the busy timeout, instead of failing every write later.
    if (Status s = db.exec("BEGIN IMMEDIATE; COMMIT;"); !s.ok()) {
      const std::string failure = start_failure(db, options_, s.message);
      (void)db.exec("ROLLBACK;");
      return internal(failure);
    }
  }
  if (Status s = load_catalog(); !s.ok()) return internal(start_failure(db, options_, s.message));
  db_->writer = std::make_unique<GroupCommitWriter>(db, catalog_, clock_, options_,
                                                    in_memory_ ? &memory_db_mutex_ : nullptr,
                                                    &records_committed_);
  background_ = std::make_unique<Background>(*this);
  return Status::Ok();
}

Status Store::load_catalog() {
  sqlite::Connection& db = db_->connection;
  sqlite::Statement streams, shards, last, first;
  for (auto [st, sql] : std::initializer_list<std::pair<sqlite::Statement*, const char*>>{
           {&streams,
            "SELECT id, account, region, name, created_ms, mode, retention_hours, "
            "max_record_size_kib, state, state_until_ms, kms_key_id, shard_metrics, "
            "warm_throughput_mibps, scalings, mode_switches FROM streams"},
           {&shards,
            "SELECT id, idx, start_hash, end_hash, parent_idx, adjacent_parent_idx, created_ms, "
            "ending_counter, closed_ms, trimmed_through, sequence_layout, sequence_created_s "
            "FROM shards WHERE stream_id = ? ORDER BY idx"},
           {&last, "SELECT id, ts FROM records WHERE id > ? AND id <= ? ORDER BY id DESC LIMIT 1"},
           {&first, "SELECT ts FROM records WHERE id > ? AND id <= ? ORDER BY id LIMIT 1"},
       }) {
    if (Status s = db.prepare(sql, st); !s.ok()) return s;
  }
  // Any step that ends in neither a row nor the end is a read error (a corrupt or truncated
  // file): the start fails rather than serve a partial catalog.
  auto unreadable = [&db](const char* what) {
    return db.error(std::string("cannot read ") + what);
  };
  int rc = SQLITE_OK;
  while ((rc = streams.step()) == SQLITE_ROW) {
    auto stream = std::make_shared<StreamInfo>();
    stream->id = streams.column_int(0);
    stream->key =
        StreamKey{std::string(streams.column_text(1)), std::string(streams.column_text(2)),
                  std::string(streams.column_text(3))};
    stream->created_ms = streams.column_int(4);
    stream->mode = static_cast<StreamMode>(streams.column_int(5));
    stream->retention_hours = static_cast<int32_t>(streams.column_int(6));
    stream->max_record_size_kib = static_cast<int32_t>(streams.column_int(7));
    stream->state = static_cast<StreamStatus>(streams.column_int(8));
    stream->state_until_ms = streams.column_int(9);
    stream->kms_key_id = std::string(streams.column_text(10));
    stream->shard_metrics = static_cast<uint32_t>(streams.column_int(11));
    stream->warm_throughput_mibps = static_cast<int32_t>(streams.column_int(12));
    stream->scalings_ms = parse_times(streams.column_text(13));
    stream->mode_switches_ms = parse_times(streams.column_text(14));
    std::vector<ShardInfo> list;
    shards.bind(1, stream->id);
    while ((rc = shards.step()) == SQLITE_ROW) {
      ShardInfo shard;
      shard.gid = shards.column_int(0);
      shard.index = shards.column_int(1);
      auto start = parse_hash_key(shards.column_text(2));
      auto end = parse_hash_key(shards.column_text(3));
      if (!start || !end) return internal("corrupt hash key range in " + options_.path);
      shard.range = HashKeyRange{*start, *end};
      if (!shards.column_is_null(4)) shard.parent_index = shards.column_int(4);
      if (!shards.column_is_null(5)) shard.adjacent_parent_index = shards.column_int(5);
      shard.created_ms = shards.column_int(6);
      uint64_t floor = static_cast<uint64_t>(shards.column_int(9));  // trimmed_through
      if (!shards.column_is_null(7)) {
        shard.ending_counter = static_cast<uint64_t>(shards.column_int(7));
        floor = std::max(floor, *shard.ending_counter);
      }
      if (!shards.column_is_null(8)) shard.closed_ms = shards.column_int(8);
      if (shards.column_int(10) == 1) {
        shard.sequence_format.layout = SequenceNumberFormat::Layout::kLegacy;
        shard.sequence_format.stream_id = stream->id;
      } else {
        shard.sequence_format.shard_created_s = shards.column_int(11);
      }
      auto cursor = std::make_shared<ShardCursor>();
      const uint64_t trimmed = static_cast<uint64_t>(shards.column_int(9));
      cursor->trimmed_through.store(trimmed);
      // Counters continue after the newest record, or after the floor trimming left when every
      // record is gone.
      uint64_t counter = floor;
      last.bind(1, record_id(shard.gid, 0));
      last.bind(2, record_id(shard.gid, kMaxRecordCounter));
      rc = last.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unreadable("records");
      if (rc == SQLITE_ROW) {
        counter = std::max(counter, static_cast<uint64_t>(last.column_int(0)) & kMaxRecordCounter);
        cursor->last_arrival_ms = last.column_int(1);
      }
      last.reset();
      first.bind(1, record_id(shard.gid, trimmed));
      first.bind(2, record_id(shard.gid, kMaxRecordCounter));
      rc = first.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unreadable("records");
      if (rc == SQLITE_ROW) cursor->oldest_arrival_ms.store(first.column_int(0));
      first.reset();
      cursor->last_counter.store(counter);
      cursor->pending_counter = counter;
      shard.cursor = std::move(cursor);
      list.push_back(std::move(shard));
    }
    if (rc != SQLITE_DONE) return unreadable("shards");
    shards.reset();
    stream->shards = std::make_shared<ShardMap>(std::move(list));
    catalog_.load(std::move(stream));
  }
  if (rc != SQLITE_DONE) return unreadable("streams");
  return Status::Ok();
}

Store::~Store() {
  background_.reset();           // stops maintenance and checkpoints first: they submit writes
  if (db_) db_->writer.reset();  // waits for queued writes
  {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.clear();
  }
  db_.reset();
}

void Store::submit(std::unique_ptr<WriteJob> job) { db_->writer->submit(std::move(job)); }

void Store::check(std::function<void(Status)> done) {
  submit(make_job(
      [](Transaction& t) {
        sqlite::Statement& st = t.statement("SELECT count(*) FROM sqlite_master");
        sqlite::ResetOnExit reset(st);
        if (st.step() != SQLITE_ROW) return t.error("reading the schema");
        return Status::Ok();
      },
      std::move(done)));
}

Status Store::with_reader(const std::function<Status(ReadConnection&)>& read) {
  std::unique_lock<std::mutex> memory_lock;
  if (in_memory_) memory_lock = std::unique_lock(memory_db_mutex_);
  std::unique_ptr<ReadConnection> conn;
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (!conn) {
    conn = std::make_unique<ReadConnection>();
    if (in_memory_) {
      conn->handle_ = db_->connection.handle();
    } else {
      if (Status s = conn->owned_.open(options_.path, false); !s.ok()) return s;
      if (Status s = configure(conn->owned_, options_, false); !s.ok()) return s;
      conn->handle_ = conn->owned_.handle();
    }
  }
  Status result = read(*conn);
  std::lock_guard lock(readers_mutex_);
  idle_readers_.push_back(std::move(conn));
  return result;
}

}  // namespace kinesim
