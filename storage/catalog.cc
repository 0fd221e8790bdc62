#include "storage/catalog.h"

#include <algorithm>

namespace kinesim {

void StreamInfo::index_open_shards() {
  open_by_start_.clear();
  for (const auto& s : shards) {
    if (s.open()) open_by_start_.emplace_back(s.range.start, s.index);
  }
  std::sort(open_by_start_.begin(), open_by_start_.end());
}

const ShardInfo* StreamInfo::shard_for(HashKey key) const {
  // The open shards' ranges tile the whole key space, so the owner is the last shard whose
  // range starts at or before the key.
  auto it = std::upper_bound(open_by_start_.begin(), open_by_start_.end(), key,
                             [](HashKey k, const auto& entry) { return k < entry.first; });
  if (it == open_by_start_.begin()) return nullptr;
  const ShardInfo* s = shard(std::prev(it)->second);
  return s && s->range.contains(key) ? s : nullptr;
}

int64_t Catalog::open_shards(const std::string& account, const std::string& region) const {
  int64_t n = 0;
  for (const auto& [key, stream] : streams) {
    if (key.account == account && key.region == region) n += stream->open_shard_count();
  }
  return n;
}

}  // namespace kinesim
