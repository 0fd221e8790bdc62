// Whole-stream helpers on a KinesisClient: waiting for a stream to become ACTIVE, and reading
// every record of a stream in the order a correct consumer would see them.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim::harness {

// Polls DescribeStreamSummary until the stream is ACTIVE. Fails with the describe error, or
// with a "Timeout" error naming the last status when `timeout` passes first.
Status WaitForActive(KinesisClient& client, std::string_view stream,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The shards of `shards` ordered so that every shard comes after its parent and adjacent
// parent (when those are listed), and otherwise in the order given.
std::vector<Shard> ParentsFirst(std::vector<Shard> shards);

// Every record of the stream, read from TRIM_HORIZON shard by shard, parents fully before
// children (following ParentShardId and AdjacentParentShardId from ListShards). A closed shard
// is read to its end (no NextShardIterator); an open one until a read returns nothing and is
// not behind the tip. Records keep each shard's order, and Record::shard_id says where each came
// from, so records of one partition key come out in the order they were written, across
// resharding.
Result<std::vector<Record>> DrainStream(KinesisClient& client, std::string_view stream);
inline Result<std::vector<Record>> ReadAll(KinesisClient& client, std::string_view stream) {
  return DrainStream(client, stream);
}

}  // namespace kinesim::harness
