// Injected faults, the controllable clock and the admin surface, through a real server.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api/faults.h"
#include "server/server.h"
#include "tests/unit/server_test_fixture.h"

namespace kinesim::testing {
namespace {

using api::FaultKind;
using api::FaultRule;

FaultRule rule(FaultKind kind, std::string stream = "", std::string op = "") {
  FaultRule r;
  r.kind = kind;
  r.stream = std::move(stream);
  r.operation = std::move(op);
  return r;
}

class FaultsTest : public ServerTest {
 protected:
  api::FaultRegistry& faults() { return server_->faults(); }
  Answer put(const std::string& stream, const std::string& key) {
    return call("PutRecord", R"({"StreamName":)" + q(stream) + R"(,"PartitionKey":)" + q(key) +
                                 R"(,"Data":"AAAA"})");
  }
  std::string iterator(const std::string& stream) {
    Answer a = ok("GetShardIterator", R"({"StreamName":)" + q(stream) +
                                          R"(,"ShardId":"shardId-000000000000",)"
                                          R"("ShardIteratorType":"TRIM_HORIZON"})");
    return a.json["ShardIterator"].GetString();
  }
  size_t record_count(const std::string& stream) {
    Answer a = ok("GetRecords", R"({"ShardIterator":)" + q(iterator(stream)) + "}");
    return a.json["Records"].Size();
  }
};

TEST_F(FaultsTest, ThrottleTheNextNCallsOnOneStream) {
  create("s");
  create("t");
  FaultRule r = rule(FaultKind::kThrottle, "s", "PutRecord");
  r.count = 2;
  const int64_t id = faults().add(r);
  for (int i = 0; i < 2; ++i) {
    expect_error(put("s", "k"), "ProvisionedThroughputExceededException",
                 "Rate exceeded for shard shardId-000000000000 in stream s under account "
                 "000000000000.");
  }
  ok("PutRecord", R"({"StreamName":"t","PartitionKey":"k","Data":"AAAA"})");
  EXPECT_EQ(put("s", "k").status, 200);
  EXPECT_EQ(faults().fired(id), 2);
  EXPECT_EQ(record_count("s"), 1u);  // throttled calls wrote nothing
}

// A GetRecords names its stream only through its iterator, and a PutRecords its shards only
// through its records: a throttle scoped to the stream still finds them, and names their shard.
TEST_F(FaultsTest, ThrottlesFindTheStreamAndShardOfIteratorsAndRecords) {
  create("s", 2);
  create("t");
  FaultRule reads = rule(FaultKind::kThrottle, "s", "GetRecords");
  reads.count = 1;
  const int64_t reads_id = faults().add(reads);
  Answer it = ok("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000001",)"
                                     R"("ShardIteratorType":"TRIM_HORIZON"})");
  const std::string on_t = iterator("t");
  ok("GetRecords", R"({"ShardIterator":)" + q(on_t) + "}");
  EXPECT_EQ(faults().fired(reads_id), 0);
  expect_error("GetRecords", R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}",
               "ProvisionedThroughputExceededException",
               "Rate exceeded for shard shardId-000000000001 in stream s under account "
               "000000000000.");
  EXPECT_EQ(faults().fired(reads_id), 1);

  faults().add(rule(FaultKind::kThrottle, "s", "PutRecords"));
  expect_error("PutRecords",
               R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":"AAAA",)"
               R"("ExplicitHashKey":"170141183460469231731687303715884105728"}]})",
               "ProvisionedThroughputExceededException",
               "Rate exceeded for shard shardId-000000000001 in stream s under account "
               "000000000000.");
}

TEST_F(FaultsTest, ThrottledControlPlaneCallsGetLimitExceeded) {
  create("s");
  faults().add(rule(FaultKind::kThrottle, "s", "DescribeStreamSummary"));
  expect_error("DescribeStreamSummary", R"({"StreamName":"s"})", "LimitExceededException",
               "Rate exceeded for stream s under account 000000000000.");
}

