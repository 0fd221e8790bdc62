#include "storage/store.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <filesystem>

#include "storage/sqlite.h"

namespace kinesim {
namespace {

// Version 1: meta, streams, shards, records. Bump and add a migration step for any change.
constexpr int64_t kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE streams(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  retention_hours INTEGER NOT NULL,
  max_record_size_kib INTEGER NOT NULL,
  UNIQUE(account, region, name));
CREATE TABLE shards(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  start_hash TEXT NOT NULL,
  end_hash TEXT NOT NULL,
  parent_idx INTEGER,
  adjacent_parent_idx INTEGER,
  created_ms INTEGER NOT NULL,
  ending_counter INTEGER,
  UNIQUE(stream_id, idx));
-- A record's id is (shard id << 40) | counter, so a shard's records are one contiguous id range
-- in sequence order and every read is a range scan of the table's own b-tree.
CREATE TABLE records(
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  pkey TEXT NOT NULL,
  data BLOB NOT NULL);
)sql";

constexpr int kCounterBits = 40;
constexpr size_t kMaxJobsPerTransaction = 4096;

int64_t record_id(int64_t shard_gid, uint64_t counter) {
  return (shard_gid << kCounterBits) | static_cast<int64_t>(counter);
}

Status internal(std::string message) {
  return Status::Error(StatusCode::kInternal, std::move(message));
}

// Settings every connection of a file database gets.
Status configure(sqlite::Connection& db, bool sync_full, bool in_memory) {
  std::string pragmas = "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;";
  if (!in_memory) {
    pragmas += "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL;";
    pragmas += sync_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  }
  return db.exec(pragmas);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Jobs: one queued mutation each.

struct Store::Job {
  virtual ~Job() = default;
  // Runs inside the open transaction. Returning a status other than Ok or kInternal means the job
  // changed nothing; kInternal aborts the whole transaction.
  virtual Status apply(Writer& w) = 0;
  // Called after the transaction committed (with apply's status) or rolled back (kInternal).
  virtual void finish(Status s) = 0;
};

// The writing thread's connection, statements and its draft of the catalog; used by one thread
// at a time (see Store::submit).
class Store::Writer {
 public:
  Writer(Store& store) : store_(store) {}

  Status prepare() {
    const std::pair<sqlite::Statement*, const char*> statements[] = {
        {&begin_, "BEGIN IMMEDIATE"},
        {&commit_, "COMMIT"},
        {&rollback_, "ROLLBACK"},
        {&insert_record_, "INSERT INTO records(id, ts, pkey, data) VALUES(?, ?, ?, ?)"},
        {&insert_stream_,
         "INSERT INTO streams(account, region, name, created_ms, mode, retention_hours, "
         "max_record_size_kib) VALUES(?, ?, ?, ?, ?, ?, ?)"},
        {&insert_shard_,
         "INSERT INTO shards(stream_id, idx, start_hash, end_hash, parent_idx, "
         "adjacent_parent_idx, created_ms, ending_counter) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"},
        {&delete_records_, "DELETE FROM records WHERE id BETWEEN ? AND ?"},
        {&delete_shards_, "DELETE FROM shards WHERE stream_id = ?"},
        {&delete_stream_, "DELETE FROM streams WHERE id = ?"},
    };
    for (auto& [st, sql] : statements) {
      if (Status s = db.prepare(sql, st); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // The catalog as this transaction sees it.
  const Catalog& current() const { return draft_ ? *draft_ : *published_; }
  // A private copy of the catalog to change; published only if the transaction commits.
  Catalog& edit() {
    if (!draft_) draft_ = std::make_shared<Catalog>(*published_);
    return *draft_;
  }

  Status run_batch(std::vector<std::unique_ptr<Job>>& jobs) {
    published_ = store_.catalog();
    std::vector<Status> results;
    results.reserve(jobs.size());
    Status failure = begin_.run(db);
    if (failure.ok()) {
      for (auto& job : jobs) {
        Status s = job->apply(*this);
        if (s.code == StatusCode::kInternal) {
          failure = std::move(s);
          break;
        }
        results.push_back(std::move(s));
      }
    }
    if (failure.ok()) failure = commit_.run(db);
    if (!failure.ok()) {
      (void)rollback_.run(db);
      for (ShardCursor* c : touched_) {
        c->pending_counter = c->last_counter.load(std::memory_order_relaxed);
        c->touched = false;
      }
      touched_.clear();
      draft_.reset();
      return failure;
    }
    for (ShardCursor* c : touched_) {
      c->last_counter.store(c->pending_counter, std::memory_order_release);
      c->touched = false;
    }
    touched_.clear();
    if (draft_) {
      std::lock_guard lock(store_.catalog_mutex_);
      store_.catalog_ = std::move(draft_);
    }
    draft_.reset();
    results_ = std::move(results);
    return Status::Ok();
  }

  std::vector<Status>& results() { return results_; }

  Status create_stream(const NewStream& spec) {
    const Catalog& cat = current();
    if (cat.find(spec.key)) return Status::Error(StatusCode::kAlreadyExists);
    const int64_t open = cat.open_shards(spec.key.account, spec.key.region);
    if (open + spec.shard_count > store_.options_.shard_limit) {
      Status s = Status::Error(StatusCode::kLimitExceeded);
      s.current = open;
      s.limit = store_.options_.shard_limit;
      return s;
    }
    const int64_t now = store_.clock_.now_ms();
    auto stream = std::make_shared<StreamInfo>();
    stream->key = spec.key;
    stream->created_ms = now;
    stream->mode = spec.mode;
    stream->max_record_size_kib = spec.max_record_size_kib;
    {
      sqlite::ResetOnExit reset(insert_stream_);
      insert_stream_.bind(1, spec.key.account);
      insert_stream_.bind(2, spec.key.region);
      insert_stream_.bind(3, spec.key.name);
      insert_stream_.bind(4, now);
      insert_stream_.bind(5, static_cast<int64_t>(spec.mode));
      insert_stream_.bind(6, int64_t{stream->retention_hours});
      insert_stream_.bind(7, int64_t{stream->max_record_size_kib});
      if (insert_stream_.step() != SQLITE_DONE) return db.error("insert stream");
      stream->id = sqlite3_last_insert_rowid(db.handle());
    }
    const auto ranges = split_evenly(static_cast<int>(spec.shard_count));
    for (int64_t i = 0; i < spec.shard_count; ++i) {
      ShardInfo shard;
      shard.index = i;
      shard.range = ranges[static_cast<size_t>(i)];
      shard.created_ms = now;
      shard.cursor = std::make_shared<ShardCursor>();
      if (Status s = insert_shard(stream->id, shard); !s.ok()) return s;
      stream->shards.push_back(std::move(shard));
    }
    stream->index_open_shards();
    edit().streams[spec.key] = std::move(stream);
    return Status::Ok();
  }

  Status delete_stream(const StreamKey& key) {
    auto stream = current().find(key);
    if (!stream) return Status::Error(StatusCode::kNotFound);
    for (const auto& shard : stream->shards) {
      sqlite::ResetOnExit reset(delete_records_);
      delete_records_.bind(1, record_id(shard.gid, 0));
      delete_records_.bind(2, record_id(shard.gid, kMaxRecordCounter));
      if (delete_records_.step() != SQLITE_DONE) return db.error("delete records");
    }
    for (auto* st : {&delete_shards_, &delete_stream_}) {
      sqlite::ResetOnExit reset(*st);
      st->bind(1, stream->id);
      if (st->step() != SQLITE_DONE) return db.error("delete stream");
    }
    edit().streams.erase(key);
    return Status::Ok();
  }

  Result<std::vector<PutResult>> put_records(const StreamKey& key,
                                             const std::vector<RecordToPut>& records) {
    auto stream = current().find(key);
    if (!stream) return Status::Error(StatusCode::kNotFound);
    std::vector<PutResult> out;
    out.reserve(records.size());
    const int64_t now = store_.clock_.now_ms();
    for (const auto& r : records) {
      const ShardInfo* shard = stream->shard_for(r.hash_key);
      if (!shard) return internal("no open shard covers the hash key");
      ShardCursor& cursor = *shard->cursor;
      if (cursor.pending_counter >= kMaxRecordCounter) return internal("shard is full");
      if (!cursor.touched) {
        cursor.touched = true;
        touched_.push_back(&cursor);
      }
      const uint64_t counter = ++cursor.pending_counter;
      cursor.last_arrival_ms = std::max(cursor.last_arrival_ms, now);
      sqlite::ResetOnExit reset(insert_record_);
      insert_record_.bind(1, record_id(shard->gid, counter));
      insert_record_.bind(2, cursor.last_arrival_ms);
      insert_record_.bind(3, r.partition_key);
      insert_record_.bind_blob(4, r.data);
      if (insert_record_.step() != SQLITE_DONE) return db.error("insert record");
      out.push_back(PutResult{shard->index, SequenceNumber{stream->id, shard->index, counter}});
    }
    return out;
  }

  sqlite::Connection db;

 private:
  Status insert_shard(int64_t stream_id, ShardInfo& shard) {
    sqlite::ResetOnExit reset(insert_shard_);
    const std::string start = to_decimal(shard.range.start), end = to_decimal(shard.range.end);
    insert_shard_.bind(1, stream_id);
    insert_shard_.bind(2, shard.index);
    insert_shard_.bind(3, start);
    insert_shard_.bind(4, end);
    if (shard.parent_index) insert_shard_.bind(5, *shard.parent_index);
    if (shard.adjacent_parent_index) insert_shard_.bind(6, *shard.adjacent_parent_index);
    insert_shard_.bind(7, shard.created_ms);
    if (shard.ending_counter) insert_shard_.bind(8, static_cast<int64_t>(*shard.ending_counter));
    if (insert_shard_.step() != SQLITE_DONE) return db.error("insert shard");
    shard.gid = sqlite3_last_insert_rowid(db.handle());
    return Status::Ok();
  }

  Store& store_;
  std::shared_ptr<const Catalog> published_;
  std::shared_ptr<Catalog> draft_;
  std::vector<ShardCursor*> touched_;
  std::vector<Status> results_;
  sqlite::Statement begin_, commit_, rollback_, insert_record_, insert_stream_, insert_shard_,
      delete_records_, delete_shards_, delete_stream_;
};

// A connection for reads with its statements. For an in-memory database it borrows the writer's
// connection, and the caller holds memory_db_mutex_ while using it.
class Store::ReadConnection {
 public:
  Status prepare(sqlite3* h) {
    const std::pair<sqlite::Statement*, const char*> statements[] = {
        {&range_, "SELECT id, ts, pkey, data FROM records WHERE id > ? AND id <= ? ORDER BY id"},
        {&first_ts_, "SELECT ts FROM records WHERE id >= ? AND id <= ? ORDER BY id LIMIT 1"},
    };
    for (auto& [st, sql] : statements) {
      if (Status s = sqlite::prepare(h, sql, st); !s.ok()) return s;
    }
    return Status::Ok();
  }

  sqlite::Connection owned_;
  sqlite::Statement range_, first_ts_;
};

// ---------------------------------------------------------------------------------------------

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
  writer_ = std::make_unique<Writer>(*this);
  sqlite::Connection& db = writer_->db;
  if (Status s = db.open(options_.path, true); !s.ok()) return s;
  if (Status s = configure(db, options_.sync_full, in_memory_); !s.ok()) {
    return internal("cannot use " + options_.path + ": " + s.message);
  }
  // The writer never checkpoints: checkpoint_loop does, off the commit path (see there).
  if (!in_memory_) {
    // journal_size_limit shrinks the WAL file back when it restarts after a burst.
    if (Status s = db.exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=" +
                           std::to_string(options_.wal_size_limit_bytes) + ";");
        !s.ok()) {
      return s;
    }
  }

  // Schema: create on first use, refuse a newer one.
  sqlite::Statement st;
  if (Status s = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'", &st); !s.ok()) {
    if (Status c = db.exec(std::string("BEGIN;") + kSchema + "COMMIT;"); !c.ok()) {
      return internal("cannot create schema in " + options_.path + ": " + c.message);
    }
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) return internal("no randomness for the store secret");
    sqlite::Statement ins;
    if (Status s2 = db.prepare("INSERT INTO meta(key, value) VALUES(?, ?)", &ins); !s2.ok()) {
      return s2;
    }
    ins.bind(1, std::string_view("schema_version"));
    ins.bind(2, kSchemaVersion);
    if (Status s2 = ins.run(db); !s2.ok()) return s2;
    ins.bind(1, std::string_view("secret"));
    ins.bind_blob(2, std::string_view(reinterpret_cast<char*>(key), sizeof key));
    if (Status s2 = ins.run(db); !s2.ok()) return s2;
  } else {
    if (st.step() != SQLITE_ROW) return internal(options_.path + " has no schema version");
    const int64_t version = st.column_int(0);
    st.reset();
    if (version > kSchemaVersion) {
      return internal(options_.path + " was written by a newer kinesim (schema " +
                      std::to_string(version) + ")");
    }
  }
  {
    sqlite::Statement sec;
    if (Status s = db.prepare("SELECT value FROM meta WHERE key = 'secret'", &sec); !s.ok()) {
      return s;
    }
    if (sec.step() != SQLITE_ROW) return internal(options_.path + " has no secret");
    secret_ = std::string(sec.column_blob(0));
  }

  // Load the catalog.
  auto catalog = std::make_shared<Catalog>();
  {
    sqlite::Statement streams, shards, last;
    if (Status s =
            db.prepare("SELECT id, account, region, name, created_ms, mode, retention_hours, "
                       "max_record_size_kib FROM streams",
                       &streams);
        !s.ok()) {
      return s;
    }
    if (Status s = db.prepare(
            "SELECT id, idx, start_hash, end_hash, parent_idx, adjacent_parent_idx, created_ms, "
            "ending_counter FROM shards WHERE stream_id = ? ORDER BY idx",
            &shards);
        !s.ok()) {
      return s;
    }
    if (Status s =
            db.prepare("SELECT max(id), max(ts) FROM records WHERE id BETWEEN ? AND ?", &last);
        !s.ok()) {
      return s;
    }
    while (streams.step() == SQLITE_ROW) {
      auto stream = std::make_shared<StreamInfo>();
      stream->id = streams.column_int(0);
      stream->key =
          StreamKey{std::string(streams.column_text(1)), std::string(streams.column_text(2)),
                    std::string(streams.column_text(3))};
      stream->created_ms = streams.column_int(4);
      stream->mode = static_cast<StreamMode>(streams.column_int(5));
      stream->retention_hours = static_cast<int32_t>(streams.column_int(6));
      stream->max_record_size_kib = static_cast<int32_t>(streams.column_int(7));
      shards.bind(1, stream->id);
      while (shards.step() == SQLITE_ROW) {
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
        if (!shards.column_is_null(7)) {
          shard.ending_counter = static_cast<uint64_t>(shards.column_int(7));
        }
        shard.cursor = std::make_shared<ShardCursor>();
        last.bind(1, record_id(shard.gid, 0));
        last.bind(2, record_id(shard.gid, kMaxRecordCounter));
        if (last.step() == SQLITE_ROW && !last.column_is_null(0)) {
          const uint64_t counter =
              static_cast<uint64_t>(last.column_int(0) & ((int64_t{1} << kCounterBits) - 1));
          shard.cursor->last_counter.store(counter);
          shard.cursor->pending_counter = counter;
          shard.cursor->last_arrival_ms = last.column_int(1);
        }
        last.reset();
        stream->shards.push_back(std::move(shard));
      }
      shards.reset();
      stream->index_open_shards();
      catalog->streams[stream->key] = std::move(stream);
    }
  }
  catalog_ = std::move(catalog);
  if (Status s = writer_->prepare(); !s.ok()) return s;
  if (!in_memory_) {
    checkpoint_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "kinesim-ckpt");
      checkpoint_loop();
    });
  }
  return Status::Ok();
}

