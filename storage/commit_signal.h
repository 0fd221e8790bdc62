// CommitSignal: tells listeners that the writer has just committed new records, so readers that
// wait for records (SubscribeToShard's subscriptions) are pushed to, not left to poll.
//
// Contract:
// - raise() runs every listener on the calling thread (the writer's, right after COMMIT and
//   before the writes are acknowledged), so a listener must only note the news and wake its own
//   thread: no blocking, no calls into the store.
// - After unlisten(id) returns, that listener is not running and never runs again.
// - The signal says only "some shard got records"; listeners look at the shard cursors
//   (ShardCursor::last_counter) to see which.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace kinesim {

class CommitSignal {
 public:
  using Listener = std::function<void()>;

  uint64_t listen(Listener listener) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    listeners_.emplace_back(id, std::move(listener));
    count_.store(listeners_.size(), std::memory_order_release);
    return id;
  }

  void unlisten(uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
    count_.store(listeners_.size(), std::memory_order_release);
  }

  void raise() {
    // The common case, nobody subscribed, costs one atomic load per commit.
    if (count_.load(std::memory_order_acquire) == 0) return;
    std::lock_guard lock(mutex_);
    for (const auto& l : listeners_) l.second();
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<uint64_t, Listener>> listeners_;
  std::atomic<size_t> count_{0};
  uint64_t next_id_ = 1;
};

}  // namespace kinesim
