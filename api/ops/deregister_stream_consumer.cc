// DeregisterStreamConsumer: the consumer, named as for DescribeStreamConsumer, is DELETING for
// the configured delay and then gone with its tags and policy. Deregistering a consumer that is
// already DELETING changes nothing and succeeds.
#include "api/ops/ops.h"
#include "api/resources.h"

namespace kinesim::api::ops {

void DeregisterStreamConsumer(Call& call) {
  Resource consumer;
  if (auto e = find_named_consumer(call, consumer)) return call.reply.fail(*e);
  Reply reply = call.reply;
  call.store().deregister_consumer(consumer.ref(), [reply, consumer](Status s) {
    if (s.ok()) return reply.ok_empty();
    reply.fail(resource_error(s, consumer));
  });
}

}  // namespace kinesim::api::ops
