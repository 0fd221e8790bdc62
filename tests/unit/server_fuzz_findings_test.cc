// Requests the fuzz targets (tests/fuzz) found mishandled, answered as Kinesis answers them. The
// inputs themselves are kept under tests/fuzz/regressions/ and replayed by tests/fuzz/run.sh.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/server_test_fixture.h"

namespace kinesim::testing {
namespace {

class FuzzFindingsTest : public ServerTest {};

// Timestamps are JSON numbers of seconds; converting one beyond int64 milliseconds to an integer
// was undefined behaviour. They saturate now, as a Java long conversion does.
TEST_F(FuzzFindingsTest, ListShardsWithATimestampFarInTheFutureListsTheOpenShards) {
  create("s", 2);
  Answer a = ok("ListShards",
                R"({"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":8.9e70}})");
  ASSERT_TRUE(a.json.IsObject()) << a.body;
  EXPECT_EQ(a.json["Shards"].Size(), 2u) << a.body;
  a = ok("ListShards",
         R"({"StreamName":"s","ShardFilter":{"Type":"FROM_TIMESTAMP","Timestamp":-8.9e70}})");
  EXPECT_EQ(a.json["Shards"].Size(), 2u) << a.body;
}

TEST_F(FuzzFindingsTest, GetShardIteratorAtATimestampBeyondInt64IsInTheFuture) {
  create("s");
  expect_error("GetShardIterator",
               R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
               R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1e300})",
               "InvalidArgumentException",
               "The timestampInMillis parameter cannot be greater than the "
               "currentTimestampInMillis. timestampInMillis: 9223372036854775807, "
               "currentTimestampInMillis: " +
                   std::to_string(kStartMs));
  // Far in the past: the iterator starts at the oldest record.
  ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AA=="})");
  Answer it = ok("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                                     R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":-1e300})");
  Answer records =
      ok("GetRecords", R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}");
  EXPECT_EQ(records.json["Records"].Size(), 1u) << records.body;
}

TEST_F(FuzzFindingsTest, StreamCreationTimestampBeyondInt64NamesNoStream) {
  create("s");
  expect_error("ListShards", R"({"StreamName":"s","StreamCreationTimestamp":1e300})",
               "ResourceNotFoundException", "Stream s under account 000000000000 not found.");
}

// Integer members are 32-bit in the model, and validation saturates them there; operations read
// them as 64-bit values, so ShardCount 3.3e39 reached the store as 2^63 - 1 and overflowed the
// shard limit check.
TEST_F(FuzzFindingsTest, ShardCountBeyondInt32IsReadAsValidationReadIt) {
  expect_error("CreateStream",
               R"({"StreamName":"s","ShardCount":3340282366920938463463374607431768211455})",
               "LimitExceededException",
               "This request would exceed the shard limit for the account 000000000000 in "
               "us-east-1. Current shard count for the account: 0. Limit: 500. Number of "
               "additional shards that would have resulted from this request: 2147483647. Refer "
               "to the AWS Service Limits page "
               "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
               "limits and how to request higher limits.");
  create("s");
  expect_error("UpdateShardCount",
               R"({"StreamName":"s","TargetShardCount":1e12,"ScalingType":"UNIFORM_SCALING"})",
               "ValidationException",
               "1 validation error detected: Value '2147483647' at 'targetShardCount' failed to "
               "satisfy constraint: Member must have value less than or equal to 100000");
}

}  // namespace
}  // namespace kinesim::testing
