#include "api/streams.h"

#include <cstdio>

namespace kinesim::api {

std::string stream_arn(const StreamKey& key) {
  return "arn:aws:kinesis:" + key.region + ":" + key.account + ":stream/" + key.name;
}

std::optional<StreamKey> parse_stream_arn(std::string_view arn) {
  // arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME
  std::string_view parts[6];
  for (int i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  if (parts[0] != "arn" || parts[2] != "kinesis" || parts[3].empty() || parts[4].empty()) {
    return std::nullopt;
  }
  constexpr std::string_view kPrefix = "stream/";
  if (parts[5].substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view name = parts[5].substr(kPrefix.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  return StreamKey{std::string(parts[4]), std::string(parts[3]), std::string(name)};
}

std::optional<Error> stream_key(const Call& call, const Input& in, StreamKey& out) {
  auto name = in["StreamName"].str();
  auto arn = in["StreamARN"].str();
  if (arn) {
    auto key = parse_stream_arn(*arn);
    if (!key) return errors::invalid_argument("Invalid StreamARN: " + std::string(*arn));
    if (name && *name != key->name) {
      return errors::invalid_argument("StreamARN " + std::string(*arn) +
                                      " does not match StreamName " + std::string(*name) + ".");
    }
    out = std::move(*key);
    return std::nullopt;
  }
  if (!name) {
    return errors::validation("Either StreamName or StreamARN should be provided.");
  }
  out = StreamKey{call.caller.account, call.caller.region, std::string(*name)};
  return std::nullopt;
}

std::string shard_id(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012lld", static_cast<long long>(index));
  return buf;
}

std::optional<int64_t> parse_shard_id(std::string_view id) {
  // Kinesis accepts the bare number as well as the full "shardId-" form.
  constexpr std::string_view kPrefix = "shardId-";
  if (id.substr(0, kPrefix.size()) == kPrefix) id.remove_prefix(kPrefix.size());
  if (id.empty() || id.size() > 12) return std::nullopt;
  int64_t v = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Error stream_not_found(const StreamKey& key) {
  return errors::resource_not_found("Stream " + key.name + " under account " + key.account +
                                    " not found.");
}

Error throughput_exceeded(const StreamKey& key, int64_t shard_index) {
  return errors::make("ProvisionedThroughputExceededException",
                      "Rate exceeded for shard " + shard_id(shard_index) + " in stream " +
                          key.name + " under account " + key.account + ".");
}

Error shard_not_found(const StreamKey& key, std::string_view shard) {
  return errors::resource_not_found("Shard " + std::string(shard) + " in stream " + key.name +
                                    " under account " + key.account + " does not exist");
}

Error storage_error(const Status& s, const StreamKey& key) {
  switch (s.code) {
    case StatusCode::kNotFound:
      return stream_not_found(key);
    case StatusCode::kAlreadyExists:
      return errors::resource_in_use("Stream " + key.name + " under account " + key.account +
                                     " already exists.");
    case StatusCode::kInvalid:
      return errors::invalid_argument(s.message);
    default:
      return errors::internal(s.message.empty() ? "Internal failure" : s.message);
  }
}

const char* stream_mode_name(StreamMode mode) {
  return mode == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

std::optional<Error> find_stream(const Call& call, const StreamKey& key,
                                 std::shared_ptr<const StreamInfo>& out) {
  out = call.store().catalog()->find(key);
  if (!out) return stream_not_found(key);
  return std::nullopt;
}

}  // namespace kinesim::api

namespace kinesim::api {

void write_shard(Output& out, const StreamInfo& stream, const ShardInfo& shard) {
  out.begin_object();
  out.field("ShardId", shard_id(shard.index));
  if (shard.parent_index) out.field("ParentShardId", shard_id(*shard.parent_index));
  if (shard.adjacent_parent_index) {
    out.field("AdjacentParentShardId", shard_id(*shard.adjacent_parent_index));
  }
  out.key("HashKeyRange");
  out.begin_object();
  out.field("StartingHashKey", to_decimal(shard.range.start));
  out.field("EndingHashKey", to_decimal(shard.range.end));
  out.end_object();
  out.key("SequenceNumberRange");
  out.begin_object();
  out.field("StartingSequenceNumber", SequenceNumber{stream.id, shard.index, 0}.str());
  if (shard.ending_counter) {
    out.field("EndingSequenceNumber",
              SequenceNumber{stream.id, shard.index, *shard.ending_counter}.str());
  }
  out.end_object();
  out.end_object();
}

void write_stream_mode(Output& out, const StreamInfo& stream) {
  out.key("StreamModeDetails");
  out.begin_object();
  out.field("StreamMode", stream_mode_name(stream.mode));
  out.end_object();
}

void write_stream_description_common(Output& out, const StreamInfo& stream) {
  out.field("StreamName", stream.key.name);
  out.field("StreamARN", stream_arn(stream.key));
  out.field("StreamStatus", stream_status(stream));
  write_stream_mode(out, stream);
  out.field("RetentionPeriodHours", int64_t{stream.retention_hours});
  out.key("StreamCreationTimestamp");
  out.timestamp_ms(stream.created_ms);
  out.key("EnhancedMonitoring");
  out.begin_array();
  out.begin_object();
  out.key("ShardLevelMetrics");
  out.begin_array();
  out.end_array();
  out.end_object();
  out.end_array();
  out.field("EncryptionType", "NONE");
}

const char* stream_status(const StreamInfo&) { return "ACTIVE"; }

}  // namespace kinesim::api
