#include "examples/flows/saga.h"

#include <functional>

namespace kinesim::flows {
namespace {

struct Step {
  std::string stream;
  std::string type;
  std::string compensation;  // "" when nothing needs undoing
};

}  // namespace

SagaOutcome OrderSaga::run(const SagaOrder& order) {
  const std::string payload = JsonObject()
                                  .add("orderId", order.order_id)
                                  .add("userId", order.user)
                                  .add("sku", order.sku)
                                  .add("quantity", order.quantity)
                                  .add("amountCents", order.amount_cents)
                                  .str();
  const std::vector<Step> steps = {
      {streams_.inventory, "RESERVE_INVENTORY", "RELEASE_INVENTORY"},
      {streams_.payments, "PROCESS_PAYMENT", "REFUND_PAYMENT"},
      {streams_.shipping, "SHIP_ORDER", ""},
  };
  SagaOutcome outcome;
  for (size_t i = 0; i < steps.size(); ++i) {
    auto put = publisher_.publish_event(steps[i].stream, steps[i].type, payload);
    if (put.ok()) {
      outcome.published.push_back(steps[i].stream + "/" + steps[i].type);
      continue;
    }
    outcome.failed_step = steps[i].type;
    outcome.error = put.error();
    // Undo what was done, newest first.
    for (size_t j = i; j-- > 0;) {
      const Step& done = steps[j];
      auto undo = publisher_.publish_event(done.stream, done.compensation, payload);
      const std::string what = done.stream + "/" + done.compensation;
      if (undo.ok()) {
        outcome.published.push_back(what);
      } else {
        outcome.compensation_failures.push_back(what + ": " + undo.error().describe());
      }
    }
    return outcome;
  }
  outcome.completed = true;
  return outcome;
}

}  // namespace kinesim::flows
