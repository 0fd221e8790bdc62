// DescribeStream: the stream and a page of its shards (at most 100 per call, after
// ExclusiveStartShardId). A stream that is still being created, or is being deleted, lists no
// shards, as in Kinesis.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kMaxShardsPerDescribe = 100;
}

void DescribeStream(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  const int64_t now = call.now_ms();
  const StreamStatus status = stream->status_at(now);
  const bool lists_shards = status == StreamStatus::kActive || status == StreamStatus::kUpdating;
  const int64_t limit =
      std::min(call.in["Limit"].integer().value_or(kMaxShardsPerDescribe), kMaxShardsPerDescribe);
  const int64_t total = lists_shards ? static_cast<int64_t>(stream->shards->size()) : 0;
  int64_t first = 0;
  if (auto start = call.in["ExclusiveStartShardId"].str()) {
    // Shards are listed in id order; an id that names no shard still positions the page.
    auto index = parse_shard_id(*start);
    first = index ? std::min(*index + 1, total) : total;
  }
  const int64_t last = std::min(total, first + limit);
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("StreamDescription");
    out.begin_object();
    write_stream_description_common(out, *stream, now);
    out.key("Shards");
    out.begin_array();
    for (int64_t i = first; i < last; ++i) write_shard(out, *stream->shard(i));
    out.end_array();
    out.field("HasMoreShards", last < total);
    out.end_object();
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
