// Wire codecs: how a request body becomes something an operation can read, and how an operation's
// answer becomes a response body. Operations see only Input and Output; the JSON (and later
// CBOR) details stay here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error.h"
#include "api/validation.h"

namespace kinesim::api {

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
  // SerializationException when the body is not JSON (an empty body included) or is a bare
  // null, boolean, number or string.
  std::optional<Error> parse_json(std::string& body);
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

// The body of an error response: {"__type": ..., "message": ...}.
std::string error_json(const Error& e);
// The same as a CBOR map, for application/x-amz-cbor-1.1 (api/cbor.cc).
std::string error_cbor(const Error& e);

}  // namespace kinesim::api