Store::~Store() {
  {
    // Callers are gone by now; a commit still running on another thread finishes first.
    std::unique_lock lock(queue_mutex_);
    idle_cv_.wait(lock, [this] { return !writing_ && queue_.empty(); });
    stopping_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  idle_readers_.clear();
  writer_.reset();
}

std::shared_ptr<const Catalog> Store::catalog() const {
  std::lock_guard lock(catalog_mutex_);
  return catalog_;
}

void Store::submit(std::unique_ptr<Job> job) {
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(std::move(job));
  if (writing_) return;  // the writing thread takes it with its next batch
  writing_ = true;
  drain_queue(lock);
}

void Store::drain_queue(std::unique_lock<std::mutex>& lock) {
  std::vector<std::unique_ptr<Job>> batch;
  // A waiting checkpointer takes over between batches, and commits whatever is left itself.
  while (!queue_.empty() && !checkpoint_wanted_) {
    if (queue_.size() <= kMaxJobsPerTransaction) {
      batch.swap(queue_);
    } else {
      auto mid = queue_.begin() + static_cast<std::ptrdiff_t>(kMaxJobsPerTransaction);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(mid));
      queue_.erase(queue_.begin(), mid);
    }
    lock.unlock();
    commit_batch(batch);
    batch.clear();
    lock.lock();
  }
  writing_ = false;
  lock.unlock();
  idle_cv_.notify_all();
}

