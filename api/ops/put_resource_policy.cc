// PutResourcePolicy: attaches a resource-based policy to a stream or consumer (ResourceARN),
// replacing the one it had. The policy must be a JSON object; it is kept and returned exactly
// as sent. A consumer takes a policy only while it is ACTIVE.
#include <rapidjson/document.h>

#include "api/ops/ops.h"
#include "api/resources.h"

namespace kinesim::api::ops {
namespace {

bool is_json_object(std::string_view text) {
  // JSON has no raw NUL, and the parser would take one for the end of the text.
  if (text.find('\0') != std::string_view::npos) return false;
  rapidjson::Document doc;
  // Iterative: a deeply nested document must not exhaust the stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError() && doc.IsObject();
}

}  // namespace

void PutResourcePolicy(Call& call) {
  Resource r;
  if (auto e = find_resource(call, *call.in["ResourceARN"].str(), r)) return call.reply.fail(*e);
  std::string policy(*call.in["Policy"].str());
  if (!is_json_object(policy)) {
    return call.reply.fail(errors::invalid_argument("Policy is not a valid JSON policy document."));
  }
  if (auto e = require_changeable(r, call.now_ms())) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().put_policy(r.ref(), std::move(policy), [reply, r](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(resource_error(s, r));
  });
}

}  // namespace kinesim::api::ops
