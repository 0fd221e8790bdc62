// The one source of "now" in kinesim. Everything that stamps or compares time (record arrival,
// iterator expiry, stream state delays) asks a Clock, so tests can run on a fake one.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace kinesim {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms) : now_(start_ms) {}
  int64_t now_ms() const override { return now_.load(std::memory_order_relaxed); }
  void set_ms(int64_t ms) { now_.store(ms, std::memory_order_relaxed); }
  void advance_ms(int64_t delta) { now_.fetch_add(delta, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

// A clock that follows a base clock (system time) until it is frozen, and then only moves when
// advanced. It never goes backwards: freezing earlier than now is refused, and going back to the
// base clock after advancing keeps the lead gained (time continues from where it stood). Only
// reset() may move time back, for a server whose state was just erased. Thread-safe.
class ControllableClock final : public Clock {
 public:
  explicit ControllableClock(const Clock& base) : base_(base) {}

  int64_t now_ms() const override {
    std::lock_guard lock(mutex_);
    return now_locked();
  }
  bool manual() const {
    std::lock_guard lock(mutex_);
    return manual_;
  }
  // Stops the clock at `at_ms` (now when absent); false, changing nothing, when that is earlier
  // than now.
  bool freeze(std::optional<int64_t> at_ms = std::nullopt) {
    std::lock_guard lock(mutex_);
    const int64_t now = now_locked();
    const int64_t at = at_ms.value_or(now);
    if (at < now) return false;
    manual_ = true;
    manual_ms_ = at;
    return true;
  }
  // Moves a frozen clock forward by `delta_ms` (>= 0); false when the clock is not frozen or
  // the delta is negative.
  bool advance(int64_t delta_ms) {
    std::lock_guard lock(mutex_);
    if (!manual_ || delta_ms < 0) return false;
    manual_ms_ += delta_ms;
    return true;
  }
  // Follows the base clock again, from no earlier than the time it stood at.
  void resume() {
    std::lock_guard lock(mutex_);
    if (!manual_) return;
    offset_ = std::max<int64_t>(0, manual_ms_ - base_.now_ms());
    manual_ = false;
  }
  // Back to the base clock exactly, forgetting any lead.
  void reset() {
    std::lock_guard lock(mutex_);
    manual_ = false;
    offset_ = 0;
  }

 private:
  int64_t now_locked() const { return manual_ ? manual_ms_ : base_.now_ms() + offset_; }

  const Clock& base_;
  mutable std::mutex mutex_;
  bool manual_ = false;
  int64_t manual_ms_ = 0;
  int64_t offset_ = 0;
};

}  // namespace kinesim
