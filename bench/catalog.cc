// catalog_scale: what control-plane and data-plane calls cost as an account fills up with
// streams. For each level (e.g. 1,000, 10,000, 100,000 streams) the endpoint is filled with
// one-shard streams up to that level, then CreateStream, DescribeStreamSummary, PutRecord and
// ListShards are each timed over --catalog-ops calls on one connection, against random streams
// of the whole population. One result line per level.
//
// It leaves its streams in place (deleting 100,000 streams would dominate the run), so point it
// at a server started for it, with a shard limit above the highest level.
#include "bench/catalog.h"

#include <algorithm>
#include <random>
#include <thread>

namespace kinesim::bench {
namespace {

using harness::HttpClient;
using harness::HttpResponse;

std::string Body(std::string_view stream_name, std::string_view rest = {}) {
  std::string body = "{\"StreamName\":\"";
  body += stream_name;
  body += '"';
  body += rest;
  body += '}';
  return body;
}

// Times `calls` sequential calls of `op` with bodies from `make_body(i)`.
struct Timing {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

template <class MakeBody>
Timing TimeCalls(HttpClient& client, std::string_view op, uint64_t calls, MakeBody make_body,
                 ErrorLog& errors) {
  std::vector<uint64_t> latencies;
  latencies.reserve(calls);
  const Clock::time_point start = Clock::now();
  for (uint64_t i = 0; i < calls; ++i) {
    const std::string body = make_body(i);
    const Clock::time_point t0 = Clock::now();
    const HttpResponse& response = client.call(op, body);
    latencies.push_back(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()));
    if (response.status != 200) errors.Add(std::string(op) + ": " + DescribeResponse(response));
  }
  Timing t;
  const double seconds = SecondsSince(start);
  t.per_second = seconds > 0 ? static_cast<double>(calls) / seconds : 0;
  t.p50_ms = QuantileMs(latencies, 0.50);
  t.p99_ms = QuantileMs(latencies, 0.99);
  return t;
}

// Creates streams named `prefix`-N for N in [from, to) on `connections` connections.
void Fill(const Options& options, const std::string& prefix, uint64_t from, uint64_t to,
          ErrorLog& errors) {
  std::atomic<uint64_t> next{from};
  const Clock::time_point deadline =
      Clock::now() +
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeout_s));
  std::vector<std::thread> pool;
  for (int c = 0; c < std::max(1, options.connections); ++c) {
    pool.emplace_back([&] {
      HttpClient client(options.endpoint);
      for (uint64_t n; (n = next.fetch_add(1)) < to && Clock::now() < deadline;) {
        const HttpResponse& r = client.call(
            "CreateStream", Body(prefix + "-" + std::to_string(n), ",\"ShardCount\":1"));
        if (r.status != 200) errors.Add("fill CreateStream: " + DescribeResponse(r));
      }
    });
  }
  for (auto& t : pool) t.join();
  if (next.load() < to) throw BenchFailure("filling streams did not finish within --timeout");
}

}  // namespace

std::vector<Result> RunCatalogScale(const Options& options) {
  std::vector<Result> results;
  const std::string prefix = UniqueStreamName("cat");
  uint64_t population = 0;  // streams created so far: prefix-0 .. prefix-(population-1)
  std::mt19937_64 rng(42);
  HttpClient client(options.endpoint);
  for (uint64_t level : options.catalog_levels) {
    Result result("catalog_scale");
    ErrorLog errors;
    try {
      if (level > population) {
        Fill(options, prefix, population, level, errors);
        population = level;
      }
      const uint64_t ops = options.catalog_ops;
      auto random_stream = [&] {
        return prefix + "-" +
               std::to_string(std::uniform_int_distribution<uint64_t>(0, population - 1)(rng));
      };
      const uint64_t base = population;
      const Timing create = TimeCalls(
          client, "CreateStream", ops,
          [&](uint64_t i) {
            return Body(prefix + "-" + std::to_string(base + i), ",\"ShardCount\":1");
          },
          errors);
      population += ops;
      const Timing describe = TimeCalls(
          client, "DescribeStreamSummary", ops, [&](uint64_t) { return Body(random_stream()); },
          errors);
      const Timing put = TimeCalls(
          client, "PutRecord", ops,
          [&](uint64_t i) {
            return Body(random_stream(),
                        ",\"PartitionKey\":\"k" + std::to_string(i) + "\",\"Data\":\"AAAA\"");
          },
          errors);
      const Timing list = TimeCalls(
          client, "ListShards", ops, [&](uint64_t) { return Body(random_stream()); }, errors);
      result.Add("streams", level);
      for (const auto& [name, t] : {std::pair{"create", create}, std::pair{"describe", describe},
                                    std::pair{"put", put}, std::pair{"list_shards", list}}) {
        result.Add(std::string(name) + "/s", t.per_second, 0);
        result.Add(std::string(name) + "_p50_ms", t.p50_ms, 3);
        result.Add(std::string(name) + "_p99_ms", t.p99_ms, 3);
      }
    } catch (const std::exception& e) {
      result.failed = true;
      result.first_error = e.what();
    }
    errors.MoveInto(result);
    results.push_back(std::move(result));
    if (results.back().failed) break;
  }
  return results;
}

}  // namespace kinesim::bench
