// PutRecord: one record into the shard that owns its hash key; answered once committed.
#include "api/ops/ops.h"
#include "api/records.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void PutRecord(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  if (auto ordering = call.in["SequenceNumberForOrdering"].str()) {
    // Sequence numbers here always increase, so a valid one needs no further action.
    if (!SequenceNumber::parse(*ordering)) {
      return call.reply.fail(
          errors::invalid_argument("ExclusiveMinimumSequenceNumber " + std::string(*ordering) +
                                   " used in PutRecord on stream " + key.name + " under account " +
                                   key.account + " is invalid."));
    }
  }
  std::vector<RecordToPut> records(1);
  if (auto e = read_record(call.in, records[0])) return call.reply.fail(*e);
  if (auto e = check_record_sizes(*stream, records, false)) return call.reply.fail(*e);
  if (auto full = refused_by_shard(call.services.limiter, *stream, records[0])) {
    return call.reply.fail(throughput_exceeded(key, *full));
  }
  Reply reply = call.reply;
  call.store().put_records(key, std::move(records), [reply, key](Result<std::vector<PutResult>> r) {
    if (!r.ok()) return reply.fail(storage_error(r.status(), key));
    const PutResult& p = r.value().front();
    reply.ok([&](Output& out) {
      out.begin_object();
      out.field("ShardId", shard_id(p.shard_index));
      out.field("SequenceNumber", p.sequence_number.str());
      out.end_object();
    });
  });
}

}  // namespace kinesim::api::ops
