#include "harness/kinesis_client.h"

#include <curl/curl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <optional>
#include <stdexcept>

#include "api/base64.h"
#include "api/event_stream.h"
#include "api/sigv4.h"
#include "harness/curl_easy.h"
#include "storage/clock.h"

namespace kinesim::harness {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";

void Key(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void String(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// A starting position's members, under the names the operation gives them (GetShardIterator:
// ShardIteratorType and StartingSequenceNumber; SubscribeToShard: Type and SequenceNumber).
void Position(JsonWriter& w, const StartingPosition& position, std::string_view type_key,
              std::string_view sequence_key) {
  Key(w, type_key);
  String(w, position.type);
  if (!position.sequence_number.empty()) {
    Key(w, sequence_key);
    String(w, position.sequence_number);
  }
  if (position.type == "AT_TIMESTAMP") {
    Key(w, "Timestamp");
    w.Double(static_cast<double>(position.timestamp_ms) / 1000.0);
  }
}

// "host[:port]" of an "http(s)://host[:port][/...]" endpoint: what curl sends as Host, and so
// what the signature must cover.
std::string Authority(std::string_view endpoint) {
  auto scheme = endpoint.find("://");
  if (scheme != std::string_view::npos) endpoint.remove_prefix(scheme + 3);
  return std::string(endpoint.substr(0, endpoint.find('/')));
}

std::string Str(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t Int(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return 0;
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsNumber() ? it->value.GetInt64() : 0;
}

// Epoch seconds (a JSON number with a fraction) as milliseconds.
int64_t Millis(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return 0;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsNumber()) return 0;
  return static_cast<int64_t>(std::llround(it->value.GetDouble() * 1000.0));
}

const rapidjson::Value& Member(const rapidjson::Value& object, const char* name) {
  static const rapidjson::Value kNull;
  if (!object.IsObject()) return kNull;
  auto it = object.FindMember(name);
  return it != object.MemberEnd() ? it->value : kNull;
}

std::string Base64(std::string_view bytes) {
  std::string out;
  api::base64_encode(bytes, out);
  return out;
}

// The error of an answer that is not 200, or nullopt.
std::optional<KinesisError> ErrorOf(const RawResponse& r) { return r.error(); }

template <typename T, typename Parse>
Result<T> Typed(const RawResponse& r, Parse parse) {
  if (auto error = ErrorOf(r)) return *error;
  return parse(r.json);
}

}  // namespace

std::string KinesisError::describe() const {
  return type + " (HTTP " + std::to_string(http_status) + "): " + message;
}

std::optional<KinesisError> RawResponse::error() const {
  if (status == 200) return std::nullopt;
  KinesisError e;
  e.http_status = status;
  if (status == 0) {
    e.type = "TransportError";
    e.message = body;
    return e;
  }
  e.type = Str(json, "__type");
  // Some error types arrive qualified ("namespace#Type"); the short name is what tests compare.
  if (auto hash = e.type.rfind('#'); hash != std::string::npos) e.type.erase(0, hash + 1);
  e.message = Str(json, "message");
  if (e.message.empty()) e.message = Str(json, "Message");
  if (e.type.empty()) e.type = "HTTP " + std::to_string(status);
  return e;
}

struct KinesisClient::Impl {
  Impl(std::string endpoint_in, Options options_in)
      : endpoint(std::move(endpoint_in)),
        authority(Authority(endpoint)),
        options(std::move(options_in)),
        curl("KinesisClient", options.timeout_ms) {
    const std::string url = endpoint + "/";
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());  // curl copies the string
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  }

  std::string endpoint;
  std::string authority;
  Options options;
  detail::CurlEasy curl;

  // "20261130T043500Z" at the signing clock's now.
  std::string AmzDate() const {
    int64_t ms = options.clock ? options.clock->now_ms()
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[17];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
  }

  std::string Authorization(std::string_view target, std::string_view amz_date,
                            std::string_view payload) const {
    namespace s = api::sigv4;
    constexpr std::string_view kSigned = "content-type;host;x-amz-date;x-amz-target";
    std::string headers = "content-type:" + std::string(kContentType) + "\nhost:" + authority +
                          "\nx-amz-date:" + std::string(amz_date) +
                          "\nx-amz-target:" + std::string(target) + "\n";
    std::string canonical = s::canonical_request("POST", s::canonical_uri("/"), "", headers,
                                                 kSigned, s::sha256_hex(payload));
    std::string date(amz_date.substr(0, 8));
    std::string scope = date + "/" + options.region + "/kinesis/" + std::string(s::kTerminator);
    std::string key = s::signing_key(options.secret_key, date, options.region, "kinesis");
    std::string signature = s::signature(key, s::string_to_sign(amz_date, scope, canonical));
    return std::string(s::kAlgorithm) + " Credential=" + options.access_key + "/" + scope +
           ", SignedHeaders=" + std::string(kSigned) + ", Signature=" + signature;
  }

  // The request headers of `operation` with `json` as its body, signed; the caller frees them.
  curl_slist* SignedHeaders(std::string_view operation, std::string_view json) const {
    std::string target = std::string(kTargetPrefix) + std::string(operation);
    std::string amz_date = AmzDate();
    std::string lines[] = {
        "Content-Type: " + std::string(kContentType),
        "X-Amz-Target: " + target,
        "X-Amz-Date: " + amz_date,
        "Authorization: " + Authorization(target, amz_date, json),
        "Expect:",  // no 100-continue round trip
    };
    curl_slist* headers = nullptr;
    for (const auto& line : lines) headers = curl_slist_append(headers, line.c_str());
    return headers;
  }

  RawResponse Call(std::string_view operation, std::string_view json) {
    curl_slist* headers = SignedHeaders(operation, json);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, json.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
    const auto outcome = curl.perform(headers);
    curl_slist_free_all(headers);

    RawResponse r;
    if (!outcome.ok()) {
      r.body = outcome.error;
      return r;
    }
    r.status = static_cast<int>(outcome.status);
    r.body = curl.body();
    r.json.Parse(r.body.data(), r.body.size());
    if (r.json.HasParseError()) r.json.SetNull();
    return r;
  }
};

KinesisClient::KinesisClient(std::string endpoint, Options options) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  impl_ = std::make_unique<Impl>(std::move(endpoint), std::move(options));
}

