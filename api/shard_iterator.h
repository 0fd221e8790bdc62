// Shard iterators: where a reader stands in a shard, handed to the client as a sealed token.
// Kinesis iterators are opaque and expire five minutes after they are issued; an iterator also
// names its stream and shard so errors can say which one is gone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/sealed.h"

namespace kinesim::api {

constexpr int64_t kIteratorLifetimeMs = 5 * 60 * 1000;

struct ShardIterator {
  int64_t issued_ms = 0;
  int64_t stream_id = 0;
  int64_t shard_gid = 0;
  int64_t shard_index = 0;
  uint64_t after_counter = 0;  // the next record read is the first with a larger counter
  std::string account;
  std::string region;
  std::string stream_name;

  std::string seal(const Sealer& sealer) const;
  // nullopt for anything seal() did not produce with this sealer's secret.
  static std::optional<ShardIterator> open(const Sealer& sealer, std::string_view token);
};

}  // namespace kinesim::api
