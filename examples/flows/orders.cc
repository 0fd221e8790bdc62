#include "examples/flows/orders.h"

namespace kinesim::flows {

harness::Result<PublishedEvent> OrderProcessingService::create_order(const Order& order) {
  return publisher_.publish_event(stream_, "ORDER_CREATED",
                                  JsonObject()
                                      .add("orderId", order.order_id)
                                      .add("userId", order.user)
                                      .add("sku", order.sku)
                                      .add("quantity", order.quantity)
                                      .str());
}

harness::Result<PublishedEvent> OrderProcessingService::cancel_order(std::string_view order_id,
                                                                     std::string_view user) {
  return publisher_.publish_event(stream_, "ORDER_CANCELLED",
                                  JsonObject().add("orderId", order_id).add("userId", user).str());
}

void InventoryService::handle(const harness::Record& record) {
  auto event = DecodeEvent(record.data);
  if (!event) return;
  const std::string id = event->str("orderId");
  if (event->event_type == "ORDER_CREATED") {
    if (!seen_.insert(id).second) return;
    const std::string sku = event->str("sku");
    const int64_t quantity = event->num("quantity");
    int64_t& left = available_[sku];
    if (quantity <= 0 || left < quantity) {
      rejected_.insert(id);
      return;
    }
    left -= quantity;
    reservations_[id] = Reservation{sku, quantity};
  } else if (event->event_type == "ORDER_CANCELLED") {
    auto it = reservations_.find(id);
    if (it == reservations_.end()) return;  // rejected, unknown or already released
    available_[it->second.sku] += it->second.quantity;
    reservations_.erase(it);
    released_.insert(id);
  }
}

int64_t InventoryService::available(const std::string& sku) const {
  auto it = available_.find(sku);
  return it == available_.end() ? 0 : it->second;
}

}  // namespace kinesim::flows
