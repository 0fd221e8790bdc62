// Shared pieces of kinesim-bench: options, results, Kinesis calls used to set scenarios up,
// record generation, latency statistics and error accounting.
//
// The load generator talks to any Kinesis endpoint through harness::HttpClient (HTTP/2 load goes
// through libcurl in h2c.cc, SubscribeToShard through a socket of its own in subscribe.cc), so
// the same numbers can be taken from kinesim and from a peer in one run. It only ever targets
// loopback addresses, and every loop in it is bounded in time and in count.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/http_client.h"

namespace kinesim::bench {

using Clock = std::chrono::steady_clock;

struct Options {
  harness::Endpoint endpoint{"127.0.0.1", 4566};
  std::vector<std::string> scenarios;  // empty: the default set
  double duration_s = 5.0;             // measured time of each timed scenario
  double warmup_s = 0.5;               // unmeasured load before it
  int shards = 4;                      // shards of the streams put scenarios write to
  int connections = 4;                 // connections of put_records_500 and of fills
  uint64_t drain_records = 200'000;    // records get_records_drain writes and reads back
  uint64_t rss_records = 1'000'000;    // records the rss scenario stores
  int rss_pid = 0;                     // process whose VmRSS is reported (0: none)
  double timeout_s = 300.0;            // bound on any one setup, fill or drain phase
  uint64_t max_ops = 20'000'000;       // bound on requests of one timed scenario
  bool keep_streams = false;           // leave the streams in place after each scenario
  // The put scenarios write to this existing stream instead of making their own (so an endpoint
  // that answers without keeping streams, like the HTTP floor, can be measured the same way).
  std::string stream;
  // catalog_scale: stream counts to measure at, and calls timed per operation at each.
  std::vector<uint64_t> catalog_levels{1'000, 10'000, 100'000};
  uint64_t catalog_ops = 2'000;
  bool verbose = false;

  // --startup mode.
  bool startup = false;
  int startup_runs = 5;
  int startup_port = 0;  // 0: read "listening on http://HOST:PORT" from the server's output
  std::vector<std::string> startup_command;
};

// One scenario's outcome, printed as one line: `name key=value ... errors=N`.
struct Result {
  explicit Result(std::string scenario) : name(std::move(scenario)) {}

  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
  uint64_t errors = 0;
  std::string first_error;
  bool failed = false;  // the scenario could not produce a valid figure at all

  void Add(std::string key, std::string value) {
    fields.emplace_back(std::move(key), std::move(value));
  }
  void Add(std::string key, double value, int decimals);
  void Add(std::string key, uint64_t value) { Add(std::move(key), std::to_string(value)); }
};

void PrintResult(const Result& result);

// A scenario cannot go on: setup failed or a verification did not hold.
class BenchFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Counts failed requests from any thread and keeps the first description for the report.
class ErrorLog {
 public:
  void Add(std::string_view what);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  std::string first() const;
  void MoveInto(Result& result) const;

 private:
  std::atomic<uint64_t> count_{0};
  mutable std::mutex mu_;
  std::string first_;
};

// "HTTP 400 {body...}" cut to a readable length.
std::string DescribeResponse(const harness::HttpResponse& response);

// Fails the scenario unless the call returns 200.
const harness::HttpResponse& CallOk(harness::HttpClient& client, std::string_view operation,
                                    std::string_view body);

// A stream name unique to this process and call: kinesim-bench-<scenario>-<pid>-<n>-<time>.
std::string UniqueStreamName(std::string_view scenario);

void CreateStream(harness::HttpClient& client, const std::string& stream, int shards);

// Polls DescribeStreamSummary every `poll` until the stream is ACTIVE. A stream not found yet
// is polled again (creation may not be visible at once). Throws BenchFailure at `deadline`.
void WaitActive(harness::HttpClient& client, const std::string& stream, Clock::time_point deadline,
                std::chrono::microseconds poll);

// Best effort: a failure here is reported on stderr but does not fail the scenario. With
// `enforce_consumer_deletion` the stream goes even while consumers are registered on it.
void DeleteStream(harness::HttpClient& client, const std::string& stream,
                  bool enforce_consumer_deletion = false);

std::vector<std::string> ListShardIds(harness::HttpClient& client, const std::string& stream);

// X-Amz-Date and Authorization values shaped like those HttpClient::call sends, for requests
// the bench frames itself (CBOR bodies, HTTP/2 through libcurl, SubscribeToShard on a raw
// socket). The signature is the same fixed placeholder; local servers do not verify it.
class AmzAuth {
 public:
  AmzAuth() { Refresh(); }
  // Rebuilds both values when the second has changed; returns true when it did.
  bool Refresh();
  const std::string& date() const { return date_; }
  const std::string& authorization() const { return authorization_; }

