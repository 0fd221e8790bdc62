// PutRecords: up to 500 records committed together. Every record gets its own result entry,
// in request order; FailedRecordCount counts the entries that carry an ErrorCode.
#include "api/ops/ops.h"
#include "api/records.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void PutRecords(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  const Input entries = call.in["Records"];
  std::vector<RecordToPut> records(entries.size());
  size_t total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (auto e = read_record(entries.at(i), records[i])) return call.reply.fail(*e);
    total += records[i].data.size() + records[i].partition_key.size();
  }
  if (auto e = check_record_sizes(*stream, records, true)) return call.reply.fail(*e);
  if (total > kMaxPutRecordsRequestBytes) {
    return call.reply.fail(errors::invalid_argument("Records size exceeds 10 MB limit"));
  }
  Reply reply = call.reply;
  call.store().put_records(key, std::move(records), [reply, key](Result<std::vector<PutResult>> r) {
    if (!r.ok()) return reply.fail(storage_error(r.status(), key));
    reply.ok([&](Output& out) {
      out.begin_object();
      out.field("FailedRecordCount", int64_t{0});
      out.key("Records");
      out.begin_array();
      for (const PutResult& p : r.value()) {
        out.begin_object();
        out.field("SequenceNumber", p.sequence_number.str());
        out.field("ShardId", shard_id(p.shard_index));
        out.end_object();
      }
      out.end_array();
      out.end_object();
    });
  });
}

}  // namespace kinesim::api::ops
