// Sequence numbers: 56-digit decimal strings, unique and strictly increasing within a shard.
//
// kinesim writes them in Kinesis' own layout ("version 2"). Read as a number and printed in
// hexadecimal, a sequence number has 47 digits:
//   2 | shard creation second (9) | shard index, low digit (1) | record counter (16) |
//   00 (2) | record arrival second (9) | shard index (8) | 2
// so every number starts with "49" in decimal, numbers of one shard order by counter, and a
// number says which shard it came from and when that shard was made. The counter is the record's
// position in its shard (1 for the first record; 0 is the shard's StartingSequenceNumber, and a
// closed shard ends at kEndingCounter), so AT_/AFTER_SEQUENCE_NUMBER are one indexed lookup.
//
// Shards made by kinesim before schema 2 keep the layout they were made with, "49" | stream id
// (10 digits) | shard index (12) | counter (32), so sequence numbers already handed out stay valid.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kinesim {

// The part of a sequence number a shard fixes when it is made.
struct SequenceNumberFormat {
  enum class Layout : uint8_t { kKinesis, kLegacy };
  Layout layout = Layout::kKinesis;
  int64_t shard_created_s = 0;  // kKinesis: the shard's creation second
  int64_t stream_id = 0;        // kLegacy: the stream's store-wide id
  bool operator==(const SequenceNumberFormat&) const = default;
};

// A shard's records are numbered 1.. up to this bound (the records table keys on 40 bits).
constexpr uint64_t kMaxRecordCounter = (uint64_t{1} << 40) - 1;
// The counter of a closed shard's EndingSequenceNumber, as Kinesis writes it: above any record.
constexpr uint64_t kEndingCounter = 0x7fffffffffffffffULL;

struct SequenceNumber {
  SequenceNumberFormat format;
  int64_t shard_index = 0;
  uint64_t counter = 0;
  int64_t arrival_s = 0;  // kKinesis only

  static constexpr size_t kLength = 56;
  std::string str() const;
  // Writes the kLength digits of str() to `out`, without allocating.
  void write(char* out) const;
  bool operator==(const SequenceNumber&) const = default;
};

// Writes the sequence numbers of one shard quickly (GetRecords writes one per record).
class SequenceNumberWriter {
 public:
  SequenceNumberWriter(const SequenceNumberFormat& format, int64_t shard_index);
  void write(uint64_t counter, int64_t arrival_s, char* out) const;

 private:
  SequenceNumberFormat format_;
  int64_t shard_index_;
  std::array<uint64_t, 7> base_{};  // kKinesis: the shard's fixed fields, base 10^9 limbs
};

// What a decimal sequence number says, read the way Kinesis reads it. Numbers below 2^124 are
// read as 2^124 more (Kinesis' oldest layout, "version 0"); `echo` is the number Kinesis prints
// back in errors, after that adjustment.
struct DecodedSequenceNumber {
  int version = 0;  // the layout: 0, 1 or 2 (kinesim writes 2); others are not sequence numbers
  std::string echo;
  int64_t shard_created_s = 0;
  int32_t shard_index = 0;       // signed, as Kinesis reads it
  uint64_t counter = 0;          // version 2
  bool counter_in_range = true;  // version 2: the counter's top bit is clear
  int64_t arrival_s = 0;         // versions 1 and 2
};

// nullopt when `decimal` is not a number of at most 47 hexadecimal digits.
std::optional<DecodedSequenceNumber> decode_sequence_number(std::string_view decimal);

// Reads a number in the legacy layout; nullopt when it is not one.
std::optional<SequenceNumber> parse_legacy_sequence_number(std::string_view decimal);

}  // namespace kinesim