void Store::commit_batch(std::vector<std::unique_ptr<Job>>& batch) {
  Status outcome;
  {
    std::unique_lock<std::mutex> memory_lock;
    if (in_memory_) memory_lock = std::unique_lock(memory_db_mutex_);
    outcome = writer_->run_batch(batch);
  }
  // Callbacks run with no lock held: they may read, or submit more writes.
  if (outcome.ok()) {
    auto& results = writer_->results();
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->finish(std::move(results[i]));
  } else {
    for (auto& job : batch) job->finish(outcome);
  }
}

void Store::checkpoint_loop() {
  // A PASSIVE checkpoint copies committed WAL frames into the database without blocking the
  // writer or readers. But the WAL only starts over once every frame has been copied, and under
  // a steady write load a background pass never catches up, so the WAL would grow without bound
  // (and every read would slow down with it). So once the WAL is past options_.wal_reset_pages, a
  // second pass runs while this thread holds the writer's role: it only has to copy what arrived
  // during the first, and writes wait that long (queued, then group-committed) instead of paying
  // for the whole copy. The next commit then restarts the WAL from its beginning.
  sqlite::Connection db;
  if (!db.open(options_.path, false).ok() || !configure(db, options_.sync_full, false).ok()) {
    return;
  }
  auto passive = [&db] {
    int log_frames = 0, copied = 0;
    sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                              &copied);
    return log_frames;
  };
  const auto interval = std::chrono::milliseconds(options_.checkpoint_interval_ms);
  std::unique_lock lock(queue_mutex_);
  while (!stopping_) {
    checkpoint_cv_.wait_for(lock, interval);
    if (stopping_) break;
    lock.unlock();
    const int log_frames = passive();
    lock.lock();
    if (log_frames < options_.wal_reset_pages || stopping_) continue;
    // Take the writer's role as soon as the current batch is done.
    checkpoint_wanted_ = true;
    idle_cv_.wait(lock, [this] { return !writing_; });
    checkpoint_wanted_ = false;
    writing_ = true;
    lock.unlock();
    passive();
    lock.lock();
    drain_queue(lock);  // commits what queued meanwhile; returns unlocked
    lock.lock();
  }
  lock.unlock();
  // Leave a compact database behind on a clean stop.
  (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE);");
}

