#include "api/records.h"

#include "api/streams.h"
#include "api/throughput.h"
#include "api/validation.h"

namespace kinesim::api {

std::optional<Error> read_record(const Input& entry, RecordToPut& out) {
  out.partition_key = std::string(*entry["PartitionKey"].str());
  out.data = entry["Data"].blob().value_or(std::string());
  if (auto explicit_key = entry["ExplicitHashKey"].str()) {
    auto k = parse_hash_key(*explicit_key);
    if (!k) {
      return errors::invalid_argument(
          "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
          "Specified value was " +
          std::string(*explicit_key));
    }
    out.hash_key = *k;
  } else {
    out.hash_key = hash_partition_key(out.partition_key);
  }
  return std::nullopt;
}

std::optional<Error> check_record_sizes(const StreamInfo& stream,
                                        const std::vector<RecordToPut>& records, bool batch) {
  const size_t max_bytes = static_cast<size_t>(stream.max_record_size_kib) * 1024;
  std::vector<std::string> violations;
  for (size_t i = 0; i < records.size() && violations.size() < kMaxReportedViolations; ++i) {
    if (records[i].data.size() <= max_bytes) continue;
    const std::string path = batch ? "records." + std::to_string(i + 1) + ".member.data" : "data";
    violations.push_back("Value at '" + path +
                         "' failed to satisfy constraint: Member must have length less than or "
                         "equal to " +
                         std::to_string(max_bytes));
  }
  if (!violations.empty()) return validation_error(violations);
  for (const auto& r : records) {
    if (r.data.size() + r.partition_key.size() > max_bytes) {
      return errors::invalid_argument(
          "Record size " + std::to_string(r.data.size() + r.partition_key.size()) +
          " bytes (data and partition key) exceeds the maximum record size of " +
          std::to_string(max_bytes) + " bytes of stream " + stream.key.name + ".");
    }
  }
  return std::nullopt;
}

std::optional<int64_t> refused_by_shard(ThroughputLimiter* limiter, const StreamInfo& stream,
                                        const RecordToPut& record) {
  if (!limiter || !limiter->enabled()) return std::nullopt;
  const ShardInfo* shard = stream.shard_for(record.hash_key);
  if (!shard ||
      limiter->admit_write(shard->gid, record.data.size() + record.partition_key.size())) {
    return std::nullopt;
  }
  return shard->index;
}

void write_record(Output& out, const SequenceNumberWriter& sequence, const StoredRecord& record) {
  out.begin_object();
  char seq[SequenceNumber::kLength];
  sequence.write(record.counter, record.arrival_ms / 1000, seq);
  out.field("SequenceNumber", std::string_view(seq, sizeof seq));
  out.key("ApproximateArrivalTimestamp");
  out.timestamp_ms(record.arrival_ms);
  out.key("Data");
  out.blob(record.data);
  out.field("PartitionKey", record.partition_key);
  if (record.encrypted) out.field("EncryptionType", "KMS");
  out.end_object();
}

void write_child_shards(Output& out, const StreamInfo& stream, const ShardInfo& shard) {
  out.key("ChildShards");
  out.begin_array();
  for (const ShardInfo& child : stream.shards->all()) {
    if (child.parent_index != shard.index && child.adjacent_parent_index != shard.index) continue;
    out.begin_object();
    out.field("ShardId", shard_id(child.index));
    out.key("ParentShards");
    out.begin_array();
    if (child.parent_index) out.string(shard_id(*child.parent_index));
    if (child.adjacent_parent_index) out.string(shard_id(*child.adjacent_parent_index));
    out.end_array();
    write_hash_key_range(out, child.range);
    out.end_object();
  }
  out.end_array();
}

}  // namespace kinesim::api
