// Closes a connection that has done nothing for a while, or whose request head is taking too
// long to arrive. A busy connection pays one clock read per read or write (touch()) and one per
// request head (head_started(), head_done()); the timer is waited on once per period, not armed
// and cancelled around every operation as per-operation stream timeouts would be (each of which
// is a timer-queue update and, often, a system call).
#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace kinesim::server {

class IdleWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `head_timeout` zero: heads may take as long as the idle timeout allows.
  IdleWatch(const boost::asio::any_io_executor& executor, Clock::duration timeout,
            Clock::duration head_timeout = Clock::duration::zero())
      : timer_(executor), timeout_(timeout), head_timeout_(head_timeout) {}

  // The connection did something: the idle period starts again.
  void touch() { last_ = Clock::now(); }

  // The first bytes of a request head arrived: the rest must follow within the head timeout.
  void head_started() {
    head_pending_ = true;
    head_since_ = Clock::now();
  }
  void head_done() { head_pending_ = false; }

  // Starts watching. `owner` is the connection, held weakly so the watch never keeps a closed
  // connection alive; `on_timeout` runs on the executor once `timeout` passed with no touch(),
  // or a head was started longer than the head timeout ago and is not done.
  //
  // A head that starts while the timer waits for a later moment is noticed at the next wake-up,
  // which is never more than one head timeout away: a slow head is closed between one and two
  // head timeouts after its first byte, at no cost to a request whose head arrives at once.
  void start(std::weak_ptr<void> owner, std::function<void()> on_timeout) {
    owner_ = std::move(owner);
    on_timeout_ = std::move(on_timeout);
    touch();
    arm(next_check(last_));
  }

 private:
  Clock::time_point next_check(Clock::time_point now) const {
    auto due = last_ + timeout_;
    if (head_timeout_ > Clock::duration::zero()) {
      due = std::min(due, head_pending_ ? head_since_ + head_timeout_ : now + head_timeout_);
    }
    return due;
  }

  bool expired(Clock::time_point now) const {
    if (now >= last_ + timeout_) return true;
    return head_pending_ && head_timeout_ > Clock::duration::zero() &&
           now >= head_since_ + head_timeout_;
  }

  void arm(Clock::time_point at) {
    timer_.expires_at(at);
    // The handler looks at `this` only while the owner (which holds this watch) is alive.
    timer_.async_wait([this, owner = owner_](const boost::system::error_code& ec) {
      const auto alive = owner.lock();
      if (ec || !alive) return;
      const auto now = Clock::now();
      if (!expired(now)) return arm(next_check(now));
      on_timeout_();
    });
  }

  boost::asio::steady_timer timer_;
  Clock::duration timeout_;
  Clock::duration head_timeout_;
  Clock::time_point last_;
  bool head_pending_ = false;
  Clock::time_point head_since_;
  std::weak_ptr<void> owner_;
  std::function<void()> on_timeout_;
};

}  // namespace kinesim::server
