// An order saga with compensation, each step an event on its own stream (keyed by orderId):
//
//   RESERVE_INVENTORY (inventory) -> PROCESS_PAYMENT (payments) -> SHIP_ORDER (shipping)
//
// When a step cannot be published (after the publisher's retries), the steps already done are
// undone in reverse: a failed payment publishes RELEASE_INVENTORY; a failed shipment publishes
// REFUND_PAYMENT, then RELEASE_INVENTORY. The service has no failure switches of its own; tests
// make steps fail with faults injected into kinesim.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "examples/flows/events.h"
#include "harness/kinesis_client.h"

namespace kinesim::flows {

struct SagaStreams {
  std::string inventory = "inventory";
  std::string payments = "payments";
  std::string shipping = "shipping";
};

struct SagaOrder {
  std::string order_id;
  std::string user;
  std::string sku;
  int64_t quantity = 0;
  int64_t amount_cents = 0;
};

struct SagaOutcome {
  bool completed = false;
  std::string failed_step;      // "" when completed
  harness::KinesisError error;  // why failed_step failed
  // "STREAM/EVENT_TYPE" of every event published, in order.
  std::vector<std::string> published;
  // Compensations that could not be published either ("STREAM/EVENT_TYPE: error").
  std::vector<std::string> compensation_failures;
};

class OrderSaga {
 public:
  // `publisher` must key by orderId.
  OrderSaga(EventPublisher& publisher, SagaStreams streams)
      : publisher_(publisher), streams_(std::move(streams)) {}

  SagaOutcome run(const SagaOrder& order);

 private:
  EventPublisher& publisher_;
  SagaStreams streams_;
};

}  // namespace kinesim::flows
