// ListStreamConsumers: a stream's consumers in name order, a page at a time (MaxResults, 100 by
// default and at most 100), continued with NextToken. Consumers that finished deleting are not
// listed.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/page_token.h"
#include "api/resources.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kMaxConsumersPerPage = 100;
constexpr char kTokenKind = 'C';
}  // namespace

void ListStreamConsumers(Call& call) {
  const Input& in = call.in;
  StreamKey key;
  if (auto e = stream_key(call, in, key)) return call.reply.fail(*e);
  auto token = in["NextToken"].str();
  if (token && in["StreamCreationTimestamp"].present()) {
    return call.reply.fail(errors::invalid_argument(
        "NextToken and StreamCreationTimestamp cannot be provided together."));
  }
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  if (auto e = check_creation_timestamp(in, *stream)) return call.reply.fail(*e);
  std::string after;  // list names strictly greater than this
  if (token) {
    // A token belongs to one stream: the one it was issued for, not a later one of that name.
    auto page = PageToken::open(call.services.sealer, *token, kTokenKind);
    if (!page || page->fields.size() != 5 || page->fields[0] != key.account ||
        page->fields[1] != key.region || page->fields[2] != key.name ||
        page->fields[3] != std::to_string(stream->created_ms)) {
      return call.reply.fail(errors::invalid_argument("Invalid NextToken."));
    }
    if (auto e = page->expired(call.now_ms())) return call.reply.fail(*e);
    after = page->fields[4];
  }
  const int64_t limit =
      std::min(in["MaxResults"].integer().value_or(kMaxConsumersPerPage), kMaxConsumersPerPage);
  // One more than a page says whether there are more.
  auto found = call.store().list_consumers(stream->id, after, static_cast<size_t>(limit) + 1);
  if (!found.ok()) return call.reply.fail(storage_error(found.status(), key));
  std::vector<ConsumerInfo>& consumers = found.value();
  const bool more = static_cast<int64_t>(consumers.size()) > limit;
  if (more) consumers.resize(static_cast<size_t>(limit));
  const int64_t now = call.now_ms();
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("Consumers");
    out.begin_array();
    for (const auto& c : consumers) write_consumer(out, key, c, now, false);
    out.end_array();
    if (more) {
      PageToken t{kTokenKind,
                  now,
                  {key.account, key.region, key.name, std::to_string(stream->created_ms),
                   consumers.back().name}};
      out.field("NextToken", t.seal(call.services.sealer));
    }
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
