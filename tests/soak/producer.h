// A soak producer: one thread that owns a few partition keys and keeps putting numbered records
// to them, by PutRecord and PutRecords in turn, until told to stop. Each key has at most one
// record in flight: counter n+1 is sent only once n was acknowledged, so the acknowledged order
// is the order the records must be read in. A failed attempt is retried with the same payload
// until it is acknowledged; the ledger notes which failures were ambiguous (a timeout or an
// InternalFailure may have written the record, so its retry may duplicate it).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "harness/kinesis_client.h"
#include "tests/soak/ledger.h"

namespace kinesim::soak {

struct ProducerOptions {
  std::string endpoint;
  std::string stream;
  uint32_t first_key = 0;  // owns keys first_key .. first_key + keys - 1
  uint32_t keys = 4;
  // Pause between calls (with jitter of up to half of it either way): the producer's pace.
  std::chrono::milliseconds pause{40};
  // Per call; shorter than the soak's injected latency, so a held-back answer times out after
  // its record was written and the retry duplicates it, as in real life.
  long timeout_ms = 2000;
  // After stop, how long a record still in flight is retried before it is abandoned.
  std::chrono::milliseconds give_up_after{5000};
  uint64_t seed = 1;
};

struct ProducerStats {
  int64_t put_record_calls = 0;
  int64_t put_records_calls = 0;
  int64_t records_sent = 0;  // attempts, retries included
  int64_t records_acked = 0;
  int64_t definite_retries = 0;   // after a throttle: nothing was written
  int64_t ambiguous_retries = 0;  // after a timeout or InternalFailure: maybe written
  int64_t abandoned = 0;
  std::map<std::string, int64_t> errors;      // every failure, by AWS error type
  std::map<std::string, int64_t> unexpected;  // the ones a healthy server never gives
  std::string last_transport_error;

  void add(const ProducerStats& o);
};

class Producer {
 public:
  explicit Producer(ProducerOptions options);

  // Puts until `stop` is set, then finishes the records in flight (or abandons them after
  // give_up_after). Call once, on the producer's own thread.
  void run(const std::atomic<bool>& stop);

  // Valid after run() returned.
  const std::vector<KeyLedger>& ledgers() const { return ledgers_; }
  const ProducerStats& stats() const { return stats_; }

 private:
  enum class Failure { kNone, kDefinite, kAmbiguous };

  void put_one(harness::KinesisClient& client, uint32_t slot, const std::atomic<bool>& stop);
  void put_batch(harness::KinesisClient& client, const std::atomic<bool>& stop);
  // Counts a failed attempt with error `type` and says how it bears on duplicates.
  Failure classify(const std::string& type);
  void note_failure(uint32_t slot, Failure f);
  // True once stop was seen more than give_up_after ago (and remembers when it was first seen).
  bool giving_up(const std::atomic<bool>& stop);
  void backoff();

  ProducerOptions o_;
  std::vector<KeyLedger> ledgers_;  // by slot: key first_key + slot
  ProducerStats stats_;
  std::mt19937_64 rng_;
  std::chrono::steady_clock::time_point stop_seen_{};
};

}  // namespace kinesim::soak
