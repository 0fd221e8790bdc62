// LambdaRunner: a Kinesis event source mapping against an in-process kinesim, on the server's
// clock. The expectations follow the AWS Lambda developer guide ("Using Lambda with Kinesis":
// the example event, error handling, the example invocation record, reporting batch item
// failures).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/gtest.h"
#include "harness/kpl.h"
#include "harness/lambda_runner.h"
#include "storage/clock.h"

namespace kinesim::harness {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

// 2018-12-17T22:10:50.987Z, the arrival time of the guide's example record.
constexpr int64_t kStartMs = 1'545'084'650'987;

class LambdaRunnerTest : public KinesisTest {
 protected:
  TestServer::Options ServerOptions() override {
    TestServer::Options options;
    options.clock = &clock_;
    return options;
  }

  void Create(const std::string& stream, int shards = 1) {
    ASSERT_TRUE(client().create_stream(stream, shards).ok());
    ASSERT_TRUE(WaitForActive(client(), stream).ok());
  }
  std::string Put(const std::string& stream, const std::string& key, const std::string& data) {
    return client().put_record(stream, key, data).value().sequence_number;
  }
  LambdaRunner::Config Config() {
    LambdaRunner::Config config;
    config.clock = &server().clock();
    return config;
  }
  // A handler that keeps every event and succeeds.
  LambdaHandler Recorder() {
    return [this](const KinesisEvent& event) {
      events_.push_back(event);
      return BatchResponse::Success();
    };
  }
  std::vector<std::string> Data() const {
    std::vector<std::string> out;
    for (const auto& e : events_) {
      for (const auto& r : e.records) out.push_back(r.data);
    }
    return out;
  }
  std::vector<size_t> Sizes() const {
    std::vector<size_t> out;
    for (const auto& e : events_) out.push_back(e.records.size());
    return out;
  }

