// The Kinesis API end to end through HTTP, against a server started in this process.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>

#include "server_test_fixture.h"
#include "storage/hash_key.h"

namespace kinesim::testing {
namespace {

class ApiTest : public ServerTest {
 protected:
  std::string iterator(const std::string& name, const std::string& shard, const std::string& type,
                       const std::string& extra = "") {
    Answer a = ok("GetShardIterator", R"({"StreamName":")" + name + R"(","ShardId":")" + shard +
                                          R"(","ShardIteratorType":")" + type + "\"" + extra + "}");
    return a.json["ShardIterator"].GetString();
  }
};

TEST_F(ApiTest, EveryResponseCarriesARequestId) {
  Answer a = call("ListStreams", "{}");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.request_id.size(), 36u);
  Answer b = call("DescribeStream", R"({"StreamName":"missing"})");
  EXPECT_EQ(b.request_id.size(), 36u);
  EXPECT_NE(a.request_id, b.request_id);
}

TEST_F(ApiTest, UnknownTargetMissingAuthAndBadJson) {
  Answer unknown = call("NoSuchOperation", "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.type(), "UnknownOperationException");

  const harness::HttpHeader headers[] = {{"X-Amz-Target", "Kinesis_20131202.ListStreams"},
                                         {"Content-Type", "application/x-amz-json-1.1"}};
  const auto& noauth = client_->post("/", headers, "{}");
  EXPECT_EQ(noauth.status, 400);
  EXPECT_NE(noauth.body.find("MissingAuthenticationTokenException"), std::string::npos);
  EXPECT_NE(noauth.body.find("Missing Authentication Token"), std::string::npos);

  Answer bad = call("ListStreams", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"__type":"SerializationException"})");
  EXPECT_EQ(call("ListStreams", "").body, R"({"__type":"SerializationException"})");

  // Signed requests only: a bare Authorization header is incomplete.
  const harness::HttpHeader unsigned_headers[] = {
      {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e"}};
  const auto& incomplete = client_->post("/", unsigned_headers, "{}");
  EXPECT_EQ(incomplete.status, 400);
  EXPECT_NE(incomplete.body.find("IncompleteSignatureException"), std::string::npos);
  EXPECT_NE(incomplete.body.find("Authorization header requires 'Signature' parameter. "
                                 "Authorization header requires 'SignedHeaders' parameter. "
                                 "Authorization header requires existence of either a "
                                 "'X-Amz-Date' or a 'Date' header."),
            std::string::npos)
      << incomplete.body;

  const harness::HttpHeader text_headers[] = {{"X-Amz-Target", "Kinesis_20131202.ListStreams"},
                                              {"Content-Type", "text/plain"}};
  const auto& wrong_type = client_->post("/", text_headers, "{}");
  EXPECT_EQ(wrong_type.status, 403);
  EXPECT_NE(wrong_type.body.find("<MissingAuthenticationTokenException>"), std::string::npos);
}

TEST_F(ApiTest, CreateDescribeAndDuplicate) {
  create("orders", 3);
  Answer d = ok("DescribeStream", R"({"StreamName":"orders"})");
  const auto& desc = d.json["StreamDescription"];
  EXPECT_STREQ(desc["StreamStatus"].GetString(), "ACTIVE");
  EXPECT_STREQ(desc["StreamARN"].GetString(),
               "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  EXPECT_STREQ(desc["StreamModeDetails"]["StreamMode"].GetString(), "PROVISIONED");
  EXPECT_EQ(desc["RetentionPeriodHours"].GetInt(), 24);
  EXPECT_FALSE(desc["HasMoreShards"].GetBool());
  ASSERT_EQ(desc["Shards"].Size(), 3u);
  EXPECT_STREQ(desc["Shards"][2]["ShardId"].GetString(), "shardId-000000000002");
  EXPECT_STREQ(desc["Shards"][2]["HashKeyRange"]["EndingHashKey"].GetString(),
               "340282366920938463463374607431768211455");
  EXPECT_NEAR(desc["StreamCreationTimestamp"].GetDouble(), 1'790'000'000.0, 0.001);

  Answer dup = call("CreateStream", R"({"StreamName":"orders","ShardCount":1})");
  EXPECT_EQ(dup.type(), "ResourceInUseException");
  EXPECT_EQ(dup.message(), "Stream orders under account 000000000000 already exists.");

  Answer missing = call("DescribeStreamSummary", R"({"StreamName":"nope"})");
  EXPECT_EQ(missing.type(), "ResourceNotFoundException");
  EXPECT_EQ(missing.message(), "Stream nope under account 000000000000 not found.");
}

TEST_F(ApiTest, OnDemandStartsWithFourShards) {
  ok("CreateStream", R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  Answer s = ok("DescribeStreamSummary", R"({"StreamName":"od"})");
  EXPECT_EQ(s.json["StreamDescriptionSummary"]["OpenShardCount"].GetInt(), 4);
  EXPECT_STREQ(s.json["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"].GetString(),
               "ON_DEMAND");
}

TEST_F(ApiTest, ShardLimitIsEnforced) {
  Answer a = call("CreateStream", R"({"StreamName":"huge","ShardCount":501})");
  EXPECT_EQ(a.type(), "LimitExceededException");
  EXPECT_NE(a.message().find("Limit: 500"), std::string::npos) << a.message();
  EXPECT_EQ(call("DescribeStream", R"({"StreamName":"huge"})").type(), "ResourceNotFoundException");
}

TEST_F(ApiTest, PutAndReadBack) {
  create("s", 1);
  Answer p1 = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"u1","Data":"aGVsbG8="})");
  Answer p2 = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"u2","Data":"d29ybGQ="})");
  EXPECT_STREQ(p1.json["ShardId"].GetString(), "shardId-000000000000");
  const std::string s1 = p1.json["SequenceNumber"].GetString();
  const std::string s2 = p2.json["SequenceNumber"].GetString();
  EXPECT_LT(s1, s2);

  Answer r = ok("GetRecords", R"({"ShardIterator":")" +
                                  iterator("s", "shardId-000000000000", "TRIM_HORIZON") + "\"}");
  const auto& recs = r.json["Records"];
  ASSERT_EQ(recs.Size(), 2u);
  EXPECT_STREQ(recs[0]["Data"].GetString(), "aGVsbG8=");
  EXPECT_STREQ(recs[0]["PartitionKey"].GetString(), "u1");
  EXPECT_EQ(recs[0]["SequenceNumber"].GetString(), s1);
  EXPECT_NEAR(recs[0]["ApproximateArrivalTimestamp"].GetDouble(), 1'790'000'000.0, 0.001);
  EXPECT_EQ(r.json["MillisBehindLatest"].GetInt(), 0);
  ASSERT_TRUE(r.json.HasMember("NextShardIterator"));

  // The next iterator sees only what arrives later.
  const std::string next = r.json["NextShardIterator"].GetString();
  EXPECT_EQ(ok("GetRecords", R"({"ShardIterator":")" + next + "\"}").json["Records"].Size(), 0u);
  ok("PutRecord", R"({"StreamName":"s","PartitionKey":"u3","Data":"AA=="})");
  Answer later = ok("GetRecords", R"({"ShardIterator":")" + next + "\"}");
  ASSERT_EQ(later.json["Records"].Size(), 1u);
  EXPECT_STREQ(later.json["Records"][0]["PartitionKey"].GetString(), "u3");
}

