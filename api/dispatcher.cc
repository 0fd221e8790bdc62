#include "api/dispatcher.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "api/ops/ops.h"
#include "api/streams.h"
#include "api/throughput.h"

namespace kinesim::api {
namespace {

constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr std::string_view kDefaultRegion = "us-east-1";

struct Route {
  std::string_view name;
  OperationHandler handler;
};

constexpr std::array kRoutes = {
    Route{"AddTagsToStream", ops::AddTagsToStream},
    Route{"CreateStream", ops::CreateStream},
    Route{"DecreaseStreamRetentionPeriod", ops::DecreaseStreamRetentionPeriod},
    Route{"DeleteResourcePolicy", ops::DeleteResourcePolicy},
    Route{"DeleteStream", ops::DeleteStream},
    Route{"DeregisterStreamConsumer", ops::DeregisterStreamConsumer},
    Route{"DescribeAccountSettings", ops::DescribeAccountSettings},
    Route{"DescribeLimits", ops::DescribeLimits},
    Route{"DescribeStream", ops::DescribeStream},
    Route{"DescribeStreamConsumer", ops::DescribeStreamConsumer},
    Route{"DescribeStreamSummary", ops::DescribeStreamSummary},
    Route{"DisableEnhancedMonitoring", ops::DisableEnhancedMonitoring},
    Route{"EnableEnhancedMonitoring", ops::EnableEnhancedMonitoring},
    Route{"GetRecords", ops::GetRecords},
    Route{"GetResourcePolicy", ops::GetResourcePolicy},
    Route{"GetShardIterator", ops::GetShardIterator},
    Route{"IncreaseStreamRetentionPeriod", ops::IncreaseStreamRetentionPeriod},
    Route{"ListShards", ops::ListShards},
    Route{"ListStreamConsumers", ops::ListStreamConsumers},
    Route{"ListStreams", ops::ListStreams},
    Route{"ListTagsForResource", ops::ListTagsForResource},
    Route{"ListTagsForStream", ops::ListTagsForStream},
    Route{"MergeShards", ops::MergeShards},
    Route{"PutRecord", ops::PutRecord},
    Route{"PutRecords", ops::PutRecords},
    Route{"PutResourcePolicy", ops::PutResourcePolicy},
    Route{"RegisterStreamConsumer", ops::RegisterStreamConsumer},
    Route{"RemoveTagsFromStream", ops::RemoveTagsFromStream},
    Route{"SplitShard", ops::SplitShard},
    Route{"StartStreamEncryption", ops::StartStreamEncryption},
    Route{"StopStreamEncryption", ops::StopStreamEncryption},
    Route{"TagResource", ops::TagResource},
    Route{"UntagResource", ops::UntagResource},
    Route{"UpdateAccountSettings", ops::UpdateAccountSettings},
    Route{"UpdateMaxRecordSize", ops::UpdateMaxRecordSize},
    Route{"UpdateShardCount", ops::UpdateShardCount},
    Route{"UpdateStreamMode", ops::UpdateStreamMode},
    Route{"UpdateStreamWarmThroughput", ops::UpdateStreamWarmThroughput},
};

OperationHandler find_handler(std::string_view op) {
  for (const auto& r : kRoutes) {
    if (r.name == op) return r.handler;
  }
  return nullptr;
}

HttpResponse error_response(const Error& e, WireFormat format = WireFormat::kJson) {
  return HttpResponse{e.http_status, content_type(format), encode_error(format, e)};
}

// The value of parameter `name` in a SigV4 Authorization header ("AWS4-HMAC-SHA256
// Credential=..., SignedHeaders=..., Signature=..."), or "" when it is absent or empty.
std::string_view authorization_parameter(std::string_view auth, std::string_view name) {
  // Parameters follow the algorithm name, separated by commas and/or spaces: NAME=VALUE.
  size_t pos = auth.find(' ');
  while (pos != std::string_view::npos) {
    pos = auth.find_first_not_of(", ", pos);
    if (pos == std::string_view::npos) break;
    const size_t end = auth.find_first_of(", ", pos);
    const std::string_view item = auth.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    pos = end;
  }
  return {};
}

// Kinesis does not check signatures here, but it does insist that a request is signed: a
// SigV4 Authorization header with its three parameters and a date, or presigned query parameters.
std::optional<Error> check_authentication(const HttpRequest& r) {
  const std::string_view auth = r.header("authorization");
  const bool query_authorization = r.target.find("X-Amz-Algorithm=") != std::string::npos;
  const bool has_date = r.has_header("x-amz-date") || r.has_header("date");
  if (!auth.empty() && query_authorization) {
    return errors::make("InvalidSignatureException",
                        "Found both 'X-Amz-Algorithm' as a query-string param and "
                        "'Authorization' as HTTP header.");
  }
  if (auth.empty()) {
    if (query_authorization) return std::nullopt;
    return errors::make("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  std::string msg;
  for (const char* param : {"Credential", "Signature", "SignedHeaders"}) {
    if (authorization_parameter(auth, param).empty()) {
      msg += std::string("Authorization header requires '") + param + "' parameter. ";
    }
  }
  if (!has_date) {
    msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (msg.empty()) return std::nullopt;
  return errors::make("IncompleteSignatureException", msg + "Authorization=" + std::string(auth));
}

}  // namespace

RequestLimits Dispatcher::limits_for(std::string_view op, const Input& in,
                                     const Caller& caller) const {
  RequestLimits limits;
  if (op != "PutRecord" && op != "PutRecords") return limits;
  // Data is bounded by the stream's maximum record size (1 MiB unless it was raised).
  constexpr std::int64_t kDefaultMaxRecordBytes = 1024 * 1024;
  limits.max_data_bytes = kDefaultMaxRecordBytes;
  StreamKey key{caller.account, caller.region, std::string(in["StreamName"].str().value_or(""))};
  if (auto arn = in["StreamARN"].str()) {
    if (auto parsed = parse_stream_arn(*arn)) key = std::move(*parsed);
  }
  if (auto stream = services_.store.catalog().find(key)) {
    limits.max_data_bytes = std::int64_t{stream->max_record_size_kib} * 1024;
  }
  return limits;
}

// ---------------------------------------------------------------------------------------------
// Reply

void Reply::ok(const std::function<void(Output&)>& write_body) const {
  if (std::exchange(state_->answered, true)) return;
  state_->done(HttpResponse{200, content_type(format_), encode_body(format_, write_body)});
}

void Reply::respond(const std::function<std::optional<Error>(Output&)>& write_body) const {
  if (std::exchange(state_->answered, true)) return;
  std::optional<Error> failure;
  std::string body = encode_body(format_, [&](Output& out) { failure = write_body(out); });
  if (failure) return state_->done(error_response(*failure, format_));
  state_->done(HttpResponse{200, content_type(format_), std::move(body)});
}

void Reply::ok_empty() const {
  // Kinesis answers operations without output members with an empty body, not "{}".
  if (std::exchange(state_->answered, true)) return;
  state_->done(HttpResponse{200, content_type(format_), ""});
}

void Reply::fail(const Error& e) const {
  if (std::exchange(state_->answered, true)) return;
  state_->done(error_response(e, format_));
}

// ---------------------------------------------------------------------------------------------

Caller caller_from_authorization(std::string_view auth, std::string_view default_account) {
  Caller c{std::string(default_account), std::string(kDefaultRegion)};
  // Credential=AKID/20261127/us-east-1/kinesis/aws4_request
  std::string_view scope = authorization_parameter(auth, "Credential");
  if (scope.empty()) return c;
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    const size_t slash = scope.find('/');
    parts[i] = scope.substr(0, slash);
    if (slash == std::string_view::npos) {
      if (i < 4) return c;
      break;
    }
    scope.remove_prefix(slash + 1);
  }
  const std::string_view key = parts[0];
  if (key.size() == 12 &&
      std::all_of(key.begin(), key.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    c.account = std::string(key);
  }
  if (!parts[2].empty()) c.region = std::string(parts[2]);
  return c;
}

Dispatcher::Dispatcher(Store& store, const Clock& clock, bool throughput_limits,
                       std::string default_account)
    : sealer_(store.secret()),
      limiter_(throughput_limits ? std::make_unique<ThroughputLimiter>(clock) : nullptr),
      services_{store, clock, sealer_, limiter_.get()},
      default_account_(std::move(default_account)) {}

Dispatcher::~Dispatcher() = default;

// Kinesis checks a request in this order: content type, target, body syntax, authentication,
// then the model's constraints; the first failure is the answer.
void Dispatcher::handle(HttpRequest request, Responder done) {
  const std::string_view type = request.header("content-type");
  const WireFormat format =
      type == content_type(WireFormat::kCbor) ? WireFormat::kCbor : WireFormat::kJson;
  if (format == WireFormat::kJson && type != "application/x-amz-json-1.1" &&
      type != "application/json") {
    const char* body = request.header("authorization").empty()
                           ? "<MissingAuthenticationTokenException>\n"
                             "  <Message>Missing Authentication Token</Message>\n"
                             "</MissingAuthenticationTokenException>\n"
                           : "<AccessDeniedException>\n"
                             "  <Message>Unable to determine service/operation name to be "
                             "authorized</Message>\n"
                             "</AccessDeniedException>\n";
    return done(HttpResponse{403, "application/xml", body});
  }
  std::string_view target = request.header("x-amz-target");
  if (target.substr(0, kTargetPrefix.size()) != kTargetPrefix ||
      !is_known_operation(target.substr(kTargetPrefix.size()))) {
    return done(error_response(errors::make("UnknownOperationException", ""), format));
  }
  const std::string_view op = target.substr(kTargetPrefix.size());
  DecodedRequest decoded;
  if (auto e = decoded.parse(format, request.body)) return done(error_response(*e, format));
  if (auto e = check_authentication(request)) return done(error_response(*e, format));
  Caller caller = caller_from_authorization(request.header("authorization"), default_account_);
  if (auto e = decoded.validate(op, limits_for(op, decoded.root(), caller))) {
    return done(error_response(*e, format));
  }
  OperationHandler handler = find_handler(op);
  if (!handler) {
    return done(
        error_response(errors::make("InternalFailure",
                                    "kinesim does not implement " + std::string(op) + " yet", 501),
                       format));
  }
  Call call{services_, std::move(caller), decoded.root(), Reply(std::move(done), format), format};
  handler(call);
}

}  // namespace kinesim::api
