#include "examples/flows/dual_write.h"

#include <optional>

#include "examples/flows/events.h"

namespace kinesim::flows {

std::string OrderJson(const Order& order) {
  return JsonObject()
      .add("orderId", order.order_id)
      .add("userId", order.user)
      .add("sku", order.sku)
      .add("quantity", order.quantity)
      .str();
}

bool LegacyOrderTable::insert_if_absent(const std::string& order_id, const std::string& row) {
  if (!rows_.emplace(order_id, row).second) return false;
  ++writes_[order_id];
  return true;
}

int64_t LegacyOrderTable::writes(const std::string& order_id) const {
  auto it = writes_.find(order_id);
  return it == writes_.end() ? 0 : it->second;
}

harness::Status OrderWriter::write(const Order& order) {
  const std::string row = OrderJson(order);
  table_.insert_if_absent(order.order_id, row);
  if (streamed_.contains(order.order_id)) return harness::Done{};
  rows_[order.order_id] = row;
  auto put = put_record_with_retry(client_, stream_, order.order_id, row, policy_, sleeper_);
  if (!put.ok()) {
    pending_.insert(order.order_id);
    return put.error();
  }
  pending_.erase(order.order_id);
  streamed_.insert(order.order_id);
  return harness::Done{};
}

harness::Status OrderWriter::write_batch(const std::vector<Order>& orders) {
  std::vector<std::string> ids;
  std::vector<harness::PutRecordsEntry> entries;
  for (const auto& order : orders) {
    const std::string row = OrderJson(order);
    table_.insert_if_absent(order.order_id, row);
    if (streamed_.contains(order.order_id)) continue;
    rows_[order.order_id] = row;
    pending_.insert(order.order_id);
    ids.push_back(order.order_id);
    entries.push_back({order.order_id, row, ""});
  }
  Backoff backoff(policy_);
  harness::KinesisError last;
  for (int attempt = 1; !entries.empty(); ++attempt) {
    auto put = client_.put_records(stream_, entries);
    std::vector<std::string> failed_ids;
    std::vector<harness::PutRecordsEntry> failed;
    if (!put.ok()) {
      // The whole call failed: nothing was written, everything is sent again.
      last = put.error();
      if (!IsRetryable(last)) return last;
      failed_ids = ids;
      failed = entries;
    } else {
      for (size_t i = 0; i < put->records.size() && i < entries.size(); ++i) {
        if (put->records[i].ok()) {
          pending_.erase(ids[i]);
          streamed_.insert(ids[i]);
        } else {
          last = {put->records[i].error_code, put->records[i].error_message, 200};
          failed_ids.push_back(ids[i]);
          failed.push_back(entries[i]);
        }
      }
    }
    if (failed.empty()) break;
    if (attempt >= policy_.max_attempts) return last;
    ids = std::move(failed_ids);
    entries = std::move(failed);
    sleeper_(backoff.next());
  }
  return harness::Done{};
}

harness::Status OrderWriter::retry_pending() {
  std::optional<harness::KinesisError> first;
  const std::set<std::string> pending = pending_;
  for (const auto& id : pending) {
    auto put = put_record_with_retry(client_, stream_, id, rows_[id], policy_, sleeper_);
    if (put.ok()) {
      pending_.erase(id);
      streamed_.insert(id);
    } else if (!first) {
      first = put.error();
    }
  }
  if (first) return *first;
  return harness::Done{};
}

}  // namespace kinesim::flows
