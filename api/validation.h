// Request validation declared by the Kinesis service model: every operation's input shape,
// with its required members, types, lengths, ranges, patterns and enums, is read from the
// embedded kinesis-2013-12-02.service.json, and a request body is checked against it before any
// operation sees it. Messages follow Kinesis' own format, e.g.
//   1 validation error detected: Value 'x y' at 'streamName' failed to satisfy constraint:
//   Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"

namespace kinesim::api {

// How blob members arrive in the decoded document: base64 text (JSON) or raw bytes (CBOR).
enum class BlobEncoding { kBase64, kRaw };

// True when the model defines this operation.
bool is_known_operation(std::string_view operation);

// All operation names of the model, sorted.
const std::vector<std::string>& operation_names();

// Limits that depend on the stream a request names rather than on the model.
struct RequestLimits {
  // PutRecord and PutRecords: the most bytes of Data the stream takes (its MaxRecordSizeInKiB).
  // Checked with the model's constraints, so an oversized record is listed with the others.
  std::optional<std::int64_t> max_data_bytes;
};

// Checks `body` (the decoded request object) against the operation's input shape.
// Returns SerializationException when a member has the wrong type (or a blob is not valid
// base64), else ValidationException listing the constraint violations in AWS's format, else
// nothing. `operation` must be a known operation.
std::optional<Error> validate_request(std::string_view operation, const rapidjson::Value& body,
                                      BlobEncoding blobs, const RequestLimits& limits = {});

// Kinesis lists at most this many violations in one ValidationException (and then counts ten).
constexpr size_t kMaxReportedViolations = 10;

// The ValidationException for `violations` (each "Value ... failed to satisfy constraint: ..."),
// in Kinesis' wording: "N validation error(s) detected: " and the violations joined by "; ".
// `violations` must not be empty and holds at most kMaxReportedViolations entries.
Error validation_error(const std::vector<std::string>& violations);

// Reads a model timestamp member as epoch seconds (a JSON number). nullopt when the value is not
// a timestamp; Kinesis refuses strings, ISO 8601 included.
std::optional<double> parse_timestamp(const rapidjson::Value& value);

// Read model integer / long / boolean members the way Kinesis converts them, and the way
// validate_request checked them: a JSON number with a fraction is rounded down and a value
// beyond the type's range saturates (so Limit 34.9 reads 34, and 1e12 reads 2147483647 for an
// integer). Booleans are JSON true/false, the strings "true", "false", "yes", "no", "1", "0" in
// any case, or a number with a fraction or exponent (non-zero is true); Kinesis accepts all of
// these. nullopt when the value is none of these.
std::optional<std::int32_t> parse_integer(const rapidjson::Value& value);
std::optional<std::int64_t> parse_long(const rapidjson::Value& value);
std::optional<bool> parse_boolean(const rapidjson::Value& value);

}  // namespace kinesim::api
