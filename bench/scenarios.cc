// The measured scenarios. Each creates its own uniquely named stream, waits until it is ACTIVE,
// measures, and (unless --keep-streams) deletes it again; nothing in setup is timed.
#include "bench/scenarios.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <latch>
#include <thread>

#include "bench/cbor.h"

namespace kinesim::bench {
namespace {

using harness::HttpClient;
using harness::HttpError;
using harness::HttpResponse;

// One load-generating thread's state: its own connection, record source, body buffer and
// signing values (for requests framed here rather than by HttpClient::call).
struct Worker {
  HttpClient client;
  RecordSource source;
  std::string body;
  AmzAuth auth;
};

// Performs one request and returns the units it completed (records written), or 0 after
// recording why it failed in `errors`. HttpError may escape; the runner counts it.
using Operation = std::function<uint64_t(Worker&, ErrorLog&)>;

struct TimedRun {
  uint64_t ops = 0;    // measured requests that succeeded
  uint64_t units = 0;  // records they carried
  double seconds = 0;  // from the end of warm-up to the end of the last measured request
  std::vector<uint64_t> latencies_ns;
};

// Runs `op` in a closed loop on `threads` threads, each with its own keep-alive connection, for
// the warm-up and then the measured duration. A request counts when it started inside the
// measured window. Each thread stops early after max_ops/threads requests or after 100 failures
// in a row (the server is gone; spinning would only hide that).
TimedRun RunTimed(const Options& options, int threads, const Operation& op, ErrorLog& errors) {
  const uint64_t per_thread_max = std::max<uint64_t>(1, options.max_ops / threads);
  std::latch ready(threads);
  std::latch go(1);
  std::atomic<Clock::rep> start_ticks{0};
  std::mutex merge_mu;
  TimedRun total;
  Clock::time_point last_end{};
  const auto warmup =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.warmup_s));
  const auto duration = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.duration_s));

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Worker worker{
          HttpClient(options.endpoint), RecordSource(0xBE7C4 + static_cast<uint64_t>(t)), {}, {}};
      std::vector<uint64_t> latencies;
      latencies.reserve(std::min<uint64_t>(per_thread_max, 1 << 16));
      ready.count_down();
      go.wait();
      const Clock::time_point start{Clock::duration(start_ticks.load())};
      const Clock::time_point measure_begin = start + warmup;
      const Clock::time_point measure_end = measure_begin + duration;
      uint64_t ops = 0, units = 0, attempts = 0;
      int consecutive_failures = 0;
      Clock::time_point my_last_end = measure_begin;
      while (attempts < per_thread_max) {
        const Clock::time_point t1 = Clock::now();
        if (t1 >= measure_end) break;
        ++attempts;
        uint64_t done = 0;
        try {
          done = op(worker, errors);
        } catch (const HttpError& e) {
          errors.Add(e.what());
        }
        const Clock::time_point t2 = Clock::now();
        if (done == 0) {
          if (++consecutive_failures >= 100) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        consecutive_failures = 0;
        if (t1 >= measure_begin) {
          ++ops;
          units += done;
          latencies.push_back(static_cast<uint64_t>((t2 - t1).count()));
          my_last_end = t2;
        }
      }
      std::lock_guard<std::mutex> lock(merge_mu);
      total.ops += ops;
      total.units += units;
      total.latencies_ns.insert(total.latencies_ns.end(), latencies.begin(), latencies.end());
      last_end = std::max(last_end, my_last_end);
    });
  }
  ready.wait();
  const Clock::time_point start = Clock::now();
  start_ticks.store(start.time_since_epoch().count());
  go.count_down();
  for (std::thread& t : pool) t.join();
  total.seconds = std::chrono::duration<double>(last_end - (start + warmup)).count();
  static_assert(std::is_same_v<Clock::duration, std::chrono::nanoseconds>,
                "latencies are recorded in clock ticks and reported as nanoseconds");
  return total;
}

