// DescribeStream: the stream and a page of its shards (at most 100 per call, after
// ExclusiveStartShardId).
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
  const int64_t limit =
      std::min(call.in["Limit"].integer().value_or(kMaxShardsPerDescribe), kMaxShardsPerDescribe);
  int64_t first = 0;
  if (auto start = call.in["ExclusiveStartShardId"].str()) {
    // Shards are listed in id order; an id that names no shard still positions the page.
    auto index = parse_shard_id(*start);
    first = index ? *index + 1 : static_cast<int64_t>(stream->shards.size());
  }
  const int64_t total = static_cast<int64_t>(stream->shards.size());
  const int64_t last = std::min(total, first + limit);
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("StreamDescription");
    out.begin_object();
    write_stream_description_common(out, *stream);
    out.key("Shards");
    out.begin_array();
    for (int64_t i = first; i < last; ++i) {
      write_shard(out, *stream, stream->shards[static_cast<size_t>(i)]);
    }
    out.end_array();
    out.field("HasMoreShards", last < total);
    out.end_object();
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
