// DeleteResourcePolicy: removes the policy of a stream or consumer (ResourceARN). As with
// PutResourcePolicy, a consumer must be ACTIVE; a resource without a policy is a
// ResourceNotFoundException.
#include "api/ops/ops.h"
#include "api/resources.h"

namespace kinesim::api::ops {

void DeleteResourcePolicy(Call& call) {
  const std::string arn(*call.in["ResourceARN"].str());
  Resource r;
  if (auto e = find_resource(call, arn, r)) return call.reply.fail(*e);
  if (auto e = require_changeable(r, call.now_ms())) return call.reply.fail(*e);
  auto policy = call.store().get_policy(r.ref());
  if (!policy.ok()) return call.reply.fail(resource_error(policy.status(), r));
  if (!policy.value()) {
    return call.reply.fail(
        errors::resource_not_found("No resource policy is attached to " + arn + "."));
  }
  Reply reply = call.reply;
  call.store().delete_policy(r.ref(), [reply, r](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(resource_error(s, r));
  });
}

}  // namespace kinesim::api::ops
