// CQRS: commands go to an order-command stream keyed by orderId (so one order's commands stay in
// order on one shard); a projector folds them into a read model queried by status and by user.
// The write side never reads the model; the model may lag and catches up on the next poll.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "examples/flows/events.h"
#include "harness/kinesis_client.h"

namespace kinesim::flows {

class OrderCommands {
 public:
  // `publisher` must key by orderId.
  OrderCommands(EventPublisher& publisher, std::string stream)
      : publisher_(publisher), stream_(std::move(stream)) {}

  harness::Result<PublishedEvent> place(std::string_view order_id, std::string_view user,
                                        int64_t total_cents);
  harness::Result<PublishedEvent> ship(std::string_view order_id);
  harness::Result<PublishedEvent> cancel(std::string_view order_id);

 private:
  EventPublisher& publisher_;
  std::string stream_;
};

struct OrderView {
  std::string user;
  std::string status;  // PLACED, SHIPPED, CANCELLED
  int64_t total_cents = 0;
};

// The read model. Transitions: PLACED -> SHIPPED or CANCELLED; a command for an unknown order or
// from a final state is counted as rejected and changes nothing.
class OrderReadModel {
 public:
  void handle(const harness::Record& record);

  std::vector<std::string> by_status(const std::string& status) const;  // order ids, sorted
  std::vector<std::string> by_user(const std::string& user) const;      // order ids, sorted
  const std::map<std::string, OrderView>& orders() const { return orders_; }
  int64_t rejected() const { return rejected_; }

 private:
  std::map<std::string, OrderView> orders_;
  int64_t rejected_ = 0;
};

}  // namespace kinesim::flows
