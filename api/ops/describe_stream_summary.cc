// DescribeStreamSummary: the stream without its shard list, with its open shard and consumer
// counts, its maximum record size and, for on-demand streams, its warm throughput.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void DescribeStreamSummary(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  auto consumers = call.store().consumer_count(stream->id);
  if (!consumers.ok()) return call.reply.fail(storage_error(consumers.status(), key));
  const int64_t now = call.now_ms();
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("StreamDescriptionSummary");
    out.begin_object();
    write_stream_description_common(out, *stream, now);
    out.field("OpenShardCount", stream->open_shard_count());
    out.field("ConsumerCount", consumers.value());
    out.field("MaxRecordSizeInKiB", int64_t{stream->max_record_size_kib});
    if (stream->mode == StreamMode::kOnDemand && stream->warm_throughput_mibps > 0) {
      out.key("WarmThroughput");
      out.begin_object();
      out.field("TargetMiBps", int64_t{stream->warm_throughput_mibps});
      out.field("CurrentMiBps", int64_t{stream->warm_throughput_mibps});
      out.end_object();
    }
    out.end_object();
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
