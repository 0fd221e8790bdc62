#include "api/dispatcher.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <utility>
#include <variant>

#include "api/console.h"
#include "api/ops/ops.h"
#include "api/protocol.h"
#include "api/records.h"
#include "api/shard_iterator.h"
#include "api/streams.h"
#include "api/subscriptions.h"
#include "api/throughput.h"
#include "storage/log.h"

namespace kinesim::api {
namespace {

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
    Route{"SubscribeToShard", ops::SubscribeToShard},
    Route{"TagResource", ops::TagResource},
    Route{"UntagResource", ops::UntagResource},
    Route{"UpdateAccountSettings", ops::UpdateAccountSettings},
    Route{"UpdateMaxRecordSize", ops::UpdateMaxRecordSize},
    Route{"UpdateShardCount", ops::UpdateShardCount},
    Route{"UpdateStreamMode", ops::UpdateStreamMode},
    Route{"UpdateStreamWarmThroughput", ops::UpdateStreamWarmThroughput},
};

// The operation's position in kRoutes, or Metrics::kUnknown.
size_t route_index(std::optional<std::string_view> op) {
  if (!op) return Metrics::kUnknown;
  for (size_t i = 0; i < kRoutes.size(); ++i) {
    if (kRoutes[i].name == *op) return i;
  }
  return Metrics::kUnknown;
}

std::string_view route_name(size_t route) {
  return route < kRoutes.size() ? kRoutes[route].name : std::string_view("unknown");
}

// Counts an answered call and logs it: server errors always, everything at debug.
void observe(Metrics& metrics, size_t route, const HttpResponse& r,
             std::chrono::steady_clock::time_point started) {
  std::string_view error = r.error_type;
  if (error.empty() && r.status >= 400) error = "unknown";
  metrics.request(route, error);
  const bool server_error = r.status >= 500;
  if (!server_error && !log::enabled(log::Level::kDebug)) return;
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log::write(server_error ? log::Level::kError : log::Level::kDebug, "api",
             server_error ? "request failed" : "request",
             {{"op", route_name(route)}, {"status", r.status}, {"error", error}, {"ms", ms}});
}

std::vector<std::string> route_names() {
  std::vector<std::string> names;
  for (const auto& r : kRoutes) names.emplace_back(r.name);
  return names;
}

HttpResponse error_response(const Error& e, WireFormat format = WireFormat::kJson) {
  HttpResponse r{e.http_status, content_type(format), encode_error(format, e)};
  r.error_type = e.type;
  return r;
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

void Reply::stream(std::string content_type, std::shared_ptr<BodySource> source) const {
  if (std::exchange(state_->answered, true)) return;
  HttpResponse r{200, std::move(content_type), ""};
  r.stream = std::move(source);
  state_->done(std::move(r));
}

// ---------------------------------------------------------------------------------------------

Dispatcher::Dispatcher(Store& store, const Clock& clock, DispatcherOptions options)
    : sealer_(store.secret()),
      limiter_(std::make_unique<ThroughputLimiter>(clock, options.throughput_limits)),
      subscriptions_(std::make_shared<SubscriptionHub>(store, clock)),
      metrics_(route_names(), store.catalog()),
      services_{store, clock, sealer_, limiter_.get(), subscriptions_.get(), &faults_, &metrics_},
      auth_(std::move(options.auth), clock) {
  faults_.set_throughput_switch([limiter = limiter_.get()](bool on) { limiter->set_enabled(on); });
}

// Subscriptions read the store from their own thread: they end here, while the store is alive.
Dispatcher::~Dispatcher() {
  delayed_.stop();
  subscriptions_->stop();
}

// Held-back answers are dropped with the connections they were for.
void Dispatcher::stop_streams() {
  delayed_.stop();
  subscriptions_->stop();
}

namespace {

// The stream a call names, by name or ARN (a consumer's ARN names its stream) or through its
// shard iterator, or "".
std::string stream_named(const Sealer& sealer, const Input& in) {
  if (auto name = in["StreamName"].str()) return std::string(*name);
  if (auto token = in["ShardIterator"].str()) {
    if (auto it = ShardIterator::open(sealer, *token)) return it->stream_name;
  }
  if (auto arn = in["StreamARN"].str()) {
    if (auto key = parse_stream_arn(*arn)) return key->name;
  }
  if (auto arn = in["ConsumerARN"].str()) {
    if (auto consumer = parse_consumer_arn(*arn)) return consumer->stream.name;
  }
  if (auto arn = in["ResourceARN"].str()) {
    if (auto key = parse_stream_arn(*arn)) return key->name;
    if (auto consumer = parse_consumer_arn(*arn)) return consumer->stream.name;
  }
  return "";
}

// Operations whose throttling Kinesis reports per shard.
bool data_plane(std::string_view op) {
  return op == "PutRecord" || op == "PutRecords" || op == "GetRecords" ||
         op == "GetShardIterator" || op == "SubscribeToShard";
}

// The shard an injected throttle names: the one the call names, reads through its iterator or
// writes (its first record) to, else the first.
int64_t throttled_shard(const Services& services, std::string_view op, const Input& in,
                        const StreamKey& key) {
  if (auto id = in["ShardId"].str()) {
    if (auto index = parse_shard_id(*id)) return *index;
  }
  if (auto token = in["ShardIterator"].str()) {
    if (auto it = ShardIterator::open(services.sealer, *token)) return it->shard_index;
  }
  const Input record_in = op == "PutRecords" ? in["Records"].at(0) : in;
  if (op == "PutRecord" || op == "PutRecords") {
    RecordToPut record;
    auto stream = services.store.catalog().find(key);
    if (stream && !read_record(record_in, record)) {
      if (const ShardInfo* shard = stream->shard_for(record.hash_key)) return shard->index;
    }
  }
  return 0;
}

}  // namespace

bool Dispatcher::inject_faults(std::string_view op, const Input& in, const Caller& caller,
                               WireFormat format, Responder& done) {
  if (faults_.empty()) return false;  // no rules: nothing to look up (an iterator costs a decrypt)
  const std::string stream = stream_named(services_.sealer, in);
  const CallFaults faults = faults_.on_call(stream, op);
  if (faults.latency_ms > 0) {
    done = [this, ms = faults.latency_ms, done = std::move(done)](HttpResponse r) {
      delayed_.schedule(ms, [done, r = std::move(r)]() mutable { done(std::move(r)); });
    };
  }
  if (!faults.failure) return false;
  if (*faults.failure == FaultKind::kInternalFailure) {
    done(error_response(errors::make("InternalFailure", "", 500), format));
    return true;
  }
  StreamKey key{caller.account, caller.region, stream};
  if (data_plane(op)) {
    const int64_t shard = throttled_shard(services_, op, in, key);
    if (auto info = services_.store.catalog().find(key)) {
      if (op == "GetRecords") metrics_.read_throttled(*info, shard);
      if (op == "PutRecord") metrics_.write_throttled(*info, shard, 1);
      if (op == "PutRecords") metrics_.write_throttled(*info, shard, in["Records"].size());
    }
    done(error_response(throughput_exceeded(key, shard), format));
  } else {
    const std::string message = stream.empty() ? "Rate exceeded"
                                               : "Rate exceeded for stream " + stream +
                                                     " under account " + caller.account + ".";
    done(error_response(errors::limit_exceeded(message), format));
  }
  return true;
}

bool Dispatcher::serve_own_page(const HttpRequest& request, Responder& done) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    HttpResponse r{200, "text/plain; version=0.0.4; charset=utf-8",
                   metrics_.render(services_.clock.now_ms())};
    r.amz_id_2 = false;
    done(std::move(r));
    return true;
  }
  // The web console (api/console.h) answers every GET under /ui.
  if (std::optional<HttpResponse> page = console_page(path)) {
    done(std::move(*page));
    return true;
  }
  if (path == "/health") {
    // Liveness is answering at all; the storage check goes through the writer like a write.
    services_.store.check([done = std::move(done)](Status s) {
      HttpResponse r{s.ok() ? 200 : 503, "application/json", ""};
      r.amz_id_2 = false;
      if (s.ok()) {
        r.body = R"({"status":"ok","storage":"ok"})";
      } else {
        log::error("health", "storage check failed", {{"error", s.message}});
        std::string message;
        for (const char c : s.message) {
          if (c == '"' || c == '\\') message += '\\';
          if (static_cast<unsigned char>(c) >= 0x20) message += c;
        }
        r.body = R"({"status":"unhealthy","storage":")" + message + R"("})";
      }
      done(std::move(r));
    });
    return true;
  }
  return false;
}

