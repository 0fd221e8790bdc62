// The Kinesis Producer Library's aggregation format, for tests of producers and consumers that
// pack many small "user records" into one Kinesis record, as the KPL does and the KCL unpacks.
//
// An aggregated record's Data is
//   magic F3 89 9A C2 | protobuf AggregatedRecord (harness/kpl.proto) | MD5 of the protobuf bytes
// The AggregatedRecord holds a table of partition keys, a table of explicit hash keys, and the
// user records, each pointing into the tables by index.
//
//   namespace kpl = kinesim::harness::kpl;
//   kpl::put_aggregated(client, "orders", {{"u1", "", "a"}, {"u2", "", "b"}}).value();
//   for (const Record& r : DrainStream(client, "orders").value()) {
//     if (auto users = kpl::deaggregate(r.data)) { ... } else { ... r is a plain record ... }
//   }
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim::harness::kpl {

// The bytes every aggregated record's Data starts with.
inline constexpr std::string_view kMagic{"\xF3\x89\x9A\xC2", 4};
constexpr size_t kDigestBytes = 16;  // MD5
// A Kinesis record's limit: Data and partition key together (the default maximum record size).
constexpr size_t kMaxRecordBytes = 1024 * 1024;

struct UserRecord {
  std::string partition_key;
  std::string explicit_hash_key;  // "" for none
  std::string data;

  bool operator==(const UserRecord&) const = default;
};

// The Data of one aggregated record holding `records` in order, each distinct key once in its
// table. Tags are never written.
std::string aggregate(const std::vector<UserRecord>& records);

// Whether `data` starts with the magic. It may still be malformed; deaggregate() tells.
bool is_aggregated(std::string_view data);

// The user records of an aggregated record, in order; nullopt when `data` is not one: no magic,
// too short, an MD5 that does not match, protobuf that does not parse or lacks a required field,
// or a key index outside its table. Consumers of the format then take the Kinesis record as one
// plain user record, unchanged. Tags are read and dropped.
std::optional<std::vector<UserRecord>> deaggregate(std::string_view data);

// The records a consumer sees for one Kinesis record: its user records when it is aggregated,
// each keeping the Kinesis record's shard, sequence number and arrival time but with its own
// partition key and data; otherwise the record itself, unchanged.
std::vector<Record> expand(const Record& record);

// Packs user records into aggregated records that stay within the Kinesis record limit,
// counting the size exactly as it will be sent.
//
// The outer record's partition key is the first user record's, and its ExplicitHashKey the
// first user record's explicit hash key when it has one (none otherwise), so the aggregated
// record lands on the shard its first user record would have gone to on its own. The KPL sends
// the first record's hash key as an ExplicitHashKey and a placeholder partition key; the shard
// is the same, and the first partition key is easier to recognise in a test's GetRecords.
class Aggregator {
 public:
  explicit Aggregator(size_t max_record_bytes = kMaxRecordBytes) : max_(max_record_bytes) {}

  // Adds `record` when the aggregated record, with its partition key, still fits the limit;
  // false, changing nothing, when it would not (put what was gathered and start again; a record
  // refused by an empty Aggregator can never fit).
  bool add(UserRecord record);
  // What add(record) would make size_bytes(), fitting or not.
  size_t size_with(const UserRecord& record) const;
  // The aggregated record's Data plus its partition key, as they would be sent now; 0 when
  // empty.
  size_t size_bytes() const { return records_.empty() ? 0 : kFixedBytes + body_ + outer_key(); }

  size_t count() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const std::vector<UserRecord>& records() const { return records_; }

  // The PutRecords entry of what was gathered (it must not be empty); it stays gathered.
  PutRecordsEntry entry() const;
  void clear();

 private:
  static constexpr size_t kFixedBytes = kMagic.size() + kDigestBytes;

  size_t outer_key() const { return records_.front().partition_key.size(); }

  size_t max_;
  std::vector<UserRecord> records_;
  std::unordered_map<std::string, size_t> partition_keys_;
  std::unordered_map<std::string, size_t> hash_keys_;
  size_t body_ = 0;  // the protobuf bytes
};

// Aggregates `records` into as few records as fit the limit and puts them with one PutRecords
// call (so at most 500 aggregated records). A user record too large to fit on its own fails the
// call with a "ClientError" before anything is sent.
Result<PutRecordsResult> put_aggregated(KinesisClient& client, std::string_view stream,
                                        const std::vector<UserRecord>& records);

}  // namespace kinesim::harness::kpl
