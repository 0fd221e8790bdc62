#include "tests/soak/consumer.h"

#include <thread>

namespace kinesim::soak {

Consumer::Consumer(ConsumerOptions options) : o_(std::move(options)) {}

std::map<std::string, ShardProgress> Consumer::progress() const {
  std::lock_guard lock(progress_mutex_);
  return progress_;
}

void Consumer::run(const std::atomic<bool>& drain, const std::atomic<bool>& stop) {
  harness::KinesisClient client(o_.endpoint);
  bool need_refresh = true;
  while (!stop.load()) {
    const bool draining = drain.load();
    if (need_refresh) need_refresh = !refresh(client);
    bool quiet = !need_refresh;
    for (auto& [id, s] : shards_) {
      if (s.finished) continue;
      if (!s.iterator) {
        quiet = false;
        if (parents_finished(s)) open(client, s);
        continue;
      }
      quiet = read_once(client, s, need_refresh) && quiet;
    }
    if (draining && quiet) {
      drained_.store(true);
      return;
    }
    std::this_thread::sleep_for(o_.poll);
  }
}

bool Consumer::refresh(harness::KinesisClient& client) {
  auto listed = client.list_shards(o_.stream);
  if (!listed.ok()) {
    error(listed.error().type, false);
    return false;
  }
  for (const harness::Shard& shard : *listed) {
    if (shards_.count(shard.shard_id)) continue;
    shards_[shard.shard_id].info = shard;
    std::lock_guard lock(progress_mutex_);
    progress_[shard.shard_id];
  }
  return true;
}

bool Consumer::parents_finished(const ShardState& s) const {
  for (const std::string* parent : {&s.info.parent_shard_id, &s.info.adjacent_parent_shard_id}) {
    if (parent->empty()) continue;
    // A parent not known here was never listed to this consumer: it was past retention before
    // the consumer started, so there is nothing of it to read first.
    auto it = shards_.find(*parent);
    if (it != shards_.end() && !it->second.finished) return false;
  }
  return true;
}

bool Consumer::open(harness::KinesisClient& client, ShardState& s) {
  const auto position = s.last_sequence.empty()
                            ? harness::StartingPosition::TrimHorizon()
                            : harness::StartingPosition::AfterSequenceNumber(s.last_sequence);
  auto it = client.get_shard_iterator(o_.stream, s.info.shard_id, position);
  if (!it.ok()) {
    error(it.error().type, it.error().type == "ProvisionedThroughputExceededException");
    return false;
  }
  s.iterator = *it;
  return true;
}

bool Consumer::read_once(harness::KinesisClient& client, ShardState& s, bool& need_refresh) {
  ++stats_.get_records_calls;
  auto page = client.get_records(*s.iterator, o_.limit);
  if (!page.ok()) {
    const std::string& type = page.error().type;
    if (type == "ExpiredIteratorException") {
      ++stats_.expired_iterators;
      s.iterator.reset();
      open(client, s);
    } else {
      error(type, type == "ProvisionedThroughputExceededException");
    }
    return false;
  }
  take(s.info.shard_id, page->records);
  if (!page->records.empty()) s.last_sequence = page->records.back().sequence_number;
  if (!page->next_shard_iterator) {
    s.finished = true;
    s.iterator.reset();
    for (const std::string& child : page->child_shard_ids) {
      if (!shards_.count(child)) need_refresh = true;
    }
    std::lock_guard lock(progress_mutex_);
    progress_[s.info.shard_id].finished = true;
    return false;  // its children are still to be read
  }
  s.iterator = *page->next_shard_iterator;
  return page->records.empty() && page->millis_behind_latest == 0;
}

void Consumer::take(const std::string& shard_id, const std::vector<harness::Record>& records) {
  if (records.empty()) return;
  const int64_t old_before = old_before_ms_.load();
  for (const harness::Record& r : records) {
    ++stats_.records_read;
    if (old_before > 0 && r.approximate_arrival_ms < old_before) ++stats_.read_after_trim;
    auto id = parse_payload(r.partition_key, r.data);
    if (!id) {
      ++stats_.corrupt;
      continue;
    }
    reads_.push_back({id->key, id->counter, sequence_digest(r.sequence_number)});
  }
  std::lock_guard lock(progress_mutex_);
  progress_[shard_id].last_arrival_ms = records.back().approximate_arrival_ms;
}

void Consumer::error(const std::string& type, bool expected) {
  ++stats_.errors[type];
  if (!expected) ++stats_.unexpected[type];
}

}  // namespace kinesim::soak
