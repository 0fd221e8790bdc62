// What the fuzz targets and the seed maker (make_seeds.cc) share: an in-memory kinesim behind
// api::Dispatcher with a few streams made at the start, and the fixed secret fuzz_tokens seals
// with, so committed seeds name things that exist and carry tokens that open.
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "api/http.h"
#include "api/validation.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::fuzz {

// The fake clock of every session starts here, so the streams, sequence numbers and consumer
// ARNs a session makes at the start are the same every time.
constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr std::string_view kAccount = "000000000000";

// fuzz_tokens' Sealer secret (32 bytes): its seeds were sealed with it.
constexpr std::string_view kTokenSecret = "kinesim-fuzz-tokens-secret-32byt";
static_assert(kTokenSecret.size() == 32);

// Streams every session starts with: "fuzz" (2 shards, 3 records, tags, two consumers) and
// "fuzz-2" (1 shard).
constexpr std::string_view kStream = "fuzz";
constexpr std::string_view kStreamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/fuzz";
constexpr std::string_view kSecondStream = "fuzz-2";
constexpr std::string_view kConsumer = "fuzz-consumer";
constexpr std::string_view kSecondConsumer = "fuzz-consumer-2";

// The operations fuzz_json_request picks from, in a fixed order so that a committed input keeps
// naming the same operation when the model gains one: the model's operations as of this writing,
// then any it adds later (in its order). Only append.
inline const std::vector<std::string>& fuzz_operations() {
  static const std::vector<std::string> operations = [] {
    std::vector<std::string> out = {
        "AddTagsToStream",
        "CreateStream",
        "DecreaseStreamRetentionPeriod",
        "DeleteResourcePolicy",
        "DeleteStream",
        "DeregisterStreamConsumer",
        "DescribeAccountSettings",
        "DescribeLimits",
        "DescribeStream",
        "DescribeStreamConsumer",
        "DescribeStreamSummary",
        "DisableEnhancedMonitoring",
        "EnableEnhancedMonitoring",
        "GetRecords",
        "GetResourcePolicy",
        "GetShardIterator",
        "IncreaseStreamRetentionPeriod",
        "ListShards",
        "ListStreamConsumers",
        "ListStreams",
        "ListTagsForResource",
        "ListTagsForStream",
        "MergeShards",
        "PutRecord",
        "PutRecords",
        "PutResourcePolicy",
        "RegisterStreamConsumer",
        "RemoveTagsFromStream",
        "SplitShard",
        "StartStreamEncryption",
        "StopStreamEncryption",
        "SubscribeToShard",
        "TagResource",
        "UntagResource",
        "UpdateAccountSettings",
        "UpdateMaxRecordSize",
        "UpdateShardCount",
        "UpdateStreamMode",
        "UpdateStreamWarmThroughput",
    };
    for (const auto& name : api::operation_names()) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
  }();
  return operations;
}

// The operation an input's first byte names: 'A' is the first, 'B' the second and so on, so
// seeds start with a readable letter; any other byte picks one too.
inline const std::string& operation_for_byte(uint8_t byte) {
  const auto& ops = fuzz_operations();
  const size_t n = byte >= 'A' ? byte - 'A' : byte + 256 - 'A';
  return ops[n % ops.size()];
}

// The first byte that names `operation` (an entry of fuzz_operations()).
inline char byte_for_operation(std::string_view operation) {
  const auto& ops = fuzz_operations();
  const auto it = std::find(ops.begin(), ops.end(), operation);
  return static_cast<char>('A' + (it - ops.begin()));
}

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "kinesim fuzz fixture: %s\n", what.c_str());
  std::abort();
}

// How long transitional states last in a session that has them: long enough that requests meet
// streams and consumers CREATING, UPDATING and DELETING, short enough that a clock step ends them.
constexpr int64_t kSessionDelayMs = 10'000;

