// DeleteStream: the stream is DELETING for the configured delay, then gone with its shards,
// records, consumers, tags and policy. A stream with consumers is refused unless
// EnforceConsumerDeletion is set.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void DeleteStream(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const bool enforce = call.in["EnforceConsumerDeletion"].boolean().value_or(false);
  Reply reply = call.reply;
  call.store().delete_stream(key, enforce, [reply, key](Status s) {
    if (s.ok()) return reply.ok_empty();
    if (s.code == StatusCode::kInUse && s.detail < 0) {
      return reply.fail(errors::resource_in_use(
          "DeleteStream can\u2019t delete " + key.account + ":" + key.name +
          " because there are consumers associated with this data stream. To delete " + key.name +
          " anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of "
          "all the consumers that are associated with it."));
    }
    reply.fail(storage_error(s, key));
  });
}

}  // namespace kinesim::api::ops