Result PutRecordScenario(const Options& options, std::string name, int connections) {
  Result result(std::move(name));
  ScenarioStream stream(options, result.name, options.shards);
  const std::string& stream_name = stream.name();
  ErrorLog errors;
  Operation op = [&stream_name](Worker& w, ErrorLog& log) -> uint64_t {
    w.source.PutRecordBody(w.body, stream_name);
    const HttpResponse& response = w.client.call("PutRecord", w.body);
    if (response.status != 200) {
      log.Add("PutRecord: " + DescribeResponse(response));
      return 0;
    }
    if (response.body.find("\"SequenceNumber\"") == std::string::npos) {
      log.Add("PutRecord: no SequenceNumber: " + DescribeResponse(response));
      return 0;
    }
    return 1;
  };
  TimedRun run = RunTimed(options, connections, op, errors);
  result.Add("ops/s", run.seconds > 0 ? static_cast<double>(run.ops) / run.seconds : 0.0, 0);
  AddLatencies(result, run.latencies_ns);
  result.Add("n", run.ops);
  result.Add("conns", static_cast<uint64_t>(connections));
  result.Add("shards", static_cast<uint64_t>(options.shards));
  errors.MoveInto(result);
  if (run.ops == 0) {
    result.failed = true;
    if (result.first_error.empty()) result.first_error = "no request succeeded";
  }
  return result;
}

// PutRecords with the JSON protocol: checks the status and FailedRecordCount.
uint64_t PutRecordsJson(Worker& w, ErrorLog& log, const std::string& stream, int records) {
  w.source.PutRecordsBody(w.body, stream, records);
  const HttpResponse& response = w.client.call("PutRecords", w.body);
  if (response.status != 200) {
    log.Add("PutRecords: " + DescribeResponse(response));
    return 0;
  }
  std::optional<uint64_t> failed = FailedRecordCount(response.body);
  if (!failed || *failed > static_cast<uint64_t>(records)) {
    log.Add("PutRecords: no valid FailedRecordCount: " + DescribeResponse(response));
    return 0;
  }
  if (*failed > 0) log.Add("PutRecords: FailedRecordCount " + std::to_string(*failed));
  return static_cast<uint64_t>(records) - *failed;
}

// A CBOR response described for an error report: its __type and message when it has them.
std::string DescribeCborResponse(const HttpResponse& response) {
  if (response.header("content-type") != kCborContentType) return DescribeResponse(response);
  std::string text = "HTTP " + std::to_string(response.status) + " (" +
                     std::string(response.header("content-type")) + ")";
  if (auto type = cbor::MapText(response.body, "__type")) text += ' ' + *type;
  if (auto message = cbor::MapText(response.body, "message")) text += ": " + *message;
  return text;
}

// The same call with the CBOR protocol: binary Data, and a CBOR map back.
uint64_t PutRecordsCbor(Worker& w, ErrorLog& log, const std::string& stream, int records) {
  w.source.PutRecordsCborBody(w.body, stream, records);
  w.auth.Refresh();
  const harness::HttpHeader headers[] = {
      {"X-Amz-Target", "Kinesis_20131202.PutRecords"},
      {"Content-Type", kCborContentType},
      {"X-Amz-Date", w.auth.date()},
      {"Authorization", w.auth.authorization()},
  };
  const HttpResponse& response = w.client.post("/", headers, w.body);
  if (response.status != 200) {
    log.Add("PutRecords (CBOR): " + DescribeCborResponse(response));
    return 0;
  }
  if (response.header("content-type") != kCborContentType) {
    log.Add("PutRecords (CBOR): answered in another format: " + DescribeResponse(response));
    return 0;
  }
  std::optional<uint64_t> failed = cbor::MapUnsigned(response.body, "FailedRecordCount");
  if (!failed || *failed > static_cast<uint64_t>(records)) {
    log.Add("PutRecords (CBOR): no valid FailedRecordCount in " +
            std::to_string(response.body.size()) + " bytes");
    return 0;
  }
  if (*failed > 0) log.Add("PutRecords (CBOR): FailedRecordCount " + std::to_string(*failed));
  return static_cast<uint64_t>(records) - *failed;
}

Result PutRecordsScenario(const Options& options, std::string name, bool use_cbor) {
  constexpr int kRecordsPerCall = 500;
  Result result(std::move(name));
  ScenarioStream stream(options, result.name, options.shards);
  const std::string& stream_name = stream.name();
  ErrorLog errors;
  Operation op = [&stream_name, use_cbor](Worker& w, ErrorLog& log) -> uint64_t {
    return use_cbor ? PutRecordsCbor(w, log, stream_name, kRecordsPerCall)
                    : PutRecordsJson(w, log, stream_name, kRecordsPerCall);
  };
  const int connections = std::max(1, options.connections);
  TimedRun run = RunTimed(options, connections, op, errors);
  const double seconds = run.seconds > 0 ? run.seconds : 1.0;
  result.Add("records/s", static_cast<double>(run.units) / seconds, 0);
  result.Add("calls/s", static_cast<double>(run.ops) / seconds, 1);
  AddLatencies(result, run.latencies_ns);
  result.Add("n", run.units);
  result.Add("conns", static_cast<uint64_t>(connections));
  result.Add("shards", static_cast<uint64_t>(options.shards));
  errors.MoveInto(result);
  if (run.ops == 0) {
    result.failed = true;
    if (result.first_error.empty()) result.first_error = "no request succeeded";
  }
  return result;
}

