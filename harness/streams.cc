#include "harness/streams.h"

#include <set>
#include <string>
#include <thread>

namespace kinesim::harness {

Status WaitForActive(KinesisClient& client, std::string_view stream,
                     std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto summary = client.describe_stream_summary(stream);
    if (!summary.ok()) return summary.error();
    if (summary->stream_status == "ACTIVE") return Done{};
    if (std::chrono::steady_clock::now() >= deadline) {
      return KinesisError{"Timeout",
                          "stream " + std::string(stream) + " still " + summary->stream_status +
                              " after " + std::to_string(timeout.count()) + " ms",
                          0};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::vector<Shard> ParentsFirst(std::vector<Shard> shards) {
  std::set<std::string> listed;
  for (const auto& s : shards) listed.insert(s.shard_id);
  std::set<std::string> placed;
  std::vector<Shard> ordered;
  ordered.reserve(shards.size());
  // A parent that is no longer listed (past retention) does not hold its children back.
  auto ready = [&](const std::string& parent) {
    return parent.empty() || !listed.count(parent) || placed.count(parent);
  };
  while (ordered.size() < shards.size()) {
    bool progressed = false;
    for (auto& s : shards) {
      if (placed.count(s.shard_id) || !ready(s.parent_shard_id) ||
          !ready(s.adjacent_parent_shard_id)) {
        continue;
      }
      placed.insert(s.shard_id);
      ordered.push_back(s);
      progressed = true;
    }
    if (!progressed) {
      // A cycle cannot come from Kinesis; keep the rest in the order given rather than loop.
      for (auto& s : shards) {
        if (!placed.count(s.shard_id)) ordered.push_back(s);
      }
      break;
    }
  }
  return ordered;
}

namespace {

Status DrainShard(KinesisClient& client, std::string_view stream, const Shard& shard,
                  std::vector<Record>& out) {
  auto iterator = client.get_shard_iterator(stream, shard.shard_id);
  if (!iterator.ok()) return iterator.error();
  std::optional<std::string> next = std::move(iterator).value();
  while (next) {
    auto page = client.get_records(*next);
    if (!page.ok()) return page.error();
    for (auto& r : page->records) {
      r.shard_id = shard.shard_id;
      out.push_back(std::move(r));
    }
    // An open shard has no end: stop once a read comes back empty at the tip.
    if (page->records.empty() && page->millis_behind_latest == 0 && page->next_shard_iterator &&
        !shard.closed()) {
      break;
    }
    next = std::move(page->next_shard_iterator);
  }
  return Done{};
}

}  // namespace

Result<std::vector<Record>> DrainStream(KinesisClient& client, std::string_view stream) {
  auto shards = client.list_shards(stream);
  if (!shards.ok()) return shards.error();
  std::vector<Record> records;
  for (const auto& shard : ParentsFirst(std::move(shards).value())) {
    if (auto drained = DrainShard(client, stream, shard, records); !drained.ok()) {
      return drained.error();
    }
  }
  return records;
}

}  // namespace kinesim::harness
