// Records on the wire: what PutRecord and PutRecords share (turning one request entry into a
// record to store, with Kinesis' limits and errors), and what GetRecords and SubscribeToShard
// share (writing stored records and the end of a closed shard).
#pragma once

#include <cstddef>
#include <optional>

#include "api/call.h"
#include "api/codec.h"
#include "storage/catalog.h"
#include "storage/store.h"

namespace kinesim::api {

// A PutRecords request carries at most this many bytes of data and partition keys.
constexpr size_t kMaxPutRecordsRequestBytes = 10 * 1024 * 1024;

// Reads Data, PartitionKey and ExplicitHashKey of `entry` into `out`: InvalidArgumentException
// for an ExplicitHashKey outside [0, 2^128 - 1].
std::optional<Error> read_record(const Input& entry, RecordToPut& out);

// Checks every record against the stream's maximum record size, as Kinesis does: data over the
// limit is a ValidationException naming each such record ('data', or 'records.N.member.data'
// for PutRecords, at most ten); data within it but over with the partition key is an
// InvalidArgumentException.
std::optional<Error> check_record_sizes(const StreamInfo& stream,
                                        const std::vector<RecordToPut>& records, bool batch);

class ThroughputLimiter;

// With throughput limits on, takes room for `record` on the shard it goes to; returns that
// shard's index when the shard is full this second (the record must then be refused).
std::optional<int64_t> refused_by_shard(ThroughputLimiter* limiter, const StreamInfo& stream,
                                        const RecordToPut& record);

// One Record object (SequenceNumber, ApproximateArrivalTimestamp, Data, PartitionKey and, when
// the stream encrypted it, EncryptionType), with `sequence` writing the shard's numbers.
void write_record(Output& out, const SequenceNumberWriter& sequence, const StoredRecord& record);

// ChildShards: the shards that continue `shard`, made by the reshard that closed it.
void write_child_shards(Output& out, const StreamInfo& stream, const ShardInfo& shard);

}  // namespace kinesim::api
