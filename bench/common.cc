#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "bench/bench.h"
#include "bench/cbor.h"

namespace kinesim::bench {

using harness::HttpClient;
using harness::HttpError;
using harness::HttpResponse;

void Result::Add(std::string key, double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  Add(std::move(key), std::string(text));
}

void PrintResult(const Result& result) {
  std::string line = result.name;
  if (line.size() < 18) line.resize(18, ' ');
  for (const auto& [key, value] : result.fields) {
    line += ' ';
    line += key;
    line += '=';
    line += value;
  }
  line += " errors=" + std::to_string(result.errors);
  if (result.failed) {
    line += " status=FAILED";
  } else if (result.errors > 0) {
    line += " status=ERRORS";
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (!result.first_error.empty()) {
    std::fprintf(stderr, "%s: %s: %s\n", result.name.c_str(),
                 result.failed ? "failed" : "first error", result.first_error.c_str());
  }
}

void ErrorLog::Add(std::string_view what) {
  if (count_.fetch_add(1, std::memory_order_relaxed) == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    first_ = what;
  }
}

std::string ErrorLog::first() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_;
}

void ErrorLog::MoveInto(Result& result) const {
  result.errors += count();
  if (result.first_error.empty()) result.first_error = first();
}

std::string DescribeResponse(const HttpResponse& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  if (!response.body.empty()) {
    text += ' ';
    text.append(response.body, 0, std::min<size_t>(response.body.size(), 300));
  }
  return text;
}

const HttpResponse& CallOk(HttpClient& client, std::string_view operation, std::string_view body) {
  const HttpResponse& response = client.call(operation, body);
  if (response.status != 200) {
    throw BenchFailure(std::string(operation) + ": " + DescribeResponse(response));
  }
  return response;
}

std::string UniqueStreamName(std::string_view scenario) {
  static std::atomic<int> counter{0};
  std::string name = "kinesim-bench-";
  for (char c : scenario) name += (std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  name += '-' + std::to_string(::getpid()) + '-' + std::to_string(counter.fetch_add(1)) + '-' +
          std::to_string(::time(nullptr));
  return name;
}

void CreateStream(HttpClient& client, const std::string& stream, int shards) {
  std::string body =
      R"({"StreamName":")" + stream + R"(","ShardCount":)" + std::to_string(shards) + "}";
  CallOk(client, "CreateStream", body);
}

void WaitActive(HttpClient& client, const std::string& stream, Clock::time_point deadline,
                std::chrono::microseconds poll) {
  const std::string body = R"({"StreamName":")" + stream + R"("})";
  std::string last;
  rapidjson::Document doc;
  for (;;) {
    const HttpResponse& response = client.call("DescribeStreamSummary", body);
    if (response.status == 200) {
      doc.Parse(response.body.data(), response.body.size());
      if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("StreamDescriptionSummary")) {
        const auto& summary = doc["StreamDescriptionSummary"];
        if (summary.IsObject() && summary.HasMember("StreamStatus") &&
            summary["StreamStatus"].IsString()) {
          std::string_view status = summary["StreamStatus"].GetString();
          if (status == "ACTIVE") return;
          last = "status " + std::string(status);
        } else {
          throw BenchFailure("DescribeStreamSummary: no StreamStatus: " +
                             DescribeResponse(response));
        }
      } else {
        throw BenchFailure("DescribeStreamSummary: unexpected body: " + DescribeResponse(response));
      }
    } else if (response.body.find("ResourceNotFoundException") != std::string::npos) {
      last = "not found yet";
    } else {
      throw BenchFailure("DescribeStreamSummary: " + DescribeResponse(response));
    }
    if (Clock::now() >= deadline) {
      throw BenchFailure("stream " + stream + " not ACTIVE before the deadline (" + last + ")");
    }
    std::this_thread::sleep_for(poll);
  }
}

void DeleteStream(HttpClient& client, const std::string& stream, bool enforce_consumer_deletion) {
  std::string body = R"({"StreamName":")" + stream + '"';
  if (enforce_consumer_deletion) body += R"(,"EnforceConsumerDeletion":true)";
  body += '}';
  try {
    const HttpResponse& response = client.call("DeleteStream", body);
    if (response.status != 200) {
      std::fprintf(stderr, "DeleteStream %s: %s\n", stream.c_str(),
                   DescribeResponse(response).c_str());
    }
  } catch (const HttpError& e) {
    std::fprintf(stderr, "DeleteStream %s: %s\n", stream.c_str(), e.what());
  }
}

