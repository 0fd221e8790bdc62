// The server's resident memory over a soak run: sampled once a second from /proc/<pid>/status
// (VmRSS), and judged flat when, after a warm-up in which caches and allocator arenas fill,
// every sample lies within a tolerance of the median of those samples. The median, not the
// first sample, is the reference so that one early spike or dip cannot decide the verdict;
// "every sample" rather than an average so that steady growth, which ends far from the median
// on one side, is caught.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kinesim::soak {

struct RssSample {
  double at_s = 0;  // seconds since sampling started
  int64_t kib = 0;
};

// VmRSS of process `pid` in KiB; nullopt when it cannot be read (the process is gone).
std::optional<int64_t> resident_kib(pid_t pid);

// Samples a process's VmRSS on a thread of its own, every `period`, from construction to stop().
class RssSampler {
 public:
  explicit RssSampler(pid_t pid, std::chrono::milliseconds period = std::chrono::seconds(1));
  ~RssSampler();  // stop()
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  void stop();
  std::vector<RssSample> samples() const;

 private:
  void loop(pid_t pid, std::chrono::milliseconds period);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<RssSample> samples_;
  std::thread thread_;
};

struct RssVerdict {
  int64_t warm_samples = 0;  // samples after the warm-up: the ones judged
  int64_t min_kib = 0;
  int64_t median_kib = 0;
  int64_t max_kib = 0;
  int64_t outside = 0;  // judged samples further than the tolerance from the median
  bool ok() const { return warm_samples >= kMinSamples && outside == 0; }

  // Fewer samples than this say nothing about a trend.
  static constexpr int64_t kMinSamples = 5;
};

// Judges the samples taken at or after `warmup_s`: each must lie within `tolerance` (0.10 for
// 10%) of their median.
RssVerdict judge_rss(const std::vector<RssSample>& samples, double warmup_s, double tolerance);

}  // namespace kinesim::soak
