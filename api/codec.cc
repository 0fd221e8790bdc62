#include "api/codec.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "api/base64.h"
#include "api/cbor.h"

namespace kinesim::api {
namespace {

const rapidjson::Value* as_value(const void* v) { return static_cast<const rapidjson::Value*>(v); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Input

bool Input::present() const { return v_ && !as_value(v_)->IsNull(); }

Input Input::operator[](const char* member) const {
  if (!v_ || !as_value(v_)->IsObject()) return Input(nullptr, blobs_);
  const auto& obj = *as_value(v_);
  auto it = obj.FindMember(member);
  return it == obj.MemberEnd() ? Input(nullptr, blobs_) : Input(&it->value, blobs_);
}

std::optional<std::string_view> Input::str() const {
  if (!v_ || !as_value(v_)->IsString()) return std::nullopt;
  const auto* v = as_value(v_);
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<int64_t> Input::integer() const {
  // Read numbers the way validation checked them (floats round down, as Kinesis does). Every
  // integer member of Kinesis' inputs has the model's 32-bit `integer` type, so a value beyond
  // it saturates there, as validation read it: ShardCount 1e12 is 2147483647.
  if (!present()) return std::nullopt;
  return parse_integer(*as_value(v_));
}

std::optional<bool> Input::boolean() const {
  if (!present()) return std::nullopt;
  return parse_boolean(*as_value(v_));
}

std::optional<double> Input::timestamp() const {
  if (!present()) return std::nullopt;
  return parse_timestamp(*as_value(v_));
}

std::optional<int64_t> Input::timestamp_ms() const {
  auto seconds = timestamp();
  if (!seconds) return std::nullopt;
  const double ms = *seconds * 1000.0;
  // 2^63 and -2^63 are exact doubles; converting a double outside that range is undefined.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isnan(ms)) return 0;
  if (ms >= kTwoTo63) return std::numeric_limits<int64_t>::max();
  if (ms <= -kTwoTo63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(ms);
}

std::optional<std::string> Input::blob() const {
  auto s = str();
  if (!s) return std::nullopt;
  if (blobs_ == BlobEncoding::kRaw) return std::string(*s);
  return base64_decode(*s);
}

size_t Input::size() const {
  if (!v_ || !as_value(v_)->IsArray()) return 0;
  return as_value(v_)->Size();
}

Input Input::at(size_t i) const {
  if (i >= size()) return Input(nullptr, blobs_);
  return Input(&(*as_value(v_))[static_cast<rapidjson::SizeType>(i)], blobs_);
}

std::vector<std::pair<std::string_view, Input>> Input::entries() const {
  std::vector<std::pair<std::string_view, Input>> out;
  if (!v_ || !as_value(v_)->IsObject()) return out;
  for (const auto& m : as_value(v_)->GetObject()) {
    out.emplace_back(std::string_view(m.name.GetString(), m.name.GetStringLength()),
                     Input(&m.value, blobs_));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DecodedRequest

struct DecodedRequest::Impl {
  rapidjson::Document doc;
  BlobEncoding blobs = BlobEncoding::kBase64;
};

DecodedRequest::DecodedRequest() : impl_(std::make_unique<Impl>()) {}
DecodedRequest::~DecodedRequest() = default;

std::optional<Error> DecodedRequest::parse_json(std::string& body) {
  // Kinesis answers a body that is not JSON (an empty one included), or is a bare null, boolean,
  // number or string, with a bare SerializationException; a list is validation's to report.
  impl_->blobs = BlobEncoding::kBase64;
  // The parser reads the buffer as a C string and would stop at a NUL byte, taking what follows
  // for nothing. No NUL belongs in JSON text (inside a string it must be escaped), so a body with
  // one is malformed, whatever comes after it.
  if (body.find('\0') != std::string::npos) return errors::serialization("");
  // Iterative parsing: nesting depth must not turn into stack depth.
  impl_->doc.ParseInsitu<rapidjson::kParseIterativeFlag>(body.data());
  if (impl_->doc.HasParseError()) return errors::serialization("");
  if (!impl_->doc.IsObject() && !impl_->doc.IsArray()) return errors::serialization("");
  return std::nullopt;
}

std::optional<Error> DecodedRequest::parse_cbor(std::string& body) {
  impl_->blobs = BlobEncoding::kRaw;
  return decode_cbor(body, impl_->doc);
}

std::optional<Error> DecodedRequest::parse(WireFormat format, std::string& body) {
  return format == WireFormat::kCbor ? parse_cbor(body) : parse_json(body);
}

std::optional<Error> DecodedRequest::validate(std::string_view operation,
                                              const RequestLimits& limits) const {
  return validate_request(operation, impl_->doc, impl_->blobs, limits);
}

Input DecodedRequest::root() const { return Input(&impl_->doc, impl_->blobs); }

// ---------------------------------------------------------------------------------------------
// JsonOutput

struct JsonOutput::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};

  // Writes the separator due before the next key or value, then a quoted string of `n`
  // characters that need no escaping; returns where the caller writes those characters.
  char* raw_string(size_t n) {
    writer.RawValue("", 0, rapidjson::kStringType);  // separators only
    char* p = buffer.Push(n + 2);
    p[0] = '"';
    p[n + 1] = '"';
    return p + 1;
  }
};

JsonOutput::JsonOutput() : impl_(std::make_unique<Impl>()) {}
JsonOutput::~JsonOutput() = default;
void JsonOutput::begin_object() { impl_->writer.StartObject(); }
void JsonOutput::end_object() { impl_->writer.EndObject(); }
void JsonOutput::begin_array() { impl_->writer.StartArray(); }
void JsonOutput::end_array() { impl_->writer.EndArray(); }
void JsonOutput::key(std::string_view k) {
  // Keys are member names from the model: plain ASCII that never needs escaping.
  std::memcpy(impl_->raw_string(k.size()), k.data(), k.size());
}
void JsonOutput::string(std::string_view s) {
  // Most strings (ids, sequence numbers, names) need no escaping: copy those straight through.
  for (unsigned char c : s) {
    if (c < 0x20 || c == '"' || c == '\\') {
      impl_->writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
      return;
    }
  }
  std::memcpy(impl_->raw_string(s.size()), s.data(), s.size());
}
void JsonOutput::blob(std::string_view bytes) {
  // Base64 needs no escaping, so it is encoded straight into the output buffer.
  base64_encode(bytes, impl_->raw_string(base64_encoded_size(bytes.size())));
}
void JsonOutput::integer(int64_t v) { impl_->writer.Int64(v); }
void JsonOutput::boolean(bool v) { impl_->writer.Bool(v); }
void JsonOutput::timestamp_ms(int64_t epoch_ms) {
  // Kinesis writes timestamps as epoch seconds with millisecond precision, e.g. 1732701967.123.
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  const bool negative = epoch_ms < 0;
  uint64_t v = negative ? 0 - static_cast<uint64_t>(epoch_ms) : static_cast<uint64_t>(epoch_ms);
  const uint64_t ms = v % 1000;
  v /= 1000;
  if (ms != 0) {
    *--p = static_cast<char>('0' + ms % 10);
    *--p = static_cast<char>('0' + ms / 10 % 10);
    *--p = static_cast<char>('0' + ms / 100);
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) *--p = '-';
  impl_->writer.RawValue(p, static_cast<size_t>(end - p), rapidjson::kNumberType);
}
void JsonOutput::null() { impl_->writer.Null(); }
std::string JsonOutput::take() {
  return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize());
}

// ---------------------------------------------------------------------------------------------
// Bodies in either format

std::string encode_body(WireFormat format, const std::function<void(Output&)>& write) {
  if (format == WireFormat::kCbor) {
    CborOutput out;
    write(out);
    return out.take();
  }
  JsonOutput out;
  write(out);
  return out.take();
}

void write_error(Output& out, const Error& e) {
  out.begin_object();
  out.field("__type", e.type);
  // Kinesis spells the member "Message" for SerializationException and "message" elsewhere.
  // The name belongs to the exception, not to the encoding, so CBOR bodies spell it the same.
  if (!e.message.empty()) {
    out.field(e.type == "SerializationException" ? "Message" : "message", e.message);
  }
  out.end_object();
}

std::string encode_error(WireFormat format, const Error& e) {
  return format == WireFormat::kCbor ? error_cbor(e) : error_json(e);
}

std::string error_json(const Error& e) {
  JsonOutput out;
  write_error(out, e);
  return out.take();
}

}  // namespace kinesim::api
