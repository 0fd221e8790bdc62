// What SplitShard, MergeShards and UpdateShardCount share: the checks that run inside the store's
// writer (so they hold against concurrent changes) and the errors they answer with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "api/call.h"
#include "storage/catalog.h"

namespace kinesim::api::ops {

// Resharding needs a PROVISIONED stream (ValidationException otherwise) that is ACTIVE
// (ResourceInUseException "... not ACTIVE, instead in state UPDATING").
std::optional<Error> require_reshardable(const StreamInfo& stream, int64_t now_ms);

// The open shard at `index`: "Could not find shard ..." when the stream has no such shard, and
// InvalidArgumentException when an earlier split or merge closed it.
std::variant<const ShardInfo*, Error> open_shard(const StreamInfo& stream, int64_t index);

}  // namespace kinesim::api::ops