TEST_F(ApiTest, IteratorTypesPositionCorrectly) {
  create("s", 1);
  std::vector<std::string> seqs;
  for (int i = 0; i < 5; ++i) {
    seqs.push_back(ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AA=="})")
                       .json["SequenceNumber"]
                       .GetString());
    clock_.advance_ms(1000);
  }
  auto first_seq = [&](const std::string& it) -> std::string {
    Answer a = ok("GetRecords", R"({"ShardIterator":")" + it + R"(","Limit":1})");
    return a.json["Records"].Empty() ? "" : a.json["Records"][0]["SequenceNumber"].GetString();
  };
  const std::string shard = "shardId-000000000000";
  EXPECT_EQ(first_seq(iterator("s", shard, "TRIM_HORIZON")), seqs[0]);
  EXPECT_EQ(first_seq(iterator("s", shard, "LATEST")), "");
  EXPECT_EQ(first_seq(iterator("s", shard, "AT_SEQUENCE_NUMBER",
                               R"(,"StartingSequenceNumber":")" + seqs[2] + "\"")),
            seqs[2]);
  EXPECT_EQ(first_seq(iterator("s", shard, "AFTER_SEQUENCE_NUMBER",
                               R"(,"StartingSequenceNumber":")" + seqs[2] + "\"")),
            seqs[3]);
  // Record i arrived at 1790000000 + i seconds.
  EXPECT_EQ(first_seq(iterator("s", shard, "AT_TIMESTAMP", R"(,"Timestamp":1790000001.5)")),
            seqs[2]);
  EXPECT_EQ(first_seq(iterator("s", shard, "AT_TIMESTAMP", R"(,"Timestamp":1790000001)")), seqs[1]);
}

