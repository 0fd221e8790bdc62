// Many clients creating, deleting, writing and reading the same streams at once: every answer is
// a success or an AWS error (never a 5xx), and what was acknowledged can be read back.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "harness/test_server.h"

namespace kinesim {
namespace {

using harness::TestServer;

class Concurrency : public ::testing::TestWithParam<bool> {};

TEST_P(Concurrency, ChurnOnSharedStreamsNeverFailsTheServer) {
  const bool on_file = GetParam();
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("kinesim-churn-" + std::to_string(::getpid()) + ".db"))
                               .string();
  TestServer server([&] {
    TestServer::Options o;
    o.db = on_file ? path : ":memory:";
    return o;
  }());
  constexpr int kThreads = 6;
  constexpr int kRounds = 150;
  std::atomic<int> server_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = server.client();
      for (int i = 0; i < kRounds; ++i) {
        const std::string name = "churn-" + std::to_string((t + i) % 3);
        const std::string named = R"({"StreamName":")" + name + "\"";
        const harness::HttpResponse* r = nullptr;
        switch ((t * 7 + i) % 6) {
          case 0:
            r = &client.call("CreateStream", named + R"(,"ShardCount":2})");
            break;
          case 1:
            r = &client.call("DeleteStream", named + "}");
            break;
          case 2:
            r = &client.call("PutRecord", named + R"(,"PartitionKey":"k","Data":"AAEC"})");
            break;
          case 3:
            r = &client.call("PutRecords", named +
                                               R"(,"Records":[{"PartitionKey":"a","Data":"AA=="},)"
                                               R"({"PartitionKey":"b","Data":"AQ=="}]})");
            break;
          case 4: {
            r = &client.call(
                "GetShardIterator",
                named + R"(,"ShardId":"shardId-000000000001","ShardIteratorType":"TRIM_HORIZON"})");
            if (r->status == 200) {
              rapidjson::Document d;
              d.Parse(r->body.c_str());
              r = &client.call("GetRecords", std::string(R"({"ShardIterator":")") +
                                                 d["ShardIterator"].GetString() + "\"}");
            }
            break;
          }
          default:
            r = &client.call("ListShards", named + "}");
            break;
        }
        if (r->status >= 500) {
          ++server_errors;
          ADD_FAILURE() << r->status << " " << r->body;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(server_errors.load(), 0);

  // The server still works normally afterwards, and acknowledged data reads back.
  auto client = server.client();
  ASSERT_EQ(client.call("CreateStream", R"({"StreamName":"after","ShardCount":1})").status, 200);
  const auto& put =
      client.call("PutRecord", R"({"StreamName":"after","PartitionKey":"k","Data":"AAEC"})");
  ASSERT_EQ(put.status, 200);
  const auto& it = client.call(
      "GetShardIterator",
      R"({"StreamName":"after","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  rapidjson::Document d;
  d.Parse(it.body.c_str());
  const auto& recs = client.call(
      "GetRecords", std::string(R"({"ShardIterator":")") + d["ShardIterator"].GetString() + "\"}");
  EXPECT_NE(recs.body.find("\"Data\":\"AAEC\""), std::string::npos) << recs.body;
  server.stop();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

INSTANTIATE_TEST_SUITE_P(InMemoryAndOnFile, Concurrency, ::testing::Bool());

}  // namespace
}  // namespace kinesim
