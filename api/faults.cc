#include "api/faults.h"

#include <algorithm>

namespace kinesim::api {

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  if (name == "throttle") return FaultKind::kThrottle;
  if (name == "internal_failure") return FaultKind::kInternalFailure;
  if (name == "latency") return FaultKind::kLatency;
  if (name == "fail_records") return FaultKind::kFailRecords;
  return std::nullopt;
}

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kThrottle:
      return "throttle";
    case FaultKind::kInternalFailure:
      return "internal_failure";
    case FaultKind::kLatency:
      return "latency";
    case FaultKind::kFailRecords:
      return "fail_records";
  }
  return "";
}

int64_t FaultRegistry::add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  Entry e;
  e.state.id = next_id_++;
  e.rng.seed(rule.seed);
  e.state.rule = std::move(rule);
  entries_.push_back(std::move(e));
  size_.store(entries_.size(), std::memory_order_release);
  return entries_.back().state.id;
}

bool FaultRegistry::remove(int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [id](const Entry& e) { return e.state.id == id; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  size_.store(entries_.size(), std::memory_order_release);
  return true;
}

void FaultRegistry::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  size_.store(0, std::memory_order_release);
}

std::vector<FaultRuleState> FaultRegistry::rules() const {
  std::lock_guard lock(mutex_);
  std::vector<FaultRuleState> out;
  for (const auto& e : entries_) out.push_back(e.state);
  return out;
}

int64_t FaultRegistry::fired(int64_t id) const {
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    if (e.state.id == id) return e.state.fired;
  }
  return 0;
}

bool FaultRegistry::matches(const Entry& e, std::string_view stream, std::string_view operation) {
  const FaultRule& r = e.state.rule;
  return !e.spent && (r.stream.empty() || r.stream == stream) &&
         (r.operation.empty() || r.operation == operation);
}

// The top 53 bits of the generator as a fraction in [0, 1): the same on every platform, which
// std::uniform_real_distribution does not promise.
bool FaultRegistry::draw(Entry& e) {
  const double fraction = e.state.rule.fraction;
  if (fraction >= 1.0) return true;
  if (fraction <= 0.0) return false;
  const double u = static_cast<double>(e.rng() >> 11) * 0x1.0p-53;
  return u < fraction;
}

void FaultRegistry::count(Entry& e) {
  ++e.state.fired;
  if (e.state.rule.count > 0 && e.state.fired >= e.state.rule.count) e.spent = true;
}

CallFaults FaultRegistry::on_call(std::string_view stream, std::string_view operation) {
  if (empty()) return {};
  std::lock_guard lock(mutex_);
  CallFaults out;
  for (auto& e : entries_) {
    const FaultKind kind = e.state.rule.kind;
    if (kind == FaultKind::kFailRecords || !matches(e, stream, operation)) continue;
    if (kind != FaultKind::kLatency && out.failure) continue;  // one failure per call
    if (!draw(e)) continue;
    count(e);
    if (kind == FaultKind::kLatency) {
      out.latency_ms += e.state.rule.latency_ms;
    } else {
      out.failure = kind;
    }
  }
  return out;
}

std::vector<std::optional<std::string>> FaultRegistry::on_records(std::string_view stream,
                                                                  size_t n) {
  std::vector<std::optional<std::string>> out(n);
  if (empty()) return out;
  std::lock_guard lock(mutex_);
  for (auto& e : entries_) {
    if (e.state.rule.kind != FaultKind::kFailRecords || !matches(e, stream, "PutRecords")) {
      continue;
    }
    const FaultRule& r = e.state.rule;
    bool hit = false;
    for (size_t i = 0; i < n; ++i) {
      if (out[i]) continue;
      const bool chosen = r.records.empty() ? draw(e)
                                            : std::find(r.records.begin(), r.records.end(),
                                                        static_cast<int64_t>(i)) != r.records.end();
      if (chosen) {
        out[i] = r.error_code;
        hit = true;
      }
    }
    // A rule fires once per PutRecords call it failed records of.
    if (hit) count(e);
  }
  return out;
}

void DelayQueue::schedule(int64_t delay_ms, std::function<void()> run) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  pending_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms),
                   std::move(run));
  cv_.notify_one();
}

void DelayQueue::stop() {
  std::multimap<TimePoint, std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(pending_);
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  // `dropped` goes here, outside the lock: its callbacks may own connections.
}

void DelayQueue::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    std::function<void()> run = std::move(first->second);
    pending_.erase(first);
    lock.unlock();
    run();
    lock.lock();
  }
}

}  // namespace kinesim::api
