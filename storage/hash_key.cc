#include "storage/hash_key.h"

#include <openssl/md5.h>

#include <algorithm>

namespace kinesim {

std::string to_decimal(HashKey k) {
  if (k == 0) return "0";
  char buf[40];
  int n = 0;
  while (k != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(k % 10));
    k /= 10;
  }
  std::reverse(buf, buf + n);
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<HashKey> parse_hash_key(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  HashKey v = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    const HashKey digit = static_cast<HashKey>(c - '0');
    if (v > (kMaxHashKey - digit) / 10) return std::nullopt;  // would pass 2^128 - 1
    v = v * 10 + digit;
  }
  return v;
}

HashKey hash_partition_key(std::string_view partition_key) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  // MD5 is what Kinesis specifies for partition keys; the deprecated one-shot call is the
  // cheapest way to get it from OpenSSL 3 on the hot path.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  MD5(reinterpret_cast<const unsigned char*>(partition_key.data()), partition_key.size(), digest);
#pragma GCC diagnostic pop
  HashKey v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;
  return v;
}

std::vector<HashKeyRange> split_evenly(int count) {
  std::vector<HashKeyRange> ranges;
  if (count < 1) return ranges;
  ranges.reserve(static_cast<size_t>(count));
  // floor(2^128 / count), computed without 2^128 itself: (2^128 - 1) / count differs from it only
  // when count divides 2^128, i.e. is a power of two.
  HashKey step = kMaxHashKey / static_cast<HashKey>(count);
  if ((count & (count - 1)) == 0 && count > 1) step += 1;
  if (count == 1) step = 0;
  for (int i = 0; i < count; ++i) {
    HashKeyRange r;
    r.start = step * static_cast<HashKey>(i);
    r.end = (i + 1 == count) ? kMaxHashKey : step * static_cast<HashKey>(i + 1) - 1;
    ranges.push_back(r);
  }
  return ranges;
}

}  // namespace kinesim