// ---------------------------------------------------------------------------------------------
// Writes

void Store::create_stream(NewStream spec, std::function<void(Status)> done) {
  struct CreateJob : Job {
    NewStream spec;
    std::function<void(Status)> done;
    Status apply(Writer& w) override { return w.create_stream(spec); }
    void finish(Status s) override { done(std::move(s)); }
  };
  auto job = std::make_unique<CreateJob>();
  job->spec = std::move(spec);
  job->done = std::move(done);
  submit(std::move(job));
}

void Store::delete_stream(StreamKey key, std::function<void(Status)> done) {
  struct DeleteJob : Job {
    StreamKey key;
    std::function<void(Status)> done;
    Status apply(Writer& w) override { return w.delete_stream(key); }
    void finish(Status s) override { done(std::move(s)); }
  };
  auto job = std::make_unique<DeleteJob>();
  job->key = std::move(key);
  job->done = std::move(done);
  submit(std::move(job));
}

void Store::put_records(StreamKey key, std::vector<RecordToPut> records,
                        std::function<void(Result<std::vector<PutResult>>)> done) {
  struct PutJob : Job {
    StreamKey key;
    std::vector<RecordToPut> records;
    std::vector<PutResult> results;
    std::function<void(Result<std::vector<PutResult>>)> done;
    Status apply(Writer& w) override {
      auto r = w.put_records(key, records);
      if (!r.ok()) return r.status();
      results = std::move(r.value());
      return Status::Ok();
    }
    void finish(Status s) override {
      records.clear();
      if (s.ok()) {
        done(std::move(results));
      } else {
        done(std::move(s));
      }
    }
  };
  auto job = std::make_unique<PutJob>();
  job->key = std::move(key);
  job->records = std::move(records);
  job->done = std::move(done);
  submit(std::move(job));
}

