#include "api/ops/resharding.h"

#include "api/streams.h"

namespace kinesim::api::ops {

std::optional<Error> require_reshardable(const StreamInfo& stream, int64_t now_ms) {
  if (stream.mode == StreamMode::kOnDemand) {
    return errors::validation("Request is invalid. Stream " + stream.key.name + " under account " +
                              stream.key.account + " is in On-Demand mode.");
  }
  return require_active(stream, now_ms);
}

std::variant<const ShardInfo*, Error> open_shard(const StreamInfo& stream, int64_t index) {
  const ShardInfo* shard = stream.shard(index);
  if (!shard) return could_not_find_shard(stream.key, shard_id(index));
  if (!shard->open()) {
    return errors::invalid_argument("Shard " + shard_id(index) + " in stream " + stream.key.name +
                                    " under account " + stream.key.account +
                                    " has already been merged or split, and thus is not eligible "
                                    "for merging or splitting.");
  }
  return shard;
}

}  // namespace kinesim::api::ops
