// Fuzzes the JSON request path: decoding and the model's validation on their own, then the whole
// api::Dispatcher, operation handlers and store included, on an in-memory store.
//
// Input layout:
//   byte 0    the operation: 'A' the first of fuzz_operations() (fixtures.h), 'B' the second...
//   byte 1    how far the fake clock moves first: not at all below 128, 1 to 64 seconds below
//             192 (past transitional states), else (b - 191)^2 minutes (up to 11 days: iterator
//             and token expiry, retention); and when this input starts a new session, whether
//             that session has transitional states that last (odd) or none (even)
//   the rest  the request body
// Sealed values cannot be written into seeds (a store's secret is random), so these placeholders
// in the body are replaced by values the session issues at that moment:
//   @ITER@             a shard iterator for stream "fuzz", shard 0, TRIM_HORIZON
//   @SHARDS_TOKEN@     ListShards' NextToken for stream "fuzz"
//   @STREAMS_TOKEN@    ListStreams' NextToken
//   @CONSUMERS_TOKEN@  ListStreamConsumers' NextToken for stream "fuzz"
//
// The session (store and clock) is kept from one input to the next, so requests build on each
// other, and replaced every kInputsPerSession inputs: that bounds what accumulates (streams,
// shards, records) and keeps most findings reproducible from their input alone. A session is
// made when the input before it needs one, with or without state delays as that input says.
//
// Beyond what the sanitizers catch, an answer must be well formed: a JSON object (or an empty
// body, for operations without output) on success, a JSON object with a "__type" on failure, and
// a 500 only as Kinesis' bare InternalFailure; a 500 with a message is kinesim failing.
//
// KINESIM_FUZZ_VERBOSE=1 prints every request and answer (to see what a seed or finding does).

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/codec.h"
#include "tests/fuzz/fixtures.h"

namespace {

using kinesim::fuzz::die;
using kinesim::fuzz::DispatcherSession;

constexpr int kInputsPerSession = 500;

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// Swaps each placeholder for a value the session issues now (left as it is when the session
// cannot issue one, e.g. after stream "fuzz" was deleted).
void expand_placeholders(DispatcherSession& session, std::string& body) {
  if (body.find('@') == std::string::npos) return;
  struct Placeholder {
    std::string_view text, operation, request, member;
  };
  static constexpr Placeholder kPlaceholders[] = {
      {"@ITER@", "GetShardIterator",
       R"({"StreamName":"fuzz","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})",
       "ShardIterator"},
      {"@SHARDS_TOKEN@", "ListShards", R"({"StreamName":"fuzz","MaxResults":1})", "NextToken"},
      {"@STREAMS_TOKEN@", "ListStreams", R"({"Limit":1})", "NextToken"},
      {"@CONSUMERS_TOKEN@", "ListStreamConsumers",
       R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/fuzz","MaxResults":1})",
       "NextToken"},
  };
  for (const auto& p : kPlaceholders) {
    if (body.find(p.text) == std::string::npos) continue;
    const auto answer = session.call(p.operation, std::string(p.request));
    const std::string value = DispatcherSession::member(answer, std::string(p.member).c_str());
    if (!value.empty()) replace_all(body, p.text, value);
  }
}

bool is_json_object(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  return !doc.HasParseError() && doc.IsObject();
}

void check_answer(std::string_view operation, const kinesim::api::HttpResponse& r) {
  const std::string what = std::string(operation) + " answered " + std::to_string(r.status) +
                           " with body: " + r.body.substr(0, 2000);
  if (r.stream) {
    // A streamed answer (SubscribeToShard): the client goes away at once.
    r.stream->on_cancel();
    if (r.status != 200) die("streamed error: " + what);
    return;
  }
  switch (r.status) {
    case 200:
      if (!r.body.empty() && !is_json_object(r.body))
        die("success body not a JSON object: " + what);
      return;
    case 400: {
      rapidjson::Document doc;
      doc.Parse(r.body.data(), r.body.size());
      if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("__type") ||
          !doc["__type"].IsString()) {
        die("error without __type: " + what);
      }
      return;
    }
    case 500:
      if (r.body != R"({"__type":"InternalFailure"})") die("internal failure: " + what);
      return;
    case 501:  // an operation kinesim does not implement yet
      return;
    default:
      die("unexpected status: " + what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string& operation = kinesim::fuzz::operation_for_byte(data[0]);
  const uint8_t time_step = data[1];
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);

  // Decoding and validation alone, without the limits that depend on a stream.
  {
    std::string buffer = body;
    kinesim::api::DecodedRequest decoded;
    if (!decoded.parse_json(buffer)) (void)decoded.validate(operation);
  }

  static std::unique_ptr<DispatcherSession> session;
  static int inputs = 0;
  if (!session || ++inputs % kInputsPerSession == 0) {
    session.reset();
    session = std::make_unique<DispatcherSession>(/*delays=*/(time_step & 1) != 0);
  }
  if (time_step >= 192) {
    const int64_t minutes = int64_t{time_step - 191} * (time_step - 191);
    session->clock().advance_ms(minutes * 60 * 1000);
  } else if (time_step >= 128) {
    session->clock().advance_ms(int64_t{time_step - 127} * 1000);
  }
  std::string request = body;
  expand_placeholders(*session, request);
  static const bool verbose = std::getenv("KINESIM_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, ">> %s %s\n", operation.c_str(), request.c_str());
  const auto answer = session->call(operation, std::move(request));
  if (verbose) std::fprintf(stderr, "<< %d %s\n", answer.status, answer.body.c_str());
  check_answer(operation, answer);
  return 0;
}