// ---------------------------------------------------------------------------------------------
// Reads

std::unique_ptr<Store::ReadConnection> Store::acquire_reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<ReadConnection>();
  if (in_memory_) {
    if (!c->prepare(writer_->db.handle()).ok()) return nullptr;
    return c;
  }
  if (!c->owned_.open(options_.path, false).ok()) return nullptr;
  if (!configure(c->owned_, options_.sync_full, false).ok()) return nullptr;
  if (!c->prepare(c->owned_.handle()).ok()) return nullptr;
  return c;
}

void Store::release_reader(std::unique_ptr<ReadConnection> conn) {
  std::lock_guard lock(readers_mutex_);
  idle_readers_.push_back(std::move(conn));
}

Status Store::read_records(int64_t shard_gid, uint64_t after, uint64_t upto, size_t max_records,
                           size_t max_bytes,
                           const std::function<void(const StoredRecord&)>& visit) {
  if (upto <= after || max_records == 0) return Status::Ok();
  std::unique_lock<std::mutex> memory_lock;
  if (in_memory_) memory_lock = std::unique_lock(memory_db_mutex_);
  auto conn = acquire_reader();
  if (!conn) return internal("cannot open a read connection");
  Status result;
  {
    sqlite::Statement& st = conn->range_;
    sqlite::ResetOnExit reset(st);
    st.bind(1, record_id(shard_gid, after));
    st.bind(2, record_id(shard_gid, upto));
    size_t count = 0, bytes = 0;
    int rc;
    while (count < max_records && (rc = st.step()) == SQLITE_ROW) {
      StoredRecord r;
      r.counter = static_cast<uint64_t>(st.column_int(0)) & kMaxRecordCounter;
      r.arrival_ms = st.column_int(1);
      r.partition_key = st.column_text(2);
      r.data = st.column_blob(3);
      bytes += r.data.size();
      if (count > 0 && bytes > max_bytes) break;
      visit(r);
      ++count;
    }
    if (count < max_records && rc != SQLITE_ROW && rc != SQLITE_DONE) {
      result = internal(std::string("read records: ") + sqlite3_errstr(rc));
    }
  }
  release_reader(std::move(conn));
  return result;
}

Result<uint64_t> Store::counter_before_time(int64_t shard_gid, uint64_t upto, int64_t ms) {
  std::unique_lock<std::mutex> memory_lock;
  if (in_memory_) memory_lock = std::unique_lock(memory_db_mutex_);
  auto conn = acquire_reader();
  if (!conn) return internal("cannot open a read connection");
  // Arrival times never decrease within a shard, so "the first record at or after counter c
  // arrived at or after ms" is monotonic in c: binary search for the smallest such c.
  sqlite::Statement& st = conn->first_ts_;
  uint64_t lo = 1, hi = upto + 1;
  Status failure;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    st.bind(1, record_id(shard_gid, mid));
    st.bind(2, record_id(shard_gid, upto));
    const int rc = st.step();
    bool at_or_after = true;  // no record at or after mid: treat as arriving at infinity
    if (rc == SQLITE_ROW) {
      at_or_after = st.column_int(0) >= ms;
    } else if (rc != SQLITE_DONE) {
      failure = internal(std::string("read arrival time: ") + sqlite3_errstr(rc));
      st.reset();
      break;
    }
    st.reset();
    if (at_or_after) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  release_reader(std::move(conn));
  if (!failure.ok()) return failure;
  return lo - 1;
}

}  // namespace kinesim
