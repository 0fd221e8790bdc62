#include "api/shard_iterator.h"

#include <charconv>

#include "api/page_token.h"

namespace kinesim::api {
namespace {

// An iterator is a sealed PageToken of its own kind: issued_ms plus these fields, in order.
constexpr char kKind = 'I';
enum Field { kStreamId, kShardGid, kShardIndex, kAfterCounter, kAccount, kRegion, kName, kCount };

template <class Int>
bool parse_number(const std::string& text, Int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string ShardIterator::seal(const Sealer& sealer) const {
  PageToken t{kKind,
              issued_ms,
              {std::to_string(stream_id), std::to_string(shard_gid), std::to_string(shard_index),
               std::to_string(after_counter), account, region, stream_name}};
  return t.seal(sealer);
}

std::optional<ShardIterator> ShardIterator::open(const Sealer& sealer, std::string_view token) {
  auto t = PageToken::open(sealer, token, kKind);
  if (!t || t->fields.size() != kCount) return std::nullopt;
  ShardIterator it;
  it.issued_ms = t->issued_ms;
  if (!parse_number(t->fields[kStreamId], it.stream_id) ||
      !parse_number(t->fields[kShardGid], it.shard_gid) ||
      !parse_number(t->fields[kShardIndex], it.shard_index) ||
      !parse_number(t->fields[kAfterCounter], it.after_counter)) {
    return std::nullopt;
  }
  it.account = std::move(t->fields[kAccount]);
  it.region = std::move(t->fields[kRegion]);
  it.stream_name = std::move(t->fields[kName]);
  return it;
}

}  // namespace kinesim::api
