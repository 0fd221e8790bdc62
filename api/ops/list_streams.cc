// ListStreams: the caller's streams in name order, a page at a time (at most 100), with
// StreamSummaries beside StreamNames.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/page_token.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {
constexpr int64_t kMaxStreamsPerPage = 100;
constexpr char kTokenKind = 'S';
}  // namespace

void ListStreams(Call& call) {
  const int64_t limit =
      std::min(call.in["Limit"].integer().value_or(kMaxStreamsPerPage), kMaxStreamsPerPage);
  std::string after;  // list names strictly greater than this
  if (auto start = call.in["ExclusiveStartStreamName"].str()) after = std::string(*start);
  if (auto token = call.in["NextToken"].str()) {
    auto page = PageToken::open(call.services.sealer, *token, kTokenKind);
    if (!page || page->fields.size() != 3 || page->fields[0] != call.caller.account ||
        page->fields[1] != call.caller.region) {
      return call.reply.fail(errors::invalid_argument("Invalid NextToken."));
    }
    if (auto e = page->expired(call.now_ms())) return call.reply.fail(*e);
    after = std::max(after, page->fields[2]);
  }
  // One more than a page says whether there are more; streams that finished deleting are left
  // out (the background pass removes them).
  const int64_t now = call.now_ms();
  std::vector<std::shared_ptr<const StreamInfo>> page;
  bool more = false;
  while (!more) {
    auto batch = call.store().catalog().list(call.caller.account, call.caller.region, after,
                                             static_cast<size_t>(limit) + 1);
    for (auto& s : batch) {
      after = s->key.name;
      if (s->status_at(now) == StreamStatus::kGone) continue;
      if (static_cast<int64_t>(page.size()) == limit) {
        more = true;
        break;
      }
      page.push_back(std::move(s));
    }
    if (batch.size() <= static_cast<size_t>(limit)) break;
  }
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("StreamNames");
    out.begin_array();
    for (const auto& s : page) out.string(s->key.name);
    out.end_array();
    out.field("HasMoreStreams", more);
    if (more && !page.empty()) {
      PageToken t{kTokenKind,
                  call.now_ms(),
                  {call.caller.account, call.caller.region, page.back()->key.name}};
      out.field("NextToken", t.seal(call.services.sealer));
    }
    out.key("StreamSummaries");
    out.begin_array();
    for (const auto& s : page) {
      out.begin_object();
      out.field("StreamName", s->key.name);
      out.field("StreamARN", stream_arn(s->key));
      out.field("StreamStatus", stream_status_name(s->status_at(now)));
      write_stream_mode(out, *s);
      out.key("StreamCreationTimestamp");
      out.timestamp_ms(s->created_ms);
      out.end_object();
    }
    out.end_array();
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
