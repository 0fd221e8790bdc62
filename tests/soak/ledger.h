// What the soak test's producers sent and what its consumers read, and the invariants that must
// hold between the two at the end of a run:
// - no acknowledged record is lost: every sequence number a put answered was read, with its
//   payload;
// - no duplicates beyond the producers' own retries: a payload is read at most once more than the
//   number of its attempts that failed without saying whether they wrote (timeouts, transport
//   errors, InternalFailure); a throttled attempt wrote nothing, so it allows no duplicate;
// - per-key order: along one consumer's reads of a key, each counter is first seen after every
//   smaller one (a duplicate from a retry may come later, as Kinesis allows);
// - nothing is read that was never sent, and every payload arrives intact.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kinesim::soak {

// A partition key is owned by one producer, which numbers its records 0, 1, 2... and sends the
// next only once the previous one was acknowledged.
std::string partition_key(uint32_t key);
// The record body for (key, counter): a header naming both, then filler derived from them, so a
// reader can tell a corrupted record from an intact one.
std::string payload(uint32_t key, uint64_t counter);

struct PayloadId {
  uint32_t key = 0;
  uint64_t counter = 0;
};
// The id of an intact payload read under `partition_key`; nullopt when the bytes are not exactly
// what payload() makes for the key they name, or the key is not the one they were put under.
std::optional<PayloadId> parse_payload(std::string_view partition_key, std::string_view data);

// A stable 64-bit digest of a sequence number, so consumers keep 8 bytes per read, not the text.
uint64_t sequence_digest(std::string_view sequence_number);

// One producer's account of one key. Written by that producer's thread only; read at the end.
struct KeyLedger {
  // The sequence number acknowledged for each counter: counters 0..size()-1 were acknowledged.
  std::vector<std::string> acked;
  // Attempts per counter that failed ambiguously (they may have written the record).
  std::map<uint64_t, int64_t> ambiguous_failures;
  // The counter that was still unacknowledged when the producer gave up at the end of the run.
  std::optional<uint64_t> abandoned;
};

// One record as a consumer read it.
struct Read {
  uint32_t key = 0;
  uint64_t counter = 0;
  uint64_t sequence = 0;  // sequence_digest() of its sequence number
};

struct Verdict {
  int64_t acked = 0;             // acknowledged records
  int64_t reads = 0;             // records read
  int64_t lost = 0;              // acknowledged (key, counter, sequence number) never read
  int64_t retry_duplicates = 0;  // extra reads explained by ambiguous retries
  int64_t unexpected_duplicates = 0;
  int64_t order_violations = 0;
  int64_t phantoms = 0;               // reads of a counter that was never sent
  int64_t corrupt = 0;                // reads whose payload was not intact
  std::vector<std::string> examples;  // the first few problems, for the report

  bool ok() const {
    return lost == 0 && unexpected_duplicates == 0 && order_violations == 0 && phantoms == 0 &&
           corrupt == 0;
  }
};

// Checks one consumer's reads, in the order it read them, against the producers' ledgers
// (indexed by key). `corrupt` is how many records the consumer could not parse.
Verdict check_reads(const std::vector<KeyLedger>& ledgers, const std::vector<Read>& reads,
                    int64_t corrupt);

}  // namespace kinesim::soak
