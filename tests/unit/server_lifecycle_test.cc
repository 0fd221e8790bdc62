// Stream lifecycles on the server's clock (CREATING, DELETING), accounts and regions, and the
// catalog's promise that a stream name can be reused once its stream is gone.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "server_test_fixture.h"
#include "storage/store.h"

namespace kinesim::testing {
namespace {

using harness::HttpClient;

class LifecycleTest : public ServerTest {
 protected:
  LifecycleTest() : ServerTest([](Options& o) { o.delays = {500, 500, 500, 500}; }) {}

  std::string status_of(const std::string& name) {
    Answer r = call("DescribeStreamSummary", R"({"StreamName":")" + name + R"("})");
    if (r.status != 200) return r.type();
    return r.json["StreamDescriptionSummary"]["StreamStatus"].GetString();
  }
};

TEST_F(LifecycleTest, CreatingStreamsBecomeActiveOnTheClock) {
  ASSERT_EQ(call("CreateStream", R"({"StreamName":"s","ShardCount":2})").status, 200);
  Answer d = call("DescribeStream", R"({"StreamName":"s"})");
  ASSERT_EQ(d.status, 200);
  EXPECT_STREQ(d.json["StreamDescription"]["StreamStatus"].GetString(), "CREATING");
  EXPECT_EQ(d.json["StreamDescription"]["Shards"].Size(), 0u);  // none listed until ACTIVE

  // A stream being created takes no records and has no shards to read yet.
  Answer put = call("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AA=="})");
  EXPECT_EQ(put.type(), "ResourceNotFoundException");
  EXPECT_EQ(put.message(), "Stream s under account 000000000000 not found.");
  Answer it = call("GetShardIterator",
                   R"({"StreamName":"s","ShardId":"0","ShardIteratorType":"TRIM_HORIZON"})");
  EXPECT_EQ(it.type(), "ResourceNotFoundException");
  EXPECT_EQ(it.message(),
            "Shard shardId-000000000000 in stream s under account 000000000000 does not exist");

  clock_.advance_ms(499);
  EXPECT_EQ(status_of("s"), "CREATING");
  clock_.advance_ms(1);
  EXPECT_EQ(status_of("s"), "ACTIVE");
  EXPECT_EQ(
      call("DescribeStream", R"({"StreamName":"s"})").json["StreamDescription"]["Shards"].Size(),
      2u);
  EXPECT_EQ(call("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AA=="})").status,
            200);
}