KinesisClient::~KinesisClient() = default;
KinesisClient::KinesisClient(KinesisClient&&) noexcept = default;
KinesisClient& KinesisClient::operator=(KinesisClient&&) noexcept = default;

const std::string& KinesisClient::endpoint() const { return impl_->endpoint; }

RawResponse KinesisClient::call(std::string_view operation, std::string_view json) {
  return impl_->Call(operation, json);
}

namespace {

// Builds a JSON object with `fill(writer)` and returns its text.
template <typename Fill>
std::string Json(Fill fill) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  fill(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Status ToStatus(const RawResponse& r) {
  if (auto error = r.error()) return *error;
  return Done{};
}

Shard ParseShard(const rapidjson::Value& v) {
  Shard s;
  s.shard_id = Str(v, "ShardId");
  s.parent_shard_id = Str(v, "ParentShardId");
  s.adjacent_parent_shard_id = Str(v, "AdjacentParentShardId");
  const auto& range = Member(v, "HashKeyRange");
  s.starting_hash_key = Str(range, "StartingHashKey");
  s.ending_hash_key = Str(range, "EndingHashKey");
  const auto& seq = Member(v, "SequenceNumberRange");
  s.starting_sequence_number = Str(seq, "StartingSequenceNumber");
  s.ending_sequence_number = Str(seq, "EndingSequenceNumber");
  return s;
}

// One record of GetRecords or of a SubscribeToShardEvent; nullopt when its Data is not base64.
std::optional<Record> ParseRecord(const rapidjson::Value& v) {
  Record rec;
  rec.sequence_number = Str(v, "SequenceNumber");
  rec.partition_key = Str(v, "PartitionKey");
  auto data = api::base64_decode(Str(v, "Data"));
  if (!data) return std::nullopt;
  rec.data = std::move(*data);
  rec.approximate_arrival_ms = Millis(v, "ApproximateArrivalTimestamp");
  return rec;
}

}  // namespace

Status KinesisClient::create_stream(std::string_view stream, std::optional<int> shard_count) {
  return ToStatus(call("CreateStream", Json([&](JsonWriter& w) {
                         Key(w, "StreamName");
                         String(w, stream);
                         if (shard_count) {
                           Key(w, "ShardCount");
                           w.Int(*shard_count);
                         } else {
                           Key(w, "StreamModeDetails");
                           w.StartObject();
                           Key(w, "StreamMode");
                           String(w, "ON_DEMAND");
                           w.EndObject();
                         }
                       })));
}

Status KinesisClient::delete_stream(std::string_view stream, bool enforce_consumer_deletion) {
  return ToStatus(call("DeleteStream", Json([&](JsonWriter& w) {
                         Key(w, "StreamName");
                         String(w, stream);
                         if (enforce_consumer_deletion) {
                           Key(w, "EnforceConsumerDeletion");
                           w.Bool(true);
                         }
                       })));
}

Result<StreamSummary> KinesisClient::describe_stream_summary(std::string_view stream) {
  auto r = call("DescribeStreamSummary", Json([&](JsonWriter& w) {
                  Key(w, "StreamName");
                  String(w, stream);
                }));
  return Typed<StreamSummary>(r, [](const rapidjson::Value& json) {
    const auto& d = Member(json, "StreamDescriptionSummary");
    StreamSummary s;
    s.stream_name = Str(d, "StreamName");
    s.stream_arn = Str(d, "StreamARN");
    s.stream_status = Str(d, "StreamStatus");
    s.stream_mode = Str(Member(d, "StreamModeDetails"), "StreamMode");
    s.open_shard_count = Int(d, "OpenShardCount");
    s.consumer_count = Int(d, "ConsumerCount");
    s.retention_period_hours = Int(d, "RetentionPeriodHours");
    return s;
  });
}

Result<std::vector<Shard>> KinesisClient::list_shards(std::string_view stream,
                                                      std::optional<int> page_size) {
  std::vector<Shard> shards;
  std::string next_token;
  do {
    // A NextToken carries the stream; Kinesis refuses StreamName next to it.
    auto r = call("ListShards", Json([&](JsonWriter& w) {
                    if (next_token.empty()) {
                      Key(w, "StreamName");
                      String(w, stream);
                    } else {
                      Key(w, "NextToken");
                      String(w, next_token);
                    }
                    if (page_size) {
                      Key(w, "MaxResults");
                      w.Int(*page_size);
                    }
                  }));
    if (auto error = r.error()) return *error;
    const auto& list = Member(r.json, "Shards");
    if (list.IsArray()) {
      for (const auto& s : list.GetArray()) shards.push_back(ParseShard(s));
    }
    next_token = Str(r.json, "NextToken");
  } while (!next_token.empty());
  return shards;
}

Result<std::vector<std::string>> KinesisClient::list_streams() {
  std::vector<std::string> names;
  std::string next_token;
  for (;;) {
    auto r = call("ListStreams", Json([&](JsonWriter& w) {
                    if (!next_token.empty()) {
                      Key(w, "NextToken");
                      String(w, next_token);
                    }
                  }));
    if (auto error = r.error()) return *error;
    const auto& list = Member(r.json, "StreamNames");
    if (list.IsArray()) {
      for (const auto& n : list.GetArray()) names.emplace_back(n.GetString());
    }
    const auto& more = Member(r.json, "HasMoreStreams");
    next_token = Str(r.json, "NextToken");
    if (!(more.IsBool() && more.GetBool()) || next_token.empty()) break;
  }
  return names;
}

Result<PutRecordResult> KinesisClient::put_record(std::string_view stream,
                                                  std::string_view partition_key,
                                                  std::string_view data,
                                                  std::string_view explicit_hash_key) {
  auto r = call("PutRecord", Json([&](JsonWriter& w) {
                  Key(w, "StreamName");
                  String(w, stream);
                  Key(w, "PartitionKey");
                  String(w, partition_key);
                  Key(w, "Data");
                  String(w, Base64(data));
                  if (!explicit_hash_key.empty()) {
                    Key(w, "ExplicitHashKey");
                    String(w, explicit_hash_key);
                  }
                }));
  return Typed<PutRecordResult>(r, [](const rapidjson::Value& json) {
    return PutRecordResult{Str(json, "ShardId"), Str(json, "SequenceNumber")};
  });
}

Result<PutRecordsResult> KinesisClient::put_records(std::string_view stream,
                                                    const std::vector<PutRecordsEntry>& entries) {
  auto r = call("PutRecords", Json([&](JsonWriter& w) {
                  Key(w, "StreamName");
                  String(w, stream);
                  Key(w, "Records");
                  w.StartArray();
                  for (const auto& e : entries) {
                    w.StartObject();
                    Key(w, "PartitionKey");
                    String(w, e.partition_key);
                    Key(w, "Data");
                    String(w, Base64(e.data));
                    if (!e.explicit_hash_key.empty()) {
                      Key(w, "ExplicitHashKey");
                      String(w, e.explicit_hash_key);
                    }
                    w.EndObject();
                  }
                  w.EndArray();
                }));
  return Typed<PutRecordsResult>(r, [](const rapidjson::Value& json) {
    PutRecordsResult out;
    out.failed_record_count = Int(json, "FailedRecordCount");
    const auto& list = Member(json, "Records");
    if (list.IsArray()) {
      for (const auto& e : list.GetArray()) {
        out.records.push_back({Str(e, "ShardId"), Str(e, "SequenceNumber"), Str(e, "ErrorCode"),
                               Str(e, "ErrorMessage")});
      }
    }
    return out;
  });
}

Result<std::string> KinesisClient::get_shard_iterator(std::string_view stream,
                                                      std::string_view shard_id,
                                                      const StartingPosition& position) {
  auto r = call("GetShardIterator", Json([&](JsonWriter& w) {
                  Key(w, "StreamName");
                  String(w, stream);
                  Key(w, "ShardId");
                  String(w, shard_id);
                  Position(w, position, "ShardIteratorType", "StartingSequenceNumber");
                }));
  return Typed<std::string>(
      r, [](const rapidjson::Value& json) { return Str(json, "ShardIterator"); });
}

Result<GetRecordsResult> KinesisClient::get_records(std::string_view shard_iterator,
                                                    std::optional<int> limit) {
  auto r = call("GetRecords", Json([&](JsonWriter& w) {
                  Key(w, "ShardIterator");
                  String(w, shard_iterator);
                  if (limit) {
                    Key(w, "Limit");
                    w.Int(*limit);
                  }
                }));
  if (auto error = r.error()) return *error;
  GetRecordsResult out;
  const auto& list = Member(r.json, "Records");
  if (list.IsArray()) {
    for (const auto& v : list.GetArray()) {
      auto rec = ParseRecord(v);
      if (!rec)
        return KinesisError{"ClientError", "GetRecords returned Data that is not base64", 200};
      out.records.push_back(std::move(*rec));
    }
  }
  const auto& next = Member(r.json, "NextShardIterator");
  if (next.IsString()) out.next_shard_iterator = next.GetString();
  out.millis_behind_latest = Int(r.json, "MillisBehindLatest");
  const auto& children = Member(r.json, "ChildShards");
  if (children.IsArray()) {
    for (const auto& c : children.GetArray()) out.child_shard_ids.push_back(Str(c, "ShardId"));
  }
  return out;
}

Result<UpdateShardCountResult> KinesisClient::update_shard_count(std::string_view stream,
                                                                 int target) {
  auto r = call("UpdateShardCount", Json([&](JsonWriter& w) {
                  Key(w, "StreamName");
                  String(w, stream);
                  Key(w, "TargetShardCount");
                  w.Int(target);
                  Key(w, "ScalingType");
                  String(w, "UNIFORM_SCALING");
                }));
  return Typed<UpdateShardCountResult>(r, [](const rapidjson::Value& json) {
    return UpdateShardCountResult{Int(json, "CurrentShardCount"), Int(json, "TargetShardCount")};
  });
}

Result<Consumer> KinesisClient::register_stream_consumer(std::string_view stream_arn,
                                                         std::string_view consumer_name) {
  auto r = call("RegisterStreamConsumer", Json([&](JsonWriter& w) {
                  Key(w, "StreamARN");
                  String(w, stream_arn);
                  Key(w, "ConsumerName");
                  String(w, consumer_name);
                }));
  return Typed<Consumer>(r, [](const rapidjson::Value& json) {
    const auto& c = Member(json, "Consumer");
    return Consumer{Str(c, "ConsumerName"), Str(c, "ConsumerARN"), Str(c, "ConsumerStatus")};
  });
}

// --- SubscribeToShard -------------------------------------------------------------------------

namespace {

// The parts of a SubscribeToShard response that curl hands over piece by piece: the event
// stream when the answer is 200, the error body otherwise.
struct Subscription {
  CURL* curl = nullptr;
  std::string shard_id;
  const SubscribeCallback* on_event = nullptr;

