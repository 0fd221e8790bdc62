// Fan-out: independent consumers of one order stream, each with its own checkpoint
// (ShardPoller), each reacting to ORDER_PLACED on its own: one sends a notification e-mail per
// order, the other counts stock out per SKU. Neither knows of the other; a slow or failing one
// does not hold the other back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim::flows {

struct Email {
  std::string to;  // the userId
  std::string order_id;
};

class EmailNotifications {
 public:
  void handle(const harness::Record& record);
  const std::vector<Email>& outbox() const { return outbox_; }

 private:
  std::vector<Email> outbox_;
};

class InventoryFeed {
 public:
  void handle(const harness::Record& record);
  int64_t shipped_out(const std::string& sku) const;
  // How many ORDER_PLACED events it saw per orderId.
  const std::map<std::string, int64_t>& seen() const { return seen_; }

 private:
  std::map<std::string, int64_t> out_;
  std::map<std::string, int64_t> seen_;
};

}  // namespace kinesim::flows
