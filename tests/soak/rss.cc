#include "tests/soak/rss.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace kinesim::soak {

std::optional<int64_t> resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    int64_t kib = 0;
    if (fields >> kib) return kib;
  }
  return std::nullopt;
}

RssSampler::RssSampler(pid_t pid, std::chrono::milliseconds period)
    : thread_([this, pid, period] { loop(pid, period); }) {}

RssSampler::~RssSampler() { stop(); }

void RssSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<RssSample> RssSampler::samples() const {
  std::lock_guard lock(mutex_);
  return samples_;
}

void RssSampler::loop(pid_t pid, std::chrono::milliseconds period) {
  const auto start = std::chrono::steady_clock::now();
  auto next = start;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const auto kib = resident_kib(pid);
    const double at =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    lock.lock();
    if (kib) samples_.push_back({at, *kib});
    // Fixed instants rather than fixed gaps, so a slow read does not thin the samples out.
    next += period;
    cv_.wait_until(lock, next, [this] { return stopping_; });
  }
}

RssVerdict judge_rss(const std::vector<RssSample>& samples, double warmup_s, double tolerance) {
  std::vector<int64_t> judged;
  for (const RssSample& s : samples) {
    if (s.at_s >= warmup_s) judged.push_back(s.kib);
  }
  RssVerdict v;
  v.warm_samples = static_cast<int64_t>(judged.size());
  if (judged.empty()) return v;
  std::vector<int64_t> sorted = judged;
  std::sort(sorted.begin(), sorted.end());
  v.min_kib = sorted.front();
  v.max_kib = sorted.back();
  v.median_kib = sorted[sorted.size() / 2];
  const double limit = tolerance * static_cast<double>(v.median_kib);
  for (int64_t kib : judged) {
    if (std::fabs(static_cast<double>(kib - v.median_kib)) > limit) ++v.outside;
  }
  return v;
}

}  // namespace kinesim::soak
