#include "examples/flows/shard_poller.h"

#include "harness/streams.h"

namespace kinesim::flows {
namespace {

// Enough GetRecords calls to read any shard the examples write; a bound so a server that never
// says "caught up" cannot hang a test.
constexpr int kMaxReadsPerShard = 1000;

}  // namespace

std::string ShardPoller::checkpoint(const std::string& shard_id) const {
  auto it = checkpoints_.find(shard_id);
  return it == checkpoints_.end() ? "" : it->second;
}

bool ShardPoller::parents_finished(const harness::Shard& shard,
                                   const std::set<std::string>& listed) const {
  // A parent no longer listed (past retention) has nothing left to read.
  for (const std::string* parent : {&shard.parent_shard_id, &shard.adjacent_parent_shard_id}) {
    if (!parent->empty() && listed.contains(*parent) && !finished(*parent)) return false;
  }
  return true;
}

harness::Result<size_t> ShardPoller::poll(const Handler& handler) {
  auto shards = client_.list_shards(stream_);
  if (!shards.ok()) return shards.error();
  std::set<std::string> listed;
  for (const auto& s : *shards) listed.insert(s.shard_id);
  size_t handled = 0;
  // Parents come first, so a parent read to its end in this pass lets its children be read in
  // the same pass.
  for (const auto& shard : harness::ParentsFirst(*shards)) {
    if (finished(shard.shard_id) || !parents_finished(shard, listed)) continue;
    auto read = read_shard(shard, handler);
    if (!read.ok()) return read.error();
    handled += *read;
  }
  return handled;
}

harness::Result<size_t> ShardPoller::read_shard(const harness::Shard& shard,
                                                const Handler& handler) {
  const std::string last = checkpoint(shard.shard_id);
  auto iterator = client_.get_shard_iterator(
      stream_, shard.shard_id,
      last.empty() ? harness::StartingPosition::TrimHorizon()
                   : harness::StartingPosition::AfterSequenceNumber(last));
  if (!iterator.ok()) return iterator.error();
  std::string it = *iterator;
  size_t handled = 0;
  for (int i = 0; i < kMaxReadsPerShard; ++i) {
    auto batch = client_.get_records(it);
    if (!batch.ok()) return batch.error();
    for (auto record : batch->records) {
      record.shard_id = shard.shard_id;
      handler(record);
      checkpoints_[shard.shard_id] = record.sequence_number;
      ++handled;
    }
    if (!batch->next_shard_iterator) {
      finished_.insert(shard.shard_id);
      break;
    }
    // An open shard is read up to its tip; a closed one on until Kinesis says it ended.
    if (batch->records.empty() && !shard.closed()) break;
    it = *batch->next_shard_iterator;
  }
  return handled;
}

}  // namespace kinesim::flows
