// DescribeStreamSummary: the stream without its shard list.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void DescribeStreamSummary(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("StreamDescriptionSummary");
    out.begin_object();
    write_stream_description_common(out, *stream);
    out.field("OpenShardCount", stream->open_shard_count());
    out.field("ConsumerCount", int64_t{0});
    out.field("MaxRecordSizeInKiB", int64_t{stream->max_record_size_kib});
    out.end_object();
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
