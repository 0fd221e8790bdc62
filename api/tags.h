// Tags as Kinesis checks them, for every operation that takes them (CreateStream,
// AddTagsToStream, RemoveTagsFromStream, TagResource, UntagResource, RegisterStreamConsumer).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"
#include "api/error.h"
#include "storage/store.h"

namespace kinesim::api {

// A stream or consumer holds at most this many tags.
constexpr size_t kMaxTagsPerResource = 50;

// Reads a TagMap member (key to value) into `out`. Kinesis allows Unicode letters, digits, white
// space and _ . / = + - @ : in keys and values; anything else is an InvalidArgumentException, and
// so, with its own message naming `stream`, is '%'.
std::optional<Error> read_tags(const Input& map, const StreamKey& stream, std::vector<Tag>& out);
// The same checks for a list of tag keys (RemoveTagsFromStream, UntagResource).
std::optional<Error> read_tag_keys(const Input& list, const StreamKey& stream,
                                   std::vector<std::string>& out);

// The InvalidArgumentException for a stream that would hold more than kMaxTagsPerResource tags.
// Kinesis' text still says 10, the limit of its first years.
Error too_many_tags(const StreamKey& stream);

}  // namespace kinesim::api
