// PutRecord: one record into the shard that owns its hash key; answered once committed.
#include <algorithm>
#include <chrono>

#include "api/metrics.h"
#include "api/ops/ops.h"
#include "api/records.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {

// SequenceNumberForOrdering: records here are always ordered by arrival, so Kinesis only checks
// that the number is one it could have written (any shard, any stream), not yet from the future.
// A shard made by a reshard is numbered from the second after its parents', which may not have
// come yet: the stream's newest shard sets how late a creation second may be.
std::optional<Error> check_ordering(std::string_view text, const StreamInfo& stream,
                                    int64_t now_ms) {
  const StreamKey& key = stream.key;
  auto d = decode_sequence_number(text);
  if (d && d->version == 3) return errors::make("InternalFailure", "", 500);
  const int64_t now_s = now_ms / 1000;
  int64_t latest_created_s = now_s;
  for (const ShardInfo& shard : stream.shards->all()) {
    latest_created_s = std::max(latest_created_s, shard.sequence_format.shard_created_s);
  }
  if (d && d->version >= 0 && d->version <= 2 && d->counter_in_range &&
      d->shard_created_s <= latest_created_s && d->arrival_s <= now_s) {
    return std::nullopt;
  }
  return errors::invalid_argument("ExclusiveMinimumSequenceNumber " +
                                  (d ? d->echo : std::string(text)) +
                                  " used in PutRecord on stream " + key.name + " under account " +
                                  key.account + " is invalid.");
}

}  // namespace

void PutRecord(Call& call) {
  const auto started = std::chrono::steady_clock::now();
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  if (auto ordering = call.in["SequenceNumberForOrdering"].str()) {
    if (auto e = check_ordering(*ordering, *stream, call.now_ms())) return call.reply.fail(*e);
  }
  std::vector<RecordToPut> records(1);
  if (auto e = read_record(call.in, records[0])) return call.reply.fail(*e);
  if (auto e = check_record_sizes(*stream, records, false)) return call.reply.fail(*e);
  if (auto full = refused_by_shard(call.services.limiter, *stream, records[0])) {
    call.services.metrics->write_throttled(*stream, *full, 1);
    return call.reply.fail(throughput_exceeded(key, *full));
  }
  const uint64_t bytes = records[0].data.size() + records[0].partition_key.size();
  Reply reply = call.reply;
  Metrics* metrics = call.services.metrics;
  call.store().put_records(key, std::move(records), [=](Result<std::vector<PutResult>> r) {
    if (!r.ok()) return reply.fail(storage_error(r.status(), key));
    const PutResult& p = r.value().front();
    metrics->put(*stream, false, std::chrono::steady_clock::now() - started, 1, bytes,
                 {{p.shard_index, bytes}});
    reply.ok([&](Output& out) {
      out.begin_object();
      out.field("ShardId", shard_id(p.shard_index));
      out.field("SequenceNumber", p.sequence_number.str());
      if (p.encrypted) out.field("EncryptionType", "KMS");
      out.end_object();
    });
  });
}

}  // namespace kinesim::api::ops