 private:
  long long second_ = -1;
  std::string date_;
  std::string authorization_;
};

// The Content-Type of Kinesis' CBOR protocol.
inline constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

// Standard base64 (with padding) of `size` bytes at `data`, appended to `out`.
void Base64Append(std::string& out, const unsigned char* data, size_t size);

// Builds Kinesis request bodies with 100-byte records and random 16-hex-digit partition keys.
// Payloads come from a small pool of random blocks, already base64-encoded, so that generating
// load costs the client next to nothing.
class RecordSource {
 public:
  static constexpr size_t kRecordBytes = 100;
  static constexpr size_t kRecordBase64Bytes = 136;

  explicit RecordSource(uint64_t seed);

  // Replaces `out` with a PutRecord body.
  void PutRecordBody(std::string& out, std::string_view stream);
  // Replaces `out` with a PutRecords body of `count` records.
  void PutRecordsBody(std::string& out, std::string_view stream, int count);
  // The same request as a CBOR map: Data as byte strings, the rest as text strings.
  void PutRecordsCborBody(std::string& out, std::string_view stream, int count);

 private:
  uint64_t Next();
  void AppendRecordFields(std::string& out);
  void AppendPartitionKey(std::string& out);

  uint64_t state_;
  std::vector<std::string> payloads_;      // base64 of raw_payloads_, for JSON bodies
  std::vector<std::string> raw_payloads_;  // kRecordBytes each, for CBOR bodies
};

// FailedRecordCount of a PutRecords response, or nullopt when the body has none.
std::optional<uint64_t> FailedRecordCount(std::string_view body);

// Writes exactly `records` records to `stream` with PutRecords of up to 500 on `connections`
// threads and returns how many were acknowledged. Failed calls and failed records go to `errors`
// and are not retried. Stops at `deadline`.
uint64_t FillStream(const harness::Endpoint& endpoint, const std::string& stream, uint64_t records,
                    int connections, Clock::time_point deadline, ErrorLog& errors);

// VmRSS of `pid` in KiB from /proc/PID/status, or nullopt if it cannot be read.
std::optional<uint64_t> ReadVmRssKib(int pid);

// The q-quantile (0..1) of `samples` in milliseconds, by nearest rank; reorders `samples`.
double QuantileMs(std::vector<uint64_t>& samples_ns, double q);

double SecondsSince(Clock::time_point start);

// Now plus options.timeout_s: the bound on one setup, fill or drain phase.
Clock::time_point DeadlineFrom(const Options& options);

// `text` as a JSON string literal, quotes included, appended to `out`.
void AppendJsonString(std::string& out, std::string_view text);

// Creates a stream for one scenario, waits until ACTIVE, and deletes it on scope exit unless
// asked to keep it (or --stream named an existing one, which is never created or deleted).
class ScenarioStream {
 public:
  ScenarioStream(const Options& options, std::string_view scenario, int shards);
  ~ScenarioStream();
  ScenarioStream(const ScenarioStream&) = delete;
  ScenarioStream& operator=(const ScenarioStream&) = delete;

  const std::string& name() const { return name_; }
  harness::HttpClient& client() { return client_; }
  void Keep() { keep_ = true; }
  // Deletes with EnforceConsumerDeletion, for scenarios that register consumers.
  void DeleteWithConsumers() { enforce_consumer_deletion_ = true; }

 private:
  const Options& options_;
  harness::HttpClient client_;
  std::string name_;
  bool keep_ = false;
  bool enforce_consumer_deletion_ = false;
};

// Adds p50_ms and p99_ms of `latencies_ns`; reorders it.
void AddLatencies(Result& result, std::vector<uint64_t>& latencies_ns);

// How often setup polls for a state change (stream or consumer ACTIVE).
inline constexpr auto kSetupPoll = std::chrono::milliseconds(5);

}  // namespace kinesim::bench
