#include "api/streams.h"

#include <cstdio>

namespace kinesim::api {

// ---------------------------------------------------------------------------------------------
// ARNs

std::string stream_arn(const StreamKey& key) {
  return "arn:aws:kinesis:" + key.region + ":" + key.account + ":stream/" + key.name;
}

namespace {

// Splits arn:PARTITION:kinesis:REGION:ACCOUNT:RESOURCE into its parts; nullopt unless it is a
// Kinesis ARN with a region and an account.
struct ArnParts {
  std::string_view region, account, resource;
};
std::optional<ArnParts> split_arn(std::string_view arn) {
  std::string_view parts[5];
  for (auto& part : parts) {
    const size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    part = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[1].substr(0, 3) != "aws" || parts[2] != "kinesis" ||
      parts[3].empty() || parts[4].empty()) {
    return std::nullopt;
  }
  return ArnParts{parts[3], parts[4], arn};
}

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<StreamKey> parse_stream_arn(std::string_view arn) {
  auto parts = split_arn(arn);
  if (!parts) return std::nullopt;
  constexpr std::string_view kPrefix = "stream/";
  if (parts->resource.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view name = parts->resource.substr(kPrefix.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  return StreamKey{std::string(parts->account), std::string(parts->region), std::string(name)};
}

std::string consumer_arn(const StreamKey& stream, std::string_view consumer, int64_t created_ms) {
  return stream_arn(stream) + "/consumer/" + std::string(consumer) + ":" +
         std::to_string(created_ms / 1000);
}

std::optional<ConsumerArn> parse_consumer_arn(std::string_view arn) {
  auto parts = split_arn(arn);
  if (!parts) return std::nullopt;
  // stream/NAME/consumer/CONSUMER:SECONDS
  std::string_view rest = parts->resource;
  constexpr std::string_view kStream = "stream/", kConsumer = "/consumer/";
  if (rest.substr(0, kStream.size()) != kStream) return std::nullopt;
  rest.remove_prefix(kStream.size());
  const size_t slash = rest.find(kConsumer);
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view stream = rest.substr(0, slash);
  rest.remove_prefix(slash + kConsumer.size());
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = rest.substr(0, colon), seconds = rest.substr(colon + 1);
  if (!is_name(stream) || !is_name(name) || seconds.empty() || seconds.size() > 18) {
    return std::nullopt;
  }
  int64_t created = 0;
  for (char c : seconds) {
    if (c < '0' || c > '9') return std::nullopt;
    created = created * 10 + (c - '0');
  }
  return ConsumerArn{
      StreamKey{std::string(parts->account), std::string(parts->region), std::string(stream)},
      std::string(name), created};
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

// ---------------------------------------------------------------------------------------------
// Shard ids

std::string shard_id(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012lld", static_cast<long long>(index));
  return buf;
}

std::optional<int64_t> parse_shard_id(std::string_view id) {
  if (const size_t dash = id.find('-'); dash != std::string_view::npos) {
    id.remove_prefix(dash + 1);
    id = id.substr(0, id.find('-'));
  }
  if (id.empty()) return std::nullopt;
  int64_t v = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
    if (v > 2147483647) return std::nullopt;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Errors

Error stream_not_found(const StreamKey& key) {
  return errors::resource_not_found("Stream " + key.name + " under account " + key.account +
                                    " not found.");
}

Error shard_not_found(const StreamKey& key, std::string_view shard) {
  return errors::resource_not_found("Shard " + std::string(shard) + " in stream " + key.name +
                                    " under account " + key.account + " does not exist");
}

Error could_not_find_shard(const StreamKey& key, std::string_view shard) {
  return errors::resource_not_found("Could not find shard " + std::string(shard) + " in stream " +
                                    key.name + " under account " + key.account + ".");
}

Error stream_not_active(const StreamKey& key, StreamStatus status) {
  return errors::resource_in_use("Stream " + key.name + " under account " + key.account +
                                 " not ACTIVE, instead in state " + stream_status_name(status));
}

Error throughput_exceeded(const StreamKey& key, int64_t shard_index) {
  return errors::make("ProvisionedThroughputExceededException",
                      "Rate exceeded for shard " + shard_id(shard_index) + " in stream " +
                          key.name + " under account " + key.account + ".");
}

Error shard_limit_exceeded(const StreamKey& key, int64_t current, int64_t limit, int64_t adding) {
  return errors::limit_exceeded(
      "This request would exceed the shard limit for the account " + key.account + " in " +
      key.region + ". Current shard count for the account: " + std::to_string(current) +
      ". Limit: " + std::to_string(limit) +
      ". Number of additional shards that would have resulted from this request: " +
      std::to_string(adding) +
      ". Refer to the AWS Service Limits page "
      "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
      "limits and how to request higher limits.");
}

Error on_demand_limit_exceeded(const StreamKey& key, int64_t current, int64_t limit) {
  return errors::limit_exceeded(
      "This request would exceed the limit of ON_DEMAND streams for the account " + key.account +
      " in " + key.region + ". Current ON_DEMAND stream count for the account: " +
      std::to_string(current) + ". Limit: " + std::to_string(limit) + ".");
}

Error storage_error(const Status& s, const StreamKey& key) {
  switch (s.code) {
    case StatusCode::kLimitExceeded:
      if (s.detail == 1) return on_demand_limit_exceeded(key, s.current, s.limit);
      return errors::limit_exceeded(s.message);
    case StatusCode::kNotFound:
      return stream_not_found(key);
    case StatusCode::kAlreadyExists:
      return errors::resource_in_use("Stream " + key.name + " under account " + key.account +
                                     " already exists.");
    case StatusCode::kInUse:
      if (s.detail >= 0) return stream_not_active(key, static_cast<StreamStatus>(s.detail));
      return errors::resource_in_use(s.message);
    case StatusCode::kInvalid:
      return errors::invalid_argument(s.message);
    default:
      return errors::internal(s.message.empty() ? "Internal failure" : s.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Looking streams up

std::optional<Error> find_stream(const Call& call, const StreamKey& key,
                                 std::shared_ptr<const StreamInfo>& out) {
  out = call.store().catalog().find(key);
  if (!out || out->status_at(call.now_ms()) == StreamStatus::kGone) {
    out = nullptr;
    return stream_not_found(key);
  }
  return std::nullopt;
}

std::optional<Error> check_creation_timestamp(const Input& in, const StreamInfo& stream) {
  auto created = in["StreamCreationTimestamp"].timestamp_ms();
  // Seconds are what clients see of the creation time.
  if (!created || *created / 1000 == stream.created_ms / 1000) return std::nullopt;
  return stream_not_found(stream.key);
}

std::optional<Error> require_active(const StreamInfo& stream, int64_t now_ms) {
  const StreamStatus status = stream.status_at(now_ms);
  if (status == StreamStatus::kActive) return std::nullopt;
  return stream_not_active(stream.key, status);
}

const char* stream_mode_name(StreamMode mode) {
  return mode == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

const char* stream_status_name(StreamStatus status) {
  switch (status) {
    case StreamStatus::kCreating:
      return "CREATING";
    case StreamStatus::kUpdating:
      return "UPDATING";
    case StreamStatus::kDeleting:
    case StreamStatus::kGone:
      return "DELETING";
    case StreamStatus::kActive:
      break;
  }
  return "ACTIVE";
}

// ---------------------------------------------------------------------------------------------
// Warm throughput

Error warm_throughput_needs_on_demand() {
  return errors::validation(
      "WarmThroughputMiBps can only be specified for streams in ON_DEMAND mode.");
}

std::optional<Error> check_warm_throughput(const Call& call, const StreamKey& key, int64_t mibps) {
  if (mibps > kMaxWarmThroughputMiBps) {
    return errors::limit_exceeded(
        "WarmThroughputMiBps " + std::to_string(mibps) + " exceeds the limit of " +
        std::to_string(kMaxWarmThroughputMiBps) + " MiBps for an on-demand stream.");
  }
  auto settings = call.store().account_settings(key.account, key.region);
  if (!settings.ok()) return storage_error(settings.status(), key);
  if (!settings->committed_at(call.now_ms())) {
    return errors::validation(
        "Account isn't opted in to MinimumThroughputBillingCommitment, which warm throughput "
        "requires.");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Changes checked inside the store's writer

Status Refusal::operator()(Error e) const {
  *error_ = std::move(e);
  return Status::Error(StatusCode::kInvalid, "refused");
}

Error Refusal::error_for(const Status& s, const StreamKey& key) const {
  if (*error_) return **error_;
  return storage_error(s, key);
}

void change_stream(Call& call, const StreamKey& key, bool updating, SettingsChange change,
                   std::function<void(const Reply&)> on_success) {
  Refusal refuse;
  Reply reply = call.reply;
  call.store().update_stream(
      key, updating,
      [refuse, change = std::move(change)](StreamInfo& stream, int64_t now) -> Status {
        if (auto e = change(stream, now)) return refuse(std::move(*e));
        return Status::Ok();
      },
      [reply, refuse, key, on_success = std::move(on_success)](Status s) {
        if (!s.ok()) return reply.fail(refuse.error_for(s, key));
        if (on_success) return on_success(reply);
        reply.ok_empty();
      });
}

// ---------------------------------------------------------------------------------------------
// Members several operations write

void write_hash_key_range(Output& out, const HashKeyRange& range) {
  out.key("HashKeyRange");
  out.begin_object();
  out.field("StartingHashKey", to_decimal(range.start));
  out.field("EndingHashKey", to_decimal(range.end));
  out.end_object();
}

void write_shard(Output& out, const ShardInfo& shard) {
  out.begin_object();
  out.field("ShardId", shard_id(shard.index));
  if (shard.parent_index) out.field("ParentShardId", shard_id(*shard.parent_index));
  if (shard.adjacent_parent_index) {
    out.field("AdjacentParentShardId", shard_id(*shard.adjacent_parent_index));
  }
  write_hash_key_range(out, shard.range);
  out.key("SequenceNumberRange");
  out.begin_object();
  out.field("StartingSequenceNumber", shard.starting_sequence_number().str());
  if (!shard.open()) out.field("EndingSequenceNumber", shard.ending_sequence_number().str());
  out.end_object();
  out.end_object();
}

void write_stream_mode(Output& out, const StreamInfo& stream) {
  out.key("StreamModeDetails");
  out.begin_object();
  out.field("StreamMode", stream_mode_name(stream.mode));
  out.end_object();
}

void write_stream_description_common(Output& out, const StreamInfo& stream, int64_t now_ms) {
  out.field("StreamName", stream.key.name);
  out.field("StreamARN", stream_arn(stream.key));
  out.field("StreamStatus", stream_status_name(stream.status_at(now_ms)));
  write_stream_mode(out, stream);
  out.field("RetentionPeriodHours", int64_t{stream.retention_hours});
  out.key("StreamCreationTimestamp");
  out.timestamp_ms(stream.created_ms);
  out.key("EnhancedMonitoring");
  out.begin_array();
  out.begin_object();
  out.key("ShardLevelMetrics");
  out.begin_array();
  for (const auto& name : shard_level_metrics(stream.shard_metrics)) out.string(name);
  out.end_array();
  out.end_object();
  out.end_array();
  out.field("EncryptionType", stream.encrypted() ? "KMS" : "NONE");
  if (stream.encrypted()) out.field("KeyId", stream.kms_key_id);
}

const std::vector<std::string>& shard_level_metric_names() {
  static const std::vector<std::string> names = {"IncomingBytes",
                                                 "IncomingRecords",
                                                 "OutgoingBytes",
                                                 "OutgoingRecords",
                                                 "WriteProvisionedThroughputExceeded",
                                                 "ReadProvisionedThroughputExceeded",
                                                 "IteratorAgeMilliseconds"};
  return names;
}

uint32_t shard_level_metric_bits(const Input& names) {
  const auto& known = shard_level_metric_names();
  uint32_t bits = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string_view name = names.at(i).str().value_or("");
    if (name == "ALL") return (1u << known.size()) - 1;
    for (size_t b = 0; b < known.size(); ++b) {
      if (known[b] == name) bits |= 1u << b;
    }
  }
  return bits;
}

void write_enhanced_monitoring(Output& out, const StreamKey& key, uint32_t current,
                               uint32_t desired) {
  out.begin_object();
  out.field("StreamName", key.name);
  out.field("StreamARN", stream_arn(key));
  for (auto [member, bits] : {std::pair{"CurrentShardLevelMetrics", current},
                              std::pair{"DesiredShardLevelMetrics", desired}}) {
    out.key(member);
    out.begin_array();
    for (const auto& name : shard_level_metrics(bits)) out.string(name);
    out.end_array();
  }
  out.end_object();
}

std::vector<std::string> shard_level_metrics(uint32_t bits) {
  std::vector<std::string> out;
  const auto& names = shard_level_metric_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (bits & (1u << i)) out.push_back(names[i]);
  }
  return out;
}

}  // namespace kinesim::api
