#include "storage/sequence_number.h"

#include <cstring>

namespace kinesim {
namespace {

constexpr size_t kStreamDigits = 10;
constexpr size_t kShardDigits = 12;
constexpr size_t kCounterDigits = 32;
static_assert(SequenceNumber::kLength == 2 + kStreamDigits + kShardDigits + kCounterDigits);

void put_padded(char* out, size_t width, uint64_t v) {
  size_t i = width;
  while (v != 0 && i > 0) {
    out[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  std::memset(out, '0', i);
}

std::optional<uint64_t> read_digits(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

void SequenceNumber::write(char* out) const {
  out[0] = '4';
  out[1] = '9';
  put_padded(out + 2, kStreamDigits, static_cast<uint64_t>(stream_id));
  put_padded(out + 2 + kStreamDigits, kShardDigits, static_cast<uint64_t>(shard_index));
  put_padded(out + 2 + kStreamDigits + kShardDigits, kCounterDigits, counter);
}

std::string SequenceNumber::str() const {
  std::string s(kLength, '0');
  write(s.data());
  return s;
}

std::optional<SequenceNumber> SequenceNumber::parse(std::string_view text) {
  if (text.size() != kLength || text[0] != '4' || text[1] != '9') return std::nullopt;
  auto stream = read_digits(text.substr(2, kStreamDigits));
  auto shard = read_digits(text.substr(2 + kStreamDigits, kShardDigits));
  auto counter = read_digits(text.substr(2 + kStreamDigits + kShardDigits));
  if (!stream || !shard || !counter || *counter > kMaxRecordCounter) return std::nullopt;
  return SequenceNumber{static_cast<int64_t>(*stream), static_cast<int64_t>(*shard), *counter};
}

}  // namespace kinesim