  long status = 0;         // known from the first body bytes on
  std::string error_body;  // the body of an answer that is not 200
  api::EventStreamDecoder decoder;
  SubscriptionEnd end;
  std::optional<KinesisError> error;    // an exception event, or a stream we cannot read
  std::exception_ptr callback_failure;  // thrown by the callback, rethrown after curl returns

  // Takes in body bytes; false to make curl stop the transfer.
  bool Take(std::string_view bytes) {
    if (status == 0) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      error_body.append(bytes);
      return true;
    }
    decoder.feed(bytes);
    api::EventMessage message;
    for (;;) {
      switch (decoder.next(message)) {
        case api::EventStreamDecoder::Status::kNeedMore:
          return true;
        case api::EventStreamDecoder::Status::kMalformed:
          error = KinesisError{"ClientError", "malformed event stream: " + decoder.error(), 200};
          return false;
        case api::EventStreamDecoder::Status::kMessage:
          if (!Handle(message)) return false;
      }
    }
  }

  // One message of the stream; false when the subscription ends with it.
  bool Handle(const api::EventMessage& m) {
    const std::string_view kind = m.header(":message-type");
    if (kind == "exception" || kind == "error") {
      // An exception event's payload is {"message": "..."}; a protocol error carries its code
      // and message in headers.
      rapidjson::Document json;
      json.Parse(m.payload.data(), m.payload.size());
      KinesisError e;
      e.http_status = 200;
      e.type = kind == "exception" ? m.header(":exception-type") : m.header(":error-code");
      e.message = kind == "exception" ? Str(json, "message") : m.header(":error-message");
      error = std::move(e);
      return false;
    }
    // The initial response (an empty object) and any event type this client does not know are
    // not SubscribeToShardEvents.
    if (kind != "event" || m.header(":event-type") != "SubscribeToShardEvent") return true;
    auto event = Parse(m.payload);
    if (!event) {
      error = KinesisError{"ClientError", "a SubscribeToShardEvent that is not readable", 200};
      return false;
    }
    ++end.events;
    bool go_on = false;
    try {
      go_on = (*on_event)(*event);
    } catch (...) {
      callback_failure = std::current_exception();
      return false;
    }
    if (!go_on) end.stopped = true;
    return go_on;
  }

