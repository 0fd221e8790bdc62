// Naming streams and shards the way Kinesis does: StreamName or StreamARN to a StreamKey,
// ARNs, shard ids, and the errors for streams and shards that do not exist.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "storage/catalog.h"

namespace kinesim::api {

// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME
std::string stream_arn(const StreamKey& key);
std::optional<StreamKey> parse_stream_arn(std::string_view arn);

// The stream a request names with StreamName and/or StreamARN (members of `in`), in the
// caller's account and region unless the ARN says otherwise.
std::optional<Error> stream_key(const Call& call, const Input& in, StreamKey& out);

// "shardId-000000000007" for index 7, and back (nullopt for anything else).
std::string shard_id(int64_t index);
std::optional<int64_t> parse_shard_id(std::string_view id);

Error stream_not_found(const StreamKey& key);
// ProvisionedThroughputExceededException for one shard.
Error throughput_exceeded(const StreamKey& key, int64_t shard_index);
Error shard_not_found(const StreamKey& key, std::string_view shard_id);
// The error for a failed storage call; kNotFound becomes stream_not_found(key).
Error storage_error(const Status& s, const StreamKey& key);

const char* stream_mode_name(StreamMode mode);

// Looks the stream up in the current catalog; fails with ResourceNotFoundException.
std::optional<Error> find_stream(const Call& call, const StreamKey& key,
                                 std::shared_ptr<const StreamInfo>& out);

}  // namespace kinesim::api

namespace kinesim::api {

// Writes one Shard object (ShardId, parents, HashKeyRange, SequenceNumberRange).
void write_shard(Output& out, const StreamInfo& stream, const ShardInfo& shard);
// StreamModeDetails: {"StreamMode": ...}
void write_stream_mode(Output& out, const StreamInfo& stream);
// The members StreamDescription and StreamDescriptionSummary share: name, ARN, status, mode,
// retention, creation time, enhanced monitoring and encryption.
void write_stream_description_common(Output& out, const StreamInfo& stream);
// A stream's status as clients see it.
const char* stream_status(const StreamInfo& stream);

}  // namespace kinesim::api
