// TagResource: AddTagsToStream for a stream or a consumer, named by ResourceARN. A consumer's
// tags change only while it is ACTIVE.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/tags.h"

namespace kinesim::api::ops {

void TagResource(Call& call) {
  Resource r;
  if (auto e = find_resource(call, *call.in["ResourceARN"].str(), r)) return call.reply.fail(*e);
  std::vector<Tag> tags;
  if (auto e = read_tags(call.in["Tags"], r.key(), tags)) return call.reply.fail(*e);
  if (auto e = require_changeable(r, call.now_ms())) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().add_tags(r.ref(), std::move(tags), kMaxTagsPerResource, [reply, r](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(resource_error(s, r));
  });
}

}  // namespace kinesim::api::ops