  FakeClock clock_{kStartMs};
  std::vector<KinesisEvent> events_;
  std::vector<OnFailureRecord> failures_;
};

// --- The event ---------------------------------------------------------------------------------

TEST_F(LambdaRunnerTest, EventIsLambdasKinesisEventFormat) {
  Create("lambda-stream");
  const std::string seq = Put("lambda-stream", "1", "Hello, this is a test.");
  LambdaRunner runner(server().endpoint(), "lambda-stream", Recorder(), Config());
  EXPECT_EQ(runner.run_until_idle(), 1u);
  ASSERT_EQ(events_.size(), 1u);
  const KinesisEventRecord& r = events_[0].records.at(0);
  const std::string arn = client().describe_stream_summary("lambda-stream").value().stream_arn;
  EXPECT_EQ(arn, "arn:aws:kinesis:us-east-1:000000000000:stream/lambda-stream");

  // The typed record, with the data decoded.
  EXPECT_EQ(r.data, "Hello, this is a test.");
  EXPECT_EQ(r.data_base64(), "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==");
  EXPECT_EQ(r.approximate_arrival_ms, kStartMs);
  EXPECT_EQ(r.shard_id, "shardId-000000000000");

  // The JSON, member by member as in the guide's example event.
  const std::string json = events_[0].to_json();
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_TRUE(doc.IsObject()) << json;
  ASSERT_EQ(doc.MemberCount(), 1u);
  ASSERT_TRUE(doc["Records"].IsArray());
  ASSERT_EQ(doc["Records"].Size(), 1u);
  const auto& rec = doc["Records"][0];
  std::vector<std::string> keys;
  for (const auto& m : rec.GetObject()) keys.emplace_back(m.name.GetString());
  EXPECT_THAT(keys, ElementsAre("kinesis", "eventSource", "eventVersion", "eventID", "eventName",
                                "invokeIdentityArn", "awsRegion", "eventSourceARN"));
  const auto& k = rec["kinesis"];
  std::vector<std::string> kinesis_keys;
  for (const auto& m : k.GetObject()) kinesis_keys.emplace_back(m.name.GetString());
  EXPECT_THAT(kinesis_keys, ElementsAre("kinesisSchemaVersion", "partitionKey", "sequenceNumber",
                                        "data", "approximateArrivalTimestamp"));
  EXPECT_STREQ(k["kinesisSchemaVersion"].GetString(), "1.0");
  EXPECT_STREQ(k["partitionKey"].GetString(), "1");
  EXPECT_EQ(k["sequenceNumber"].GetString(), seq);
  EXPECT_STREQ(k["data"].GetString(), "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==");
  ASSERT_TRUE(k["approximateArrivalTimestamp"].IsDouble());
  EXPECT_DOUBLE_EQ(k["approximateArrivalTimestamp"].GetDouble(), 1545084650.987);
  EXPECT_NE(json.find(R"("approximateArrivalTimestamp":1545084650.987})"), std::string::npos)
      << json;
  EXPECT_STREQ(rec["eventSource"].GetString(), "aws:kinesis");
  EXPECT_STREQ(rec["eventVersion"].GetString(), "1.0");
  EXPECT_EQ(rec["eventID"].GetString(), "shardId-000000000000:" + seq);
  EXPECT_STREQ(rec["eventName"].GetString(), "aws:kinesis:record");
  EXPECT_STREQ(rec["invokeIdentityArn"].GetString(), "arn:aws:iam::000000000000:role/lambda-role");
  EXPECT_STREQ(rec["awsRegion"].GetString(), "us-east-1");
  EXPECT_EQ(rec["eventSourceARN"].GetString(), arn);
  EXPECT_EQ(runner.stream_arn(), arn);
}

// --- Shards and order ----------------------------------------------------------------------

TEST_F(LambdaRunnerTest, ParentsBeforeChildrenAcrossSplitAndMergeWithPerKeyOrder) {
  Create("s");
  std::map<std::string, std::vector<std::string>> written;  // key -> data, in write order
  int n = 0;
  auto put_round = [&] {
    for (int k = 0; k < 8; ++k) {
      const std::string key = "key" + std::to_string(k);
      const std::string data = key + "#" + std::to_string(n++);
      Put("s", key, data);
      written[key].push_back(data);
    }
  };
  auto config = Config();
  config.batch_size = 3;
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  put_round();
  runner.poll_once();  // the runner is mid-shard when the stream reshards
  ASSERT_TRUE(client().update_shard_count("s", 2).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  put_round();
  ASSERT_TRUE(client().update_shard_count("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  put_round();
  runner.run_until_idle();

  // Every record once, each key's records in the order written.
  std::map<std::string, std::vector<std::string>> delivered;
  std::map<std::string, std::pair<size_t, size_t>> span;  // shard -> first, last event index
  for (size_t i = 0; i < events_.size(); ++i) {
    for (const auto& r : events_[i].records) {
      delivered[r.partition_key].push_back(r.data);
      EXPECT_EQ(r.shard_id, events_[i].shard_id);
    }
    auto [it, inserted] = span.try_emplace(events_[i].shard_id, i, i);
    if (!inserted) it->second.second = i;
  }
  EXPECT_EQ(delivered, written);

  // Every parent's last batch before its child's first: 0 splits into 1 and 2, which merge
  // into 3.
  auto shards = client().list_shards("s").value();
  ASSERT_EQ(shards.size(), 4u);
  int checked = 0;
  for (const auto& s : shards) {
    for (const auto& parent : {s.parent_shard_id, s.adjacent_parent_shard_id}) {
      if (parent.empty() || !span.count(parent) || !span.count(s.shard_id)) continue;
      EXPECT_LT(span[parent].second, span[s.shard_id].first) << parent << " -> " << s.shard_id;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);  // 0->1, 0->2, 1->3, 2->3
  for (const auto& state : runner.shards()) {
    if (state.shard_id != "shardId-000000000003") {
      EXPECT_TRUE(state.checkpoint.finished) << state.shard_id;
    }
  }
}

TEST_F(LambdaRunnerTest, BatchSizeBoundsEachInvocation) {
  Create("s");
  std::vector<std::string> written;
  for (int i = 0; i < 25; ++i) {
    written.push_back("r" + std::to_string(i));
    Put("s", "k", written.back());
  }
  auto config = Config();
  config.batch_size = 10;
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  EXPECT_EQ(runner.run_until_idle(), 25u);
  EXPECT_THAT(Sizes(), ElementsAre(10u, 10u, 5u));
  EXPECT_THAT(Data(), ElementsAreArray(written));
}

TEST_F(LambdaRunnerTest, BatchWindowHoldsRecordsUntilItPassesOrTheBatchFills) {
  Create("s");
  auto config = Config();
  config.batch_size = 10;
  config.batching_window_seconds = 5;
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  for (int i = 0; i < 3; ++i) Put("s", "k", "a" + std::to_string(i));
  EXPECT_EQ(runner.run_until_idle(), 0u);  // read, held by the window
  clock_.advance_ms(4999);
  EXPECT_EQ(runner.run_until_idle(), 0u);
  EXPECT_EQ(runner.invocations(), 0);
  clock_.advance_ms(1);
  EXPECT_EQ(runner.run_until_idle(), 3u);
  EXPECT_THAT(Sizes(), ElementsAre(3u));

  // A full batch goes at once, without waiting for the window.
  for (int i = 0; i < 10; ++i) Put("s", "k", "b" + std::to_string(i));
  EXPECT_EQ(runner.run_until_idle(), 10u);
  EXPECT_THAT(Sizes(), ElementsAre(3u, 10u));
}

// --- Errors ------------------------------------------------------------------------------------

TEST_F(LambdaRunnerTest, RetriesUpToTheMaximumThenReportsAndMovesOn) {
  Create("s");
  const std::string a = Put("s", "k", "a");
  const std::string poison = Put("s", "k", "poison");
  Put("s", "k", "c");
  auto config = Config();
  config.batch_size = 1;
  config.maximum_retry_attempts = 2;
  config.on_failure = [&](const OnFailureRecord& f) { failures_.push_back(f); };
  std::vector<std::string> seen;
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent& event) {
        seen.push_back(event.records.at(0).data);
        if (event.records.at(0).data == "poison") throw std::runtime_error("bad record");
        return BatchResponse::Success();
      },
      config);
  EXPECT_EQ(runner.poll_once(), 1u);  // a
  EXPECT_EQ(runner.poll_once(), 1u);  // poison, fails
  ASSERT_EQ(runner.shards().size(), 1u);
  EXPECT_EQ(runner.shards()[0].retry_attempts, 1);
  EXPECT_EQ(runner.shards()[0].checkpoint.sequence_number, a);
  EXPECT_EQ(runner.poll_once(), 1u);  // first retry
  EXPECT_EQ(runner.shards()[0].retry_attempts, 2);
  EXPECT_THAT(failures_, IsEmpty());
  EXPECT_EQ(runner.poll_once(), 1u);  // second retry: exhausted
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(runner.shards()[0].checkpoint.sequence_number, poison);
  EXPECT_EQ(runner.poll_once(), 1u);  // c
  EXPECT_THAT(seen, ElementsAre("a", "poison", "poison", "poison", "c"));

  const OnFailureRecord& f = failures_[0];
  EXPECT_EQ(f.condition, "RetryAttemptsExhausted");
  EXPECT_EQ(f.approximate_invoke_count, 3);
  EXPECT_EQ(f.function_error, "Unhandled");
  EXPECT_EQ(f.shard_id, "shardId-000000000000");
  EXPECT_EQ(f.start_sequence_number, poison);
  EXPECT_EQ(f.end_sequence_number, poison);
  EXPECT_EQ(f.batch_size, 1);
  EXPECT_EQ(f.stream_arn, runner.stream_arn());
  ASSERT_EQ(f.records.size(), 1u);
  EXPECT_EQ(f.records[0].data, "poison");

  // The invocation record's JSON has the guide's shape.
  rapidjson::Document doc;
  doc.Parse(f.to_json().c_str());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["requestContext"]["condition"].GetString(), "RetryAttemptsExhausted");
  EXPECT_EQ(doc["requestContext"]["approximateInvokeCount"].GetInt(), 3);
  EXPECT_STREQ(doc["requestContext"]["functionArn"].GetString(),
               "arn:aws:lambda:us-east-1:000000000000:function:kinesim-function");
  EXPECT_EQ(std::string(doc["requestContext"]["requestId"].GetString()).size(), 36u);
  EXPECT_EQ(doc["responseContext"]["statusCode"].GetInt(), 200);
  EXPECT_STREQ(doc["responseContext"]["executedVersion"].GetString(), "$LATEST");
  EXPECT_STREQ(doc["responseContext"]["functionError"].GetString(), "Unhandled");
  EXPECT_STREQ(doc["version"].GetString(), "1.0");
  EXPECT_STREQ(doc["timestamp"].GetString(), "2018-12-17T22:10:50.987Z");
  const auto& info = doc["KinesisBatchInfo"];
  EXPECT_STREQ(info["shardId"].GetString(), "shardId-000000000000");
  EXPECT_EQ(info["startSequenceNumber"].GetString(), poison);
  EXPECT_EQ(info["endSequenceNumber"].GetString(), poison);
  EXPECT_STREQ(info["approximateArrivalOfFirstRecord"].GetString(), "2018-12-17T22:10:50.987Z");
  EXPECT_STREQ(info["approximateArrivalOfLastRecord"].GetString(), "2018-12-17T22:10:50.987Z");
  EXPECT_EQ(info["batchSize"].GetInt(), 1);
  EXPECT_EQ(info["streamArn"].GetString(), runner.stream_arn());
}

TEST_F(LambdaRunnerTest, RecordsOlderThanTheMaximumAgeAreGivenUp) {
  Create("s");
  const std::string old1 = Put("s", "k", "old1");
  const std::string old2 = Put("s", "k", "old2");
  clock_.advance_ms(60'001);
  Put("s", "k", "new");
  auto config = Config();
  config.maximum_record_age_seconds = 60;
  config.on_failure = [&](const OnFailureRecord& f) { failures_.push_back(f); };
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  EXPECT_EQ(runner.run_until_idle(), 1u);
  EXPECT_THAT(Data(), ElementsAre("new"));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].condition, "RecordAgeExceeded");
  EXPECT_EQ(failures_[0].start_sequence_number, old1);
  EXPECT_EQ(failures_[0].end_sequence_number, old2);
  EXPECT_EQ(failures_[0].batch_size, 2);
  EXPECT_EQ(failures_[0].approximate_invoke_count, 0);
  EXPECT_EQ(failures_[0].approximate_arrival_of_first_record_ms, kStartMs);
  EXPECT_EQ(failures_[0].function_error, "");
}

// With infinite retries (the default), only the record's age ends the retrying.
TEST_F(LambdaRunnerTest, RecordAgeEndsInfiniteRetries) {
  Create("s");
  const std::string stuck = Put("s", "k", "stuck");
  auto config = Config();
  config.maximum_record_age_seconds = 60;
  config.on_failure = [&](const OnFailureRecord& f) { failures_.push_back(f); };
  int calls = 0;
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent&) -> BatchResponse {
        ++calls;
        throw std::runtime_error("always");
      },
      config);
  for (int i = 0; i < 5; ++i) runner.poll_once();
  EXPECT_EQ(calls, 5);
  EXPECT_THAT(failures_, IsEmpty());
  clock_.advance_ms(60'001);
  runner.poll_once();
  EXPECT_EQ(calls, 5);  // given up before invoking
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].condition, "RecordAgeExceeded");
  EXPECT_EQ(failures_[0].approximate_invoke_count, 5);
  EXPECT_EQ(failures_[0].start_sequence_number, stuck);
  EXPECT_EQ(runner.shards()[0].checkpoint.sequence_number, stuck);
  EXPECT_EQ(runner.shards()[0].pending_batches, 0u);
}