TEST_F(ApiTest, GetShardIteratorErrors) {
  create("s", 1);
  Answer noshard =
      call("GetShardIterator",
           R"({"StreamName":"s","ShardId":"shardId-000000000009","ShardIteratorType":"LATEST"})");
  EXPECT_EQ(noshard.type(), "ResourceNotFoundException");
  EXPECT_EQ(noshard.message(),
            "Shard shardId-000000000009 in stream s under account 000000000000 does not exist");
  Answer noseq = call(
      "GetShardIterator",
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER"})");
  EXPECT_EQ(noseq.type(), "InvalidArgumentException");
  EXPECT_NE(
      noseq.message().find("Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."),
      std::string::npos);
  Answer future = call(
      "GetShardIterator",
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1890000000})");
  EXPECT_EQ(future.type(), "InvalidArgumentException");
  Answer badseq = call(
      "GetShardIterator",
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"12345"})");
  EXPECT_EQ(badseq.type(), "InvalidArgumentException");
  // Kinesis reads a number this small in its oldest layout, whose last four hex digits (0x3039)
  // name the shard.
  EXPECT_EQ(badseq.message(),
            "Invalid StartingSequenceNumber. It encodes shardId-000000012345, while it was used "
            "in a call to a shard with shardId-000000000000");
}

TEST_F(ApiTest, IteratorsAreTamperProofAndExpire) {
  create("s", 1);
  std::string it = iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  std::string forged = it;
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  Answer bad = call("GetRecords", R"({"ShardIterator":")" + forged + "\"}");
  EXPECT_EQ(bad.type(), "InvalidArgumentException");
  EXPECT_EQ(bad.message(), "Invalid ShardIterator.");

  clock_.advance_ms(300'001);
  Answer expired = call("GetRecords", R"({"ShardIterator":")" + it + "\"}");
  EXPECT_EQ(expired.type(), "ExpiredIteratorException");
  EXPECT_NE(expired.message().find("tolerated delay of 300000 milliseconds"), std::string::npos);
}

TEST_F(ApiTest, ReadingADeletedStreamFails) {
  create("s", 1);
  std::string it = iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  ok("DeleteStream", R"({"StreamName":"s"})");
  create("s", 1);  // same name, new stream: the old iterator must not read it
  Answer a = call("GetRecords", R"({"ShardIterator":")" + it + "\"}");
  EXPECT_EQ(a.type(), "ResourceNotFoundException");
}

TEST_F(ApiTest, PutRecordsRoutesByHashAndKeepsOrder) {
  create("s", 4);
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 500; ++i) {
    if (i) body += ",";
    body += R"({"PartitionKey":"key-)" + std::to_string(i) + R"(","Data":"AAEC"})";
  }
  body += "]}";
  Answer a = ok("PutRecords", body);
  EXPECT_EQ(a.json["FailedRecordCount"].GetInt(), 0);
  const auto& recs = a.json["Records"];
  ASSERT_EQ(recs.Size(), 500u);
  auto ranges = split_evenly(4);
  std::map<std::string, std::string> last_seq;
  for (rapidjson::SizeType i = 0; i < recs.Size(); ++i) {
    const std::string shard = recs[i]["ShardId"].GetString();
    const HashKey h = hash_partition_key("key-" + std::to_string(i));
    const int index = std::stoi(shard.substr(8));
    EXPECT_TRUE(ranges[static_cast<size_t>(index)].contains(h)) << i;
    const std::string seq = recs[i]["SequenceNumber"].GetString();
    EXPECT_LT(last_seq[shard], seq);
    last_seq[shard] = seq;
  }
}

