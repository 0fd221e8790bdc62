#include "api/protocol.h"

#include <utility>
#include <variant>

#include "api/codec.h"
#include "api/validation.h"

namespace kinesim::api {
namespace {

constexpr std::string_view kService = "Kinesis_20131202";

// The headers a browser may read from an answer, as Kinesis lists them.
constexpr const char* kExposedHeaders =
    "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date";
// How long a browser may cache a preflight answer (two days), as Kinesis says.
constexpr const char* kPreflightMaxAgeSeconds = "172800";

std::string_view trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// Messages are the one part of an XML body that may hold what the client sent.
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Protocol protocol_of(std::string_view content_type) {
  const std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  if (type == kAmzJsonContentType) return Protocol::kAmzJson;
  if (type == kCoralJsonContentType) return Protocol::kCoralJson;
  if (type == kCborContentType) return Protocol::kCbor;
  return Protocol::kNone;
}

std::optional<std::string_view> target_operation(std::string_view target) {
  const size_t dot = target.find('.');
  if (dot == std::string_view::npos || target.substr(0, dot) != kService) return std::nullopt;
  const std::string_view op = target.substr(dot + 1);
  if (op.empty() || !is_known_operation(op)) return std::nullopt;
  return op;
}

bool is_cors_preflight(const HttpRequest& request) {
  return request.method == "OPTIONS" && !request.header("origin").empty();
}

HttpResponse cors_preflight(const HttpRequest& request) {
  HttpResponse r(200, "", "");
  r.headers.push_back({"access-control-allow-origin", "*"});
  if (auto h = request.header("access-control-request-headers"); !h.empty()) {
    r.headers.push_back({"access-control-allow-headers", std::string(h)});
  }
  if (auto m = request.header("access-control-request-method"); !m.empty()) {
    r.headers.push_back({"access-control-allow-methods", std::string(m)});
  }
  r.headers.push_back({"access-control-max-age", kPreflightMaxAgeSeconds});
  r.amz_id_2 = false;
  return r;
}

void add_cors_headers(HttpResponse& response) {
  response.headers.push_back({"access-control-allow-origin", "*"});
  response.headers.push_back({"access-control-expose-headers", kExposedHeaders});
}

HttpResponse json_error(const Error& e) {
  HttpResponse r{e.http_status, std::string(kAmzJsonContentType), error_json(e)};
  r.error_type = e.type;
  return r;
}

HttpResponse cbor_error(const Error& e) {
  HttpResponse r{e.http_status, std::string(kCborContentType), error_cbor(e)};
  r.error_type = e.type;
  return r;
}

HttpResponse coral_error(std::string_view type) {
  // Coral spells the null member "Message" for SerializationException and "message" otherwise,
  // as in the JSON 1.1 bodies.
  const char* member = type == "SerializationException" ? "Message" : "message";
  std::string body = R"({"Output":{"__type":"com.amazon.coral.service#)" + std::string(type) +
                     R"(",")" + member + R"(":null},"Version":"1.0"})";
  HttpResponse r{200, std::string(kCoralJsonContentType), std::move(body)};
  r.error_type = type;
  return r;
}

HttpResponse xml_error(const Error& e, int status) {
  std::string body =
      "<" + e.type + ">\n  <Message>" + xml_escape(e.message) + "</Message>\n</" + e.type + ">\n";
  HttpResponse r{status, "", std::move(body)};
  r.error_type = e.type;
  return r;
}

HttpResponse empty_body_error(Protocol protocol, bool operation_known) {
  const Error e =
      operation_known ? errors::serialization("") : errors::make("UnknownOperationException", "");
  return protocol == Protocol::kAmzJson ? json_error(e) : cbor_error(e);
}

HttpResponse body_too_large(const HttpRequest& head, uint64_t limit_bytes) {
  const Error e =
      errors::make("SerializationException",
                   "Request body is larger than the " +
                       std::to_string(limit_bytes / (1024 * 1024)) + " MiB kinesim accepts.",
                   413);
  HttpResponse r =
      protocol_of(head.header("content-type")) == Protocol::kCbor ? cbor_error(e) : json_error(e);
  if (!head.header("origin").empty()) add_cors_headers(r);
  return r;
}

HttpResponse refuse_unroutable(const HttpRequest& request, const Authenticator& auth) {
  if (auth.mode() != AuthMode::kOff) {
    const auto who = auth.authenticate(request, auth.body_digest(request));
    if (const Error* e = std::get_if<Error>(&who)) return xml_error(*e, 403);
  }
  // A signed request is refused by what its target names. "SERVICE.OPERATION" with both parts
  // present reaches the authorizer of SERVICE; anything else names no operation at all.
  const std::string_view target = request.header("x-amz-target");
  const size_t dot = target.find('.');
  const std::string_view service = target.substr(0, dot);
  const std::string_view op = dot == std::string_view::npos ? "" : target.substr(dot + 1);
  if (service.empty() || op.empty()) {
    return xml_error(errors::make("AccessDeniedException",
                                  "Unable to determine service/operation name to be authorized"),
                     403);
  }
  if (service != kService) {
    return xml_error(errors::make("UnrecognizedClientException",
                                  "No authorization strategy was found for service: " +
                                      std::string(service) + ", operation: " + std::string(op)),
                     403);
  }
  if (!is_known_operation(op)) return HttpResponse{500, "", "<InternalFailure/>\n"};
  return HttpResponse{404, "", "<UnknownOperationException/>\n"};
}

}  // namespace kinesim::api
