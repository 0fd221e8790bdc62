// UntagResource: RemoveTagsFromStream for a stream or a consumer, named by ResourceARN. Keys
// the resource does not have are ignored.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/tags.h"

namespace kinesim::api::ops {

void UntagResource(Call& call) {
  Resource r;
  if (auto e = find_resource(call, *call.in["ResourceARN"].str(), r)) return call.reply.fail(*e);
  std::vector<std::string> keys;
  if (auto e = read_tag_keys(call.in["TagKeys"], r.key(), keys)) return call.reply.fail(*e);
  if (auto e = require_changeable(r, call.now_ms())) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().remove_tags(r.ref(), std::move(keys), [reply, r](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(resource_error(s, r));
  });
}

}  // namespace kinesim::api::ops
