// Fuzzes CBOR (application/x-amz-cbor-1.1): api/cbor.h's decoder on arbitrary bytes, its writer
// on whatever the decoder accepts, and CBOR requests through the whole api::Dispatcher on an
// in-memory store, as fuzz_json_request does for JSON.
//
// Input layout:
//   byte 0    the operation: 'A' the first of kOperations below, 'B' the second... (any byte
//             picks one)
//   the rest  the CBOR request body
// The text string "@ITER@" (the bytes 66 40 49 54 45 52 40) in the body is replaced by a CBOR
// text string holding a shard iterator for stream "fuzz", shard 0, TRIM_HORIZON, so GetRecords
// seeds can name a live iterator (a store's secret is random).
//
// Beyond what the sanitizers catch:
//  - what the decoder accepts, written out again with CborOutput (each string as text when it is
//    well-formed UTF-8, else as bytes; numbers as integers, or as tag 1 timestamps when the double
//    is a whole number of milliseconds) and decoded, is the same document, and writing that again
//    gives the same bytes. Documents with values CborOutput cannot write (integers beyond int64,
//    other doubles) are left out of this check;
//  - whatever the writer writes, text repaired from ill-formed UTF-8 included, decodes;
//  - answers are CBOR: a map (or an empty body) on success, a map with a "__type" on failure, and
//    a 500 only as Kinesis' bare InternalFailure.
//
// KINESIM_FUZZ_VERBOSE=1 prints every answer, as JSON (to see what a seed or finding does).

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/cbor.h"
#include "api/codec.h"
#include "api/protocol.h"
#include "tests/fuzz/fixtures.h"

namespace {

using kinesim::api::CborOutput;
using kinesim::api::decode_cbor;
using kinesim::fuzz::die;
using kinesim::fuzz::DispatcherSession;
namespace api = kinesim::api;

constexpr int kInputsPerSession = 500;
constexpr std::string_view kIterPlaceholder = "\x66@ITER@";

// The operations CBOR clients (the Java SDKs, the KPL) send most, in a fixed order: only append.
constexpr std::string_view kOperations[] = {
    "PutRecord",        "PutRecords",      "CreateStream",        "GetRecords",
    "GetShardIterator", "ListShards",      "DescribeStream",      "DescribeStreamSummary",
    "ListStreams",      "AddTagsToStream", "ListStreamConsumers", "SubscribeToShard",
};

std::string_view operation_for_byte(uint8_t byte) {
  const size_t n = byte >= 'A' ? byte - 'A' : byte + 256 - 'A';
  return kOperations[n % std::size(kOperations)];
}

// --- the writer against the decoder ----------------------------------------------------------

bool is_utf8_text(const rapidjson::Value& s) {
  // A text string CborOutput writes back unchanged decodes to the same bytes.
  CborOutput out;
  out.string(std::string_view(s.GetString(), s.GetStringLength()));
  const std::string bytes = out.take();
  rapidjson::Document doc;
  return !decode_cbor(bytes, doc) && doc.IsString() &&
         std::string_view(doc.GetString(), doc.GetStringLength()) ==
             std::string_view(s.GetString(), s.GetStringLength());
}

// Writes `v` so that decoding gives `v` back; false when CborOutput has no way to.
bool write_exact(const rapidjson::Value& v, api::Output& out) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out.null();
      return true;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      out.boolean(v.GetBool());
      return true;
    case rapidjson::kStringType:
      if (is_utf8_text(v)) {
        out.string(std::string_view(v.GetString(), v.GetStringLength()));
      } else {
        out.blob(std::string_view(v.GetString(), v.GetStringLength()));
      }
      return true;
    case rapidjson::kNumberType: {
      if (v.IsInt64()) {
        out.integer(v.GetInt64());
        return true;
      }
      if (!v.IsDouble()) return false;  // an unsigned integer beyond int64
      // The decoder reads tag 1 over integer milliseconds as seconds: a double that is a whole
      // number of milliseconds (exactly, within 2^53) goes back as one.
      const double ms = v.GetDouble() * 1000.0;
      if (!(std::fabs(ms) < 9007199254740992.0)) return false;
      const auto whole = static_cast<int64_t>(std::llround(ms));
      if (static_cast<double>(whole) / 1000.0 != v.GetDouble()) return false;
      out.timestamp_ms(whole);
      return true;
    }
    case rapidjson::kArrayType:
      out.begin_array();
      for (const auto& item : v.GetArray()) {
        if (!write_exact(item, out)) return false;
      }
      out.end_array();
      return true;
    case rapidjson::kObjectType:
      out.begin_object();
      for (const auto& m : v.GetObject()) {
        out.key(std::string_view(m.name.GetString(), m.name.GetStringLength()));
        if (!write_exact(m.value, out)) return false;
      }
      out.end_object();
      return true;
  }
  return false;
}

// Writes `v` with every string as text (ill-formed UTF-8 repaired) and numbers as best it can.
void write_as_text(const rapidjson::Value& v, api::Output& out) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return out.null();
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return out.boolean(v.GetBool());
    case rapidjson::kStringType:
      return out.string(std::string_view(v.GetString(), v.GetStringLength()));
    case rapidjson::kNumberType:
      return out.integer(v.IsInt64() ? v.GetInt64() : 0);
    case rapidjson::kArrayType:
      out.begin_array();
      for (const auto& item : v.GetArray()) write_as_text(item, out);
      return out.end_array();
    case rapidjson::kObjectType:
      out.begin_object();
      for (const auto& m : v.GetObject()) {
        out.key(std::string_view(m.name.GetString(), m.name.GetStringLength()));
        write_as_text(m.value, out);
      }
      return out.end_object();
  }
}

