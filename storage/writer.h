// The group-commit writer: every change to the store goes through it.
//
// Contract:
// - A change is a WriteJob. Whatever jobs are waiting go into one transaction. The thread that
//   submits a job while no commit is running becomes the writer: it commits its own job and every
//   job queued meanwhile, batch after batch, until the queue is empty (so a lone request pays no
//   thread hand-off).
// - A job's finish() runs after its transaction has committed, on the writing thread, so a caller
//   that acknowledges a write from it never acknowledges something a crash could lose (WAL mode;
//   sync_full also survives power loss). finish() may submit further jobs.
// - In-memory state a job changes (the catalog draft, shard cursors, after_commit actions) is
//   published only after COMMIT, so readers never see uncommitted state, and forgotten on
//   ROLLBACK.
// - A transaction that fails (a full disk, an I/O error, another process's lock held past the
//   busy timeout) is rolled back whole: every job in it gets the same kInternal status, nothing
//   of any of them is stored, and the failure is logged. The next batch tries again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "storage/catalog.h"
#include "storage/clock.h"
#include "storage/commit_signal.h"
#include "storage/options.h"
#include "storage/sqlite.h"
#include "storage/status.h"

namespace kinesim {

// What a job sees while its transaction is open. Used by one thread at a time.
class Transaction {
 public:
  // `records_committed` (optional) is raised after each COMMIT that appended records.
  Transaction(sqlite::Connection& db, Catalog& catalog, const Clock& clock,
              const StoreOptions& options, CommitSignal* records_committed = nullptr)
      : db_(db),
        draft_(catalog),
        clock_(clock),
        options_(options),
        records_committed_(records_committed) {}

  // The catalog as this transaction sees it; changes publish after COMMIT.
  CatalogDraft& catalog() { return draft_; }
  int64_t now_ms() const { return clock_.now_ms(); }
  const StoreOptions& options() const { return options_; }

  // The prepared statement for `sql`, a string literal. Reset it after use (sqlite::ResetOnExit).
  sqlite::Statement& statement(const char* sql) { return statements_.get(db_.handle(), sql); }
  // Runs a statement with no result rows and resets it; kInternal on failure.
  Status run(sqlite::Statement& st) { return st.run(db_); }
  // The connection's last error, as kInternal.
  Status error(std::string_view what) const { return db_.error(what); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.handle()); }

  // The job changed `cursor` (its pending counter): published after COMMIT, reset on ROLLBACK.
  void touch(ShardCursor& cursor) {
    if (!cursor.touched) {
      cursor.touched = true;
      touched_.push_back(&cursor);
    }
  }
  // Runs `action` after COMMIT (not at all after ROLLBACK).
  void after_commit(std::function<void()> action) { after_commit_.push_back(std::move(action)); }

 private:
  friend class GroupCommitWriter;
  void publish();
  void discard();

  sqlite::Connection& db_;
  sqlite::StatementCache statements_;
  CatalogDraft draft_;
  const Clock& clock_;
  const StoreOptions& options_;
  CommitSignal* records_committed_;
  std::vector<ShardCursor*> touched_;
  std::vector<std::function<void()>> after_commit_;
};

struct WriteJob {
  virtual ~WriteJob() = default;
  // Runs inside the open transaction. A job that returns a status other than Ok or kInternal must
  // have changed nothing (check first, then write); kInternal aborts the whole transaction.
  virtual Status apply(Transaction& t) = 0;
  // Called after the transaction committed (with apply's status) or rolled back (kInternal).
  virtual void finish(Status s) = 0;
};

// A job from two functions: Status apply(Transaction&) and void done(Status).
template <class Apply, class Done>
std::unique_ptr<WriteJob> make_job(Apply apply, Done done) {
  struct Job final : WriteJob {
    Job(Apply a, Done d) : apply_fn(std::move(a)), done_fn(std::move(d)) {}
    Status apply(Transaction& t) override { return apply_fn(t); }
    void finish(Status s) override { done_fn(std::move(s)); }
    Apply apply_fn;
    Done done_fn;
  };
  return std::make_unique<Job>(std::move(apply), std::move(done));
}

// A job that produces a value: Result<T> apply(Transaction&) and void done(Result<T>).
template <class T, class Apply, class Done>
std::unique_ptr<WriteJob> make_result_job(Apply apply, Done done) {
  struct Job final : WriteJob {
    Job(Apply a, Done d) : apply_fn(std::move(a)), done_fn(std::move(d)) {}
    Status apply(Transaction& t) override {
      Result<T> r = apply_fn(t);
      if (!r.ok()) return r.status();
      value.emplace(std::move(r.value()));
      return Status::Ok();
    }
    void finish(Status s) override {
      if (s.ok() && value) return done_fn(Result<T>(std::move(*value)));
      done_fn(Result<T>(s.ok() ? Status::Error(StatusCode::kInternal, "no result") : std::move(s)));
    }
    Apply apply_fn;
    Done done_fn;
    std::optional<T> value;
  };
  return std::make_unique<Job>(std::move(apply), std::move(done));
}

class GroupCommitWriter {
 public:
  // `memory_db_mutex` (in-memory databases, whose one connection readers share) is held while a
  // transaction is open. `records_committed` (optional) is raised after each COMMIT that appended
  // records, once they are readable and before any job's finish() runs.
  GroupCommitWriter(sqlite::Connection& db, Catalog& catalog, const Clock& clock,
                    const StoreOptions& options, std::mutex* memory_db_mutex,
                    CommitSignal* records_committed = nullptr);
  ~GroupCommitWriter();  // waits for queued jobs to finish
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void submit(std::unique_ptr<WriteJob> job);
  // Runs `action` while holding the writer's role (no transaction is open meanwhile; jobs queue),
  // then commits what queued. Waits for the running batch to end first.
  void exclusive(const std::function<void()>& action);

 private:
  // With mutex_ held through `lock` and writing_ set: commits until the queue is empty (or
  // exclusive() wants the role), then clears writing_ and returns with the lock released. With
  // `relay`, commits one batch only and leaves whatever queued meanwhile to the relay thread:
  // a caller's thread (one serving connections) must not be kept writing for other threads'
  // callers while its own connections wait.
  void drain_queue(std::unique_lock<std::mutex>& lock, bool relay);
  void relay_loop();
  void commit_batch(std::vector<std::unique_ptr<WriteJob>>& batch);
  void log_failure(const Status& failure, size_t jobs);

  sqlite::Connection& db_;
  std::mutex* memory_db_mutex_;
  Transaction txn_;
  sqlite::Statement begin_, commit_, rollback_;

  std::mutex mutex_;
  std::condition_variable idle_cv_;  // signalled when a writing thread finishes
  std::vector<std::unique_ptr<WriteJob>> queue_;
  bool writing_ = false;       // a thread is committing; it will also take what is queued
  int exclusive_wanted_ = 0;   // threads waiting in exclusive()
  bool relay_wanted_ = false;  // the relay thread is to take the writer's role (writing_ stays set)
  bool stopping_ = false;
  std::condition_variable relay_cv_;
  // Failed commits, for the log: a full disk fails every commit until space is freed, so repeats
  // of one error are summed up once a second. Used by the writing thread only.
  struct {
    std::string last_error;
    std::chrono::steady_clock::time_point last_logged;
    int64_t unlogged = 0;
  } failures_;
  std::thread relay_;  // last member: started once everything it uses exists
};

}  // namespace kinesim
