// AddTagsToStream: adds tags to a stream, overwriting the values of keys it already has. A
// stream holds at most 50 tags. Tags can change once the stream is ACTIVE (and while it is
// UPDATING), not while it is CREATING or DELETING.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/streams.h"
#include "api/tags.h"

namespace kinesim::api::ops {

void AddTagsToStream(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  Resource stream;
  if (auto e = find_stream(call, key, stream.stream)) return call.reply.fail(*e);
  std::vector<Tag> tags;
  if (auto e = read_tags(call.in["Tags"], key, tags)) return call.reply.fail(*e);
  if (auto e = require_changeable(stream, call.now_ms())) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().add_tags(stream.ref(), std::move(tags), kMaxTagsPerResource,
                        [reply, stream](Status s) {
                          if (s.ok()) return reply.ok_empty();
                          reply.fail(resource_error(s, stream));
                        });
}

}  // namespace kinesim::api::ops
