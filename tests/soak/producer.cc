#include "tests/soak/producer.h"

#include <thread>

namespace kinesim::soak {
namespace {

constexpr auto kBackoff = std::chrono::milliseconds(20);

bool throttled(const std::string& type) { return type == "ProvisionedThroughputExceededException"; }

}  // namespace

void ProducerStats::add(const ProducerStats& o) {
  put_record_calls += o.put_record_calls;
  put_records_calls += o.put_records_calls;
  records_sent += o.records_sent;
  records_acked += o.records_acked;
  definite_retries += o.definite_retries;
  ambiguous_retries += o.ambiguous_retries;
  abandoned += o.abandoned;
  for (const auto& [type, n] : o.errors) errors[type] += n;
  for (const auto& [type, n] : o.unexpected) unexpected[type] += n;
}

Producer::Producer(ProducerOptions options)
    : o_(std::move(options)), ledgers_(o_.keys), rng_(o_.seed) {}

void Producer::run(const std::atomic<bool>& stop) {
  harness::KinesisClient::Options client_options;
  client_options.timeout_ms = o_.timeout_ms;
  harness::KinesisClient client(o_.endpoint, client_options);
  uint32_t next_slot = 0;
  const auto pause_ms = o_.pause.count();
  while (!stop.load()) {
    // Half the calls are PutRecords of one record per key, half PutRecord of the next key in
    // turn, so both paths carry the same keys and their order is checked across both.
    if (rng_() % 2 == 0) {
      put_batch(client, stop);
    } else {
      put_one(client, next_slot, stop);
      next_slot = (next_slot + 1) % o_.keys;
    }
    const auto jitter = pause_ms > 0 ? static_cast<int64_t>(rng_() % pause_ms) : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms / 2 + jitter));
  }
}

void Producer::put_one(harness::KinesisClient& client, uint32_t slot,
                       const std::atomic<bool>& stop) {
  KeyLedger& ledger = ledgers_[slot];
  const uint32_t key = o_.first_key + slot;
  const uint64_t counter = ledger.acked.size();
  const std::string pk = partition_key(key);
  const std::string data = payload(key, counter);
  for (;;) {
    ++stats_.put_record_calls;
    ++stats_.records_sent;
    auto put = client.put_record(o_.stream, pk, data);
    if (put.ok()) {
      ledger.acked.push_back(put->sequence_number);
      ++stats_.records_acked;
      return;
    }
    if (put.error().type == "TransportError") stats_.last_transport_error = put.error().message;
    note_failure(slot, classify(put.error().type));
    if (giving_up(stop)) {
      ledger.abandoned = counter;
      ++stats_.abandoned;
      return;
    }
    backoff();
  }
}

void Producer::put_batch(harness::KinesisClient& client, const std::atomic<bool>& stop) {
  std::vector<uint32_t> pending;
  for (uint32_t slot = 0; slot < o_.keys; ++slot) pending.push_back(slot);
  while (!pending.empty()) {
    std::vector<harness::PutRecordsEntry> entries;
    for (uint32_t slot : pending) {
      const uint32_t key = o_.first_key + slot;
      entries.push_back({partition_key(key), payload(key, ledgers_[slot].acked.size()), ""});
    }
    ++stats_.put_records_calls;
    stats_.records_sent += static_cast<int64_t>(entries.size());
    auto put = client.put_records(o_.stream, entries);
    std::vector<uint32_t> failed;
    if (!put.ok()) {
      const Failure f = classify(put.error().type);
      for (uint32_t slot : pending) note_failure(slot, f);
      failed = pending;
    } else {
      for (size_t i = 0; i < pending.size(); ++i) {
        const harness::PutRecordsResultEntry& entry = put->records.at(i);
        if (entry.ok()) {
          ledgers_[pending[i]].acked.push_back(entry.sequence_number);
          ++stats_.records_acked;
        } else {
          note_failure(pending[i], classify(entry.error_code));
          failed.push_back(pending[i]);
        }
      }
    }
    pending = std::move(failed);
    if (pending.empty()) return;
    if (giving_up(stop)) {
      for (uint32_t slot : pending) ledgers_[slot].abandoned = ledgers_[slot].acked.size();
      stats_.abandoned += static_cast<int64_t>(pending.size());
      return;
    }
    backoff();
  }
}

Producer::Failure Producer::classify(const std::string& type) {
  ++stats_.errors[type];
  if (throttled(type)) return Failure::kDefinite;
  // A timeout is how the soak's injected latency shows; anything else a healthy server would
  // not answer to these calls.
  const bool timeout = type == "TransportError";
  if (!timeout) ++stats_.unexpected[type];
  return Failure::kAmbiguous;
}

void Producer::note_failure(uint32_t slot, Failure f) {
  if (f == Failure::kDefinite) {
    ++stats_.definite_retries;
  } else if (f == Failure::kAmbiguous) {
    ++stats_.ambiguous_retries;
    ++ledgers_[slot].ambiguous_failures[ledgers_[slot].acked.size()];
  }
}

bool Producer::giving_up(const std::atomic<bool>& stop) {
  if (!stop.load()) return false;
  const auto now = std::chrono::steady_clock::now();
  if (stop_seen_ == std::chrono::steady_clock::time_point{}) stop_seen_ = now;
  return now - stop_seen_ > o_.give_up_after;
}

void Producer::backoff() { std::this_thread::sleep_for(kBackoff); }

}  // namespace kinesim::soak
