// ListShards: a stream's shards in id order, filtered by ShardFilter, a page at a time
// (MaxResults, at most 1000), continued with NextToken.
//
// The filters follow the shards' lifetimes (created_ms, closed_ms): AT_LATEST lists the open
// shards; AT_TIMESTAMP and AT_TRIM_HORIZON the shards open at that moment; FROM_TIMESTAMP and
// FROM_TRIM_HORIZON (the default) those open at that moment and every shard after them;
// AFTER_SHARD_ID the shards after the given id. Shards whose every record is past retention are
// not listed.
#include <algorithm>

#include "api/ops/ops.h"
#include "api/page_token.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {

constexpr int64_t kMaxShardsPerPage = 1000;
constexpr char kTokenKind = 'H';

struct Filter {
  std::string type = "FROM_TRIM_HORIZON";
  int64_t after_index = -1;  // AFTER_SHARD_ID and ExclusiveStartShardId
  int64_t at_ms = 0;         // AT_TIMESTAMP, FROM_TIMESTAMP

  bool keep(const StreamInfo& stream, const ShardInfo& s, int64_t now) const {
    if (s.index <= after_index) return false;
    const int64_t horizon = now - stream.retention_ms();
    auto open_at = [&](int64_t t) {
      t = std::max(t, stream.created_ms);  // before the stream existed: its first shards
      return s.created_ms <= t && (s.open() || *s.closed_ms > t);
    };
    auto open_since = [&](int64_t t) { return s.open() || *s.closed_ms >= t; };
    if (type == "AT_LATEST") return s.open();
    if (type == "AT_TIMESTAMP") return open_at(at_ms);
    if (type == "AT_TRIM_HORIZON") return open_at(horizon);
    if (type == "FROM_TIMESTAMP") return open_since(std::max(at_ms, horizon));
    return open_since(horizon);  // FROM_TRIM_HORIZON, AFTER_SHARD_ID
  }
};

}  // namespace

void ListShards(Call& call) {
  const Input& in = call.in;
  auto token = in["NextToken"].str();
  const bool named = in["StreamName"].present() || in["StreamARN"].present();
  if (token && named) {
    return call.reply.fail(
        errors::invalid_argument("NextToken and StreamName cannot be provided together."));
  }
  if (!token && !named) {
    return call.reply.fail(
        errors::invalid_argument("Either NextToken or StreamName should be provided."));
  }
  int64_t limit =
      std::min(in["MaxResults"].integer().value_or(kMaxShardsPerPage), kMaxShardsPerPage);
  StreamKey key;
  Filter filter;
  if (token) {
    if (in["ExclusiveStartShardId"].present()) {
      return call.reply.fail(errors::invalid_argument(
          "NextToken and ExclusiveStartShardId cannot be provided together."));
    }
    if (in["StreamCreationTimestamp"].present()) {
      return call.reply.fail(errors::invalid_argument(
          "NextToken and StreamCreationTimestamp cannot be provided together."));
    }
    auto page = PageToken::open(call.services.sealer, *token, kTokenKind);
    if (!page || page->fields.size() != 6) {
      return call.reply.fail(errors::invalid_argument("Invalid ShardId in NextToken."));
    }
    if (auto e = page->expired(call.now_ms())) return call.reply.fail(*e);
    key = StreamKey{page->fields[0], page->fields[1], page->fields[2]};
    filter.type = page->fields[3];
    filter.after_index = std::stoll(page->fields[4]);
    filter.at_ms = std::stoll(page->fields[5]);
  } else {
    if (auto e = stream_key(call, in, key)) return call.reply.fail(*e);
    if (auto start = in["ExclusiveStartShardId"].str()) {
      auto index = parse_shard_id(*start);
      filter.after_index = index ? *index : INT64_MAX;
    }
    const Input f = in["ShardFilter"];
    if (f.present()) {
      filter.type = std::string(*f["Type"].str());
      if (filter.type == "AFTER_SHARD_ID") {
        auto id = f["ShardId"].str();
        if (!id) {
          return call.reply.fail(errors::invalid_argument(
              "Must specify ShardId when ShardFilter type is AFTER_SHARD_ID."));
        }
        auto index = parse_shard_id(*id);
        filter.after_index = std::max(filter.after_index, index ? *index : INT64_MAX);
      } else if (filter.type == "AT_TIMESTAMP" || filter.type == "FROM_TIMESTAMP") {
        auto ts = f["Timestamp"].timestamp_ms();
        if (!ts) {
          return call.reply.fail(errors::invalid_argument(
              "Must specify Timestamp when ShardFilter type is " + filter.type + "."));
        }
        filter.at_ms = *ts;
      }
    }
  }
  std::shared_ptr<const StreamInfo> stream;
  if (auto e = find_stream(call, key, stream)) return call.reply.fail(*e);
  if (auto e = check_creation_timestamp(in, *stream)) return call.reply.fail(*e);

  const int64_t now = call.now_ms();
  std::vector<const ShardInfo*> page;
  bool more = false;
  for (const auto& s : stream->shards->all()) {
    if (!filter.keep(*stream, s, now)) continue;
    if (static_cast<int64_t>(page.size()) == limit) {
      more = true;
      break;
    }
    page.push_back(&s);
  }
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.key("Shards");
    out.begin_array();
    for (const auto* s : page) write_shard(out, *s);
    out.end_array();
    if (more) {
      PageToken t{kTokenKind,
                  call.now_ms(),
                  {key.account, key.region, key.name, filter.type,
                   std::to_string(page.back()->index), std::to_string(filter.at_ms)}};
      out.field("NextToken", t.seal(call.services.sealer));
    }
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
