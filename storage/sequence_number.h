// Sequence numbers: decimal strings, unique and strictly increasing within a shard.
//
// Layout (56 digits, like the ones Kinesis hands out):
//   "49" | stream id (10 digits) | shard index (12 digits) | record counter (32 digits)
// The counter is the record's position in its shard (1 for the first record; 0 is the shard's
// StartingSequenceNumber), so AT_/AFTER_SEQUENCE_NUMBER are one indexed lookup, and the stream
// id and shard index let a request be told that a number came from elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kinesim {

struct SequenceNumber {
  int64_t stream_id = 0;
  int64_t shard_index = 0;
  uint64_t counter = 0;

  static constexpr size_t kLength = 56;
  std::string str() const;
  // Writes the kLength digits of str() to `out`, without allocating.
  void write(char* out) const;
  static std::optional<SequenceNumber> parse(std::string_view text);
  bool operator==(const SequenceNumber&) const = default;
};

// A shard's records are numbered 1.. up to this bound (the records table keys on 40 bits).
constexpr uint64_t kMaxRecordCounter = (uint64_t{1} << 40) - 1;

}  // namespace kinesim
