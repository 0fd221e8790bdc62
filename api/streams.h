// Naming streams, shards and consumers the way Kinesis does: StreamName or StreamARN to a
// StreamKey, ARNs, shard ids, the errors for things that do not exist or are busy, and the
// members several operations write.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "storage/catalog.h"

namespace kinesim::api {

// ---------------------------------------------------------------------------------------------
// ARNs

// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME
std::string stream_arn(const StreamKey& key);
std::optional<StreamKey> parse_stream_arn(std::string_view arn);

// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:CREATION_SECOND
std::string consumer_arn(const StreamKey& stream, std::string_view consumer, int64_t created_ms);
struct ConsumerArn {
  StreamKey stream;
  std::string consumer;
  int64_t created_s = 0;
};
std::optional<ConsumerArn> parse_consumer_arn(std::string_view arn);

// The stream a request names with StreamName and/or StreamARN (members of `in`), in the
// caller's account and region unless the ARN says otherwise.
std::optional<Error> stream_key(const Call& call, const Input& in, StreamKey& out);

// ---------------------------------------------------------------------------------------------
// Shard ids

// "shardId-000000000007" for index 7.
std::string shard_id(int64_t index);
// Kinesis reads a shard id by the part after its first '-' (or the whole id when it has none),
// which must be a decimal number of at most 2147483647: "shard-3", "x-03", "3" and
// "shardId-000000000003" all name shard 3. nullopt when the id does not parse.
std::optional<int64_t> parse_shard_id(std::string_view id);

// ---------------------------------------------------------------------------------------------
// Errors

// "Stream NAME under account ACCOUNT not found."
Error stream_not_found(const StreamKey& key);
// GetShardIterator's: "Shard shardId-… in stream NAME under account ACCOUNT does not exist".
Error shard_not_found(const StreamKey& key, std::string_view shard_id);
// The other operations': "Could not find shard ID in stream NAME under account ACCOUNT."
Error could_not_find_shard(const StreamKey& key, std::string_view shard_id);
// "Stream NAME under account ACCOUNT not ACTIVE, instead in state UPDATING"
Error stream_not_active(const StreamKey& key, StreamStatus status);
// ProvisionedThroughputExceededException for one shard.
Error throughput_exceeded(const StreamKey& key, int64_t shard_index);
// The shard-limit LimitExceededException (CreateStream, SplitShard, MergeShards).
Error shard_limit_exceeded(const StreamKey& key, int64_t current, int64_t limit, int64_t adding);
// The on-demand stream LimitExceededException (CreateStream, UpdateStreamMode).
Error on_demand_limit_exceeded(const StreamKey& key, int64_t current, int64_t limit);
// The error for a failed storage call; kNotFound becomes stream_not_found(key), kLimitExceeded
// with detail 1 on_demand_limit_exceeded().
Error storage_error(const Status& s, const StreamKey& key);

// ---------------------------------------------------------------------------------------------
// Looking streams up

// The stream as committed, unless it has finished deleting; ResourceNotFoundException otherwise.
std::optional<Error> find_stream(const Call& call, const StreamKey& key,
                                 std::shared_ptr<const StreamInfo>& out);
// StreamCreationTimestamp (ListShards, ListStreamConsumers) tells apart streams that had the
// same name: ResourceNotFoundException when `in` gives one that is not `stream`'s creation second.
std::optional<Error> check_creation_timestamp(const Input& in, const StreamInfo& stream);
// ResourceInUseException unless the stream is ACTIVE at `now_ms`.
std::optional<Error> require_active(const StreamInfo& stream, int64_t now_ms);

const char* stream_mode_name(StreamMode mode);
const char* stream_status_name(StreamStatus status);

// ---------------------------------------------------------------------------------------------
// Warm throughput (CreateStream, UpdateStreamMode, UpdateStreamWarmThroughput)

// The most warm throughput an on-demand stream may ask for: 10 GiBps.
constexpr int64_t kMaxWarmThroughputMiBps = 10 * 1024;
// ValidationException: warm throughput asked for a stream that is not (to be) ON_DEMAND.
Error warm_throughput_needs_on_demand();
// Whether the stream's account may ask for `mibps` of warm throughput now: LimitExceededException
// above kMaxWarmThroughputMiBps, ValidationException unless the account's
// MinimumThroughputBillingCommitment is in force.
std::optional<Error> check_warm_throughput(const Call& call, const StreamKey& key, int64_t mibps);

// ---------------------------------------------------------------------------------------------
// Changes checked inside the store's writer

// A check that runs inside the store's writer (a StreamChange or a reshard planner), where it
// sees the stream as it will be changed, and refuses with an AWS error. The error travels back
// through a shared slot to the callback, which runs on the same thread.
class Refusal {
 public:
  Refusal() : error_(std::make_shared<std::optional<Error>>()) {}
  // Records `e` and returns the Status that makes the store refuse the change.
  Status operator()(Error e) const;
  // The answer for a storage status: the refusal if there was one, else storage_error(s, key).
  Error error_for(const Status& s, const StreamKey& key) const;

 private:
  std::shared_ptr<std::optional<Error>> error_;
};

// Runs `change` on the stream's settings inside the writer and answers an empty 200, or
// `on_success` when given. `change` returns an error to refuse; with `updating`, the stream is
// UPDATING for the configured delay afterwards.
using SettingsChange = std::function<std::optional<Error>(StreamInfo& stream, int64_t now_ms)>;
void change_stream(Call& call, const StreamKey& key, bool updating, SettingsChange change,
                   std::function<void(const Reply&)> on_success = nullptr);

// ---------------------------------------------------------------------------------------------
// Members several operations write

// Writes one Shard object (ShardId, parents, HashKeyRange, SequenceNumberRange).
void write_shard(Output& out, const ShardInfo& shard);
// HashKeyRange: {"StartingHashKey": ..., "EndingHashKey": ...}
void write_hash_key_range(Output& out, const HashKeyRange& range);
// StreamModeDetails: {"StreamMode": ...}
void write_stream_mode(Output& out, const StreamInfo& stream);
// The members StreamDescription and StreamDescriptionSummary share: name, ARN, status, mode,
// retention, creation time, enhanced monitoring and encryption.
void write_stream_description_common(Output& out, const StreamInfo& stream, int64_t now_ms);

// Enhanced monitoring: the metric names Kinesis knows, in the model's order, as bits of
// StreamInfo::shard_metrics.
const std::vector<std::string>& shard_level_metric_names();
// The names of the metrics set in `bits`, in the model's order.
std::vector<std::string> shard_level_metrics(uint32_t bits);
// The bits a ShardLevelMetrics list names (validated against the model's enum); "ALL" names
// every metric.
uint32_t shard_level_metric_bits(const Input& names);
// Enable/DisableEnhancedMonitoring's answer: the stream, and its metrics before (Current) and
// after (Desired) the call.
void write_enhanced_monitoring(Output& out, const StreamKey& key, uint32_t current,
                               uint32_t desired);

}  // namespace kinesim::api