// Decimal sequence numbers compare by length first, then digit by digit.
bool SequenceLess(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

// Reads the Records of one GetRecords response, checking each is a 100-byte record whose
// sequence number is above `last_sequence`. Returns the count and the next iterator ("" when the
// shard has ended).
struct Page {
  uint64_t records = 0;
  std::string next_iterator;
};

Page ParseGetRecords(const HttpResponse& response, std::string& last_sequence,
                     rapidjson::Document& doc) {
  // Parsed in place from a copy: the copy is one memcpy, while a normal parse allocates every
  // string, and the client's own cost should stay small next to the server's.
  thread_local std::string text;
  text.assign(response.body);
  doc.ParseInsitu(text.data());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("Records") ||
      !doc["Records"].IsArray()) {
    throw BenchFailure("GetRecords: unexpected body: " + DescribeResponse(response));
  }
  Page page;
  for (const auto& record : doc["Records"].GetArray()) {
    if (!record.IsObject() || !record.HasMember("Data") || !record["Data"].IsString() ||
        !record.HasMember("SequenceNumber") || !record["SequenceNumber"].IsString()) {
      throw BenchFailure("GetRecords: record without Data or SequenceNumber");
    }
    if (record["Data"].GetStringLength() != RecordSource::kRecordBase64Bytes) {
      throw BenchFailure("GetRecords: record Data is not 100 bytes");
    }
    std::string_view sequence(record["SequenceNumber"].GetString(),
                              record["SequenceNumber"].GetStringLength());
    if (!last_sequence.empty() && !SequenceLess(last_sequence, sequence)) {
      throw BenchFailure("GetRecords: sequence numbers not increasing: " + last_sequence +
                         " then " + std::string(sequence));
    }
    last_sequence.assign(sequence);
    ++page.records;
  }
  if (doc.HasMember("NextShardIterator") && doc["NextShardIterator"].IsString()) {
    page.next_iterator = doc["NextShardIterator"].GetString();
  }
  return page;
}

Result GetRecordsDrainScenario(const Options& options) {
  Result result("get_records_drain");
  ScenarioStream stream(options, result.name, 1);
  ErrorLog errors;
  const uint64_t written = FillStream(options.endpoint, stream.name(), options.drain_records,
                                      options.connections, DeadlineFrom(options), errors);
  errors.MoveInto(result);
  if (written != options.drain_records) {
    throw BenchFailure("fill acknowledged " + std::to_string(written) + " of " +
                       std::to_string(options.drain_records) + " records");
  }
  std::vector<std::string> shards = ListShardIds(stream.client(), stream.name());
  if (shards.size() != 1) {
    throw BenchFailure("expected 1 shard, ListShards gave " + std::to_string(shards.size()));
  }

  HttpClient& client = stream.client();
  rapidjson::Document doc;
  std::string body;
  std::string last_sequence;
  std::vector<uint64_t> latencies;
  const Clock::time_point deadline = DeadlineFrom(options);

  const Clock::time_point start = Clock::now();
  body = R"({"StreamName":")" + stream.name() + R"(","ShardId":)";
  AppendJsonString(body, shards[0]);
  body += R"(,"ShardIteratorType":"TRIM_HORIZON"})";
  const HttpResponse& it_response = CallOk(client, "GetShardIterator", body);
  doc.Parse(it_response.body.data(), it_response.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("ShardIterator") ||
      !doc["ShardIterator"].IsString()) {
    throw BenchFailure("GetShardIterator: unexpected body: " + DescribeResponse(it_response));
  }
  std::string iterator = doc["ShardIterator"].GetString();
  uint64_t read = 0;
  uint64_t calls = 0;
  while (read < written) {
    if (Clock::now() >= deadline) {
      throw BenchFailure("drain timed out after " + std::to_string(read) + " of " +
                         std::to_string(written) + " records");
    }
    body = R"({"ShardIterator":)";
    AppendJsonString(body, iterator);
    body += R"(,"Limit":10000})";
    const Clock::time_point t1 = Clock::now();
    const HttpResponse& response = CallOk(client, "GetRecords", body);
    latencies.push_back(static_cast<uint64_t>((Clock::now() - t1).count()));
    ++calls;
    Page page = ParseGetRecords(response, last_sequence, doc);
    read += page.records;
    if (page.next_iterator.empty()) break;  // shard closed: nothing more will come
    iterator = std::move(page.next_iterator);
  }
  const double seconds = SecondsSince(start);

  // Untimed: the shard must hold nothing beyond what was written.
  if (read == written && !iterator.empty()) {
    body = R"({"ShardIterator":)";
    AppendJsonString(body, iterator);
    body += R"(,"Limit":10000})";
    read += ParseGetRecords(CallOk(client, "GetRecords", body), last_sequence, doc).records;
  }
  if (read != written) {
    throw BenchFailure("read " + std::to_string(read) + " records but wrote " +
                       std::to_string(written));
  }
  result.Add("records/s", static_cast<double>(read) / seconds, 0);
  result.Add("calls", calls);
  result.Add("p50_ms", QuantileMs(latencies, 0.50), 3);
  result.Add("p99_ms", QuantileMs(latencies, 0.99), 3);
  result.Add("n", read);
  result.Add("verified", "yes");
  return result;
}

