// ListTagsForResource: every tag of a stream or consumer, named by ResourceARN, in binary key
// order. Unlike ListTagsForStream it takes no paging input and answers only Tags.
#include "api/ops/ops.h"
#include "api/resources.h"

namespace kinesim::api::ops {

void ListTagsForResource(Call& call) {
  Resource r;
  if (auto e = find_resource(call, *call.in["ResourceARN"].str(), r)) return call.reply.fail(*e);
  auto tags = call.store().list_tags(r.ref());
  if (!tags.ok()) return call.reply.fail(resource_error(tags.status(), r));
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("Tags");
    out.begin_array();
    for (const Tag& t : tags.value()) {
      out.begin_object();
      out.field("Key", t.key);
      out.field("Value", t.value);
      out.end_object();
    }
    out.end_array();
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
