#include "api/resources.h"

#include "api/streams.h"
#include "api/tags.h"

namespace kinesim::api {
namespace {

const char* consumer_status_name(ConsumerStatus status) {
  switch (status) {
    case ConsumerStatus::kCreating:
      return "CREATING";
    case ConsumerStatus::kDeleting:
    case ConsumerStatus::kGone:
      return "DELETING";
    case ConsumerStatus::kActive:
      break;
  }
  return "ACTIVE";
}

// The consumer `name` of stream `key`, unless it has finished deleting or (with `created_s`,
// from an ARN) was registered at another second.
std::optional<Error> lookup_consumer(const Call& call, const StreamKey& key, std::string_view name,
                                     std::optional<int64_t> created_s, Resource& out) {
  if (auto e = find_stream(call, key, out.stream)) return e;
  auto found = call.store().find_consumer(out.stream->id, name);
  if (!found.ok()) return storage_error(found.status(), key);
  const std::optional<ConsumerInfo>& c = found.value();
  if (!c || c->status_at(call.now_ms()) == ConsumerStatus::kGone ||
      (created_s && c->created_ms / 1000 != *created_s)) {
    return consumer_not_found(key, name, created_s);
  }
  out.consumer = *c;
  return std::nullopt;
}

std::string account_phrase(const StreamKey& stream) {
  return " under stream " + stream.name + " and account " + stream.account;
}

}  // namespace

ResourceRef Resource::ref() const {
  if (!consumer) return ResourceRef{stream->key, {}, 0};
  return ResourceRef{stream->key, consumer->name, consumer->created_ms / 1000};
}

std::optional<Error> find_named_consumer(const Call& call, Resource& out) {
  const Input& in = call.in;
  const auto by_arn = in["ConsumerARN"].str();
  const auto stream_arn_in = in["StreamARN"].str();
  const auto name = in["ConsumerName"].str();
  std::optional<StreamKey> stream;
  if (stream_arn_in) {
    stream = parse_stream_arn(*stream_arn_in);
    if (!stream)
      return errors::invalid_argument("Invalid StreamARN: " + std::string(*stream_arn_in));
  }
  if (by_arn) {
    auto parsed = parse_consumer_arn(*by_arn);
    if (!parsed) return errors::invalid_argument("Invalid ConsumerARN: " + std::string(*by_arn));
    if (stream && *stream != parsed->stream) {
      return errors::invalid_argument("ConsumerARN " + std::string(*by_arn) +
                                      " does not match StreamARN " + std::string(*stream_arn_in) +
                                      ".");
    }
    if (name && *name != parsed->consumer) {
      return errors::invalid_argument("ConsumerARN " + std::string(*by_arn) +
                                      " does not match ConsumerName " + std::string(*name) + ".");
    }
    return lookup_consumer(call, parsed->stream, parsed->consumer, parsed->created_s, out);
  }
  if (!stream || !name) {
    return errors::invalid_argument(
        "Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
  }
  return lookup_consumer(call, *stream, *name, std::nullopt, out);
}

std::optional<Error> find_resource(const Call& call, std::string_view arn, Resource& out) {
  if (auto consumer = parse_consumer_arn(arn)) {
    return lookup_consumer(call, consumer->stream, consumer->consumer, consumer->created_s, out);
  }
  if (auto stream = parse_stream_arn(arn)) return find_stream(call, *stream, out.stream);
  return errors::invalid_argument("Invalid ResourceARN: " + std::string(arn));
}

std::optional<Error> require_changeable(const Resource& r, int64_t now_ms) {
  if (r.consumer) {
    if (r.consumer->status_at(now_ms) == ConsumerStatus::kActive) return std::nullopt;
    return consumer_not_active(r.key(), *r.consumer);
  }
  const StreamStatus status = r.stream->status_at(now_ms);
  if (status == StreamStatus::kActive || status == StreamStatus::kUpdating) return std::nullopt;
  return stream_not_active(r.key(), status);
}

Error resource_error(const Status& s, const Resource& r) {
  if (r.consumer) {
    if (s.code == StatusCode::kNotFound && s.detail == 1) {
      return consumer_not_found(r.key(), r.consumer->name, r.consumer->created_ms / 1000);
    }
    if (s.code == StatusCode::kLimitExceeded) {
      return too_many_consumer_tags(r.key(), r.consumer->name);
    }
  } else if (s.code == StatusCode::kLimitExceeded) {
    return too_many_tags(r.key());
  }
  return storage_error(s, r.key());
}

Error consumer_not_active(const StreamKey& stream, const ConsumerInfo& consumer) {
  return errors::resource_in_use("Consumer " + consumer.name + " with creation timestamp " +
                                 std::to_string(consumer.created_ms / 1000) +
                                 account_phrase(stream) + " is not in ACTIVE status.");
}

Error subscriber_not_active(const StreamKey& stream, const ConsumerInfo& consumer) {
  return errors::resource_in_use("Consumer " + consumer.name + " with creation timestamp " +
                                 std::to_string(consumer.created_ms / 1000) +
                                 " under stream: " + stream.name + " , account " + stream.account +
                                 " is not in ACTIVE status.");
}

Error consumer_not_found(const StreamKey& stream, std::string_view name,
                         std::optional<int64_t> created_s) {
  std::string when;
  if (created_s) when = " with creation timestamp " + std::to_string(*created_s);
  return errors::resource_not_found("Consumer " + std::string(name) + when +
                                    account_phrase(stream) + " not found.");
}

Error too_many_consumer_tags(const StreamKey& stream, std::string_view name) {
  return errors::invalid_argument(
      "Failed to add tags to consumer " + std::string(name) + account_phrase(stream) +
      " because a given consumer cannot have more than " + std::to_string(kMaxTagsPerResource) +
      " tags associated with it.");
}

void write_consumer(Output& out, const StreamKey& stream, const ConsumerInfo& consumer,
                    int64_t now_ms, bool with_stream_arn) {
  out.begin_object();
  out.field("ConsumerName", consumer.name);
  out.field("ConsumerARN", consumer_arn(stream, consumer.name, consumer.created_ms));
  out.field("ConsumerStatus", consumer_status_name(consumer.status_at(now_ms)));
  out.key("ConsumerCreationTimestamp");
  out.timestamp_ms(consumer.created_ms);
  if (with_stream_arn) out.field("StreamARN", stream_arn(stream));
  out.end_object();
}

}  // namespace kinesim::api
