// KinesisClient::subscribe_to_shard against an in-process kinesim: events in order as records
// are written, the callback stopping the subscription, the server ending it after five minutes
// on its clock, a closed shard's end, and errors before and inside the stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "harness/gtest.h"
#include "harness/kinesis_client.h"

namespace kinesim::harness {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

class SubscribeToShardTest : public KinesisTest {
 protected:
  // A one-shard (or `shards`-shard) ACTIVE stream and an ACTIVE consumer on it; answers the
  // consumer's ARN.
  std::string StreamWithConsumer(const std::string& stream, int shards = 1) {
    client().create_stream(stream, shards).value();
    WaitForActive(client(), stream).value();
    const std::string arn = client().describe_stream_summary(stream)->stream_arn;
    auto consumer = client().register_stream_consumer(arn, "c").value();
    // TestServer's consumers are ACTIVE at once (no state delay).
    EXPECT_EQ(consumer.consumer_status, "ACTIVE");
    return consumer.consumer_arn;
  }
};

std::vector<std::string> Data(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.data);
  return out;
}

TEST_F(SubscribeToShardTest, EventsCarryTheWrittenRecordsInOrder) {
  const std::string arn = StreamWithConsumer("s");
  std::vector<PutRecordResult> puts;
  for (std::string data : {std::string("r1"), std::string("r\0\xff", 3), std::string("r3")}) {
    puts.push_back(client().put_record("s", "k", data).value());
  }
  // Records written while the subscription is open follow; another client writes them, since
  // this one is busy with the subscription.
  KinesisClient writer(server().endpoint());
  std::vector<Record> seen;
  std::vector<SubscribeToShardEvent> with_records;
  bool wrote_more = false;
  auto end =
      client().subscribe_to_shard(arn, "shardId-000000000000", StartingPosition::TrimHorizon(),
                                  [&](const SubscribeToShardEvent& e) {
                                    if (!e.records.empty()) with_records.push_back(e);
                                    seen.insert(seen.end(), e.records.begin(), e.records.end());
                                    if (seen.size() >= 3 && !wrote_more) {
                                      wrote_more = true;
                                      puts.push_back(writer.put_record("s", "k", "r4").value());
                                      puts.push_back(writer.put_record("s", "other", "r5").value());
                                    }
                                    return seen.size() < 5;
                                  });
  ASSERT_TRUE(end.ok()) << end.error().describe();
  EXPECT_TRUE(end->stopped);
  EXPECT_GE(end->events, 2);
  EXPECT_THAT(Data(seen), ElementsAre("r1", std::string("r\0\xff", 3), "r3", "r4", "r5"));
  ASSERT_EQ(seen.size(), puts.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].sequence_number, puts[i].sequence_number);
    EXPECT_EQ(seen[i].shard_id, "shardId-000000000000");
    EXPECT_GT(seen[i].approximate_arrival_ms, 0);
  }
  EXPECT_EQ(seen[4].partition_key, "other");
  // Each event's continuation is its last record's sequence number.
  for (const auto& e : with_records) {
    EXPECT_EQ(e.continuation_sequence_number, e.records.back().sequence_number);
    EXPECT_EQ(e.millis_behind_latest, 0);
    EXPECT_TRUE(e.child_shards.empty());
  }
}

TEST_F(SubscribeToShardTest, StartingPositionsAreSent) {
  const std::string arn = StreamWithConsumer("s");
  const auto first = client().put_record("s", "k", "r1").value();
  client().put_record("s", "k", "r2").value();
  server().clock().freeze();
  auto read_one = [&](const StartingPosition& position) {
    std::string data;
    auto end = client().subscribe_to_shard(arn, "shardId-000000000000", position,
                                           [&](const SubscribeToShardEvent& e) {
                                             if (e.records.empty()) return true;
                                             data = e.records.front().data;
                                             return false;
                                           });
    EXPECT_TRUE(end.ok()) << end.error().describe();
    // Past the five seconds in which a live subscription (one the server may not yet have seen
    // dropped) refuses another.
    server().clock().advance(5000);
    return data;
  };
  EXPECT_EQ(read_one(StartingPosition::AtSequenceNumber(first.sequence_number)), "r1");
  EXPECT_EQ(read_one(StartingPosition::AfterSequenceNumber(first.sequence_number)), "r2");
}