std::vector<std::string> ListShardIds(HttpClient& client, const std::string& stream) {
  const HttpResponse& response =
      CallOk(client, "ListShards", R"({"StreamName":")" + stream + R"("})");
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("Shards") ||
      !doc["Shards"].IsArray()) {
    throw BenchFailure("ListShards: unexpected body: " + DescribeResponse(response));
  }
  std::vector<std::string> ids;
  for (const auto& shard : doc["Shards"].GetArray()) {
    if (shard.IsObject() && shard.HasMember("ShardId") && shard["ShardId"].IsString()) {
      ids.emplace_back(shard["ShardId"].GetString());
    }
  }
  return ids;
}

bool AmzAuth::Refresh() {
  const time_t now = ::time(nullptr);
  if (now == second_) return false;
  second_ = now;
  tm utc{};
  ::gmtime_r(&now, &utc);
  char date[20];
  ::strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &utc);
  date_ = date;
  authorization_ = "AWS4-HMAC-SHA256 Credential=test/";
  authorization_.append(date_, 0, 8);
  authorization_ +=
      "/us-east-1/kinesis/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=";
  authorization_.append(64, '0');
  return true;
}

void Base64Append(std::string& out, const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size - i == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (size - i == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
}

RecordSource::RecordSource(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {
  constexpr int kPool = 64;
  payloads_.reserve(kPool);
  raw_payloads_.reserve(kPool);
  unsigned char raw[kRecordBytes];
  for (int p = 0; p < kPool; ++p) {
    for (unsigned char& b : raw) b = static_cast<unsigned char>(Next());
    std::string encoded;
    Base64Append(encoded, raw, sizeof(raw));
    payloads_.push_back(std::move(encoded));
    raw_payloads_.emplace_back(reinterpret_cast<const char*>(raw), sizeof(raw));
  }
}

uint64_t RecordSource::Next() {
  // xorshift64*: fast, and good enough to spread partition keys over the hash-key space.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1DULL;
}

void RecordSource::AppendPartitionKey(std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t key = Next();
  for (int i = 0; i < 16; ++i) out += kHex[(key >> (i * 4)) & 15];
}

void RecordSource::AppendRecordFields(std::string& out) {
  uint64_t r = Next();
  out += R"("Data":")";
  out += payloads_[r % payloads_.size()];
  out += R"(","PartitionKey":")";
  AppendPartitionKey(out);
  out += '"';
}

void RecordSource::PutRecordBody(std::string& out, std::string_view stream) {
  out.clear();
  out += R"({"StreamName":")";
  out += stream;
  out += "\",";
  AppendRecordFields(out);
  out += '}';
}

void RecordSource::PutRecordsBody(std::string& out, std::string_view stream, int count) {
  out.clear();
  out += R"({"StreamName":")";
  out += stream;
  out += R"(","Records":[)";
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += '{';
    AppendRecordFields(out);
    out += '}';
  }
  out += "]}";
}

void RecordSource::PutRecordsCborBody(std::string& out, std::string_view stream, int count) {
  out.clear();
  cbor::AppendMap(out, 2);
  cbor::AppendText(out, "StreamName");
  cbor::AppendText(out, stream);
  cbor::AppendText(out, "Records");
  cbor::AppendArray(out, static_cast<uint64_t>(count));
  constexpr size_t kKeyDigits = 16;
  for (int i = 0; i < count; ++i) {
    cbor::AppendMap(out, 2);
    cbor::AppendText(out, "Data");
    cbor::AppendBytes(out, raw_payloads_[Next() % raw_payloads_.size()]);
    cbor::AppendText(out, "PartitionKey");
    cbor::AppendHead(out, cbor::kText, kKeyDigits);
    AppendPartitionKey(out);
  }
}