// A kinesim store in memory behind a Dispatcher, on a fake clock. Not thread-safe: one request
// at a time. With `delays`, every transitional state lasts kSessionDelayMs (the streams made at
// the start are ACTIVE all the same, and their values differ from those of a session without).
class DispatcherSession {
 public:
  explicit DispatcherSession(bool delays = false) : delay_ms_(delays ? kSessionDelayMs : 0) {
    StoreOptions options;
    options.path = ":memory:";
    options.delays = {delay_ms_, delay_ms_, delay_ms_, delay_ms_};
    auto store = Store::open(options, clock_);
    if (!store.ok()) die("cannot open an in-memory store: " + store.status().message);
    store_ = std::move(store.value());
    dispatcher_ = std::make_unique<api::Dispatcher>(*store_, clock_);
    setup("CreateStream", R"({"StreamName":"fuzz","ShardCount":2})");
    setup("CreateStream", R"({"StreamName":"fuzz-2","ShardCount":1})");
    setup("PutRecords", R"({"StreamName":"fuzz","Records":[)"
                        R"({"PartitionKey":"a","Data":"AAEC"},)"
                        R"({"PartitionKey":"b","Data":"aGVsbG8="},)"
                        R"({"PartitionKey":"c","Data":"d29ybGQ=","ExplicitHashKey":"1"}]})");
    setup("AddTagsToStream", R"({"StreamName":"fuzz","Tags":{"env":"fuzz","team":"kinesim"}})");
    setup("RegisterStreamConsumer",
          R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/fuzz",)"
          R"("ConsumerName":"fuzz-consumer"})");
    setup("RegisterStreamConsumer",
          R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/fuzz",)"
          R"("ConsumerName":"fuzz-consumer-2"})");
  }
  // The dispatcher and the store finish their queued work before they go.
  ~DispatcherSession() {
    dispatcher_.reset();
    store_.reset();
  }
  DispatcherSession(const DispatcherSession&) = delete;
  DispatcherSession& operator=(const DispatcherSession&) = delete;

  FakeClock& clock() { return clock_; }

  // Sends one signed request for `operation` (JSON unless `content_type` says otherwise) and
  // waits for its answer. A request that is never answered hangs here, which the fuzzer reports
  // as a timeout.
  api::HttpResponse call(std::string_view operation, std::string body,
                         std::string_view content_type = "application/x-amz-json-1.1") {
    api::HttpRequest request;
    request.headers = {
        {"content-type", std::string(content_type)},
        {"x-amz-target", "Kinesis_20131202." + std::string(operation)},
        {"x-amz-date", "20231114T221320Z"},
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=000000000000/20231114/us-east-1/kinesis/aws4_request, "
         "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
         "Signature=0000000000000000000000000000000000000000000000000000000000000000"},
    };
    request.body = std::move(body);
    auto answer = std::make_shared<std::promise<api::HttpResponse>>();
    auto answered = answer->get_future();
    dispatcher_->handle(std::move(request),
                        [answer](api::HttpResponse r) { answer->set_value(std::move(r)); });
    return answered.get();
  }

  // The string member `name` of a successful answer's JSON body, or "".
  static std::string member(const api::HttpResponse& r, const char* name) {
    if (r.status != 200) return "";
    rapidjson::Document doc;
    doc.Parse(r.body.data(), r.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return "";
    const rapidjson::Value& root = doc;
    auto it = root.FindMember(name);
    if (it == root.MemberEnd() || !it->value.IsString()) return "";
    return std::string(it->value.GetString(), it->value.GetStringLength());
  }

 private:
  void setup(std::string_view operation, std::string body) {
    auto r = call(operation, body);
    if (r.status != 200) die(std::string(operation) + " failed: " + r.body);
    clock_.advance_ms(delay_ms_);  // past CREATING
  }

  int64_t delay_ms_;
  FakeClock clock_{kStartMs};
  std::unique_ptr<Store> store_;
  std::unique_ptr<api::Dispatcher> dispatcher_;
};

}  // namespace kinesim::fuzz
