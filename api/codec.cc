#include "api/codec.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "api/base64.h"

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
  if (!v_) return std::nullopt;
  const auto* v = as_value(v_);
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsNumber()) return static_cast<int64_t>(v->GetDouble());
  return std::nullopt;
}

std::optional<bool> Input::boolean() const {
  if (!v_ || !as_value(v_)->IsBool()) return std::nullopt;
  return as_value(v_)->GetBool();
}

std::optional<double> Input::timestamp() const {
  if (!present()) return std::nullopt;
  return parse_timestamp(*as_value(v_));
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

// ---------------------------------------------------------------------------------------------
// DecodedRequest

struct DecodedRequest::Impl {
  rapidjson::Document doc;
  BlobEncoding blobs = BlobEncoding::kBase64;
};

DecodedRequest::DecodedRequest() : impl_(std::make_unique<Impl>()) {}
DecodedRequest::~DecodedRequest() = default;

std::optional<Error> DecodedRequest::parse_json(std::string& body) {
  impl_->blobs = BlobEncoding::kBase64;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    impl_->doc.SetObject();
    return std::nullopt;
  }
  impl_->doc.ParseInsitu(body.data());
  if (impl_->doc.HasParseError()) {
    return errors::serialization("Start of structure or map found where not expected.");
  }
  if (!impl_->doc.IsObject()) {
    return errors::serialization("Start of structure or map found where not expected.");
  }
  return std::nullopt;
}

std::optional<Error> DecodedRequest::validate(std::string_view operation) const {
  return validate_request(operation, impl_->doc, impl_->blobs);
}

Input DecodedRequest::root() const { return Input(&impl_->doc, impl_->blobs); }

// ---------------------------------------------------------------------------------------------
// JsonOutput

struct JsonOutput::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
  std::string scratch;
};

JsonOutput::JsonOutput() : impl_(std::make_unique<Impl>()) {}
JsonOutput::~JsonOutput() = default;
void JsonOutput::begin_object() { impl_->writer.StartObject(); }
void JsonOutput::end_object() { impl_->writer.EndObject(); }
void JsonOutput::begin_array() { impl_->writer.StartArray(); }
void JsonOutput::end_array() { impl_->writer.EndArray(); }
void JsonOutput::key(std::string_view k) {
  impl_->writer.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
void JsonOutput::string(std::string_view s) {
  impl_->writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void JsonOutput::blob(std::string_view bytes) {
  // Base64 needs no escaping, so it goes out as a raw quoted token.
  auto& s = impl_->scratch;
  s.assign(1, '"');
  base64_encode(bytes, s);
  s.push_back('"');
  impl_->writer.RawValue(s.data(), s.size(), rapidjson::kStringType);
}
void JsonOutput::integer(int64_t v) { impl_->writer.Int64(v); }
void JsonOutput::boolean(bool v) { impl_->writer.Bool(v); }
void JsonOutput::timestamp_ms(int64_t epoch_ms) {
  // Kinesis writes timestamps as epoch seconds with millisecond precision, e.g. 1732701967.123.
  char buf[32];
  const int64_t secs = epoch_ms / 1000, ms = epoch_ms % 1000;
  const int n = ms == 0 ? std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(secs))
                        : std::snprintf(buf, sizeof buf, "%lld.%03lld",
                                        static_cast<long long>(secs), static_cast<long long>(ms));
  impl_->writer.RawValue(buf, static_cast<size_t>(n), rapidjson::kNumberType);
}
void JsonOutput::null() { impl_->writer.Null(); }
std::string JsonOutput::take() {
  return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize());
}

std::string error_json(const Error& e) {
  JsonOutput out;
  out.begin_object();
  out.field("__type", e.type);
  if (!e.message.empty()) out.field("message", e.message);
  out.end_object();
  return out.take();
}

}  // namespace kinesim::api