// A failed batch of 8 with the poison record at position 5: halves are retried first half
// first, and bisecting spends no retry, so with MaximumRetryAttempts 0 only the poison record
// alone is given up.
TEST_F(LambdaRunnerTest, BisectOnErrorIsolatesOnePoisonRecord) {
  Create("s");
  std::vector<std::string> seqs;
  for (int i = 0; i < 8; ++i) seqs.push_back(Put("s", "k", i == 5 ? "poison" : "ok"));
  auto config = Config();
  config.batch_size = 8;
  config.bisect_batch_on_function_error = true;
  config.maximum_retry_attempts = 0;
  config.on_failure = [&](const OnFailureRecord& f) { failures_.push_back(f); };
  std::vector<size_t> sizes;
  std::vector<std::string> processed;
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent& event) {
        sizes.push_back(event.records.size());
        for (const auto& r : event.records) {
          if (r.data == "poison") throw std::runtime_error("poison");
        }
        for (const auto& r : event.records) processed.push_back(r.sequence_number);
        return BatchResponse::Success();
      },
      config);
  runner.run_until_idle();
  EXPECT_THAT(sizes, ElementsAre(8u, 4u, 4u, 2u, 1u, 1u, 2u));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].condition, "RetryAttemptsExhausted");
  EXPECT_EQ(failures_[0].batch_size, 1);
  EXPECT_EQ(failures_[0].start_sequence_number, seqs[5]);
  EXPECT_EQ(failures_[0].end_sequence_number, seqs[5]);
  EXPECT_EQ(failures_[0].approximate_invoke_count, 4);  // in batches of 8, 4, 2 and 1
  std::vector<std::string> expected = seqs;
  expected.erase(expected.begin() + 5);
  EXPECT_THAT(processed, ElementsAreArray(expected));
  EXPECT_EQ(runner.shards()[0].checkpoint.sequence_number, seqs[7]);
}

