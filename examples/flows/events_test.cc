#include "examples/flows/events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace kinesim::flows {
namespace {

using ::testing::MatchesRegex;

TEST(Events, TimestampsAreIso8601UtcWithMilliseconds) {
  EXPECT_EQ(Iso8601Millis(1764484200123), "2025-11-30T06:30:00.123Z");
  EXPECT_EQ(Iso8601Millis(4102444800000), "2100-01-01T00:00:00.000Z");
  EXPECT_EQ(Iso8601Millis(999), "1970-01-01T00:00:00.999Z");
}

TEST(Events, EventIdsAreDistinctVersion4Uuids) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewEventId();
    EXPECT_THAT(id, MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                 "[0-9a-f]{12}"));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(Events, EncodeThenDecodeKeepsEveryField) {
  auto data = EncodeEvent("id-1", "ORDER_CREATED", "2100-01-01T00:00:00.000Z",
                          JsonObject().add("userId", "u\"1").add("quantity", 3).str());
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, R"({"eventId":"id-1","eventType":"ORDER_CREATED","timestamp":)"
                   R"("2100-01-01T00:00:00.000Z","payload":{"userId":"u\"1","quantity":3}})");
  auto event = DecodeEvent(*data);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->event_id, "id-1");
  EXPECT_EQ(event->event_type, "ORDER_CREATED");
  EXPECT_EQ(event->timestamp, "2100-01-01T00:00:00.000Z");
  EXPECT_EQ(event->str("userId"), "u\"1");
  EXPECT_EQ(event->num("quantity"), 3);
}

TEST(Events, NonEventsDoNotDecode) {
  EXPECT_FALSE(EncodeEvent("id", "T", "ts", "[1,2]"));
  EXPECT_FALSE(EncodeEvent("id", "T", "ts", "{"));
  EXPECT_FALSE(DecodeEvent("not json"));
  EXPECT_FALSE(DecodeEvent(R"({"eventId":"a","eventType":"T"})"));  // no payload
  EXPECT_FALSE(DecodeEvent(R"({"eventType":"T","payload":{}})"));   // no id
}

TEST(Events, PublisherRefusesPayloadsItCannotKeyWithoutSending) {
  // Nothing listens on port 1: a request would come back as a TransportError.
  harness::KinesisClient client("http://127.0.0.1:1");
  FakeClock clock(0);
  EventPublisher publisher(client, clock);
  auto no_user = publisher.publish_event("accounts", "ACCOUNT_OPENED", R"({"name":"x"})");
  EXPECT_EQ(no_user.error().type, "InvalidEvent");
  EXPECT_EQ(no_user.error().message, "the payload has no userId to key the event by");
  auto not_object = publisher.publish_event("accounts", "ACCOUNT_OPENED", "[]");
  EXPECT_EQ(not_object.error().type, "InvalidEvent");
  EXPECT_EQ(not_object.error().message, "the payload must be a JSON object");
  auto empty_user = publisher.publish_event("accounts", "ACCOUNT_OPENED", R"({"userId":""})");
  EXPECT_EQ(empty_user.error().type, "InvalidEvent");
}

}  // namespace
}  // namespace kinesim::flows
