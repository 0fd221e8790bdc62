// Wire codecs: how a request body becomes something an operation can read, and how an operation's
// answer becomes a response body. Operations see only Input and Output; the JSON details stay
// here and the CBOR ones in api/cbor.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error.h"
#include "api/validation.h"

namespace kinesim::api {

// The body format of a request, and of its response: application/x-amz-json-1.1 (blobs as
// base64, timestamps as epoch seconds) or application/x-amz-cbor-1.1 (blobs as byte strings,
// timestamps as tag 1 over epoch milliseconds).
enum class WireFormat { kJson, kCbor };

// The Content-Type of bodies in `format`.
constexpr const char* content_type(WireFormat format) {
  return format == WireFormat::kCbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
}

// A read-only view of one value of a request that already passed validate_request, so members
// have the types the model gives them. A missing member reads as absent.
class Input {
 public:
  Input() = default;
  Input(const void* value, BlobEncoding blobs) : v_(value), blobs_(blobs) {}

  bool present() const;  // the member exists and is not null
  Input operator[](const char* member) const;

  std::optional<std::string_view> str() const;
  std::optional<int64_t> integer() const;
  std::optional<bool> boolean() const;
  std::optional<double> timestamp() const;  // epoch seconds
  // The same in epoch milliseconds, truncated toward zero; beyond the int64 range it saturates,
  // as Java's (long) conversion does, so no timestamp a client sends is undefined behaviour.
  std::optional<int64_t> timestamp_ms() const;
  // The decoded bytes of a blob member (validation has checked the encoding).
  std::optional<std::string> blob() const;

  // Lists.
  size_t size() const;
  Input at(size_t i) const;

  // Maps: each entry's key and value, in request order.
  std::vector<std::pair<std::string_view, Input>> entries() const;

 private:
  const void* v_ = nullptr;  // const rapidjson::Value*
  BlobEncoding blobs_ = BlobEncoding::kBase64;
};

// Writes a response body. Calls nest like the JSON they produce: object members are a key()
// followed by one value.
class Output {
 public:
  virtual ~Output() = default;
  virtual void begin_object() = 0;
  virtual void end_object() = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  virtual void key(std::string_view k) = 0;
  virtual void string(std::string_view s) = 0;
  virtual void blob(std::string_view bytes) = 0;
  virtual void integer(int64_t v) = 0;
  virtual void boolean(bool v) = 0;
  virtual void timestamp_ms(int64_t epoch_ms) = 0;
  virtual void null() = 0;

  // Shorthands for one member.
  void field(std::string_view k, std::string_view s) {
    key(k);
    string(s);
  }
  void field(std::string_view k, const char* s) {
    key(k);
    string(s);
  }
  void field(std::string_view k, int64_t v) {
    key(k);
    integer(v);
  }
  void field(std::string_view k, bool v) {
    key(k);
    boolean(v);
  }
};

// A decoded request: owns the parsed document that Inputs point into.
class DecodedRequest {
 public:
  DecodedRequest();
  ~DecodedRequest();
  DecodedRequest(const DecodedRequest&) = delete;
  DecodedRequest& operator=(const DecodedRequest&) = delete;

  // Parses a JSON body in place (the buffer must outlive this object). Fails with a bare
  // SerializationException when the body is not JSON (an empty body, or one with a NUL byte
  // anywhere, included) or is a bare null, boolean, number or string.
  std::optional<Error> parse_json(std::string& body);
  // Decodes a CBOR body (api/cbor.h, decode_cbor); strings point into `body`, which must outlive
  // this object. Fails with a bare SerializationException when the body is not one well-formed
  // CBOR item, an empty body included.
  std::optional<Error> parse_cbor(std::string& body);
  // parse_json or parse_cbor.
  std::optional<Error> parse(WireFormat format, std::string& body);
  // Runs the model's validation for `operation`.
  std::optional<Error> validate(std::string_view operation, const RequestLimits& limits = {}) const;
  Input root() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// JSON response writer. body() is the finished text.
class JsonOutput final : public Output {
 public:
  JsonOutput();
  ~JsonOutput() override;
  void begin_object() override;
  void end_object() override;
  void begin_array() override;
  void end_array() override;
  void key(std::string_view k) override;
  void string(std::string_view s) override;
  void blob(std::string_view bytes) override;
  void integer(int64_t v) override;
  void boolean(bool v) override;
  void timestamp_ms(int64_t epoch_ms) override;
  void null() override;
  std::string take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A response body in `format`, as `write` produces it through an Output. For whatever must
// answer in a request's format: operation replies, event-stream payloads.
std::string encode_body(WireFormat format, const std::function<void(Output&)>& write);

// The members of an error body: {"__type": ..., "message": ...}.
void write_error(Output& out, const Error& e);
// The body of an error response in `format`.
std::string encode_error(WireFormat format, const Error& e);
std::string error_json(const Error& e);
std::string error_cbor(const Error& e);  // api/cbor.cc

}  // namespace kinesim::api
