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

}  // namespace
}  // namespace kinesim::testing