TEST_F(ApiTest, ExplicitHashKeyAndLimits) {
  create("s", 2);
  Answer hi = ok(
      "PutRecord",
      R"({"StreamName":"s","PartitionKey":"a","Data":"AA==","ExplicitHashKey":"340282366920938463463374607431768211455"})");
  EXPECT_STREQ(hi.json["ShardId"].GetString(), "shardId-000000000001");
  Answer out = call(
      "PutRecord",
      R"({"StreamName":"s","PartitionKey":"a","Data":"AA==","ExplicitHashKey":"340282366920938463463374607431768211456"})");
  EXPECT_EQ(out.type(), "InvalidArgumentException");
  EXPECT_EQ(out.message(),
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was 340282366920938463463374607431768211456");
  // Over 1 MiB of data is over the default maximum record size.
  std::string big((1024 * 1024 / 3 + 1) * 4, 'A');  // 1,048,578 bytes decoded
  Answer large =
      call("PutRecord", R"({"StreamName":"s","PartitionKey":"a","Data":")" + big + "\"}");
  EXPECT_EQ(large.type(), "ValidationException");
  EXPECT_EQ(large.message(),
            "1 validation error detected: Value at 'data' failed to satisfy constraint: Member "
            "must have length less than or equal to 1048576");
  Answer batch =
      call("PutRecords", R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":"AA=="},)"
                         R"({"PartitionKey":"a","Data":")" +
                             big + "\"}]}");
  EXPECT_EQ(batch.message(),
            "1 validation error detected: Value at 'records.2.member.data' failed to satisfy "
            "constraint: Member must have length less than or equal to 1048576");
  // Data exactly at the limit, pushed over it by the partition key.
  std::string exact(1024 * 1024 / 3 * 4, 'A');
  exact += "AA==";  // 1,048,575 + 1 = 1,048,576 bytes
  Answer with_key =
      call("PutRecord", R"({"StreamName":"s","PartitionKey":"ab","Data":")" + exact + "\"}");
  EXPECT_EQ(with_key.type(), "InvalidArgumentException") << with_key.body.substr(0, 200);
  // 1,048,575 bytes of data and a one-byte key fill the limit exactly.
  const std::string fits(1024 * 1024 / 3 * 4, 'A');
  EXPECT_EQ(
      ok("PutRecord", R"({"StreamName":"s","PartitionKey":"a","Data":")" + fits + "\"}").status,
      200);
}

TEST_F(ApiTest, ListStreamsPaginates) {
  for (int i = 0; i < 7; ++i) create("stream-" + std::to_string(i), 1);
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::string body =
        token.empty() ? R"({"Limit":3})" : R"({"Limit":3,"NextToken":")" + token + "\"}";
    Answer a = ok("ListStreams", body);
    for (const auto& n : a.json["StreamNames"].GetArray())
      EXPECT_TRUE(seen.insert(n.GetString()).second);
    EXPECT_EQ(a.json["StreamSummaries"].Size(), a.json["StreamNames"].Size());
    token = a.json.HasMember("NextToken") ? a.json["NextToken"].GetString() : "";
    EXPECT_EQ(a.json["HasMoreStreams"].GetBool(), !token.empty());
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ApiTest, ListShardsPaginatesAndFilters) {
  create("s", 5);
  Answer first = ok("ListShards", R"({"StreamName":"s","MaxResults":2})");
  ASSERT_EQ(first.json["Shards"].Size(), 2u);
  const std::string token = first.json["NextToken"].GetString();
  Answer rest = ok("ListShards", R"({"NextToken":")" + token + "\"}");
  ASSERT_EQ(rest.json["Shards"].Size(), 3u);
  EXPECT_STREQ(rest.json["Shards"][0]["ShardId"].GetString(), "shardId-000000000002");
  EXPECT_FALSE(rest.json.HasMember("NextToken"));

  Answer both = call("ListShards", R"({"StreamName":"s","NextToken":")" + token + "\"}");
  EXPECT_EQ(both.type(), "InvalidArgumentException");
  Answer after = ok(
      "ListShards",
      R"({"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000003"}})");
  ASSERT_EQ(after.json["Shards"].Size(), 1u);
  Answer by_arn = ok(
      "ListShards",
      R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ExclusiveStartShardId":"shardId-000000000000"})");
  EXPECT_EQ(by_arn.json["Shards"].Size(), 4u);

  clock_.advance_ms(300'001);
  EXPECT_EQ(call("ListShards", R"({"NextToken":")" + token + "\"}").type(),
            "ExpiredNextTokenException");
}

TEST_F(ApiTest, RegionComesFromTheCredentialScope) {
  create("s", 1);
  const harness::HttpHeader headers[] = {
      {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Date", "20261127T000000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKID/20261127/eu-west-1/kinesis/aws4_request, "
       "SignedHeaders=host, Signature=00"}};
  const auto& r = client_->post("/", headers, "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("\"s\""), std::string::npos) << r.body;
}

}  // namespace
}  // namespace kinesim::testing
