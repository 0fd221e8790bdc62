// RemoveTagsFromStream: removes tags from a stream by key; keys it does not have are ignored.
// Like AddTagsToStream, only once the stream is ACTIVE (or UPDATING).
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/streams.h"
#include "api/tags.h"

namespace kinesim::api::ops {

void RemoveTagsFromStream(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  Resource stream;
  if (auto e = find_stream(call, key, stream.stream)) return call.reply.fail(*e);
  std::vector<std::string> keys;
  if (auto e = read_tag_keys(call.in["TagKeys"], key, keys)) return call.reply.fail(*e);
  if (auto e = require_changeable(stream, call.now_ms())) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().remove_tags(stream.ref(), std::move(keys), [reply, stream](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(resource_error(s, stream));
  });
}

}  // namespace kinesim::api::ops
