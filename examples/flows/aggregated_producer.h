// An aggregating producer, as the Kinesis Producer Library is one: events are gathered, packed
// into KPL-aggregated records (harness/kpl.h), one aggregate per destination shard so that every
// user record still lands on the shard its own partition key maps to, and sent with PutRecords.
// Consumers that de-aggregate (the LambdaRunner does by default) see the events one by one,
// each with its own partition key, in the order they were added per key.
//
// A PutRecords entry that fails (throttled, or an internal failure) keeps its events for the
// next flush; entries that were written are never sent again, so nothing is duplicated.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "examples/flows/events.h"
#include "harness/kinesis_client.h"
#include "harness/kpl.h"

namespace kinesim::flows {

struct FlushResult {
  size_t events_sent = 0;       // user records written by this flush
  size_t records_sent = 0;      // aggregated Kinesis records written
  size_t events_remaining = 0;  // kept for the next flush (their entry failed)
};

class AggregatingPublisher {
 public:
  // Contract: `client` and `clock` outlive the publisher; one call at a time.
  AggregatingPublisher(harness::KinesisClient& client, const Clock& clock, std::string stream,
                       std::string key_field = "userId")
      : client_(client),
        clock_(clock),
        stream_(std::move(stream)),
        key_field_(std::move(key_field)) {}

  // Gathers an event (see EventPublisher::publish_event for its form and key); nothing is sent.
  // An invalid payload, or an event too large for a Kinesis record, is refused at once:
  // KinesisError "InvalidEvent".
  harness::Status add(std::string_view type, std::string_view payload_json);
  size_t pending() const { return pending_.size(); }

  // Sends what is gathered: rounds of PutRecords, each with at most one aggregated record per
  // shard. A shard whose record fails stops there and keeps the rest of its events for the next
  // flush (events_remaining), so per-key order holds across failures. An error (the shards
  // cannot be listed, or a PutRecords call fails as a whole) keeps everything not yet written.
  harness::Result<FlushResult> flush();

 private:
  harness::KinesisClient& client_;
  const Clock& clock_;
  std::string stream_;
  std::string key_field_;
  std::vector<harness::kpl::UserRecord> pending_;
};

}  // namespace kinesim::flows
