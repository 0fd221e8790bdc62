// Fault injection for tests: rules that make chosen calls fail, slow down, or lose chosen
// records of a PutRecords, so producers' and consumers' retry code can be exercised on purpose.
// One registry belongs to each Dispatcher; tests reach it through the in-process harness or the
// admin HTTP surface (server/admin.h). Rules are deterministic: the random ones draw from their
// own generator, seeded by the rule. Every rule counts how often it fired.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kinesim::api {

enum class FaultKind {
  kThrottle,         // ProvisionedThroughputExceededException (LimitExceededException off the
                     // data plane)
  kInternalFailure,  // InternalFailure, HTTP 500
  kLatency,          // the answer is held back latency_ms
  kFailRecords,      // chosen records of a PutRecords fail with a per-record error
};

std::optional<FaultKind> parse_fault_kind(std::string_view name);
std::string_view fault_kind_name(FaultKind kind);

struct FaultRule {
  FaultKind kind = FaultKind::kThrottle;
  std::string stream;     // empty: any stream (and calls that name none)
  std::string operation;  // empty: any operation
  // How many more times the rule may fire; 0: without end.
  int64_t count = 0;
  // The chance that a matching call (or, for kFailRecords without `records`, each record) is
  // hit, drawn from a generator seeded with `seed`.
  double fraction = 1.0;
  uint64_t seed = 0;
  int64_t latency_ms = 0;  // kLatency
  // kFailRecords: the 0-based positions of the records that fail (empty: each by `fraction`),
  // and the error they carry: ProvisionedThroughputExceededException or InternalFailure.
  std::vector<int64_t> records;
  std::string error_code = "ProvisionedThroughputExceededException";
};

// A rule as stored: its id and how often it has fired.
struct FaultRuleState {
  int64_t id = 0;
  FaultRule rule;
  int64_t fired = 0;
};

// What the faults decided for one call.
struct CallFaults {
  std::optional<FaultKind> failure;  // kThrottle or kInternalFailure
  int64_t latency_ms = 0;
};

class FaultRegistry {
 public:
  // Adds a rule; answers its id. Rules are checked in the order they were added.
  int64_t add(FaultRule rule);
  bool remove(int64_t id);
  void clear();
  std::vector<FaultRuleState> rules() const;
  // No rule at all: every call can skip the faults without taking the lock (the usual case).
  bool empty() const { return size_.load(std::memory_order_acquire) == 0; }
  // How often rule `id` fired (0 when there is no such rule).
  int64_t fired(int64_t id) const;

  // Decides for a call of `operation` on `stream` ("" when the call names none). The first
  // failing rule that fires wins; latencies of all firing latency rules add up.
  CallFaults on_call(std::string_view stream, std::string_view operation);
  // Decides for each of `n` records of a PutRecords on `stream`: the error code of each failed
  // record, or nullopt.
  std::vector<std::optional<std::string>> on_records(std::string_view stream, size_t n);

  // Throughput limits switched at run time (api/throughput.h); set by the dispatcher.
  void set_throughput_switch(std::function<void(bool)> set) { throughput_switch_ = std::move(set); }
  void set_throughput_limits(bool on) const {
    if (throughput_switch_) throughput_switch_(on);
  }

 private:
  struct Entry {
    FaultRuleState state;
    std::mt19937_64 rng;
    bool spent = false;
  };
  static bool matches(const Entry& e, std::string_view stream, std::string_view operation);
  static bool draw(Entry& e);  // a seeded coin with chance rule.fraction
  static void count(Entry& e);

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::atomic<size_t> size_{0};  // entries_.size(), for empty()
  int64_t next_id_ = 1;
  std::function<void(bool)> throughput_switch_;
};

// Runs callbacks after a delay on one thread of its own, so a held-back answer never blocks a
// server thread. Callbacks still pending when it stops are dropped.
class DelayQueue {
 public:
  DelayQueue() = default;
  ~DelayQueue() { stop(); }
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  void schedule(int64_t delay_ms, std::function<void()> run);
  void stop();

 private:
  void loop();
  using TimePoint = std::chrono::steady_clock::time_point;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::multimap<TimePoint, std::function<void()>> pending_;
  bool stopping_ = false;
  std::thread thread_;  // started by the first schedule()
};

}  // namespace kinesim::api