  std::optional<SubscribeToShardEvent> Parse(std::string_view payload) const {
    rapidjson::Document json;
    json.Parse(payload.data(), payload.size());
    if (!json.IsObject()) return std::nullopt;
    SubscribeToShardEvent event;
    const auto& records = Member(json, "Records");
    if (records.IsArray()) {
      for (const auto& v : records.GetArray()) {
        auto rec = ParseRecord(v);
        if (!rec) return std::nullopt;
        rec->shard_id = shard_id;
        event.records.push_back(std::move(*rec));
      }
    }
    event.continuation_sequence_number = Str(json, "ContinuationSequenceNumber");
    event.millis_behind_latest = Int(json, "MillisBehindLatest");
    const auto& children = Member(json, "ChildShards");
    if (children.IsArray()) {
      for (const auto& c : children.GetArray()) {
        ChildShard child;
        child.shard_id = Str(c, "ShardId");
        const auto& parents = Member(c, "ParentShards");
        if (parents.IsArray()) {
          for (const auto& p : parents.GetArray()) {
            if (p.IsString()) child.parent_shards.emplace_back(p.GetString());
          }
        }
        const auto& range = Member(c, "HashKeyRange");
        child.starting_hash_key = Str(range, "StartingHashKey");
        child.ending_hash_key = Str(range, "EndingHashKey");
        event.child_shards.push_back(std::move(child));
      }
    }
    return event;
  }
};

size_t TakeSubscriptionBytes(char* data, size_t size, size_t count, void* user) {
  auto* subscription = static_cast<Subscription*>(user);
  // Anything but the full count makes curl stop with CURLE_WRITE_ERROR.
  return subscription->Take(std::string_view(data, size * count)) ? size * count : 0;
}

std::string SubscribeBody(std::string_view consumer_arn, std::string_view shard_id,
                          const StartingPosition& position) {
  return Json([&](JsonWriter& w) {
    Key(w, "ConsumerARN");
    String(w, consumer_arn);
    Key(w, "ShardId");
    String(w, shard_id);
    Key(w, "StartingPosition");
    w.StartObject();
    Position(w, position, "Type", "SequenceNumber");
    w.EndObject();
  });
}

}  // namespace

