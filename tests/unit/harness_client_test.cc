// The typed Kinesis client against an in-process kinesim: typed answers, typed errors, paging,
// real SigV4 signatures, and the raw call.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "harness/gtest.h"
#include "harness/kinesis_client.h"
#include "harness/test_server.h"

namespace kinesim::harness {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class KinesisClientTest : public KinesisTest {};

TEST_F(KinesisClientTest, CreateAndDescribeStream) {
  ASSERT_TRUE(client().create_stream("orders", 3).ok());
  ASSERT_TRUE(WaitForActive(client(), "orders").ok());
  auto summary = client().describe_stream_summary("orders");
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(summary->stream_name, "orders");
  EXPECT_EQ(summary->stream_arn, "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  EXPECT_EQ(summary->stream_status, "ACTIVE");
  EXPECT_EQ(summary->stream_mode, "PROVISIONED");
  EXPECT_EQ(summary->open_shard_count, 3);
  EXPECT_EQ(summary->consumer_count, 0);
  EXPECT_EQ(summary->retention_period_hours, 24);
}

TEST_F(KinesisClientTest, OnDemandStream) {
  ASSERT_TRUE(client().create_stream("events", std::nullopt).ok());
  ASSERT_TRUE(WaitForActive(client(), "events").ok());
  EXPECT_EQ(client().describe_stream_summary("events")->stream_mode, "ON_DEMAND");
}

TEST_F(KinesisClientTest, ErrorsAreTypedValues) {
  auto missing = client().describe_stream_summary("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().type, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().message, "Stream nope under account 000000000000 not found.");
  EXPECT_EQ(missing.error().http_status, 400);

  ASSERT_TRUE(client().create_stream("orders", 1).ok());
  auto again = client().create_stream("orders", 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().type, "ResourceInUseException");
  EXPECT_EQ(again.error().message, "Stream orders under account 000000000000 already exists.");
}

TEST_F(KinesisClientTest, ValueOfAnErrorThrowsItsError) {
  auto missing = client().describe_stream_summary("nope");
  try {
    (void)missing.value();
    FAIL() << "value() did not throw";
  } catch (const KinesisException& e) {
    EXPECT_EQ(e.error().type, "ResourceNotFoundException");
    EXPECT_THAT(e.what(), StartsWith("ResourceNotFoundException (HTTP 400): Stream nope"));
  }
}

TEST_F(KinesisClientTest, PutAndGetRecordsKeepBytes) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  std::string binary("a\0b\xff\n", 5);
  auto put = client().put_record("s", "u1", binary);
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(put->shard_id, "shardId-000000000000");
  EXPECT_FALSE(put->sequence_number.empty());

  auto iterator = client().get_shard_iterator("s", put->shard_id);
  ASSERT_TRUE(iterator.ok());
  auto got = client().get_records(*iterator);
  ASSERT_TRUE(got.ok()) << got.error().describe();
  ASSERT_EQ(got->records.size(), 1u);
  EXPECT_EQ(got->records[0].data, binary);
  EXPECT_EQ(got->records[0].partition_key, "u1");
  EXPECT_EQ(got->records[0].sequence_number, put->sequence_number);
  EXPECT_GT(got->records[0].approximate_arrival_ms, 0);
  EXPECT_TRUE(got->next_shard_iterator.has_value());
  EXPECT_EQ(got->millis_behind_latest, 0);

  auto after = client().get_shard_iterator(
      "s", put->shard_id, StartingPosition::AfterSequenceNumber(put->sequence_number));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(client().get_records(*after, 10)->records.empty());
}

TEST_F(KinesisClientTest, PutRecordsAnswersPerRecordInOrder) {
  ASSERT_TRUE(client().create_stream("s", 2).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  auto put = client().put_records(
      "s", {{"a", "1", "0"}, {"b", "2", "340282366920938463463374607431768211455"}});
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(put->failed_record_count, 0);
  ASSERT_EQ(put->records.size(), 2u);
  EXPECT_TRUE(put->records[0].ok());
  EXPECT_EQ(put->records[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(put->records[1].shard_id, "shardId-000000000001");

  auto empty = client().put_records("s", {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().type, "ValidationException");
}

TEST_F(KinesisClientTest, ListShardsFollowsPages) {
  ASSERT_TRUE(client().create_stream("s", 5).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  auto shards = client().list_shards("s", 2);
  ASSERT_TRUE(shards.ok()) << shards.error().describe();
  ASSERT_EQ(shards->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*shards)[i].shard_id, "shardId-00000000000" + std::to_string(i));
    EXPECT_FALSE((*shards)[i].closed());
    EXPECT_EQ((*shards)[i].parent_shard_id, "");
  }
  EXPECT_EQ((*shards)[0].starting_hash_key, "0");
  EXPECT_EQ((*shards)[4].ending_hash_key, "340282366920938463463374607431768211455");
}

TEST_F(KinesisClientTest, ListStreamsAndDeleteStream) {
  for (const char* name : {"c", "a", "b"}) ASSERT_TRUE(client().create_stream(name, 1).ok());
  EXPECT_THAT(client().list_streams().value(), ElementsAre("a", "b", "c"));
  ASSERT_TRUE(client().delete_stream("b").ok());
  auto gone = client().describe_stream_summary("b");
  // DeleteStream with no delay removes the stream at once.
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().type, "ResourceNotFoundException");
}

TEST_F(KinesisClientTest, UpdateShardCountAndRegisterConsumer) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  auto update = client().update_shard_count("s", 2);
  ASSERT_TRUE(update.ok()) << update.error().describe();
  EXPECT_EQ(update->current_shard_count, 1);
  EXPECT_EQ(update->target_shard_count, 2);

  std::string arn = client().describe_stream_summary("s")->stream_arn;
  auto consumer = client().register_stream_consumer(arn, "lambda");
  ASSERT_TRUE(consumer.ok()) << consumer.error().describe();
  EXPECT_EQ(consumer->consumer_name, "lambda");
  EXPECT_THAT(consumer->consumer_arn, StartsWith(arn + "/consumer/lambda:"));
  // TestServer's default consumer delay is zero, so the consumer is ACTIVE at once.
  EXPECT_EQ(consumer->consumer_status, "ACTIVE");
}

TEST_F(KinesisClientTest, RawCall) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  auto r = client().call("AddTagsToStream", R"({"StreamName":"s","Tags":{"team":"orders"}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.error().has_value());
  r = client().call("ListTagsForStream", R"({"StreamName":"s"})");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.json.IsObject());
  EXPECT_STREQ(r.json["Tags"][0]["Key"].GetString(), "team");

  r = client().call("NoSuchOperation", "{}");
  EXPECT_EQ(r.status, 400);
  ASSERT_TRUE(r.error().has_value());
  EXPECT_EQ(r.error()->type, "UnknownOperationException");
}

TEST(KinesisClientTransport, UnreachableEndpointIsATransportError) {
  uint16_t port;
  {
    TestServer server;
    port = server.port();
  }
  KinesisClient client("http://127.0.0.1:" + std::to_string(port), {.timeout_ms = 2000});
  auto r = client.list_streams();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "TransportError");
  EXPECT_EQ(r.error().http_status, 0);
  EXPECT_FALSE(r.error().message.empty());
}

// The signatures are real: a server that verifies them accepts the right secret and refuses a
// wrong one with Kinesis' InvalidSignatureException.
TEST(KinesisClientSigning, SignaturesVerify) {
  std::string path = ::testing::TempDir() + "kinesim_client_credentials";
  std::ofstream(path) << "AKIDTEST wJalrXUtnFEMI/K7MDENG 111122223333\n";
  TestServer::Options options;
  options.auth = "verify";
  options.credentials = path;
  TestServer server(options);

  KinesisClient good(
      server.endpoint(),
      {.access_key = "AKIDTEST", .secret_key = "wJalrXUtnFEMI/K7MDENG", .region = "eu-west-1"});
  ASSERT_TRUE(good.create_stream("s", 1).ok());
  EXPECT_EQ(good.describe_stream_summary("s")->stream_arn,
            "arn:aws:kinesis:eu-west-1:111122223333:stream/s");

  KinesisClient bad(server.endpoint(), {.access_key = "AKIDTEST", .secret_key = "wrong"});
  auto refused = bad.list_streams();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().type, "InvalidSignatureException");
  EXPECT_THAT(refused.error().message,
              StartsWith("The request signature we calculated does not match"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kinesim::harness
