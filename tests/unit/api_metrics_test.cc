// GET /metrics' counters: what the data plane's events add up to in the Prometheus text, and a
// deleted stream's counters freed (a long test run that makes a stream per test must not grow).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "api/metrics.h"
#include "storage/catalog.h"

namespace kinesim::api {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<StreamInfo> stream(int64_t id, const std::string& name) {
  auto s = std::make_shared<StreamInfo>();
  s->id = id;
  s->key = StreamKey{"000000000000", "us-east-1", name};
  ShardInfo shard;
  shard.index = 0;
  shard.range = split_evenly(1)[0];
  shard.cursor = std::make_shared<ShardCursor>();
  s->shards = std::make_shared<ShardMap>(std::vector<ShardInfo>{shard});
  return s;
}

void erase(Catalog& catalog, const std::string& name) {
  CatalogDraft draft(catalog);
  draft.erase(StreamKey{"000000000000", "us-east-1", name});
  draft.publish();
}

std::string labels(const std::string& name) {
  return "{account=\"000000000000\",region=\"us-east-1\",stream=\"" + name + "\"}";
}

TEST(Metrics, PutsAndReadsAddUpPerStream) {
  Catalog catalog;
  const auto a = stream(1, "a");
  catalog.load(a);
  Metrics metrics({"PutRecord", "GetRecords"}, catalog);
  metrics.put(*a, false, 2ms, 1, 10, {});
  metrics.put(*a, true, 4ms, 3, 30, {});
  metrics.read(*a, 0, 4, 40, 1500);
  metrics.write_throttled(*a, 0, 2);
  metrics.request(0, "");
  metrics.request(1, "ExpiredIteratorException");
  const std::string text = metrics.render(0);
  EXPECT_NE(text.find("kinesis_IncomingRecords" + labels("a") + " 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kinesis_IncomingBytes" + labels("a") + " 40\n"), std::string::npos);
  EXPECT_NE(text.find("kinesis_GetRecords_Records" + labels("a") + " 4\n"), std::string::npos);
  EXPECT_NE(text.find("kinesis_GetRecords_IteratorAgeMilliseconds" + labels("a") + " 1500\n"),
            std::string::npos);
  EXPECT_NE(text.find("kinesis_WriteProvisionedThroughputExceeded" + labels("a") + " 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("kinesis_PutRecords_Latency_count" + labels("a") + " 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("kinesis_PutRecord_Latency_sum" + labels("a") + " 2\n"), std::string::npos);
  EXPECT_NE(text.find("kinesim_requests_total{operation=\"GetRecords\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("kinesim_errors_total{operation=\"GetRecords\",error="
                      "\"ExpiredIteratorException\"} 1\n"),
            std::string::npos);
  // No shard series without enhanced monitoring.
  EXPECT_EQ(text.find("kinesis_shard_"), std::string::npos);
}

TEST(Metrics, ADeletedStreamsCountersAreFreedWhenTheNextStreamIsCounted) {
  Catalog catalog;
  const auto a = stream(1, "a");
  const auto b = stream(2, "b");
  catalog.load(a);
  catalog.load(b);
  Metrics metrics({"PutRecord"}, catalog);
  metrics.put(*a, false, 1ms, 1, 5, {});
  metrics.put(*b, false, 1ms, 1, 5, {});
  EXPECT_EQ(metrics.streams_counted(), 2u);

  erase(catalog, "a");
  EXPECT_EQ(metrics.render(0).find(labels("a")), std::string::npos);
  // "a" made again: a new id, so a new entry from zero, and the old one's is freed.
  const auto a2 = stream(3, "a");
  catalog.load(a2);
  metrics.put(*a2, false, 1ms, 1, 7, {});
  EXPECT_EQ(metrics.streams_counted(), 2u);
  const std::string text = metrics.render(0);
  EXPECT_NE(text.find("kinesis_IncomingBytes" + labels("a") + " 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kinesis_IncomingBytes" + labels("b") + " 5\n"), std::string::npos);

  // A thousand streams made, counted and deleted leave at most the last one's counters behind.
  for (int64_t id = 10; id < 1010; ++id) {
    const auto s = stream(id, "s" + std::to_string(id));
    catalog.load(s);
    metrics.read(*s, 0, 1, 1, 0);
    erase(catalog, s->key.name);
  }
  EXPECT_LE(metrics.streams_counted(), 3u);  // a, b and the last one
}

// Requests of a stream being deleted keep counting while other threads free its entry; run under
// the sanitizer builds this is the use-after-free check.
TEST(Metrics, CountingARemovedStreamWhileEntriesAreFreedIsSafe) {
  Catalog catalog;
  const auto doomed = stream(1, "doomed");
  catalog.load(doomed);
  Metrics metrics({"PutRecord"}, catalog);
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&] {
      while (!stop.load()) metrics.put(*doomed, false, 1ms, 1, 1, {});
    });
  }
  erase(catalog, "doomed");
  for (int64_t id = 2; id < 2000; ++id) {
    const auto s = stream(id, "n" + std::to_string(id));
    catalog.load(s);
    metrics.put(*s, false, 1ms, 1, 1, {});
    erase(catalog, s->key.name);
  }
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_LE(metrics.streams_counted(), 2u);
}

}  // namespace
}  // namespace kinesim::api
