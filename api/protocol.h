// What Kinesis answers before a request reaches an operation: CORS, the content type a body is in,
// and the errors for requests no operation can take, each in the format AWS uses for it.
//
// The order of checks, as AWS answers them (recorded against AWS in the test suite of a
// long-standing Kinesis emulator, and kept in tests/unit/server_connection_test.cc):
//   1. An OPTIONS request with an Origin header is a CORS preflight: 200, empty body.
//   2. Anything but a POST, or a POST with a body in no protocol Kinesis speaks, is refused with
//      an XML body and no Content-Type, after the signature checks (refuse_unroutable).
//   3. A POST without a body is answered SerializationException (for a known operation) or
//      UnknownOperationException: in JSON for application/x-amz-json-1.1, in CBOR otherwise.
//   4. A body that is not a JSON object is a SerializationException.
//   5. application/json goes no further: the old Coral envelope says UnknownOperationException.
//   6. Then the target, the signature, the model's constraints and the operation.
// Every answer to a request with an Origin header carries CORS headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/error.h"
#include "api/http.h"

namespace kinesim::api {

constexpr std::string_view kAmzJsonContentType = "application/x-amz-json-1.1";
constexpr std::string_view kCoralJsonContentType = "application/json";
constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

// The protocol a request's Content-Type names. Parameters (";charset=utf-8") and surrounding
// spaces do not count; the rest must match exactly.
enum class Protocol {
  kNone,       // no Content-Type, or one Kinesis does not read
  kAmzJson,    // application/x-amz-json-1.1: what the SDKs send
  kCoralJson,  // application/json: parsed, then refused in the old Coral envelope
  kCbor,       // application/x-amz-cbor-1.1: the Java SDKs' and the KPL's default
};
Protocol protocol_of(std::string_view content_type);

// The operation an X-Amz-Target header names ("Kinesis_20131202.ListStreams" → "ListStreams"),
// or nullopt when it names none Kinesis has.
std::optional<std::string_view> target_operation(std::string_view target);

// CORS: an OPTIONS request with an Origin header is a preflight, answered here (with no
// x-amz-id-2, as AWS answers it); every other answer to a request with an Origin header carries
// add_cors_headers().
bool is_cors_preflight(const HttpRequest& request);
HttpResponse cors_preflight(const HttpRequest& request);
void add_cors_headers(HttpResponse& response);

// Errors as each protocol carries them.
HttpResponse json_error(const Error& e);  // application/x-amz-json-1.1, e.http_status
HttpResponse cbor_error(const Error& e);  // application/x-amz-cbor-1.1, e.http_status
// application/json: HTTP 200 and {"Output":{"__type":"com.amazon.coral.service#TYPE", ...},
// "Version":"1.0"} with the message member null.
HttpResponse coral_error(std::string_view type);
// "<TYPE>\n  <Message>MESSAGE</Message>\n</TYPE>\n", no Content-Type.
HttpResponse xml_error(const Error& e, int status);

// A POST without a body: SerializationException when `operation_known`, else
// UnknownOperationException, in JSON for `protocol` kAmzJson and in CBOR otherwise.
HttpResponse empty_body_error(Protocol protocol, bool operation_known);

// The answer to a request whose body is larger than `limit_bytes` (the server does not read it):
// 413 SerializationException in the format the request's Content-Type names (CBOR for
// application/x-amz-cbor-1.1, JSON otherwise), with CORS headers for a request with an Origin.
// `head` is the request without its body.
HttpResponse body_too_large(const HttpRequest& head, uint64_t limit_bytes);

// The answer to a request no operation can take (anything but a POST, or a body in no protocol
// Kinesis reads): the signature checks' error when they fail, else what the target names, in
// XML (403 AccessDenied, 403 UnrecognizedClient, 404 UnknownOperation or 500 InternalFailure).
HttpResponse refuse_unroutable(const HttpRequest& request, const Authenticator& auth);

}  // namespace kinesim::api
