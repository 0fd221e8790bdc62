// What hangs off a stream besides its shards, as the consumer, tag and policy operations name
// it: enhanced fan-out consumers (by ConsumerARN, or StreamARN plus ConsumerName) and the
// resources tags and policies belong to (a stream or a consumer, by ResourceARN). Also the
// errors those operations share and the Consumer object they write.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "storage/store.h"

namespace kinesim::api {

// A stream can have this many consumers registered at once ...
constexpr int64_t kMaxConsumersPerStream = 20;
// ... and at most this many of them in CREATING.
constexpr int64_t kMaxCreatingConsumers = 5;

// A stream, or one of its consumers, as committed when it was looked up.
struct Resource {
  std::shared_ptr<const StreamInfo> stream;
  std::optional<ConsumerInfo> consumer;

  const StreamKey& key() const { return stream->key; }
  // What the store calls it; a consumer is pinned to its creation second, so a consumer
  // registered again under the same name in the meantime is not touched.
  ResourceRef ref() const;
};

// The consumer a request names with ConsumerARN, or StreamARN and ConsumerName, or all three
// when they agree (DescribeStreamConsumer, DeregisterStreamConsumer). Consumers that finished
// deleting are not found.
std::optional<Error> find_named_consumer(const Call& call, Resource& out);

// The stream or consumer a ResourceARN names (TagResource, UntagResource, ListTagsForResource
// and the resource policy operations).
std::optional<Error> find_resource(const Call& call, std::string_view arn, Resource& out);

// ResourceInUseException unless the resource may be changed at `now_ms`: a stream that is
// ACTIVE or UPDATING (tags and policies are not part of the stream's configuration, so a
// reshard does not hold them up), a consumer that is ACTIVE.
std::optional<Error> require_changeable(const Resource& r, int64_t now_ms);

// The error for a failed storage call about `r`: kNotFound names the stream or the consumer as
// the status' detail says.
Error resource_error(const Status& s, const Resource& r);

// "Consumer NAME with creation timestamp SECONDS under stream STREAM and account ACCOUNT is not
// in ACTIVE status." (ResourceInUseException)
Error consumer_not_active(const StreamKey& stream, const ConsumerInfo& consumer);
// SubscribeToShard's wording of the same: "Consumer NAME with creation timestamp SECONDS under
// stream: STREAM , account ACCOUNT is not in ACTIVE status."
Error subscriber_not_active(const StreamKey& stream, const ConsumerInfo& consumer);
// ResourceNotFoundException for a consumer; with the creation second when the caller gave one
// (by ARN).
Error consumer_not_found(const StreamKey& stream, std::string_view name,
                         std::optional<int64_t> created_s);
// InvalidArgumentException for a consumer that would hold more than kMaxTagsPerResource tags.
Error too_many_consumer_tags(const StreamKey& stream, std::string_view name);

// A Consumer object (ConsumerName, ConsumerARN, ConsumerStatus, ConsumerCreationTimestamp), or
// with `with_stream_arn` a ConsumerDescription (the same plus StreamARN).
void write_consumer(Output& out, const StreamKey& stream, const ConsumerInfo& consumer,
                    int64_t now_ms, bool with_stream_arn);

}  // namespace kinesim::api