// The same value: same types (a double is not an integer), same members in the same order.
bool same(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.GetType() != b.GetType()) return false;
  switch (a.GetType()) {
    case rapidjson::kStringType:
      return std::string_view(a.GetString(), a.GetStringLength()) ==
             std::string_view(b.GetString(), b.GetStringLength());
    case rapidjson::kNumberType:
      if (a.IsDouble() != b.IsDouble()) return false;
      if (a.IsDouble()) return a.GetDouble() == b.GetDouble();
      if (a.IsInt64() != b.IsInt64()) return false;
      return a.IsInt64() ? a.GetInt64() == b.GetInt64() : a.GetUint64() == b.GetUint64();
    case rapidjson::kArrayType: {
      if (a.Size() != b.Size()) return false;
      for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
        if (!same(a[i], b[i])) return false;
      }
      return true;
    }
    case rapidjson::kObjectType: {
      if (a.MemberCount() != b.MemberCount()) return false;
      for (auto x = a.MemberBegin(), y = b.MemberBegin(); x != a.MemberEnd(); ++x, ++y) {
        if (!same(x->name, y->name) || !same(x->value, y->value)) return false;
      }
      return true;
    }
    default:
      return true;  // null, true, false
  }
}

void check_round_trip(std::string_view body) {
  rapidjson::Document doc;
  if (decode_cbor(body, doc)) return;

  CborOutput text;
  write_as_text(doc, text);
  const std::string repaired = text.take();
  rapidjson::Document repaired_doc;
  if (decode_cbor(repaired, repaired_doc)) die("CborOutput wrote what the decoder refuses");

  CborOutput first;
  if (!write_exact(doc, first)) return;
  const std::string written = first.take();
  rapidjson::Document again;
  if (decode_cbor(written, again)) die("CBOR written from a decoded body does not decode");
  if (!same(doc, again)) die("CBOR decoded, written and decoded again changed");
  CborOutput second;
  if (!write_exact(again, second) || second.take() != written) {
    die("CBOR written twice from the same document differs");
  }
}

// --- the dispatcher ---------------------------------------------------------------------------

std::string cbor_text(std::string_view s) {
  CborOutput out;
  out.string(s);
  return out.take();
}

void expand_iterator(DispatcherSession& session, std::string& body) {
  if (body.find(kIterPlaceholder) == std::string::npos) return;
  const auto answer = session.call(
      "GetShardIterator",
      R"({"StreamName":"fuzz","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  const std::string iterator = DispatcherSession::member(answer, "ShardIterator");
  if (iterator.empty()) return;  // stream "fuzz" is gone
  const std::string replacement = cbor_text(iterator);
  for (size_t at = body.find(kIterPlaceholder); at != std::string::npos;
       at = body.find(kIterPlaceholder, at + replacement.size())) {
    body.replace(at, kIterPlaceholder.size(), replacement);
  }
}

void print_answer(std::string_view operation, const api::HttpResponse& r) {
  std::string json = "(not CBOR)";
  std::string body = r.body;
  rapidjson::Document doc;
  if (r.body.empty()) {
    json = "";
  } else if (!decode_cbor(body, doc)) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    json = buffer.GetString();
  }
  std::fprintf(stderr, "<< %.*s %d %s\n", static_cast<int>(operation.size()), operation.data(),
               r.status, json.c_str());
}

void check_answer(std::string_view operation, const api::HttpResponse& r) {
  const std::string what = std::string(operation) + " answered " + std::to_string(r.status);
  if (r.stream) {
    // A streamed answer (SubscribeToShard): the client goes away at once.
    r.stream->on_cancel();
    if (r.status != 200) die("streamed error: " + what);
    return;
  }
  if (r.content_type != api::kCborContentType) die("not CBOR: " + what + " " + r.content_type);
  rapidjson::Document doc;
  const bool is_cbor = !decode_cbor(r.body, doc);
  switch (r.status) {
    case 200:
      if (!r.body.empty() && (!is_cbor || !doc.IsObject())) die("success body not a map: " + what);
      return;
    case 400:
      if (!is_cbor || !doc.IsObject() || !doc.HasMember("__type") || !doc["__type"].IsString()) {
        die("error without __type: " + what);
      }
      return;
    case 500:
      if (r.body != api::error_cbor(api::errors::make("InternalFailure", "", 500))) {
        die("internal failure: " + what);
      }
      return;
    case 501:  // an operation kinesim does not implement yet
      return;
    default:
      die("unexpected status: " + what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view operation = operation_for_byte(data[0]);
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);

  check_round_trip(body);
  // Decoding and validation alone, without the limits that depend on a stream.
  {
    std::string buffer = body;
    api::DecodedRequest decoded;
    if (!decoded.parse_cbor(buffer)) (void)decoded.validate(operation);
  }

  static std::unique_ptr<DispatcherSession> session;
  static int inputs = 0;
  if (!session || ++inputs % kInputsPerSession == 0) {
    session.reset();
    session = std::make_unique<DispatcherSession>();
  }
  std::string request = body;
  expand_iterator(*session, request);
  const auto answer =
      session->call(operation, std::move(request), std::string(api::kCborContentType));
  static const bool verbose = std::getenv("KINESIM_FUZZ_VERBOSE") != nullptr;
  if (verbose) print_answer(operation, answer);
  check_answer(operation, answer);
  return 0;
}
