#include "tests/soak/ledger.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace kinesim::soak {
namespace {

// Long enough that a record is more than its header, short enough to keep the database small.
constexpr size_t kFillerBytes = 96;
constexpr size_t kMaxExamples = 8;

void note(Verdict& v, const std::string& problem) {
  if (v.examples.size() < kMaxExamples) v.examples.push_back(problem);
}

std::string describe(uint32_t key, uint64_t counter) {
  return partition_key(key) + " #" + std::to_string(counter);
}

}  // namespace

std::string partition_key(uint32_t key) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key-%04u", key);
  return buf;
}

std::string payload(uint32_t key, uint64_t counter) {
  std::string out = std::to_string(key) + ":" + std::to_string(counter) + ":";
  // Filler that changes with both numbers, so a record swapped with another or cut short is
  // caught, not only one whose header is damaged.
  uint64_t x = (uint64_t{key} << 40) ^ counter ^ 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < kFillerBytes; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(static_cast<char>('a' + x % 26));
  }
  return out;
}

std::optional<PayloadId> parse_payload(std::string_view pk, std::string_view data) {
  PayloadId id;
  const char* p = data.data();
  const char* end = data.data() + data.size();
  auto key = std::from_chars(p, end, id.key);
  if (key.ec != std::errc() || key.ptr == end || *key.ptr != ':') return std::nullopt;
  auto counter = std::from_chars(key.ptr + 1, end, id.counter);
  if (counter.ec != std::errc()) return std::nullopt;
  if (partition_key(id.key) != pk || payload(id.key, id.counter) != data) return std::nullopt;
  return id;
}

uint64_t sequence_digest(std::string_view s) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Verdict check_reads(const std::vector<KeyLedger>& ledgers, const std::vector<Read>& reads,
                    int64_t corrupt) {
  Verdict v;
  v.reads = static_cast<int64_t>(reads.size());
  v.corrupt = corrupt;
  if (corrupt > 0) note(v, std::to_string(corrupt) + " records with a damaged payload");

  // Per key, by counter: how often it was read, and whether one of those reads carried the
  // acknowledged sequence number. Counters are dense (0, 1, 2...), so vectors do, which keeps
  // checking a few hundred thousand reads per consumer quick.
  struct Seen {
    std::vector<uint64_t> acked;  // sequence_digest() of each acknowledged sequence number
    std::vector<int64_t> times;   // by counter, for every counter sent
    std::vector<bool> acked_read;
    std::optional<uint64_t> highest;  // the highest counter read so far, for order
  };
  std::vector<Seen> seen(ledgers.size());
  for (size_t key = 0; key < ledgers.size(); ++key) {
    const KeyLedger& ledger = ledgers[key];
    Seen& s = seen[key];
    for (const std::string& sequence : ledger.acked) s.acked.push_back(sequence_digest(sequence));
    s.times.assign(ledger.acked.size() + (ledger.abandoned ? 1 : 0), 0);
    s.acked_read.assign(ledger.acked.size(), false);
  }

  for (const Read& r : reads) {
    if (r.key >= ledgers.size()) {
      ++v.phantoms;
      note(v, "read " + describe(r.key, r.counter) + ", a key no producer owns");
      continue;
    }
    Seen& s = seen[r.key];
    if (r.counter >= s.times.size()) {
      ++v.phantoms;
      note(v, "read " + describe(r.key, r.counter) + ", which was never sent");
      continue;
    }
    if (s.times[r.counter]++ == 0 && s.highest && r.counter < *s.highest) {
      ++v.order_violations;
      note(v, "read " + describe(r.key, r.counter) + " for the first time after #" +
                  std::to_string(*s.highest));
    }
    if (r.counter < s.acked.size() && s.acked[r.counter] == r.sequence) {
      s.acked_read[r.counter] = true;
    }
    if (!s.highest || r.counter > *s.highest) s.highest = r.counter;
  }

  for (uint32_t key = 0; key < ledgers.size(); ++key) {
    const KeyLedger& ledger = ledgers[key];
    const Seen& s = seen[key];
    v.acked += static_cast<int64_t>(ledger.acked.size());
    for (uint64_t counter = 0; counter < s.times.size(); ++counter) {
      const int64_t times = s.times[counter];
      if (times > 1) {
        const auto it = ledger.ambiguous_failures.find(counter);
        const int64_t allowed = 1 + (it == ledger.ambiguous_failures.end() ? 0 : it->second);
        const int64_t unexpected = std::max<int64_t>(0, times - allowed);
        v.retry_duplicates += times - 1 - unexpected;
        v.unexpected_duplicates += unexpected;
        if (unexpected > 0) {
          note(v, "read " + describe(key, counter) + " " + std::to_string(times) +
                      " times; its producer's retries allow " + std::to_string(allowed));
        }
      }
      if (counter < s.acked_read.size() && !s.acked_read[counter]) {
        ++v.lost;
        note(v, "acknowledged " + describe(key, counter) + " (sequence number " +
                    ledger.acked[counter] + ") was never read");
      }
    }
  }
  return v;
}

}  // namespace kinesim::soak
