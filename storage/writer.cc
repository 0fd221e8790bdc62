#include "storage/writer.h"

#include "storage/log.h"

namespace kinesim {
namespace {
constexpr size_t kMaxJobsPerTransaction = 4096;
constexpr auto kRepeatedFailureLogInterval = std::chrono::seconds(1);
}  // namespace

void Transaction::publish() {
  // Only record writes touch shard cursors.
  const bool appended_records = !touched_.empty();
  for (ShardCursor* c : touched_) {
    c->last_counter.store(c->pending_counter, std::memory_order_release);
    c->touched = false;
  }
  touched_.clear();
  if (appended_records && records_committed_) records_committed_->raise();
  draft_.publish();
  auto actions = std::move(after_commit_);
  after_commit_.clear();
  for (auto& a : actions) a();
}

void Transaction::discard() {
  for (ShardCursor* c : touched_) {
    c->pending_counter = c->last_counter.load(std::memory_order_relaxed);
    c->touched = false;
  }
  touched_.clear();
  draft_.discard();
  after_commit_.clear();
}

GroupCommitWriter::GroupCommitWriter(sqlite::Connection& db, Catalog& catalog, const Clock& clock,
                                     const StoreOptions& options, std::mutex* memory_db_mutex,
                                     CommitSignal* records_committed)
    : db_(db),
      memory_db_mutex_(memory_db_mutex),
      txn_(db, catalog, clock, options, records_committed) {
  (void)db_.prepare("BEGIN IMMEDIATE", &begin_);
  (void)db_.prepare("COMMIT", &commit_);
  (void)db_.prepare("ROLLBACK", &rollback_);
  relay_ = std::thread([this] { relay_loop(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  // Callers are gone by now; a commit still running on another thread finishes first.
  {
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [this] { return !writing_ && queue_.empty(); });
    stopping_ = true;
  }
  relay_cv_.notify_one();
  relay_.join();
}

void GroupCommitWriter::relay_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    relay_cv_.wait(lock, [this] { return relay_wanted_ || stopping_; });
    if (!relay_wanted_) return;
    relay_wanted_ = false;
    drain_queue(lock, false);
    lock.lock();
  }
}

void GroupCommitWriter::submit(std::unique_ptr<WriteJob> job) {
  std::unique_lock lock(mutex_);
  queue_.push_back(std::move(job));
  if (writing_) return;  // the writing thread takes it with its next batch
  writing_ = true;
  drain_queue(lock, true);
}

void GroupCommitWriter::exclusive(const std::function<void()>& action) {
  std::unique_lock lock(mutex_);
  ++exclusive_wanted_;
  idle_cv_.wait(lock, [this] { return !writing_; });
  --exclusive_wanted_;
  writing_ = true;
  lock.unlock();
  action();
  lock.lock();
  drain_queue(lock, false);
}

void GroupCommitWriter::drain_queue(std::unique_lock<std::mutex>& lock, bool relay) {
  std::vector<std::unique_ptr<WriteJob>> batch;
  bool committed = false;
  // A thread waiting in exclusive() takes over between batches, and commits what is left.
  while (!queue_.empty() && exclusive_wanted_ == 0) {
    if (relay && committed) {
      relay_wanted_ = true;  // writing_ stays set: the role passes straight to the relay thread
      lock.unlock();
      relay_cv_.notify_one();
      return;
    }
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
    committed = true;
    lock.lock();
  }
  writing_ = false;
  lock.unlock();
  idle_cv_.notify_all();
}

void GroupCommitWriter::commit_batch(std::vector<std::unique_ptr<WriteJob>>& batch) {
  std::vector<Status> results;
  results.reserve(batch.size());
  Status failure;
  {
    std::unique_lock<std::mutex> memory_lock;
    if (memory_db_mutex_) memory_lock = std::unique_lock(*memory_db_mutex_);
    failure = begin_.run(db_);
    if (failure.ok()) {
      for (auto& job : batch) {
        Status s = job->apply(txn_);
        if (s.code == StatusCode::kInternal) {
          failure = std::move(s);
          break;
        }
        results.push_back(std::move(s));
      }
    }
    if (failure.ok()) failure = commit_.run(db_);
    if (failure.ok()) {
      txn_.publish();
    } else {
      (void)rollback_.run(db_);
      txn_.discard();
    }
  }
  if (!failure.ok()) {
    log_failure(failure, batch.size());
    // What the callers' clients are told (as InternalFailure).
    failure.message = "kinesim could not write its database: " + failure.message;
  }
  // Callbacks run with no lock held: they may read, or submit more writes.
  if (failure.ok()) {
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->finish(std::move(results[i]));
  } else {
    for (auto& job : batch) job->finish(failure);
  }
}

void GroupCommitWriter::log_failure(const Status& failure, size_t jobs) {
  const auto now = std::chrono::steady_clock::now();
  if (failure.message == failures_.last_error &&
      now - failures_.last_logged < kRepeatedFailureLogInterval) {
    ++failures_.unlogged;
    return;
  }
  if (failures_.unlogged == 0) {
    log::error("storage", "commit failed, nothing of it was stored",
               {{"error", failure.message}, {"writes", static_cast<int64_t>(jobs)}});
  } else {
    log::error("storage", "commit failed, nothing of it was stored",
               {{"error", failure.message},
                {"writes", static_cast<int64_t>(jobs)},
                {"failures_not_logged", failures_.unlogged}});
  }
  failures_.last_error = failure.message;
  failures_.last_logged = now;
  failures_.unlogged = 0;
}

}  // namespace kinesim
