#include "examples/flows/events.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace kinesim::flows {
namespace {

std::string StrMember(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

harness::KinesisError InvalidEvent(std::string message) {
  return harness::KinesisError{"InvalidEvent", std::move(message), 0};
}

}  // namespace

JsonObject& JsonObject::add(std::string_view name, std::string_view value) {
  auto& a = doc_.GetAllocator();
  doc_.AddMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), a),
                 rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), a),
                 a);
  return *this;
}

JsonObject& JsonObject::add(std::string_view name, int64_t value) {
  auto& a = doc_.GetAllocator();
  doc_.AddMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), a),
                 rapidjson::Value(value), a);
  return *this;
}

std::string JsonObject::str() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  doc_.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Event::str(const char* name) const { return StrMember(payload, name); }

int64_t Event::num(const char* name) const {
  if (!payload.IsObject()) return 0;
  auto it = payload.FindMember(name);
  return it != payload.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::string Iso8601Millis(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];  // room for any int the compiler assumes tm may hold
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string NewEventId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::optional<std::string> EncodeEvent(std::string_view event_id, std::string_view event_type,
                                       std::string_view timestamp, std::string_view payload_json) {
  rapidjson::Document payload;
  payload.Parse(payload_json.data(), payload_json.size());
  if (payload.HasParseError() || !payload.IsObject()) return std::nullopt;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("eventId");
  str(event_id);
  w.Key("eventType");
  str(event_type);
  w.Key("timestamp");
  str(timestamp);
  w.Key("payload");
  payload.Accept(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<Event> DecodeEvent(std::string_view data) {
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto payload = doc.FindMember("payload");
  if (payload == doc.MemberEnd() || !payload->value.IsObject()) return std::nullopt;
  Event e;
  e.event_id = StrMember(doc, "eventId");
  e.event_type = StrMember(doc, "eventType");
  e.timestamp = StrMember(doc, "timestamp");
  if (e.event_id.empty() || e.event_type.empty()) return std::nullopt;
  e.payload.CopyFrom(payload->value, e.payload.GetAllocator());
  return e;
}

harness::Result<PreparedEvent> PrepareEvent(const Clock& clock, std::string_view key_field,
                                            std::string_view type, std::string_view payload_json) {
  rapidjson::Document payload;
  payload.Parse(payload_json.data(), payload_json.size());
  if (payload.HasParseError() || !payload.IsObject()) {
    return InvalidEvent("the payload must be a JSON object");
  }
  const std::string key_name(key_field);
  PreparedEvent out;
  out.partition_key = StrMember(payload, key_name.c_str());
  if (out.partition_key.empty()) {
    return InvalidEvent("the payload has no " + key_name + " to key the event by");
  }
  out.event_id = NewEventId();
  out.timestamp = Iso8601Millis(clock.now_ms());
  out.data = *EncodeEvent(out.event_id, type, out.timestamp, payload_json);
  return out;
}

harness::Result<PublishedEvent> EventPublisher::publish_event(std::string_view stream,
                                                              std::string_view type,
                                                              std::string_view payload_json) {
  auto event = PrepareEvent(clock_, key_field_, type, payload_json);
  if (!event.ok()) return event.error();
  auto put =
      put_record_with_retry(client_, stream, event->partition_key, event->data, policy_, sleeper_);
  if (!put.ok()) return put.error();
  PublishedEvent out;
  out.event_id = std::move(event->event_id);
  out.timestamp = std::move(event->timestamp);
  out.partition_key = std::move(event->partition_key);
  out.shard_id = put->shard_id;
  out.sequence_number = put->sequence_number;
  return out;
}

}  // namespace kinesim::flows
