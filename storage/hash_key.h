// 128-bit hash-key arithmetic. Kinesis maps every record to a point of [0, 2^128 - 1]: the MD5
// of its partition key read as a big-endian integer, or an ExplicitHashKey given in decimal.
// Each open shard owns a contiguous range of that space.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kinesim {

using HashKey = unsigned __int128;

constexpr HashKey kMaxHashKey = ~HashKey{0};  // 2^128 - 1

struct HashKeyRange {
  HashKey start = 0;
  HashKey end = 0;  // inclusive
  bool contains(HashKey k) const { return start <= k && k <= end; }
  bool operator==(const HashKeyRange&) const = default;
};

// Decimal text of a hash key, as Kinesis prints it ("0" ..
// "340282366920938463463374607431768211455").
std::string to_decimal(HashKey k);

// Parses an unsigned decimal. nullopt for empty text, non-digits or a value of 2^128 or more.
std::optional<HashKey> parse_hash_key(std::string_view decimal);

// MD5 of the partition key's UTF-8 bytes, as a big-endian 128-bit integer.
HashKey hash_partition_key(std::string_view partition_key);

// The ranges Kinesis gives `count` new shards: equal steps of floor(2^128 / count), the last
// range ending at 2^128 - 1. `count` must be at least 1.
std::vector<HashKeyRange> split_evenly(int count);

}  // namespace kinesim