std::optional<uint64_t> FailedRecordCount(std::string_view body) {
  // A scan rather than a parse: this runs once per PutRecords on the load path, where a full
  // parse of 500 results would cost the client more than the measurement can afford.
  constexpr std::string_view kKey = "\"FailedRecordCount\"";
  size_t at = body.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  at += kKey.size();
  while (at < body.size() && (body[at] == ' ' || body[at] == ':' || body[at] == '\t')) ++at;
  uint64_t value = 0;
  size_t digits = 0;
  while (at < body.size() && body[at] >= '0' && body[at] <= '9') {
    value = value * 10 + static_cast<uint64_t>(body[at] - '0');
    ++at;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return value;
}

uint64_t FillStream(const harness::Endpoint& endpoint, const std::string& stream, uint64_t records,
                    int connections, Clock::time_point deadline, ErrorLog& errors) {
  constexpr uint64_t kBatch = 500;
  const uint64_t batches = (records + kBatch - 1) / kBatch;
  std::atomic<uint64_t> next_batch{0};
  std::atomic<uint64_t> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, connections); ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(endpoint);
      RecordSource source(0xF111 + static_cast<uint64_t>(t));
      std::string body;
      int consecutive_failures = 0;
      for (;;) {
        uint64_t b = next_batch.fetch_add(1);
        if (b >= batches || Clock::now() >= deadline) return;
        int count = static_cast<int>(std::min(kBatch, records - b * kBatch));
        source.PutRecordsBody(body, stream, count);
        try {
          const HttpResponse& response = client.call("PutRecords", body);
          if (response.status != 200) {
            errors.Add("PutRecords: " + DescribeResponse(response));
          } else if (auto failed = FailedRecordCount(response.body); !failed) {
            errors.Add("PutRecords: no FailedRecordCount: " + DescribeResponse(response));
          } else {
            if (*failed > 0) errors.Add("PutRecords: FailedRecordCount " + std::to_string(*failed));
            acknowledged.fetch_add(static_cast<uint64_t>(count) - *failed);
            consecutive_failures = 0;
            continue;
          }
        } catch (const HttpError& e) {
          errors.Add(std::string("PutRecords: ") + e.what());
        }
        // The server is likely gone; do not spin through the remaining batches.
        if (++consecutive_failures >= 20) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return acknowledged.load();
}

std::optional<uint64_t> ReadVmRssKib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      uint64_t kib = 0;
      if (std::sscanf(line.c_str() + 6, "%" SCNu64, &kib) == 1) return kib;
    }
  }
  return std::nullopt;
}

double QuantileMs(std::vector<uint64_t>& samples_ns, double q) {
  if (samples_ns.empty()) return 0.0;
  // Nearest rank: the smallest sample with at least q of all samples at or below it.
  double exact = std::ceil(q * static_cast<double>(samples_ns.size()));
  size_t rank = exact < 1.0 ? 0 : static_cast<size_t>(exact) - 1;
  if (rank >= samples_ns.size()) rank = samples_ns.size() - 1;
  std::nth_element(samples_ns.begin(), samples_ns.begin() + static_cast<ptrdiff_t>(rank),
                   samples_ns.end());
  return static_cast<double>(samples_ns[rank]) / 1e6;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Clock::time_point DeadlineFrom(const Options& options) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(options.timeout_s));
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

ScenarioStream::ScenarioStream(const Options& options, std::string_view scenario, int shards)
    : options_(options),
      client_(options.endpoint),
      name_(options.stream.empty() ? UniqueStreamName(scenario) : options.stream) {
  if (!options.stream.empty()) {
    keep_ = true;  // the caller's stream: used as it is, never created or deleted here
    return;
  }
  CreateStream(client_, name_, shards);
  WaitActive(client_, name_, DeadlineFrom(options), kSetupPoll);
}

ScenarioStream::~ScenarioStream() {
  if (!options_.keep_streams && !keep_) DeleteStream(client_, name_, enforce_consumer_deletion_);
}

void AddLatencies(Result& result, std::vector<uint64_t>& latencies_ns) {
  result.Add("p50_ms", QuantileMs(latencies_ns, 0.50), 3);
  result.Add("p99_ms", QuantileMs(latencies_ns, 0.99), 3);
}

}  // namespace kinesim::bench
