// GetResourcePolicy: the policy of a stream or consumer (ResourceARN) as it was put, or "{}"
// when it has none.
#include "api/ops/ops.h"
#include "api/resources.h"

namespace kinesim::api::ops {

void GetResourcePolicy(Call& call) {
  Resource r;
  if (auto e = find_resource(call, *call.in["ResourceARN"].str(), r)) return call.reply.fail(*e);
  auto policy = call.store().get_policy(r.ref());
  if (!policy.ok()) return call.reply.fail(resource_error(policy.status(), r));
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.field("Policy", policy.value() ? std::string_view(*policy.value()) : "{}");
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
