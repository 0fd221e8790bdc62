#include "examples/flows/event_sourcing.h"

#include "harness/streams.h"

namespace kinesim::flows {

void AccountProjection::handle(const harness::Record& record) {
  auto event = DecodeEvent(record.data);
  if (!event || !seen_.insert(event->event_id).second) return;
  const std::string user = event->str("userId");
  if (event->event_type == "ACCOUNT_OPENED") {
    accounts_.try_emplace(user);
  } else if (event->event_type == "MONEY_DEPOSITED" && accounts_.contains(user)) {
    accounts_[user].balance += event->num("amount");
  } else if (event->event_type == "MONEY_WITHDRAWN" && accounts_.contains(user)) {
    accounts_[user].balance -= event->num("amount");
  } else {
    return;
  }
  Account& a = accounts_[user];
  ++a.version;
  a.last_event_at = event->timestamp;
  ++applied_;
}

std::optional<Account> AccountProjection::account(const std::string& user) const {
  auto it = accounts_.find(user);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

harness::Result<AccountProjection> Replay(harness::KinesisClient& client, std::string_view stream) {
  auto records = harness::DrainStream(client, stream);
  if (!records.ok()) return records.error();
  AccountProjection projection;
  for (const auto& r : *records) projection.handle(r);
  return projection;
}

harness::Result<PublishedEvent> AccountService::open(std::string_view user) {
  return publisher_.publish_event(stream_, "ACCOUNT_OPENED",
                                  JsonObject().add("userId", user).str());
}

harness::Result<PublishedEvent> AccountService::deposit(std::string_view user, int64_t amount) {
  return publisher_.publish_event(stream_, "MONEY_DEPOSITED",
                                  JsonObject().add("userId", user).add("amount", amount).str());
}

harness::Result<PublishedEvent> AccountService::withdraw(harness::KinesisClient& client,
                                                         std::string_view user, int64_t amount) {
  auto state = Replay(client, stream_);
  if (!state.ok()) return state.error();
  auto account = state->account(std::string(user));
  const int64_t balance = account ? account->balance : 0;
  if (!account || balance < amount) {
    return harness::KinesisError{"InsufficientFunds",
                                 "balance of " + std::string(user) + " is " +
                                     std::to_string(balance) + ", below " + std::to_string(amount),
                                 0};
  }
  return publisher_.publish_event(stream_, "MONEY_WITHDRAWN",
                                  JsonObject().add("userId", user).add("amount", amount).str());
}

}  // namespace kinesim::flows