TEST_F(SubscribeToShardTest, StoppingFromTheCallbackEndsTheSubscriptionCleanly) {
  const std::string arn = StreamWithConsumer("s");
  server().clock().freeze();
  int calls = 0;
  auto end = client().subscribe_to_shard(arn, "shardId-000000000000", StartingPosition::Latest(),
                                         [&](const SubscribeToShardEvent&) {
                                           ++calls;
                                           return false;
                                         });
  ASSERT_TRUE(end.ok()) << end.error().describe();
  EXPECT_TRUE(end->stopped);
  EXPECT_EQ(end->events, 1);
  EXPECT_EQ(calls, 1);
  // The client goes on working.
  EXPECT_TRUE(client().put_record("s", "k", "after").ok());

  // Dropping the connection released the subscription on the server: after the second the
  // rate asks for, the same consumer subscribes again without waiting five seconds (once the
  // server has seen the connection close).
  server().clock().advance(1000);
  Result<SubscriptionEnd> again = KinesisError{};
  for (int attempt = 0; attempt < 100; ++attempt) {
    again = client().subscribe_to_shard(arn, "shardId-000000000000", StartingPosition::Latest(),
                                        [](const SubscribeToShardEvent&) { return false; });
    if (again.ok() || again.error().type != "ResourceInUseException") break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_TRUE(again->stopped);
}

TEST_F(SubscribeToShardTest, TheServerEndsASubscriptionAfterFiveMinutesOnItsClock) {
  const std::string arn = StreamWithConsumer("s");
  server().clock().freeze();
  auto end = client().subscribe_to_shard(arn, "shardId-000000000000", StartingPosition::Latest(),
                                         [&](const SubscribeToShardEvent& e) {
                                           EXPECT_TRUE(e.records.empty());
                                           server().clock().advance(5 * 60 * 1000);
                                           return true;
                                         });
  ASSERT_TRUE(end.ok()) << end.error().describe();
  EXPECT_FALSE(end->stopped);
  EXPECT_GE(end->events, 1);
}

TEST_F(SubscribeToShardTest, AClosedShardsEndNamesItsChildren) {
  const std::string arn = StreamWithConsumer("s");
  const auto put = client().put_record("s", "k", "before").value();
  client().update_shard_count("s", 2).value();
  WaitForActive(client(), "s").value();
  std::vector<SubscribeToShardEvent> events;
  auto end =
      client().subscribe_to_shard(arn, "shardId-000000000000", StartingPosition::TrimHorizon(),
                                  [&](const SubscribeToShardEvent& e) {
                                    events.push_back(e);
                                    return true;
                                  });
  ASSERT_TRUE(end.ok()) << end.error().describe();
  EXPECT_FALSE(end->stopped);
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(events.front().records.size(), 1u);
  EXPECT_EQ(events.front().records[0].sequence_number, put.sequence_number);
  const auto& last = events.back();
  EXPECT_TRUE(last.records.empty());
  EXPECT_EQ(last.continuation_sequence_number, "");
  ASSERT_FALSE(last.child_shards.empty());
  std::vector<std::string> children;
  for (const auto& child : last.child_shards) {
    children.push_back(child.shard_id);
    EXPECT_THAT(child.parent_shards, ElementsAre("shardId-000000000000"));
    EXPECT_FALSE(child.starting_hash_key.empty());
    EXPECT_FALSE(child.ending_hash_key.empty());
  }
  std::vector<std::string> expected;
  const std::vector<Shard> shards = client().list_shards("s").value();
  for (const auto& shard : shards) {
    if (shard.parent_shard_id == "shardId-000000000000" ||
        shard.adjacent_parent_shard_id == "shardId-000000000000") {
      expected.push_back(shard.shard_id);
    }
  }
  EXPECT_EQ(children, expected);
}

TEST_F(SubscribeToShardTest, AnUnknownConsumerIsResourceNotFound) {
  const std::string arn = StreamWithConsumer("s");
  // arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:<creation seconds>
  const std::string created = arn.substr(arn.rfind(':') + 1);
  const std::string unknown = arn.substr(0, arn.rfind("/consumer/")) + "/consumer/nope:" + created;
  bool called = false;
  auto end =
      client().subscribe_to_shard(unknown, "shardId-000000000000", StartingPosition::Latest(),
                                  [&](const SubscribeToShardEvent&) {
                                    called = true;
                                    return true;
                                  });
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().type, "ResourceNotFoundException");
  EXPECT_EQ(end.error().message, "Consumer nope with creation timestamp " + created +
                                     " under stream s and account 000000000000 not found.");
  EXPECT_EQ(end.error().http_status, 400);
  EXPECT_FALSE(called);

  auto shard = client().subscribe_to_shard(arn, "shardId-000000000009", StartingPosition::Latest(),
                                           [](const SubscribeToShardEvent&) { return true; });
  ASSERT_FALSE(shard.ok());
  EXPECT_EQ(shard.error().type, "ResourceNotFoundException");
  EXPECT_EQ(shard.error().message,
            "Shard shardId-000000000009 in stream s under account 000000000000 does not exist");
}

TEST_F(SubscribeToShardTest, AnExceptionInsideTheStreamIsAnError) {
  const std::string arn = StreamWithConsumer("s");
  KinesisClient other(server().endpoint());
  auto end = client().subscribe_to_shard(arn, "shardId-000000000000", StartingPosition::Latest(),
                                         [&](const SubscribeToShardEvent&) {
                                           EXPECT_TRUE(other.delete_stream("s", true).ok());
                                           return true;
                                         });
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().type, "ResourceNotFoundException");
  EXPECT_EQ(end.error().message, "Stream s under account 000000000000 not found.");
  EXPECT_EQ(end.error().http_status, 200);  // the stream had started
}

TEST_F(SubscribeToShardTest, AnExceptionFromTheCallbackCancelsAndIsRethrown) {
  const std::string arn = StreamWithConsumer("s");
  EXPECT_THROW((void)client().subscribe_to_shard(
                   arn, "shardId-000000000000", StartingPosition::Latest(),
                   [](const SubscribeToShardEvent&) -> bool { throw std::runtime_error("stop"); }),
               std::runtime_error);
  EXPECT_TRUE(client().put_record("s", "k", "after").ok());
}

}  // namespace
}  // namespace kinesim::harness
