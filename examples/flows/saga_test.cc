#include "examples/flows/saga.h"

#include "examples/flows/flow_test.h"

namespace kinesim::flows {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SagaTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    for (const char* s : {"inventory", "payments", "shipping"}) CreateStream(s, 1);
    publisher_ = std::make_unique<EventPublisher>(client(), env().clock(), "orderId");
    // Each step is tried three times before the saga gives it up.
    publisher_->set_retry(
        RetryPolicy{3, std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 7},
        env().sleeper());
  }
  SagaOutcome Run() {
    OrderSaga saga(*publisher_, SagaStreams{});
    return saga.run(SagaOrder{"o1", "u1", "sku-1", 2, 1999});
  }
  // The time two failed retries of a step wait, by the policy above.
  static int64_t TwoWaits() {
    Backoff b(RetryPolicy{3, std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 7});
    return (b.next() + b.next()).count();
  }

  std::unique_ptr<EventPublisher> publisher_;
};
KINESIM_FLOW_SUITE(SagaTest);

TEST_P(SagaTest, CompletesEveryStepWhenNothingFails) {
  auto outcome = Run();
  EXPECT_TRUE(outcome.completed);
  EXPECT_EQ(outcome.failed_step, "");
  EXPECT_THAT(outcome.published, ElementsAre("inventory/RESERVE_INVENTORY",
                                             "payments/PROCESS_PAYMENT", "shipping/SHIP_ORDER"));
  EXPECT_THAT(Types(Drain("inventory")), ElementsAre("RESERVE_INVENTORY"));
  EXPECT_THAT(Types(Drain("payments")), ElementsAre("PROCESS_PAYMENT"));
  EXPECT_THAT(Types(Drain("shipping")), ElementsAre("SHIP_ORDER"));
  EXPECT_EQ(env().clock().now_ms(), kStartMs);  // no retry waited
}

TEST_P(SagaTest, FailedPaymentReleasesTheInventory) {
  const int64_t fault =
      env().add_fault(R"({"kind":"internal_failure","stream":"payments","operation":"PutRecord"})");
  auto outcome = Run();
  EXPECT_FALSE(outcome.completed);
  EXPECT_EQ(outcome.failed_step, "PROCESS_PAYMENT");
  EXPECT_EQ(outcome.error.type, "InternalFailure");
  EXPECT_EQ(outcome.error.http_status, 500);
  EXPECT_THAT(outcome.published,
              ElementsAre("inventory/RESERVE_INVENTORY", "inventory/RELEASE_INVENTORY"));
  EXPECT_THAT(outcome.compensation_failures, IsEmpty());
  EXPECT_EQ(env().fired(fault), 3);
  EXPECT_EQ(env().clock().now_ms(), kStartMs + TwoWaits());

  auto inventory = Drain("inventory");
  EXPECT_THAT(Types(inventory), ElementsAre("RESERVE_INVENTORY", "RELEASE_INVENTORY"));
  EXPECT_THAT(inventory[1], harness::HasJsonField("payload.orderId", "o1"));
  EXPECT_THAT(Drain("payments"), IsEmpty());
  EXPECT_THAT(Drain("shipping"), IsEmpty());
}

TEST_P(SagaTest, FailedShipmentRefundsThePaymentThenReleasesTheInventory) {
  const int64_t fault =
      env().add_fault(R"({"kind":"internal_failure","stream":"shipping","operation":"PutRecord"})");
  auto outcome = Run();
  EXPECT_FALSE(outcome.completed);
  EXPECT_EQ(outcome.failed_step, "SHIP_ORDER");
  EXPECT_EQ(outcome.error.type, "InternalFailure");
  EXPECT_THAT(outcome.published,
              ElementsAre("inventory/RESERVE_INVENTORY", "payments/PROCESS_PAYMENT",
                          "payments/REFUND_PAYMENT", "inventory/RELEASE_INVENTORY"));
  EXPECT_EQ(env().fired(fault), 3);
  EXPECT_THAT(Types(Drain("payments")), ElementsAre("PROCESS_PAYMENT", "REFUND_PAYMENT"));
  EXPECT_THAT(Types(Drain("inventory")), ElementsAre("RESERVE_INVENTORY", "RELEASE_INVENTORY"));
  EXPECT_THAT(Drain("shipping"), IsEmpty());
  // The refund was written before the release: its timestamp is no later.
  auto refund = DecodeEvent(Drain("payments")[1].data);
  auto release = DecodeEvent(Drain("inventory")[1].data);
  EXPECT_LE(refund->timestamp, release->timestamp);
}

TEST_P(SagaTest, ThrottlesThatClearWithinTheRetriesDoNotFailTheStep) {
  const int64_t fault = env().add_fault(
      R"({"kind":"throttle","stream":"payments","operation":"PutRecord","count":2})");
  auto outcome = Run();
  EXPECT_TRUE(outcome.completed);
  EXPECT_EQ(env().fired(fault), 2);
  EXPECT_THAT(Types(Drain("payments")), ElementsAre("PROCESS_PAYMENT"));
  EXPECT_EQ(env().clock().now_ms(), kStartMs + TwoWaits());
}

TEST_P(SagaTest, CompensationThatCannotBeWrittenIsReportedAndTheRestStillRuns) {
  env().add_fault(R"({"kind":"internal_failure","stream":"shipping","operation":"PutRecord"})");
  // While the shipment is being retried the payments stream starts failing too, so the refund
  // cannot be written.
  int64_t payments_fault = 0;
  publisher_->set_retry(
      RetryPolicy{3, std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 7},
      [&](std::chrono::milliseconds wait) {
        if (payments_fault == 0) {
          payments_fault = env().add_fault(
              R"({"kind":"internal_failure","stream":"payments","operation":"PutRecord"})");
        }
        env().advance_clock(wait.count());
      });
  auto outcome = Run();
  EXPECT_EQ(outcome.failed_step, "SHIP_ORDER");
  EXPECT_THAT(outcome.published,
              ElementsAre("inventory/RESERVE_INVENTORY", "payments/PROCESS_PAYMENT",
                          "inventory/RELEASE_INVENTORY"));
  EXPECT_THAT(outcome.compensation_failures,
              ElementsAre("payments/REFUND_PAYMENT: InternalFailure (HTTP 500): "));
  EXPECT_EQ(env().fired(payments_fault), 3);
  EXPECT_THAT(Types(Drain("payments")), ElementsAre("PROCESS_PAYMENT"));
  EXPECT_THAT(Types(Drain("inventory")), ElementsAre("RESERVE_INVENTORY", "RELEASE_INVENTORY"));
}

}  // namespace
}  // namespace kinesim::flows
