// DeleteStream: removes the stream with its shards and records.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void DeleteStream(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().delete_stream(key, [reply, key](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(storage_error(s, key));
  });
}

}  // namespace kinesim::api::ops
