// Events as the flows write them to Kinesis: one JSON object per record,
//
//   {"eventId":"1b4e28ba-2fa1-4d2b-883f-0016d3cca427","eventType":"ORDER_CREATED",
//    "timestamp":"2026-11-30T06:30:00.123Z","payload":{"userId":"u1",...}}
//
// and the publisher that writes them, keyed by a payload member (userId unless told otherwise)
// so that all events of one user (or order) land on one shard, in the order they were written.
// Timestamps come from the Clock the caller passes, so a test on a frozen clock sees exact times.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "examples/flows/retry.h"
#include "harness/kinesis_client.h"
#include "storage/clock.h"

namespace kinesim::flows {

struct Event {
  std::string event_id;
  std::string event_type;
  std::string timestamp;        // ISO 8601 UTC with milliseconds
  rapidjson::Document payload;  // a JSON object

  // A payload member as text ("" when absent or not a string) or as an integer (0 when absent).
  std::string str(const char* name) const;
  int64_t num(const char* name) const;
};

// A flat JSON object built member by member, for event payloads:
// JsonObject().add("userId", "u1").add("amount", 5).str() is {"userId":"u1","amount":5}.
class JsonObject {
 public:
  JsonObject() { doc_.SetObject(); }
  JsonObject& add(std::string_view name, std::string_view value);
  JsonObject& add(std::string_view name, const char* value) {
    return add(name, std::string_view(value));
  }
  JsonObject& add(std::string_view name, int64_t value);
  JsonObject& add(std::string_view name, int value) { return add(name, int64_t{value}); }
  std::string str() const;

 private:
  rapidjson::Document doc_;
};

// "2026-11-30T06:30:00.123Z" for `ms` since the epoch.
std::string Iso8601Millis(int64_t ms);
// A random version-4 UUID in its usual 8-4-4-4-12 hex form.
std::string NewEventId();

// The record data of an event whose payload is the JSON object `payload_json`; nullopt when the
// payload is not a JSON object.
std::optional<std::string> EncodeEvent(std::string_view event_id, std::string_view event_type,
                                       std::string_view timestamp, std::string_view payload_json);
// The event in a record's data; nullopt when the data is not such an event.
std::optional<Event> DecodeEvent(std::string_view data);

// An event ready to be written: its record data, keyed by a payload member.
struct PreparedEvent {
  std::string event_id;
  std::string timestamp;
  std::string partition_key;
  std::string data;
};

// A new event of `type` with a fresh eventId, stamped with `clock`'s time and keyed by the
// payload's `key_field`. A payload that is not a JSON object with that field as a non-empty
// string is refused: KinesisError "InvalidEvent", HTTP status 0.
harness::Result<PreparedEvent> PrepareEvent(const Clock& clock, std::string_view key_field,
                                            std::string_view type, std::string_view payload_json);

struct PublishedEvent {
  std::string event_id;
  std::string timestamp;
  std::string partition_key;
  std::string shard_id;
  std::string sequence_number;
};

// Writes events with PutRecord. Contract: `client` and `clock` outlive the publisher; one call at
// a time (the client is not thread-safe).
class EventPublisher {
 public:
  EventPublisher(harness::KinesisClient& client, const Clock& clock,
                 std::string key_field = "userId")
      : client_(client), clock_(clock), key_field_(std::move(key_field)) {}

  // Retries failed writes under `policy`, sleeping with `sleeper` (default: one attempt).
  void set_retry(RetryPolicy policy, Sleeper sleeper) {
    policy_ = policy;
    sleeper_ = std::move(sleeper);
  }

  // Writes {eventId, eventType, timestamp, payload} to `stream` with the payload's key field as
  // partition key. A payload that is not a JSON object with that field as a non-empty string is
  // refused before anything is sent: KinesisError "InvalidEvent", HTTP status 0.
  harness::Result<PublishedEvent> publish_event(std::string_view stream, std::string_view type,
                                                std::string_view payload_json);

  const Clock& clock() const { return clock_; }

 private:
  harness::KinesisClient& client_;
  const Clock& clock_;
  std::string key_field_;
  RetryPolicy policy_{1};
  Sleeper sleeper_ = [](std::chrono::milliseconds) {};
};

}  // namespace kinesim::flows
