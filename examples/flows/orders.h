// Order processing: OrderProcessingService publishes ORDER_CREATED and ORDER_CANCELLED keyed by
// userId (one user's orders keep their order on one shard); InventoryService reacts to them,
// reserving stock for a created order when there is enough (rejecting it otherwise, so stock is
// never negative) and releasing the reservation when the order is cancelled. Both reactions are
// idempotent by orderId, since a consumer may be handed a record twice.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "examples/flows/events.h"
#include "harness/kinesis_client.h"

namespace kinesim::flows {

struct Order {
  std::string order_id;
  std::string user;
  std::string sku;
  int64_t quantity = 0;
};

class OrderProcessingService {
 public:
  OrderProcessingService(EventPublisher& publisher, std::string stream)
      : publisher_(publisher), stream_(std::move(stream)) {}

  harness::Result<PublishedEvent> create_order(const Order& order);
  harness::Result<PublishedEvent> cancel_order(std::string_view order_id, std::string_view user);

 private:
  EventPublisher& publisher_;
  std::string stream_;
};

class InventoryService {
 public:
  explicit InventoryService(std::map<std::string, int64_t> stock) : available_(std::move(stock)) {}

  void handle(const harness::Record& record);

  int64_t available(const std::string& sku) const;
  bool reserved(const std::string& order_id) const { return reservations_.contains(order_id); }
  const std::set<std::string>& rejected() const { return rejected_; }
  const std::set<std::string>& released() const { return released_; }

 private:
  struct Reservation {
    std::string sku;
    int64_t quantity = 0;
  };
  std::map<std::string, int64_t> available_;
  std::map<std::string, Reservation> reservations_;  // held now
  std::set<std::string> seen_;                       // orders whose creation was handled
  std::set<std::string> rejected_;
  std::set<std::string> released_;
};

}  // namespace kinesim::flows