TEST_F(LambdaRunnerTest, BatchItemFailuresResumeFromTheLowestFailedSequenceNumber) {
  Create("s");
  std::vector<std::string> seqs;
  for (int i = 0; i < 5; ++i) seqs.push_back(Put("s", "k", "r" + std::to_string(i)));
  auto config = Config();
  config.report_batch_item_failures = true;
  int call = 0;
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent& event) {
        events_.push_back(event);
        if (++call == 1) {
          // Listed out of order: the lowest one counts.
          return BatchResponse{{{seqs[4]}, {seqs[2]}}};
        }
        return BatchResponse::Success();
      },
      config);
  EXPECT_EQ(runner.poll_once(), 5u);
  EXPECT_EQ(runner.shards()[0].checkpoint.sequence_number, seqs[1]);
  EXPECT_EQ(runner.shards()[0].retry_attempts, 1);
  EXPECT_EQ(runner.poll_once(), 3u);
  EXPECT_THAT(Data(), ElementsAre("r0", "r1", "r2", "r3", "r4", "r2", "r3", "r4"));
  EXPECT_EQ(runner.shards()[0].checkpoint.sequence_number, seqs[4]);
  EXPECT_EQ(runner.run_until_idle(), 0u);
}

// An empty, null or misspelled itemIdentifier, or one naming no record of the batch, fails the
// whole batch; without ReportBatchItemFailures the answer is ignored.
TEST_F(LambdaRunnerTest, InvalidItemIdentifiersFailTheWholeBatch) {
  for (const char* answer : {R"({"batchItemFailures":[{"itemIdentifier":""}]})",
                             R"({"batchItemFailures":[{"itemIdentifier":null}]})",
                             R"({"batchItemFailures":[{"itemIdentifer":"1"}]})",
                             R"({"batchItemFailures":[{"itemIdentifier":"12345"}]})"}) {
    SCOPED_TRACE(answer);
    TestServer kinesis(ServerOptions());
    KinesisClient c(kinesis.endpoint());
    ASSERT_TRUE(c.create_stream("s", 1).ok());
    for (int i = 0; i < 3; ++i) c.put_record("s", "k", "r" + std::to_string(i)).value();
    auto config = Config();
    config.clock = &kinesis.clock();
    config.report_batch_item_failures = true;
    std::vector<size_t> sizes;
    int call = 0;
    LambdaRunner runner(
        kinesis.endpoint(), "s",
        [&](const KinesisEvent& event) {
          sizes.push_back(event.records.size());
          return ++call == 1 ? BatchResponse::FromJson(answer) : BatchResponse::Success();
        },
        config);
    runner.run_until_idle();
    EXPECT_THAT(sizes, ElementsAre(3u, 3u));
  }
  EXPECT_TRUE(BatchResponse::FromJson("null").batch_item_failures.empty());
  EXPECT_TRUE(BatchResponse::FromJson(R"({"batchItemFailures":[]})").batch_item_failures.empty());
  EXPECT_TRUE(BatchResponse::FromJson(R"({"batchItemFailures":null})").batch_item_failures.empty());
  EXPECT_TRUE(BatchResponse::FromJson("{}").batch_item_failures.empty());
}

