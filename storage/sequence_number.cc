#include "storage/sequence_number.h"

#include <algorithm>
#include <cstring>

namespace kinesim {
namespace {

constexpr uint64_t kLimb = 1'000'000'000;  // decimal limbs of 9 digits, least significant first
using Limbs = std::array<uint64_t, 7>;     // 63 digits: room for any 188-bit number

// A number of up to 192 bits, least significant word first.
struct U192 {
  uint64_t w[3] = {0, 0, 0};

  // Sets `width` bits at bit `shift` (the field must be empty).
  void put(int shift, int width, uint64_t v) {
    if (width < 64) v &= (uint64_t{1} << width) - 1;
    const int i = shift / 64, off = shift % 64;
    w[i] |= v << off;
    if (off != 0 && off + width > 64) w[i + 1] |= v >> (64 - off);
  }
  uint64_t get(int shift, int width) const {
    const int i = shift / 64, off = shift % 64;
    uint64_t v = w[i] >> off;
    if (off != 0 && off + width > 64 && i + 1 < 3) v |= w[i + 1] << (64 - off);
    return width < 64 ? v & ((uint64_t{1} << width) - 1) : v;
  }
  bool below_bit(int bit) const {  // value < 2^bit
    for (int b = 191; b >= bit; --b) {
      if ((w[b / 64] >> (b % 64)) & 1) return false;
    }
    return true;
  }
};

// Fields of the version 2 layout, as (bit shift, bit width) from the least significant bit.
constexpr int kVersionShift = 0, kShardShift = 4, kArrivalShift = 36, kCounterShift = 80,
              kNibbleShift = 144, kCreatedShift = 148, kLeadShift = 184;

Limbs to_limbs(const U192& v) {
  // Repeated division by 10^9 over the three words, most significant first.
  Limbs out{};
  U192 n = v;
  for (auto& limb : out) {
    unsigned __int128 rem = 0;
    for (int i = 2; i >= 0; --i) {
      const unsigned __int128 cur = (rem << 64) | n.w[i];
      n.w[i] = static_cast<uint64_t>(cur / kLimb);
      rem = cur % kLimb;
    }
    limb = static_cast<uint64_t>(rem);
  }
  return out;
}

// Limbs of 2^bits for bits < 128.
Limbs power_of_two(int bits) {
  U192 v;
  v.put(bits, 1, 1);
  return to_limbs(v);
}

void add_product(Limbs& acc, const Limbs& factor, uint64_t v) {
  // v < 2^64 is split into limbs; each partial product is below 10^18.
  uint64_t parts[3] = {v % kLimb, (v / kLimb) % kLimb, v / (kLimb * kLimb)};
  for (size_t i = 0; i < 3; ++i) {
    if (parts[i] == 0) continue;
    for (size_t j = 0; i + j < acc.size(); ++j) acc[i + j] += parts[i] * factor[j];
  }
}

void normalize(Limbs& acc) {
  for (size_t i = 0; i + 1 < acc.size(); ++i) {
    acc[i + 1] += acc[i] / kLimb;
    acc[i] %= kLimb;
  }
}

// Writes the lowest `digits` decimal digits of `acc` (normalised) to out.
void write_limbs(const Limbs& acc, size_t digits, char* out) {
  char* p = out + digits;
  for (size_t i = 0; p > out; ++i) {
    uint64_t v = acc[i];
    for (int d = 0; d < 9 && p > out; ++d) {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  }
}

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

std::string to_decimal(const U192& v) {
  const Limbs limbs = to_limbs(v);
  char buf[63];
  write_limbs(limbs, sizeof buf, buf);
  std::string_view s(buf, sizeof buf);
  const size_t first = s.find_first_not_of('0');
  return first == std::string_view::npos ? "0" : std::string(s.substr(first));
}

const Limbs& counter_factor() {
  static const Limbs f = power_of_two(kCounterShift);
  return f;
}
const Limbs& arrival_factor() {
  static const Limbs f = power_of_two(kArrivalShift);
  return f;
}

constexpr size_t kLegacyStreamDigits = 10, kLegacyShardDigits = 12, kLegacyCounterDigits = 32;
static_assert(SequenceNumber::kLength ==
              2 + kLegacyStreamDigits + kLegacyShardDigits + kLegacyCounterDigits);

}  // namespace

SequenceNumberWriter::SequenceNumberWriter(const SequenceNumberFormat& format, int64_t shard_index)
    : format_(format), shard_index_(shard_index) {
  if (format.layout != SequenceNumberFormat::Layout::kKinesis) return;
  U192 v;
  v.put(kVersionShift, 4, 2);
  v.put(kShardShift, 32, static_cast<uint64_t>(shard_index));
  v.put(kNibbleShift, 4, static_cast<uint64_t>(shard_index));
  v.put(kCreatedShift, 36, static_cast<uint64_t>(format.shard_created_s));
  v.put(kLeadShift, 4, 2);
  base_ = to_limbs(v);
}

void SequenceNumberWriter::write(uint64_t counter, int64_t arrival_s, char* out) const {
  if (format_.layout == SequenceNumberFormat::Layout::kLegacy) {
    out[0] = '4';
    out[1] = '9';
    put_padded(out + 2, kLegacyStreamDigits, static_cast<uint64_t>(format_.stream_id));
    put_padded(out + 2 + kLegacyStreamDigits, kLegacyShardDigits,
               static_cast<uint64_t>(shard_index_));
    put_padded(out + 2 + kLegacyStreamDigits + kLegacyShardDigits, kLegacyCounterDigits,
               std::min(counter, kMaxRecordCounter));
    return;
  }
  Limbs acc = base_;
  add_product(acc, counter_factor(), counter & kEndingCounter);
  const uint64_t arrival = static_cast<uint64_t>(arrival_s) & ((uint64_t{1} << 36) - 1);
  add_product(acc, arrival_factor(), arrival);
  normalize(acc);
  write_limbs(acc, SequenceNumber::kLength, out);
}

void SequenceNumber::write(char* out) const {
  SequenceNumberWriter(format, shard_index).write(counter, arrival_s, out);
}

std::string SequenceNumber::str() const {
  std::string s(kLength, '0');
  write(s.data());
  return s;
}

std::optional<DecodedSequenceNumber> decode_sequence_number(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 57) return std::nullopt;
  U192 v;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    // v = v * 10 + digit, refusing anything that passes 192 bits.
    unsigned __int128 carry = static_cast<unsigned>(c - '0');
    for (auto& w : v.w) {
      const unsigned __int128 cur = static_cast<unsigned __int128>(w) * 10 + carry;
      w = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
    if (carry != 0) return std::nullopt;
  }
  if (!v.below_bit(188)) return std::nullopt;
  DecodedSequenceNumber d;
  if (v.below_bit(124)) v.put(124, 1, 1);  // Kinesis reads small numbers as version 0
  d.echo = to_decimal(v);
  if (v.below_bit(125)) {
    // Version 0: 1 | creation second (9 hex) | byte (2) | random (16) | shard index (4).
    d.version = 0;
    d.shard_index = static_cast<int32_t>(v.get(0, 16));
    d.shard_created_s = static_cast<int64_t>(v.get(88, 36));
    return d;
  }
  d.version = static_cast<int>(v.get(kVersionShift, 4));
  if (!v.below_bit(188) || v.below_bit(185) || v.get(kLeadShift, 4) != 2) {
    d.version = -1;  // not a layout Kinesis writes
    return d;
  }
  d.shard_index = static_cast<int32_t>(static_cast<uint32_t>(v.get(kShardShift, 32)));
  d.shard_created_s = static_cast<int64_t>(v.get(kCreatedShift, 36));
  if (d.version == 2) {
    const uint64_t counter = v.get(kCounterShift, 64);
    d.counter_in_range = counter <= kEndingCounter;
    d.counter = counter;
    d.arrival_s = static_cast<int64_t>(v.get(kArrivalShift, 36));
  } else if (d.version == 1) {
    // 2 | creation second | shard nibble | byte | arrival second (9) | random (14) | index (2) |
    // shard index (8) | 1
    d.arrival_s = static_cast<int64_t>(v.get(100, 36));
  }
  return d;
}

std::optional<SequenceNumber> parse_legacy_sequence_number(std::string_view text) {
  if (text.size() != SequenceNumber::kLength || text[0] != '4' || text[1] != '9') {
    return std::nullopt;
  }
  auto stream = read_digits(text.substr(2, kLegacyStreamDigits));
  auto shard = read_digits(text.substr(2 + kLegacyStreamDigits, kLegacyShardDigits));
  auto counter = read_digits(text.substr(2 + kLegacyStreamDigits + kLegacyShardDigits));
  if (!stream || !shard || !counter || *counter > kMaxRecordCounter) return std::nullopt;
  SequenceNumber n;
  n.format.layout = SequenceNumberFormat::Layout::kLegacy;
  n.format.stream_id = static_cast<int64_t>(*stream);
  n.shard_index = static_cast<int64_t>(*shard);
  n.counter = *counter;
  return n;
}

}  // namespace kinesim
