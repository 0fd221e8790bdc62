// Event sourcing: a user's account is the sum of its events. AccountService validates commands
// against the state rebuilt from the stream and publishes facts (ACCOUNT_OPENED,
// MONEY_DEPOSITED, MONEY_WITHDRAWN) keyed by userId; AccountProjection folds facts into
// balances, and replaying the whole stream into a fresh projection gives the same state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "examples/flows/events.h"
#include "harness/kinesis_client.h"

namespace kinesim::flows {

struct Account {
  int64_t balance = 0;
  int64_t version = 0;        // events applied
  std::string last_event_at;  // timestamp of the last event applied
};

class AccountProjection {
 public:
  // Applies one event; events already applied (by eventId) and events of other kinds are
  // skipped, so a record delivered twice changes nothing.
  void handle(const harness::Record& record);
  std::optional<Account> account(const std::string& user) const;
  const std::map<std::string, Account>& accounts() const { return accounts_; }
  int64_t applied() const { return applied_; }

 private:
  std::map<std::string, Account> accounts_;
  std::set<std::string> seen_;
  int64_t applied_ = 0;
};

// Replays every record of `stream` (parents before children) into a fresh projection.
harness::Result<AccountProjection> Replay(harness::KinesisClient& client, std::string_view stream);

class AccountService {
 public:
  AccountService(EventPublisher& publisher, std::string stream)
      : publisher_(publisher), stream_(std::move(stream)) {}

  harness::Result<PublishedEvent> open(std::string_view user);
  harness::Result<PublishedEvent> deposit(std::string_view user, int64_t amount);
  // Refused with "InsufficientFunds" (and nothing written) when the balance rebuilt from
  // `client`'s view of the stream is below `amount`.
  harness::Result<PublishedEvent> withdraw(harness::KinesisClient& client, std::string_view user,
                                           int64_t amount);

 private:
  EventPublisher& publisher_;
  std::string stream_;
};

}  // namespace kinesim::flows
