// Closes a connection that has done nothing for a while. A busy connection pays one clock read
// per read or write (touch()); the timer is waited on once per timeout period, not armed and
// cancelled around every operation as per-operation stream timeouts would be (each of which is a
// timer-queue update and, often, a system call).
#pragma once

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

  IdleWatch(const boost::asio::any_io_executor& executor, Clock::duration timeout)
      : timer_(executor), timeout_(timeout) {}

  // The connection did something: the idle period starts again.
  void touch() { last_ = Clock::now(); }

  // Starts watching. `owner` is the connection, held weakly so the watch never keeps a closed
  // connection alive; `on_idle` runs on the executor once `timeout` passed with no touch().
  void start(std::weak_ptr<void> owner, std::function<void()> on_idle) {
    owner_ = std::move(owner);
    on_idle_ = std::move(on_idle);
    touch();
    arm(last_ + timeout_);
  }

 private:
  void arm(Clock::time_point at) {
    timer_.expires_at(at);
    // The handler looks at `this` only while the owner (which holds this watch) is alive.
    timer_.async_wait([this, owner = owner_](const boost::system::error_code& ec) {
      const auto alive = owner.lock();
      if (ec || !alive) return;
      const auto due = last_ + timeout_;
      if (Clock::now() < due) return arm(due);
      on_idle_();
    });
  }

  boost::asio::steady_timer timer_;
  Clock::duration timeout_;
  Clock::time_point last_;
  std::weak_ptr<void> owner_;
  std::function<void()> on_idle_;
};

}  // namespace kinesim::server
