#include "examples/flows/aggregated_producer.h"

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "storage/hash_key.h"

namespace kinesim::flows {
namespace {

constexpr size_t kMaxPutRecordsEntries = 500;

struct OpenShard {
  std::string shard_id;
  HashKeyRange range;
};

// The open shards and their hash-key ranges, parsed once per flush.
std::vector<OpenShard> open_shards(const std::vector<harness::Shard>& shards) {
  std::vector<OpenShard> out;
  for (const auto& shard : shards) {
    const auto start = parse_hash_key(shard.starting_hash_key);
    const auto end = parse_hash_key(shard.ending_hash_key);
    if (!shard.closed() && start && end) out.push_back({shard.shard_id, {*start, *end}});
  }
  return out;
}

// The open shard whose hash-key range holds `key`'s hash; "" when none does (the shard list was
// taken mid-reshard). Those records are aggregated together and land where the first one's key
// goes, as any aggregate spanning shards would.
std::string shard_for(const std::vector<OpenShard>& shards, std::string_view key) {
  const HashKey hash = hash_partition_key(key);
  for (const auto& shard : shards) {
    if (shard.range.contains(hash)) return shard.shard_id;
  }
  return "";
}

}  // namespace

harness::Status AggregatingPublisher::add(std::string_view type, std::string_view payload_json) {
  auto event = PrepareEvent(clock_, key_field_, type, payload_json);
  if (!event.ok()) return event.error();
  harness::kpl::UserRecord record{std::move(event->partition_key), "", std::move(event->data)};
  if (harness::kpl::Aggregator().size_with(record) > harness::kpl::kMaxRecordBytes) {
    return harness::KinesisError{"InvalidEvent", "the event does not fit in a Kinesis record", 0};
  }
  pending_.push_back(std::move(record));
  return harness::Done{};
}

harness::Result<FlushResult> AggregatingPublisher::flush() {
  FlushResult result;
  if (pending_.empty()) return result;
  auto listed = client_.list_shards(stream_);
  if (!listed.ok()) return listed.error();
  const std::vector<OpenShard> shards = open_shards(*listed);

  // The user records bound for each shard, in the order added.
  std::map<std::string, std::deque<harness::kpl::UserRecord>> queues;
  for (auto& record : pending_) {
    queues[shard_for(shards, record.partition_key)].push_back(std::move(record));
  }
  pending_.clear();
  // Rounds of one aggregate per shard, so that a shard whose aggregate fails has nothing after
  // it written: what it keeps for the next flush follows everything it wrote, key by key.
  std::optional<harness::KinesisError> failed;
  while (!queues.empty() && !failed) {
    std::vector<std::string> shard_of_entry;
    std::vector<harness::PutRecordsEntry> entries;
    std::vector<size_t> sizes;
    for (auto& [shard, queue] : queues) {
      harness::kpl::Aggregator aggregator;
      size_t n = 0;
      // add() refused every event that cannot fit alone, so each aggregate holds at least one.
      while (n < queue.size() && aggregator.add(queue[n])) ++n;
      shard_of_entry.push_back(shard);
      entries.push_back(aggregator.entry());
      sizes.push_back(n);
      if (entries.size() == kMaxPutRecordsEntries) break;
    }
    auto put = client_.put_records(stream_, entries);
    if (!put.ok()) failed = put.error();
    for (size_t i = 0; i < entries.size(); ++i) {
      auto& queue = queues[shard_of_entry[i]];
      if (put.ok() && put->records.at(i).ok()) {
        ++result.records_sent;
        result.events_sent += sizes[i];
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(sizes[i]));
        if (queue.empty()) queues.erase(shard_of_entry[i]);
      } else {  // kept whole for the next flush
        for (auto& r : queue) pending_.push_back(std::move(r));
        queues.erase(shard_of_entry[i]);
      }
    }
  }
  for (auto& [shard, queue] : queues) {  // left when a call failed as a whole
    for (auto& r : queue) pending_.push_back(std::move(r));
  }
  result.events_remaining = pending_.size();
  if (failed) return *failed;
  return result;
}

}  // namespace kinesim::flows
