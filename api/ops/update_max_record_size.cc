// UpdateMaxRecordSize: sets the largest record (data, in KiB) the stream accepts, 1024..10240 (the
// model's range, checked before this handler). PutRecord and PutRecords hold records to it from
// the next request on. The stream is UPDATING for the configured delay.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void UpdateMaxRecordSize(Call& call) {
  // The operation names its stream by ARN only (the model has no StreamName).
  auto arn = call.in["StreamARN"].str();
  if (!arn) return call.reply.fail(errors::validation("StreamARN should be provided."));
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const auto kib = static_cast<int32_t>(*call.in["MaxRecordSizeInKiB"].integer());
  change_stream(call, key, true, [kib](StreamInfo& stream, int64_t now) -> std::optional<Error> {
    if (auto e = require_active(stream, now)) return e;
    stream.max_record_size_kib = kib;
    return std::nullopt;
  });
}

}  // namespace kinesim::api::ops
