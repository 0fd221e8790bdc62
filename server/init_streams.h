// Streams (and their enhanced fan-out consumers) that kinesim makes at start-up, before it
// serves: the --init-streams setting. Comma-separated entries,
//
//   NAME[:SHARDS|:ON_DEMAND][@REGION][/CONSUMER]...
//   orders:4,user-events:ON_DEMAND,payments:2@us-west-2,orders-fanout:2/analytics/billing
//
// A NAME alone is one PROVISIONED shard (the simplest stream to read in order), in us-east-1 (the
// region of requests that name none). ON_DEMAND streams start with 4 shards, as in Kinesis. Names
// follow Kinesis' rules for stream and consumer names; a stream holds at most 20 consumers.
//
// Making them is idempotent: a stream that exists is left as it is (a note says so when its mode
// or shard count differs from the entry), and only missing consumers are registered. Streams and
// consumers go through CREATING like any other (the --create-delay-ms and --consumer-delay-ms
// delays apply), and start-up waits until all of them are ACTIVE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/status.h"

namespace kinesim {

class Store;

struct InitStream {
  std::string name;
  StreamMode mode = StreamMode::kProvisioned;
  int64_t shard_count = 1;  // ON_DEMAND: 4
  std::string region = "us-east-1";
  std::vector<std::string> consumers;

  bool operator==(const InitStream&) const = default;
};

// Parses a list of entries. Shard counts must be 1..shard_limit. On error, the message names the
// entry (e.g. "entry 'orders:0': the shard count must be 1..500 (the shard limit) or ON_DEMAND,
// not '0'"). An empty list is no streams.
Result<std::vector<InitStream>> parse_init_streams(std::string_view spec, int64_t shard_limit);

// The list in the grammar above, every part spelled out ("orders:4@us-east-1/app").
std::string format_init_streams(const std::vector<InitStream>& streams);

// Makes the streams and consumers `account` lacks and waits until all of them are ACTIVE on the
// store's clock (a stopped clock with delays fails after a while rather than waiting forever).
// Returns one note per existing stream whose mode or shard count differs from its entry.
Result<std::vector<std::string>> create_init_streams(Store& store, const std::string& account,
                                                     const std::vector<InitStream>& streams);

}  // namespace kinesim
