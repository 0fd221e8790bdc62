// What PutRecord and PutRecords share: turning one request entry into a record to store, with
// Kinesis' limits and errors.
#pragma once

#include <cstddef>
#include <optional>

#include "api/call.h"
#include "storage/catalog.h"
#include "storage/store.h"

namespace kinesim::api {

// A PutRecords request carries at most this many bytes of data and partition keys.
constexpr size_t kMaxPutRecordsRequestBytes = 10 * 1024 * 1024;

// Reads Data, PartitionKey and ExplicitHashKey of `entry` into `out`: InvalidArgumentException
// for an ExplicitHashKey outside [0, 2^128 - 1] or a record over the stream's maximum size.
std::optional<Error> read_record(const StreamInfo& stream, const Input& entry, RecordToPut& out);

}  // namespace kinesim::api
