// DescribeStreamConsumer: one consumer, named by ConsumerARN or by StreamARN and ConsumerName,
// as a ConsumerDescription (the Consumer members plus StreamARN).
#include "api/ops/ops.h"
#include "api/resources.h"

namespace kinesim::api::ops {

void DescribeStreamConsumer(Call& call) {
  Resource consumer;
  if (auto e = find_named_consumer(call, consumer)) return call.reply.fail(*e);
  const int64_t now = call.now_ms();
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("ConsumerDescription");
    write_consumer(out, consumer.key(), *consumer.consumer, now, true);
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