Result RssScenario(const Options& options) {
  Result result("rss");
  if (options.rss_pid <= 0) throw BenchFailure("the rss scenario needs --rss-pid PID");
  std::optional<uint64_t> before = ReadVmRssKib(options.rss_pid);
  if (!before) throw BenchFailure("cannot read VmRSS of pid " + std::to_string(options.rss_pid));
  ScenarioStream stream(options, result.name, options.shards);
  stream.Keep();  // the records are what is being measured
  ErrorLog errors;
  const Clock::time_point start = Clock::now();
  const uint64_t written = FillStream(options.endpoint, stream.name(), options.rss_records,
                                      options.connections, DeadlineFrom(options), errors);
  const double seconds = SecondsSince(start);
  errors.MoveInto(result);
  // Let the server finish any work it deferred past the acknowledgements before measuring.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::optional<uint64_t> after = ReadVmRssKib(options.rss_pid);
  if (!after) throw BenchFailure("cannot read VmRSS of pid " + std::to_string(options.rss_pid));
  result.Add("rss_kib", *after);
  result.Add("rss_before_kib", *before);
  result.Add("records", written);
  result.Add("fill_records/s", static_cast<double>(written) / seconds, 0);
  if (written != options.rss_records) {
    result.failed = true;
    result.first_error = "fill acknowledged " + std::to_string(written) + " of " +
                         std::to_string(options.rss_records) + " records";
  }
  return result;
}

}  // namespace

const std::vector<std::string>& ScenarioNames() {
  static const std::vector<std::string> names = {
      "put_record_c1",        "put_record_c32",    "put_record_h2c_32", "put_records_500",
      "put_records_500_cbor", "get_records_drain", "subscribe_latency", "rss"};
  return names;
}

Result RunScenario(const Options& options, std::string_view name) {
  try {
    if (name == "put_record_c1") return PutRecordScenario(options, std::string(name), 1);
    if (name == "put_record_c32") return PutRecordScenario(options, std::string(name), 32);
    if (name == "put_record_h2c_32") return PutRecordH2cScenario(options, std::string(name), 32);
    if (name == "put_records_500") return PutRecordsScenario(options, std::string(name), false);
    if (name == "put_records_500_cbor") {
      return PutRecordsScenario(options, std::string(name), true);
    }
    if (name == "subscribe_latency") return SubscribeLatencyScenario(options, std::string(name));
    if (name == "get_records_drain") return GetRecordsDrainScenario(options);
    if (name == "rss") return RssScenario(options);
    Result result{std::string(name)};
    result.failed = true;
    result.first_error = "unknown scenario";
    return result;
  } catch (const std::exception& e) {
    // BenchFailure from a check, HttpError from a setup call: either way no valid figure.
    Result result{std::string(name)};
    result.failed = true;
    result.first_error = e.what();
    return result;
  }
}

}  // namespace kinesim::bench
