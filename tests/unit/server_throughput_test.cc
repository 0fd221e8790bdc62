// Per-shard throughput limits (--throughput-limits on), on a fake clock.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "harness/test_server.h"

namespace kinesim {
namespace {

using harness::TestServer;

class ThroughputTest : public ::testing::Test {
 protected:
  ThroughputTest()
      : server_([this] {
          TestServer::Options o;
          o.clock = &clock_;
          o.throughput_limits = true;
          return o;
        }()),
        client_(server_.client()) {
    EXPECT_EQ(client_.call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  }

  rapidjson::Document call(std::string_view op, const std::string& body, int* status = nullptr) {
    const auto& r = client_.call(op, body);
    if (status) *status = r.status;
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    return d;
  }

  // PutRecords of `n` records with `data_chars` base64 characters of data and key "k".
  rapidjson::Document put_records(int n, size_t data_chars) {
    std::string body = R"({"StreamName":"s","Records":[)";
    const std::string data(data_chars, 'A');
    for (int i = 0; i < n; ++i) {
      if (i) body += ",";
      body += R"({"PartitionKey":"k","Data":")" + data + "\"}";
    }
    return call("PutRecords", body + "]}");
  }

  static constexpr const char* kRateExceeded =
      "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.";

  FakeClock clock_{1'790'000'000'000};
  TestServer server_;
  harness::HttpClient client_;
};

TEST_F(ThroughputTest, BytesPerSecondRefuseTheRestOfABatch) {
  // 500 records of 3,000 bytes plus a 1-byte key: 349 fit in 1 MiB.
  auto d = put_records(500, 4000);
  EXPECT_EQ(d["FailedRecordCount"].GetInt(), 151);
  const auto& recs = d["Records"];
  ASSERT_EQ(recs.Size(), 500u);
  EXPECT_TRUE(recs[348].HasMember("SequenceNumber"));
  EXPECT_FALSE(recs[349].HasMember("SequenceNumber"));
  EXPECT_STREQ(recs[349]["ErrorCode"].GetString(), "ProvisionedThroughputExceededException");
  EXPECT_STREQ(recs[499]["ErrorMessage"].GetString(), kRateExceeded);

  // 1,227 bytes are left this second: a 1,500-byte record does not fit.
  int status = 0;
  auto single = call(
      "PutRecord",
      R"({"StreamName":"s","PartitionKey":"k","Data":")" + std::string(2000, 'A') + "\"}", &status);
  EXPECT_EQ(status, 400);
  EXPECT_STREQ(single["__type"].GetString(), "ProvisionedThroughputExceededException");
  EXPECT_STREQ(single["message"].GetString(), kRateExceeded);

  clock_.advance_ms(1000);  // a new second
  call("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AAAA"})", &status);
  EXPECT_EQ(status, 200);

  // Only what was accepted is stored.
  auto it = call(
      "GetShardIterator",
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  auto got = call("GetRecords",
                  std::string(R"({"ShardIterator":")") + it["ShardIterator"].GetString() + "\"}");
  EXPECT_EQ(got["Records"].Size(), 350u);
}

TEST_F(ThroughputTest, RecordsPerSecond) {
  EXPECT_EQ(put_records(500, 4)["FailedRecordCount"].GetInt(), 0);
  EXPECT_EQ(put_records(500, 4)["FailedRecordCount"].GetInt(), 0);
  EXPECT_EQ(put_records(3, 4)["FailedRecordCount"].GetInt(), 3);  // 1,000 already this second
  clock_.advance_ms(1000);
  EXPECT_EQ(put_records(3, 4)["FailedRecordCount"].GetInt(), 0);
}

TEST_F(ThroughputTest, FiveReadsPerSecond) {
  auto it =
      call("GetShardIterator",
           R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"})");
  const std::string body =
      std::string(R"({"ShardIterator":")") + it["ShardIterator"].GetString() + "\"}";
  int status = 0;
  for (int i = 0; i < 5; ++i) {
    call("GetRecords", body, &status);
    EXPECT_EQ(status, 200) << i;
  }
  auto sixth = call("GetRecords", body, &status);
  EXPECT_EQ(status, 400);
  EXPECT_STREQ(sixth["__type"].GetString(), "ProvisionedThroughputExceededException");
  clock_.advance_ms(1000);
  call("GetRecords", body, &status);
  EXPECT_EQ(status, 200);
}

TEST(ThroughputOff, IsTheDefault) {
  TestServer server;
  auto client = server.client();
  ASSERT_EQ(client.call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 500; ++i)
    body += std::string(i ? "," : "") + R"({"PartitionKey":"k","Data":"AAAA"})";
  body += "]}";
  for (int i = 0; i < 3; ++i) {
    const auto& r = client.call("PutRecords", body);
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"FailedRecordCount\":0"), std::string::npos);
  }
}

}  // namespace
}  // namespace kinesim
