// Where a reader starts in a shard: GetShardIterator's ShardIteratorType and SubscribeToShard's
// StartingPosition name the same five positions and follow the same rules, so both resolve them
// here (sequence numbers checked the way Kinesis checks them, times against the store).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>

#include "api/call.h"
#include "storage/catalog.h"

namespace kinesim::api {

struct StartingPosition {
  // AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST or AT_TIMESTAMP (validated
  // against the model's enum before it gets here).
  std::string_view type;
  std::optional<std::string_view> sequence_number;
  std::optional<int64_t> timestamp_ms;  // epoch milliseconds
};

// A shard someone wants to read: the stream as committed and the shard in it.
struct ReadableShard {
  std::shared_ptr<const StreamInfo> stream;
  const ShardInfo* shard = nullptr;  // points into *stream
};

// The shard `shard_id` of stream `key`, if it can be read at `now_ms`. An id that does not parse
// is named as given; otherwise a missing stream reads as a missing shard of it, and a stream
// not yet ACTIVE has no shards to read (ResourceNotFoundException either way).
std::variant<ReadableShard, Error> find_readable_shard(const Call& call, const StreamKey& key,
                                                       std::string_view shard_id, int64_t now_ms);

// The counter after which a reader at `position` in `shard` starts: the next record it reads is
// the first with a larger counter. InvalidArgumentException for positions Kinesis refuses.
std::variant<uint64_t, Error> resolve_starting_position(const Call& call, const StreamKey& key,
                                                        const ReadableShard& target,
                                                        const StartingPosition& position,
                                                        int64_t now_ms);

}  // namespace kinesim::api
