// ListTagsForStream: a stream's tags in binary key order, starting after ExclusiveStartTagKey
// (which need not be a key the stream has), at most Limit of them (all by default), with
// HasMoreTags saying whether more follow. Works in every state of the stream.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void ListTagsForStream(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  auto found = call.store().list_tags(ResourceRef{key, {}, 0});
  if (!found.ok()) return call.reply.fail(storage_error(found.status(), key));
  const std::vector<Tag>& tags = found.value();
  auto first = tags.begin();
  if (auto start = call.in["ExclusiveStartTagKey"].str()) {
    // std::string compares bytes as unsigned, which for UTF-8 is code point order.
    first = std::upper_bound(tags.begin(), tags.end(), *start,
                             [](std::string_view k, const Tag& t) { return k < t.key; });
  }
  const auto remaining = static_cast<int64_t>(tags.end() - first);
  const int64_t limit = call.in["Limit"].integer().value_or(remaining);
  const auto last = first + std::min(remaining, limit);
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("Tags");
    out.begin_array();
    for (auto t = first; t != last; ++t) {
      out.begin_object();
      out.field("Key", t->key);
      out.field("Value", t->value);
      out.end_object();
    }
    out.end_array();
    out.field("HasMoreTags", last != tags.end());
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
