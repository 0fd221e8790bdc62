// Dual write during a migration (strangler): until every reader has moved to the stream, each
// order is written to the legacy store and to the stream. The legacy write is idempotent by
// orderId, and the writer remembers which orders reached the stream, so retrying an order whose
// stream write failed never writes the legacy side twice, and a repeated write of an order that
// is already on both sides writes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "examples/flows/orders.h"
#include "examples/flows/retry.h"
#include "harness/kinesis_client.h"

namespace kinesim::flows {

// The legacy "orders" table: one row per orderId, with how often that row was written.
class LegacyOrderTable {
 public:
  // Inserts the row unless one with this orderId exists; true when it inserted.
  bool insert_if_absent(const std::string& order_id, const std::string& row);
  size_t size() const { return rows_.size(); }
  int64_t writes(const std::string& order_id) const;
  const std::map<std::string, std::string>& rows() const { return rows_; }

 private:
  std::map<std::string, std::string> rows_;
  std::map<std::string, int64_t> writes_;
};

class OrderWriter {
 public:
  OrderWriter(harness::KinesisClient& client, std::string stream, LegacyOrderTable& table,
              RetryPolicy policy, Sleeper sleeper)
      : client_(client),
        stream_(std::move(stream)),
        table_(table),
        policy_(policy),
        sleeper_(std::move(sleeper)) {}

  // Writes the order to the legacy table (once) and to the stream (PutRecord under the retry
  // policy, keyed by orderId). When the stream write fails the order stays pending and the
  // error is returned; write() again or retry_pending() finishes it.
  harness::Status write(const Order& order);
  // The same for many orders with PutRecords; records that fail one by one are sent again
  // (only those) under the retry policy.
  harness::Status write_batch(const std::vector<Order>& orders);
  // Sends every pending order to the stream again; the first error, if any, after trying all.
  harness::Status retry_pending();

  const std::set<std::string>& pending() const { return pending_; }
  bool streamed(const std::string& order_id) const { return streamed_.contains(order_id); }

 private:
  harness::KinesisClient& client_;
  std::string stream_;
  LegacyOrderTable& table_;
  RetryPolicy policy_;
  Sleeper sleeper_;
  std::map<std::string, std::string> rows_;  // order id -> record data, for pending retries
  std::set<std::string> pending_;
  std::set<std::string> streamed_;
};

// The record data (and legacy row) of an order.
std::string OrderJson(const Order& order);

}  // namespace kinesim::flows