TEST_F(FaultsTest, BadInputKeepsItsOwnErrorBeforeAnyFault) {
  const int64_t id = faults().add(rule(FaultKind::kThrottle));
  Answer a = call("PutRecord", R"({"StreamName":"s"})");
  EXPECT_EQ(a.type(), "ValidationException") << a.body;
  EXPECT_EQ(faults().fired(id), 0);
}

TEST_F(FaultsTest, InternalFailureIsHttp500) {
  create("s");
  faults().add(rule(FaultKind::kInternalFailure, "s"));
  Answer a = put("s", "k");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(a.type(), "InternalFailure");
  faults().clear();
  EXPECT_EQ(put("s", "k").status, 200);
}

TEST_F(FaultsTest, LatencyHoldsTheAnswerBackWithoutBlockingOtherCalls) {
  create("s");
  FaultRule slow = rule(FaultKind::kLatency, "s", "DescribeStreamSummary");
  slow.latency_ms = 300;
  faults().add(slow);
  auto start = std::chrono::steady_clock::now();
  harness::HttpClient other = server_->client();
  std::thread slow_call([&] {
    harness::HttpClient c = server_->client();
    EXPECT_EQ(send(c, "DescribeStreamSummary", R"({"StreamName":"s"})").status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // The server has 2 threads; a sleeping one would still leave one, so send several.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(send(other, "ListStreams", "{}").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  slow_call.join();
}

TEST_F(FaultsTest, PutRecordsFailsChosenRecordsWithoutWritingThem) {
  create("s");
  FaultRule r = rule(FaultKind::kFailRecords, "s");
  r.records = {1};
  const int64_t throttled = faults().add(r);
  r.records = {2};
  r.error_code = "InternalFailure";
  faults().add(r);
  Answer a = ok("PutRecords", R"({"StreamName":"s","Records":[)"
                              R"({"PartitionKey":"a","Data":"AAAA"},)"
                              R"({"PartitionKey":"b","Data":"AAAA"},)"
                              R"({"PartitionKey":"c","Data":"AAAA"}]})");
  EXPECT_EQ(a.json["FailedRecordCount"].GetInt(), 2) << a.body;
  const auto& records = a.json["Records"];
  EXPECT_TRUE(records[0].HasMember("SequenceNumber"));
  EXPECT_STREQ(records[1]["ErrorCode"].GetString(), "ProvisionedThroughputExceededException");
  EXPECT_STREQ(records[1]["ErrorMessage"].GetString(),
               "Rate exceeded for shard shardId-000000000000 in stream s under account "
               "000000000000.");
  EXPECT_FALSE(records[1].HasMember("SequenceNumber"));
  EXPECT_STREQ(records[2]["ErrorCode"].GetString(), "InternalFailure");
  EXPECT_STREQ(records[2]["ErrorMessage"].GetString(), "Internal service failure.");
  EXPECT_EQ(faults().fired(throttled), 1);
  EXPECT_EQ(record_count("s"), 1u);
}

TEST_F(FaultsTest, ThroughputLimitsSwitchOnAndOffAtRunTime) {
  create("s");
  faults().set_throughput_limits(true);
  std::string it = iterator("s");
  int throttled = 0;
  for (int i = 0; i < 6; ++i) {
    Answer a = call("GetRecords", R"({"ShardIterator":)" + q(it) + "}");
    if (a.type() == "ProvisionedThroughputExceededException") ++throttled;
  }
  EXPECT_EQ(throttled, 1);  // 5 reads per shard per second
  faults().set_throughput_limits(false);
  for (int i = 0; i < 6; ++i) ok("GetRecords", R"({"ShardIterator":)" + q(it) + "}");
}

TEST_F(FaultsTest, AdvancingTheFrozenClockExpiresAnIterator) {
  create("s");
  ControllableClock& clock = server_->clock();
  ASSERT_TRUE(clock.freeze(1'894'000'000'000));  // Mon Jan 07 07:06:40 UTC 2030
  std::string it = iterator("s");
  ASSERT_TRUE(clock.advance(300'001));
  expect_error("GetRecords", R"({"ShardIterator":)" + q(it) + "}", "ExpiredIteratorException",
               "Iterator expired. The iterator was created at time Mon Jan 07 07:06:40 UTC 2030 "
               "while right now it is Mon Jan 07 07:11:40 UTC 2030 which is further in the "
               "future than the tolerated delay of 300000 milliseconds.");
}

TEST_F(FaultsTest, AdvancingPastRetentionHidesRecords) {
  create("s");
  ASSERT_TRUE(server_->clock().freeze());
  EXPECT_EQ(put("s", "k").status, 200);
  EXPECT_EQ(record_count("s"), 1u);
  ASSERT_TRUE(server_->clock().advance(24 * 3600 * 1000 + 1));
  EXPECT_EQ(record_count("s"), 0u);
}

// The admin surface, on a server started as `kinesim --admin` would be (or without it).
class AdminTest : public ::testing::Test {
 protected:
  void start(bool admin) {
    Config config;
    config.port = 0;
    config.db = ":memory:";
    config.threads = 2;
    config.admin = admin;
    auto s = Server::start(config);
    ASSERT_TRUE(s.ok()) << s.status().message;
    server_ = std::move(s.value());
    client_.emplace("127.0.0.1", server_->port());
  }
  Answer admin(std::string_view method, std::string_view path, std::string_view body = "") {
    return answer(client_->send(method, path, {}, body));
  }
  std::unique_ptr<Server> server_;
  std::optional<harness::HttpClient> client_;
};

TEST_F(AdminTest, OffByDefaultAnswersLikeAnyNonKinesisRequest) {
  start(false);
  Answer plain = admin("GET", "/somewhere/else");
  Answer a = admin("GET", "/_kinesim/clock");
  EXPECT_EQ(a.status, plain.status);
  EXPECT_EQ(a.body, plain.body);
  Answer reset = admin("POST", "/_kinesim/reset", "{}");
  Answer plain_post = admin("POST", "/somewhere/else", "{}");
  EXPECT_EQ(reset.status, plain_post.status);
  EXPECT_EQ(reset.body, plain_post.body);
}

TEST_F(AdminTest, ResetErasesStreamsClearsFaultsAndReturnsToSystemTime) {
  start(true);
  EXPECT_EQ(send(*client_, "CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  EXPECT_EQ(send(*client_, "AddTagsToStream", R"({"StreamName":"s","Tags":{"a":"b"}})").status,
            200);
  Answer added = admin("POST", "/_kinesim/faults", R"({"kind":"throttle","stream":"x"})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.json["id"].GetInt64(), 1);
  EXPECT_EQ(admin("POST", "/_kinesim/clock", R"({"mode":"manual"})").status, 200);
  EXPECT_EQ(admin("POST", "/_kinesim/clock/advance", R"({"ms":100000})").status, 200);

  Answer reset = admin("POST", "/_kinesim/reset");
  EXPECT_EQ(reset.status, 200) << reset.body;
  Answer list = send(*client_, "ListStreams", "{}");
  EXPECT_EQ(list.json["StreamNames"].Size(), 0u) << list.body;
  EXPECT_EQ(admin("GET", "/_kinesim/faults").json["faults"].Size(), 0u);
  Answer clock = admin("GET", "/_kinesim/clock");
  EXPECT_STREQ(clock.json["mode"].GetString(), "system");
  // The same name is free again, with no tags left over.
  EXPECT_EQ(send(*client_, "CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  Answer tags = send(*client_, "ListTagsForStream", R"({"StreamName":"s"})");
  EXPECT_EQ(tags.json["Tags"].Size(), 0u) << tags.body;
}

// Writes racing a reset land before it (and are erased) or after it (and find no stream):
// none survives into a stream created after the reset, and the server keeps answering.
TEST_F(AdminTest, ResetWhileWritesAreInFlightLeavesNothingBehind) {
  start(true);
  ASSERT_EQ(send(*client_, "CreateStream", R"({"StreamName":"s","ShardCount":2})").status, 200);
  std::atomic<int> written{0};
  std::atomic<bool> refused{false}, failed{false};
  std::string unexpected;  // read after the writer is joined
  std::thread writer([&] {
    harness::HttpClient c("127.0.0.1", server_->port());
    for (int i = 0; i < 20'000 && !refused; ++i) {
      Answer a = send(c, "PutRecords",
                      R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":"AAAA"},)"
                      R"({"PartitionKey":"b","Data":"AAAA"}]})");
      if (a.status == 200) {
        ++written;
      } else if (a.type() == "ResourceNotFoundException") {
        refused = true;
      } else {
        unexpected = a.body;
        failed = true;
        return;
      }
    }
  });
  while (written < 20 && !refused && !failed) std::this_thread::yield();
  const bool raced = written >= 20;
  Answer reset = admin("POST", "/_kinesim/reset");
  writer.join();
  ASSERT_TRUE(raced) << "the writer stopped before the reset: " << unexpected;
  EXPECT_EQ(reset.status, 200) << reset.body;
  EXPECT_TRUE(refused) << "writes after the reset found the stream";
  EXPECT_FALSE(failed) << unexpected;
  EXPECT_EQ(send(*client_, "ListStreams", "{}").json["StreamNames"].Size(), 0u);

  ASSERT_EQ(send(*client_, "CreateStream", R"({"StreamName":"s","ShardCount":2})").status, 200);
  for (const char* shard : {"shardId-000000000000", "shardId-000000000001"}) {
    Answer it = send(*client_, "GetShardIterator",
                     std::string(R"({"StreamName":"s","ShardId":")") + shard +
                         R"(","ShardIteratorType":"TRIM_HORIZON"})");
    ASSERT_EQ(it.status, 200) << it.body;
    Answer read = send(*client_, "GetRecords",
                       R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}");
    EXPECT_EQ(read.json["Records"].Size(), 0u) << shard;
  }
}

TEST_F(AdminTest, ClockAndFaultsOverHttp) {
  start(true);
  Answer frozen = admin("POST", "/_kinesim/clock", R"({"mode":"manual","now_ms":1900000000000})");
  ASSERT_EQ(frozen.status, 200) << frozen.body;
  EXPECT_EQ(frozen.json["now_ms"].GetInt64(), 1900000000000);
  Answer advanced = admin("POST", "/_kinesim/clock/advance", R"({"ms":250})");
  EXPECT_EQ(advanced.json["now_ms"].GetInt64(), 1900000000250);
  EXPECT_EQ(admin("POST", "/_kinesim/clock", R"({"mode":"manual","now_ms":5})").status, 400);
  EXPECT_EQ(admin("POST", "/_kinesim/clock/advance", R"({"ms":-1})").status, 400);

  EXPECT_EQ(send(*client_, "CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  Answer added = admin("POST", "/_kinesim/faults",
                       R"({"kind":"throttle","stream":"s","operation":"PutRecord","count":1})");
  const int64_t id = added.json["id"].GetInt64();
  Answer t = send(*client_, "PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AAAA"})");
  EXPECT_EQ(t.type(), "ProvisionedThroughputExceededException");
  Answer rules = admin("GET", "/_kinesim/faults");
  ASSERT_EQ(rules.json["faults"].Size(), 1u) << rules.body;
  EXPECT_EQ(rules.json["faults"][0]["fired"].GetInt64(), 1);
  EXPECT_EQ(admin("DELETE", "/_kinesim/faults/" + std::to_string(id)).status, 200);
  EXPECT_EQ(admin("DELETE", "/_kinesim/faults/" + std::to_string(id)).status, 404);
  EXPECT_EQ(admin("POST", "/_kinesim/faults", R"({"kind":"nope"})").status, 400);
  EXPECT_EQ(admin("POST", "/_kinesim/faults", "not json").status, 400);
  EXPECT_EQ(admin("DELETE", "/_kinesim/faults").status, 200);
  EXPECT_EQ(admin("GET", "/_kinesim/nothing").status, 404);
}

}  // namespace
}  // namespace kinesim::testing
