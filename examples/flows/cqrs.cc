#include "examples/flows/cqrs.h"

namespace kinesim::flows {

harness::Result<PublishedEvent> OrderCommands::place(std::string_view order_id,
                                                     std::string_view user, int64_t total_cents) {
  return publisher_.publish_event(stream_, "PLACE_ORDER",
                                  JsonObject()
                                      .add("orderId", order_id)
                                      .add("userId", user)
                                      .add("totalCents", total_cents)
                                      .str());
}

harness::Result<PublishedEvent> OrderCommands::ship(std::string_view order_id) {
  return publisher_.publish_event(stream_, "SHIP_ORDER",
                                  JsonObject().add("orderId", order_id).str());
}

harness::Result<PublishedEvent> OrderCommands::cancel(std::string_view order_id) {
  return publisher_.publish_event(stream_, "CANCEL_ORDER",
                                  JsonObject().add("orderId", order_id).str());
}

void OrderReadModel::handle(const harness::Record& record) {
  auto command = DecodeEvent(record.data);
  if (!command) return;
  const std::string id = command->str("orderId");
  auto it = orders_.find(id);
  if (command->event_type == "PLACE_ORDER") {
    if (it != orders_.end()) {
      ++rejected_;
      return;
    }
    orders_[id] = OrderView{command->str("userId"), "PLACED", command->num("totalCents")};
    return;
  }
  const bool open = it != orders_.end() && it->second.status == "PLACED";
  if (command->event_type == "SHIP_ORDER" && open) {
    it->second.status = "SHIPPED";
  } else if (command->event_type == "CANCEL_ORDER" && open) {
    it->second.status = "CANCELLED";
  } else {
    ++rejected_;
  }
}

std::vector<std::string> OrderReadModel::by_status(const std::string& status) const {
  std::vector<std::string> out;
  for (const auto& [id, view] : orders_) {
    if (view.status == status) out.push_back(id);
  }
  return out;
}

std::vector<std::string> OrderReadModel::by_user(const std::string& user) const {
  std::vector<std::string> out;
  for (const auto& [id, view] : orders_) {
    if (view.user == user) out.push_back(id);
  }
  return out;
}

}  // namespace kinesim::flows
