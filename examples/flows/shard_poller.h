// ShardPoller: a polling consumer of one stream with its own checkpoints, the way a KCL worker
// reads: every shard from TRIM_HORIZON (or after its checkpoint), a child shard only once its
// parents (ParentShardId and AdjacentParentShardId) have been read to their end, so the records
// of one partition key come out in the order they were written, across resharding.
//
// Each record goes to the handler, and the shard's checkpoint moves past it when the handler
// returns; two pollers of one stream each see every record once, whatever the other does.
// Contract: `client` outlives the poller; one poll at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim::flows {

class ShardPoller {
 public:
  using Handler = std::function<void(const harness::Record&)>;

  ShardPoller(harness::KinesisClient& client, std::string stream)
      : client_(client), stream_(std::move(stream)) {}

  // Reads what is new on every shard it may read now and hands it to `handler`, in order.
  // Answers how many records it handled; on a Kinesis error it stops and answers the error, with
  // the checkpoints of what was handled kept, so the next poll goes on from there. An exception
  // from the handler leaves that record unchecked and propagates.
  harness::Result<size_t> poll(const Handler& handler);

  // The sequence number of the last record handled from `shard_id` ("" for none).
  std::string checkpoint(const std::string& shard_id) const;
  // True once `shard_id` was closed and read to its end.
  bool finished(const std::string& shard_id) const { return finished_.contains(shard_id); }
  const std::string& stream() const { return stream_; }

 private:
  bool parents_finished(const harness::Shard& shard, const std::set<std::string>& listed) const;
  // Reads one shard from its checkpoint to its end (closed) or its tip (open).
  harness::Result<size_t> read_shard(const harness::Shard& shard, const Handler& handler);

  harness::KinesisClient& client_;
  std::string stream_;
  std::map<std::string, std::string> checkpoints_;
  std::set<std::string> finished_;
};

}  // namespace kinesim::flows