TEST_F(LambdaRunnerTest, BatchItemFailuresAreIgnoredUnlessReported) {
  Create("s");
  const std::string first = Put("s", "k", "a");
  Put("s", "k", "b");
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent& event) {
        events_.push_back(event);
        return BatchResponse::FailFrom(first);
      },
      Config());
  runner.run_until_idle();
  EXPECT_THAT(Sizes(), ElementsAre(2u));
}

// --- Checkpoints and starting positions ------------------------------------------------------

TEST_F(LambdaRunnerTest, SecondRunnerResumesFromTheCheckpointStore) {
  Create("s");
  char path[] = "/tmp/kinesim-checkpoints-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::remove(path);  // the store starts without a file
  for (int i = 0; i < 3; ++i) Put("s", "k", "first" + std::to_string(i));
  std::string last;
  {
    FileCheckpointStore store(path);
    auto config = Config();
    config.checkpoints = &store;
    LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
    EXPECT_EQ(runner.run_until_idle(), 3u);
    last = runner.shards().at(0).checkpoint.sequence_number;
  }
  for (int i = 0; i < 2; ++i) Put("s", "k", "second" + std::to_string(i));
  FileCheckpointStore reopened(path);
  ASSERT_TRUE(reopened.load("s", "shardId-000000000000").has_value());
  EXPECT_EQ(reopened.load("s", "shardId-000000000000")->sequence_number, last);
  auto config = Config();
  config.checkpoints = &reopened;
  LambdaRunner second(server().endpoint(), "s", Recorder(), config);
  EXPECT_EQ(second.run_until_idle(), 2u);
  EXPECT_THAT(Data(), ElementsAre("first0", "first1", "first2", "second0", "second1"));
  std::remove(path);
}

