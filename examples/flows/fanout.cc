#include "examples/flows/fanout.h"

#include "examples/flows/events.h"

namespace kinesim::flows {

void EmailNotifications::handle(const harness::Record& record) {
  auto event = DecodeEvent(record.data);
  if (!event || event->event_type != "ORDER_PLACED") return;
  outbox_.push_back(Email{event->str("userId"), event->str("orderId")});
}

void InventoryFeed::handle(const harness::Record& record) {
  auto event = DecodeEvent(record.data);
  if (!event || event->event_type != "ORDER_PLACED") return;
  out_[event->str("sku")] += event->num("quantity");
  ++seen_[event->str("orderId")];
}

int64_t InventoryFeed::shipped_out(const std::string& sku) const {
  auto it = out_.find(sku);
  return it == out_.end() ? 0 : it->second;
}

}  // namespace kinesim::flows