Result<SubscriptionEnd> KinesisClient::subscribe_to_shard(std::string_view consumer_arn,
                                                          std::string_view shard_id,
                                                          const StartingPosition& position,
                                                          const SubscribeCallback& on_event) {
  // A connection of its own: cancelling drops it, and the client's usual one stays open.
  std::optional<detail::CurlEasy> curl;
  try {
    curl.emplace("KinesisClient", impl_->options.subscription_timeout_ms);
  } catch (const std::runtime_error& e) {
    return KinesisError{"TransportError", e.what(), 0};
  }
  const std::string body = SubscribeBody(consumer_arn, shard_id, position);
  curl_slist* headers = impl_->SignedHeaders("SubscribeToShard", body);
  Subscription subscription;
  subscription.curl = curl->get();
  subscription.shard_id = std::string(shard_id);
  subscription.on_event = &on_event;
  const std::string url = impl_->endpoint + "/";
  CURL* c = curl->get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &TakeSubscriptionBytes);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &subscription);
  const auto outcome = curl->perform(headers);
  curl_slist_free_all(headers);

  if (subscription.callback_failure) std::rethrow_exception(subscription.callback_failure);
  if (subscription.error) return *subscription.error;
  if (subscription.end.stopped) return subscription.end;
  if (!outcome.ok()) return KinesisError{"TransportError", outcome.error, 0};
  long status = subscription.status;
  if (status == 0) status = outcome.status;
  if (status != 200) {
    RawResponse r;
    r.status = static_cast<int>(status);
    r.body = std::move(subscription.error_body);
    r.json.Parse(r.body.data(), r.body.size());
    if (r.json.HasParseError()) r.json.SetNull();
    return *r.error();
  }
  if (subscription.decoder.buffered() > 0) {
    return KinesisError{"ClientError", "the event stream ended inside a message", 200};
  }
  return subscription.end;
}

}  // namespace kinesim::harness
