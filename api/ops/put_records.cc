// PutRecords: up to 500 records committed together. Every record gets its own result entry,
// in request order; FailedRecordCount counts the entries that carry an ErrorCode (with
// throughput limits on, the records a full shard refused, and records failed by an injected
// fault, api/faults.h). Refused records are not written.
#include <algorithm>
#include <chrono>

#include "api/faults.h"
#include "api/metrics.h"
#include "api/ops/ops.h"
#include "api/records.h"
#include "api/streams.h"
#include "api/throughput.h"

namespace kinesim::api::ops {
namespace {

// One entry of the answer: the record's place in the shard, or why it was refused.
struct Outcome {
  const PutResult* stored = nullptr;
  int64_t refused_shard = -1;
  std::string error_code;  // why it was refused
};

// A refused record: the shard it was for, and its ErrorCode.
struct Refusal {
  int64_t shard = -1;  // -1: not refused
  std::string error_code;
};

Error refusal_error(const StreamKey& key, const Outcome& o) {
  // AWS's per-record message for an internal error.
  if (o.error_code == "InternalFailure")
    return errors::make("InternalFailure", "Internal service failure.");
  return throughput_exceeded(key, o.refused_shard);
}

void write_answer(Output& out, const StreamKey& key, const std::vector<Outcome>& outcomes) {
  int64_t failed = 0;
  for (const auto& o : outcomes) failed += o.stored ? 0 : 1;
  out.begin_object();
  out.field("FailedRecordCount", failed);
  out.key("Records");
  out.begin_array();
  for (const auto& o : outcomes) {
    out.begin_object();
    if (o.stored) {
      out.field("SequenceNumber", o.stored->sequence_number.str());
      out.field("ShardId", shard_id(o.stored->shard_index));
    } else {
      const Error e = refusal_error(key, o);
      out.field("ErrorCode", e.type);
      out.field("ErrorMessage", e.message);
    }
    out.end_object();
  }
  out.end_array();
  for (const auto& o : outcomes) {
    if (o.stored && o.stored->encrypted) {
      out.field("EncryptionType", "KMS");
      break;
    }
  }
  out.end_object();
}

}  // namespace

void PutRecords(Call& call) {
  const auto started = std::chrono::steady_clock::now();
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

  // Injected faults fail chosen records; with throughput limits on, a shard that is full this
  // second refuses its records. The others are stored.
  std::vector<Refusal> refused;
  const auto injected = call.services.faults->on_records(key.name, records.size());
  const bool any_injected =
      std::any_of(injected.begin(), injected.end(), [](const auto& c) { return c.has_value(); });
  if (any_injected || call.services.limiter->enabled()) {
    refused.assign(records.size(), Refusal{});
    std::vector<RecordToPut> admitted;
    for (size_t i = 0; i < records.size(); ++i) {
      if (injected[i]) {
        const ShardInfo* shard = stream->shard_for(records[i].hash_key);
        refused[i] = Refusal{shard ? shard->index : 0, *injected[i]};
      } else if (auto full = refused_by_shard(call.services.limiter, *stream, records[i])) {
        refused[i] = Refusal{*full, "ProvisionedThroughputExceededException"};
        call.services.metrics->write_throttled(*stream, *full, 1);
      } else {
        admitted.push_back(std::move(records[i]));
      }
    }
    records = std::move(admitted);
  }

  // What the metrics count once the records are stored: their bytes, and each one's size when
  // the stream's shards report theirs.
  uint64_t stored_bytes = 0;
  std::vector<uint64_t> sizes;
  if (stream->shard_metrics != 0) sizes.reserve(records.size());
  for (const RecordToPut& r : records) {
    const uint64_t size = r.data.size() + r.partition_key.size();
    stored_bytes += size;
    if (stream->shard_metrics != 0) sizes.push_back(size);
  }
  Reply reply = call.reply;
  auto answer = [reply, key, refused = std::move(refused), stream, stored_bytes,
                 sizes = std::move(sizes), metrics = call.services.metrics,
                 started](const std::vector<PutResult>& stored) {
    std::vector<std::pair<int64_t, uint64_t>> shard_bytes;
    if (!sizes.empty()) {
      shard_bytes.reserve(stored.size());
      for (size_t i = 0; i < stored.size(); ++i) {
        shard_bytes.emplace_back(stored[i].shard_index, sizes[i]);
      }
    }
    metrics->put(*stream, true, std::chrono::steady_clock::now() - started, stored.size(),
                 stored_bytes, shard_bytes);
    std::vector<Outcome> outcomes(refused.empty() ? stored.size() : refused.size());
    size_t next = 0;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      if (!refused.empty() && refused[i].shard >= 0) {
        outcomes[i].refused_shard = refused[i].shard;
        outcomes[i].error_code = refused[i].error_code;
      } else {
        outcomes[i].stored = &stored[next++];
      }
    }
    reply.ok([&](Output& out) { write_answer(out, key, outcomes); });
  };
  if (records.empty()) return answer({});  // every record was refused
  call.store().put_records(key, std::move(records),
                           [reply, key, answer](Result<std::vector<PutResult>> r) {
                             if (!r.ok()) return reply.fail(storage_error(r.status(), key));
                             answer(r.value());
                           });
}

}  // namespace kinesim::api::ops