TEST_F(LambdaRunnerTest, LatestSeesOnlyRecordsWrittenAfterItStarts) {
  Create("s");
  Put("s", "k", "before");
  auto config = Config();
  config.starting_position = StartingPosition::Latest();
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  EXPECT_EQ(runner.run_until_idle(), 0u);
  Put("s", "k", "after");
  EXPECT_EQ(runner.run_until_idle(), 1u);
  EXPECT_THAT(Data(), ElementsAre("after"));
}

TEST_F(LambdaRunnerTest, AtTimestampStartsAtTheFirstRecordFromThatTime) {
  Create("s");
  Put("s", "k", "early");
  clock_.advance_ms(10'000);
  Put("s", "k", "late");
  auto config = Config();
  config.starting_position = StartingPosition::AtTimestamp(kStartMs + 5'000);
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  EXPECT_EQ(runner.run_until_idle(), 1u);
  EXPECT_THAT(Data(), ElementsAre("late"));
}

// Under LATEST, shards closed before the runner began are passed over, the open ones start at
// their tip, and shards born of a reshard after it began are read from their start.
TEST_F(LambdaRunnerTest, LatestAcrossReshardingSkipsOnlyTheOldRecords) {
  Create("s");
  auto put_keys = [&](const std::string& what) {
    for (int k = 0; k < 6; ++k) Put("s", "key" + std::to_string(k), what);
  };
  put_keys("before-split");
  ASSERT_TRUE(client().update_shard_count("s", 2).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  put_keys("before-start");
  auto config = Config();
  config.starting_position = StartingPosition::Latest();
  LambdaRunner runner(server().endpoint(), "s", Recorder(), config);
  EXPECT_EQ(runner.run_until_idle(), 0u);
  put_keys("after-start");
  ASSERT_TRUE(client().update_shard_count("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  put_keys("after-merge");
  EXPECT_EQ(runner.run_until_idle(), 12u);
  std::vector<std::string> expected(6, "after-start");
  expected.insert(expected.end(), 6, "after-merge");
  EXPECT_THAT(Data(), UnorderedElementsAreArray(expected));
}

// Iterators expire after 5 minutes on the server's clock; the runner renews them where it stood.
TEST_F(LambdaRunnerTest, ExpiredIteratorsAreRenewedWithoutLoss) {
  for (const auto& position : {StartingPosition::TrimHorizon(), StartingPosition::Latest()}) {
    SCOPED_TRACE(position.type);
    events_.clear();
    const std::string stream = "s-" + position.type;
    Create(stream);
    auto config = Config();
    config.starting_position = position;
    LambdaRunner runner(server().endpoint(), stream, Recorder(), config);
    EXPECT_EQ(runner.run_until_idle(), 0u);  // holds an iterator at the tip
    clock_.advance_ms(5 * 60 * 1000 + 1);
    Put(stream, "k", "late");
    EXPECT_EQ(runner.run_until_idle(), 1u);
    ASSERT_TRUE(runner.last_error().has_value());
    EXPECT_EQ(runner.last_error()->type, "ExpiredIteratorException");
    Put(stream, "k", "later");
    clock_.advance_ms(5 * 60 * 1000 + 1);
    Put(stream, "k", "latest");
    EXPECT_EQ(runner.run_until_idle(), 2u);
    EXPECT_THAT(Data(), ElementsAre("late", "later", "latest"));
  }
}

// --- Kinesis errors, background thread, configuration ----------------------------------------

TEST_F(LambdaRunnerTest, ThrottledReadsAreRetriedWithoutInvocationOrLoss) {
  Create("s");
  for (int i = 0; i < 3; ++i) Put("s", "k", "r" + std::to_string(i));
  api::FaultRule rule;
  rule.kind = api::FaultKind::kThrottle;
  rule.operation = "GetRecords";
  rule.count = 2;
  const int64_t id = server().faults().add(rule);
  LambdaRunner runner(server().endpoint(), "s", Recorder(), Config());
  EXPECT_EQ(runner.poll_once(), 0u);
  EXPECT_EQ(runner.poll_once(), 0u);
  EXPECT_EQ(runner.invocations(), 0);
  ASSERT_TRUE(runner.last_error().has_value());
  EXPECT_EQ(runner.last_error()->type, "ProvisionedThroughputExceededException");
  EXPECT_EQ(runner.poll_once(), 3u);
  EXPECT_EQ(server().faults().fired(id), 2);
  EXPECT_EQ(runner.kinesis_errors(), 2);
  EXPECT_THAT(Data(), ElementsAre("r0", "r1", "r2"));
  EXPECT_EQ(runner.run_until_idle(), 0u);
}

TEST_F(LambdaRunnerTest, BackgroundThreadDeliversUntilStopped) {
  Create("s");
  std::atomic<int> delivered{0};
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent& event) {
        delivered += static_cast<int>(event.records.size());
        return BatchResponse::Success();
      },
      Config());
  runner.start(std::chrono::milliseconds(1));
  for (int i = 0; i < 5; ++i) Put("s", "k", "r" + std::to_string(i));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (delivered < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  runner.stop();
  EXPECT_EQ(delivered.load(), 5);
  Put("s", "k", "after-stop");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(delivered.load(), 5);
}

// Sub-records of one Kinesis record share its sequence number: a batch never splits them, and a
// failure naming that sequence number retries all of them.
TEST_F(LambdaRunnerTest, ExpandedSubRecordsStayTogether) {
  Create("s");
  std::vector<std::string> seqs;
  for (int i = 0; i < 3; ++i) seqs.push_back(Put("s", "k", "agg" + std::to_string(i)));
  auto config = Config();
  config.batch_size = 3;
  config.report_batch_item_failures = true;
  config.expand = [](const Record& r) {
    Record a = r, b = r;
    a.data += ".a";
    b.data += ".b";
    b.partition_key = "other";
    return std::vector<Record>{a, b};
  };
  int call = 0;
  LambdaRunner runner(
      server().endpoint(), "s",
      [&](const KinesisEvent& event) {
        events_.push_back(event);
        return ++call == 2 ? BatchResponse::FailFrom(event.records.at(1).sequence_number)
                           : BatchResponse::Success();
      },
      config);
  runner.run_until_idle();
  EXPECT_THAT(Data(), ElementsAre("agg0.a", "agg0.b", "agg1.a", "agg1.b", "agg1.a", "agg1.b",
                                  "agg2.a", "agg2.b"));
  EXPECT_EQ(events_[0].records[1].sequence_number, seqs[0]);
  EXPECT_EQ(events_[0].records[1].event_id, "shardId-000000000000:" + seqs[0]);
  EXPECT_EQ(events_[0].records[1].partition_key, "other");
}

// With no `expand` of its own, the runner unpacks KPL-aggregated records into their user
// records, as a consumer of the format does, and passes plain records through unchanged.
TEST_F(LambdaRunnerTest, AggregatedRecordsAreDeliveredAsTheirUserRecords) {
  Create("s");
  const std::string plain = Put("s", "p", "plain");
  auto put = kpl::put_aggregated(client(), "s", {{"u1", "", "one"}, {"u2", "", "two"}});
  ASSERT_TRUE(put.ok()) << put.error().describe();
  const std::string packed = put.value().records.at(0).sequence_number;
  Put("s", "q", std::string(kpl::kMagic) + "not protobuf");  // magic alone is not enough
  LambdaRunner runner(server().endpoint(), "s", Recorder(), Config());
  EXPECT_EQ(runner.run_until_idle(), 4u);
  ASSERT_EQ(events_.size(), 1u);
  const auto& records = events_[0].records;
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].sequence_number, plain);
  EXPECT_EQ(records[0].data, "plain");
  EXPECT_EQ(records[1].partition_key, "u1");
  EXPECT_EQ(records[1].data, "one");
  EXPECT_EQ(records[2].partition_key, "u2");
  EXPECT_EQ(records[2].data, "two");
  EXPECT_EQ(records[1].sequence_number, packed);
  EXPECT_EQ(records[2].sequence_number, packed);
  EXPECT_EQ(records[3].partition_key, "q");
  EXPECT_EQ(records[3].data, std::string(kpl::kMagic) + "not protobuf");
}

TEST(LambdaRunnerConfigTest, ValuesOutsideAwsRangesAreRefused) {
  auto refused = [](auto change) {
    LambdaRunner::Config config;
    change(config);
    try {
      LambdaRunner runner(
          "http://127.0.0.1:1", "s", [](const KinesisEvent&) { return BatchResponse{}; }, config);
    } catch (const std::invalid_argument&) {
      return true;
    }
    return false;
  };
  EXPECT_TRUE(refused([](auto& c) { c.batch_size = 0; }));
  EXPECT_TRUE(refused([](auto& c) { c.batch_size = 10001; }));
  EXPECT_FALSE(refused([](auto& c) { c.batch_size = 10000; }));
  EXPECT_TRUE(refused([](auto& c) { c.batching_window_seconds = 301; }));
  EXPECT_TRUE(refused([](auto& c) { c.maximum_retry_attempts = -2; }));
  EXPECT_TRUE(refused([](auto& c) { c.maximum_retry_attempts = 10001; }));
  EXPECT_TRUE(refused([](auto& c) { c.maximum_record_age_seconds = 59; }));
  EXPECT_TRUE(refused([](auto& c) { c.maximum_record_age_seconds = 604801; }));
  EXPECT_FALSE(refused([](auto& c) { c.maximum_record_age_seconds = 60; }));
  EXPECT_TRUE(
      refused([](auto& c) { c.starting_position = StartingPosition::AtSequenceNumber("1"); }));
}

}  // namespace
}  // namespace kinesim::harness