TEST_F(LifecycleTest, DeletingStreamsAnswerUntilGoneThenTheNameIsFree) {
  ASSERT_EQ(call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  clock_.advance_ms(500);
  ASSERT_EQ(call("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"b2xk"})").status,
            200);
  ASSERT_EQ(call("DeleteStream", R"({"StreamName":"s"})").status, 200);
  EXPECT_EQ(status_of("s"), "DELETING");
  EXPECT_EQ(
      call("DescribeStream", R"({"StreamName":"s"})").json["StreamDescription"]["Shards"].Size(),
      0u);
  Answer again = call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  EXPECT_EQ(again.type(), "ResourceInUseException");
  EXPECT_EQ(again.message(), "Stream s under account 000000000000 already exists.");

  clock_.advance_ms(500);
  EXPECT_EQ(status_of("s"), "ResourceNotFoundException");
  Answer list = call("ListStreams", "{}");
  EXPECT_EQ(list.json["StreamNames"].Size(), 0u);
  // The name is free before the background pass removed the old stream, and the new stream
  // starts empty.
  ASSERT_EQ(call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  clock_.advance_ms(500);
  Answer it = call("GetShardIterator",
                   R"({"StreamName":"s","ShardId":"0","ShardIteratorType":"TRIM_HORIZON"})");
  ASSERT_EQ(it.status, 200);
  Answer records =
      call("GetRecords",
           R"({"ShardIterator":")" + std::string(it.json["ShardIterator"].GetString()) + R"("})");
  EXPECT_EQ(records.json["Records"].Size(), 0u);
}

TEST_F(LifecycleTest, AStreamCanBeDeletedWhileItIsCreated) {
  ASSERT_EQ(call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  EXPECT_EQ(status_of("s"), "CREATING");
  ASSERT_EQ(call("DeleteStream", R"({"StreamName":"s"})").status, 200);
  EXPECT_EQ(status_of("s"), "DELETING");
  clock_.advance_ms(500);
  EXPECT_EQ(status_of("s"), "ResourceNotFoundException");
}

TEST_F(LifecycleTest, MaintenanceRemovesWhatFinishedDeleting) {
  ASSERT_EQ(call("CreateStream", R"({"StreamName":"s","ShardCount":3})").status, 200);
  ASSERT_EQ(call("DeleteStream", R"({"StreamName":"s"})").status, 200);
  const StreamKey key{"000000000000", "us-east-1", "s"};
  Store& store = server_->server().store();
  ASSERT_TRUE(store.run_maintenance().ok());
  EXPECT_TRUE(store.catalog().find(key));  // still DELETING
  EXPECT_EQ(store.catalog().totals("000000000000", "us-east-1").open_shards, 3);
  clock_.advance_ms(500);
  ASSERT_TRUE(store.run_maintenance().ok());
  EXPECT_FALSE(store.catalog().find(key));
  EXPECT_EQ(store.catalog().totals("000000000000", "us-east-1").open_shards, 0);
}

TEST_F(LifecycleTest, AccountsAndRegionsHoldSeparateStreams) {
  const std::string create = R"({"StreamName":"orders","ShardCount":1})";
  ASSERT_EQ(call_as("test", "us-east-1", "CreateStream", create).status, 200);
  ASSERT_EQ(call_as("test", "eu-west-1", "CreateStream", create).status, 200);
  ASSERT_EQ(call_as("111122223333", "us-east-1", "CreateStream", create).status, 200);
  clock_.advance_ms(500);
  Answer eu = call_as("test", "eu-west-1", "DescribeStreamSummary", R"({"StreamName":"orders"})");
  EXPECT_STREQ(eu.json["StreamDescriptionSummary"]["StreamARN"].GetString(),
               "arn:aws:kinesis:eu-west-1:000000000000:stream/orders");
  Answer other =
      call_as("111122223333", "us-east-1", "DescribeStreamSummary", R"({"StreamName":"orders"})");
  EXPECT_STREQ(other.json["StreamDescriptionSummary"]["StreamARN"].GetString(),
               "arn:aws:kinesis:us-east-1:111122223333:stream/orders");
  // A record in one is not in the others.
  ASSERT_EQ(call_as("test", "eu-west-1", "PutRecord",
                    R"({"StreamName":"orders","PartitionKey":"k","Data":"ZXU="})")
                .status,
            200);
  for (auto [key, region] :
       {std::pair{"test", "us-east-1"}, std::pair{"111122223333", "us-east-1"}}) {
    Answer it =
        call_as(key, region, "GetShardIterator",
                R"({"StreamName":"orders","ShardId":"0","ShardIteratorType":"TRIM_HORIZON"})");
    ASSERT_EQ(it.status, 200) << it.body;
    Answer records = call_as(
        key, region, "GetRecords",
        R"({"ShardIterator":")" + std::string(it.json["ShardIterator"].GetString()) + R"("})");
    EXPECT_EQ(records.json["Records"].Size(), 0u) << key << " " << region;
  }
  // A stream ARN names its own account; another region has no such stream.
  Answer by_arn =
      call_as("test", "us-east-1", "DescribeStreamSummary",
              R"({"StreamARN":"arn:aws:kinesis:us-east-1:111122223333:stream/orders"})");
  ASSERT_EQ(by_arn.status, 200);
  EXPECT_EQ(
      call_as("test", "ap-south-1", "DescribeStreamSummary", R"({"StreamName":"orders"})").type(),
      "ResourceNotFoundException");
}

class DefaultAccountTest : public ::testing::Test {};

TEST_F(DefaultAccountTest, TheAccountOfNonNumericKeysIsConfigurable) {
  Config config;
  config.port = 0;
  config.db = ":memory:";
  config.account = "444455556666";
  auto server = Server::start(config);
  ASSERT_TRUE(server.ok()) << server.status().message;
  HttpClient client("127.0.0.1", server.value()->port());
  ASSERT_EQ(client.call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  const auto& r = client.call("DescribeStreamSummary", R"({"StreamName":"s"})");
  EXPECT_NE(r.body.find("arn:aws:kinesis:us-east-1:444455556666:stream/s"), std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace kinesim::testing
