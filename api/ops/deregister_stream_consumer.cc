// DeregisterStreamConsumer: the consumer, named as for DescribeStreamConsumer, is DELETING for
// the configured delay and then gone with its tags and policy. Deregistering a consumer that is
// already DELETING changes nothing and succeeds. The consumer's SubscribeToShard subscriptions
// end once the change is committed.
#include "api/ops/ops.h"
#include "api/resources.h"
#include "api/subscriptions.h"

namespace kinesim::api::ops {

void DeregisterStreamConsumer(Call& call) {
  Resource consumer;
  if (auto e = find_named_consumer(call, consumer)) return call.reply.fail(*e);
  Reply reply = call.reply;
  // The hub may be asked after the dispatcher is gone (a write still queued when the server
  // stops), so the callback holds it.
  auto subscriptions = call.services.subscriptions->shared_from_this();
  call.store().deregister_consumer(consumer.ref(), [reply, consumer, subscriptions](Status s) {
    if (!s.ok()) return reply.fail(resource_error(s, consumer));
    // The consumer is no longer ACTIVE: its subscriptions end with what a new
    // SubscribeToShard would now be told.
    const ConsumerInfo& c = *consumer.consumer;
    subscriptions->end_consumer(consumer.stream->id, c.name, c.created_ms,
                                subscriber_not_active(consumer.key(), c));
    reply.ok_empty();
  });
}

}  // namespace kinesim::api::ops