// Kinesis checks a request in the order api/protocol.h lists: CORS, method and content type,
// an empty body, body syntax, the application/json refusal, target, signature, then the
// model's constraints; the first failure is the answer.
void Dispatcher::handle(HttpRequest request, Responder done) {
  if (request.method == "GET" && serve_own_page(request, done)) return;
  if (admin_ && request.target.starts_with(kAdminPrefix)) return admin_(request, done);
  const std::optional<std::string_view> op = target_operation(request.header("x-amz-target"));
  // Every Kinesis call is counted by operation and outcome; errors the server made are logged
  // always, every call at debug.
  const size_t route = route_index(op);
  done = [this, route, started = std::chrono::steady_clock::now(),
          done = std::move(done)](HttpResponse r) {
    observe(metrics_, route, r, started);
    done(std::move(r));
  };
  if (!request.header("origin").empty()) {
    if (is_cors_preflight(request)) return done(cors_preflight(request));
    done = [done = std::move(done)](HttpResponse r) {
      add_cors_headers(r);
      done(std::move(r));
    };
  }
  const Protocol protocol = protocol_of(request.header("content-type"));
  if (request.method != "POST" || (protocol == Protocol::kNone && !request.body.empty())) {
    return done(refuse_unroutable(request, auth_));
  }
  if (request.body.empty()) return done(empty_body_error(protocol, op.has_value()));

  const WireFormat format = protocol == Protocol::kCbor ? WireFormat::kCbor : WireFormat::kJson;
  // The signature covers the body as it arrived, and parsing rewrites it in place.
  const std::string body_digest = auth_.body_digest(request);
  DecodedRequest decoded;
  if (auto e = decoded.parse(format, request.body)) {
    return done(protocol == Protocol::kCoralJson ? coral_error(e->type)
                                                 : error_response(*e, format));
  }
  // A well-formed application/json request goes no further in Kinesis.
  if (protocol == Protocol::kCoralJson) return done(coral_error("UnknownOperationException"));
  if (!op) return done(error_response(errors::make("UnknownOperationException", ""), format));

  auto who = auth_.authenticate(request, body_digest);
  if (const Error* e = std::get_if<Error>(&who)) return done(error_response(*e, format));
  Caller caller = std::get<Caller>(std::move(who));
  if (auto e = decoded.validate(*op, limits_for(*op, decoded.root(), caller))) {
    return done(error_response(*e, format));
  }
  if (inject_faults(*op, decoded.root(), caller, format, done)) return;
  // The route found above: one scan of the operations per call.
  OperationHandler handler = route < kRoutes.size() ? kRoutes[route].handler : nullptr;
  if (!handler) {
    return done(
        error_response(errors::make("InternalFailure",
                                    "kinesim does not implement " + std::string(*op) + " yet", 501),
                       format));
  }
  Call call{services_, std::move(caller), decoded.root(), Reply(std::move(done), format), format};
  handler(call);
}

}  // namespace kinesim::api
