#include "storage/catalog.h"

#include <algorithm>
#include <mutex>

namespace kinesim {

ShardMap::ShardMap(std::vector<ShardInfo> shards) : shards_(std::move(shards)) {
  for (const auto& s : shards_) {
    if (s.open()) open_by_start_.emplace_back(s.range.start, s.index);
  }
  std::sort(open_by_start_.begin(), open_by_start_.end());
}

const ShardInfo* ShardMap::shard_for(HashKey key) const {
  // The open shards' ranges tile the whole key space, so the owner is the last shard whose
  // range starts at or before the key.
  auto it = std::upper_bound(open_by_start_.begin(), open_by_start_.end(), key,
                             [](HashKey k, const auto& entry) { return k < entry.first; });
  if (it == open_by_start_.begin()) return nullptr;
  const ShardInfo* s = shard(std::prev(it)->second);
  return s && s->range.contains(key) ? s : nullptr;
}

std::vector<const ShardInfo*> ShardMap::open_shards() const {
  std::vector<const ShardInfo*> out;
  out.reserve(open_by_start_.size());
  for (const auto& [start, index] : open_by_start_) out.push_back(shard(index));
  return out;
}

StreamStatus StreamInfo::status_at(int64_t now_ms) const {
  if (state == StreamStatus::kActive || now_ms < state_until_ms) return state;
  return state == StreamStatus::kDeleting ? StreamStatus::kGone : StreamStatus::kActive;
}

namespace {

AccountTotals contribution(const StreamInfo& s) {
  return AccountTotals{s.open_shard_count(), s.mode == StreamMode::kOnDemand ? 1 : 0};
}

void add(AccountTotals& t, const AccountTotals& d, int sign) {
  t.open_shards += sign * d.open_shards;
  t.on_demand_streams += sign * d.on_demand_streams;
}

}  // namespace

std::shared_ptr<const StreamInfo> Catalog::find(const StreamKey& key) const {
  std::shared_lock lock(mutex_);
  auto it = streams_.find(key);
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const StreamInfo>> Catalog::list(const std::string& account,
                                                             const std::string& region,
                                                             const std::string& after,
                                                             size_t limit) const {
  std::vector<std::shared_ptr<const StreamInfo>> out;
  std::shared_lock lock(mutex_);
  for (auto it = streams_.upper_bound(StreamKey{account, region, after});
       it != streams_.end() && out.size() < limit; ++it) {
    if (it->first.account != account || it->first.region != region) break;
    out.push_back(it->second);
  }
  return out;
}

AccountTotals Catalog::totals(const std::string& account, const std::string& region) const {
  std::shared_lock lock(mutex_);
  auto it = totals_.find(Region{account, region});
  return it == totals_.end() ? AccountTotals{} : it->second;
}

size_t Catalog::size() const {
  std::shared_lock lock(mutex_);
  return streams_.size();
}

void Catalog::for_each(
    const std::function<void(const std::shared_ptr<const StreamInfo>&)>& visit) const {
  std::vector<std::shared_ptr<const StreamInfo>> all;
  {
    std::shared_lock lock(mutex_);
    all.reserve(streams_.size());
    for (const auto& [key, stream] : streams_) all.push_back(stream);
  }
  for (const auto& s : all) visit(s);
}

void Catalog::load(std::shared_ptr<const StreamInfo> stream) {
  std::unique_lock lock(mutex_);
  add(totals_[Region{stream->key.account, stream->key.region}], contribution(*stream), +1);
  streams_[stream->key] = std::move(stream);
}

std::shared_ptr<const StreamInfo> CatalogDraft::find(const StreamKey& key) const {
  auto it = changes_.find(key);
  if (it != changes_.end()) return it->second;
  return published_.find(key);
}

void CatalogDraft::put(std::shared_ptr<const StreamInfo> stream) {
  StreamKey key = stream->key;
  changes_[std::move(key)] = std::move(stream);
}

void CatalogDraft::erase(const StreamKey& key) { changes_[key] = nullptr; }

AccountTotals CatalogDraft::totals(const std::string& account, const std::string& region) const {
  AccountTotals t = published_.totals(account, region);
  for (const auto& [key, stream] : changes_) {
    if (key.account != account || key.region != region) continue;
    if (auto old = published_.find(key)) add(t, contribution(*old), -1);
    if (stream) add(t, contribution(*stream), +1);
  }
  return t;
}

void CatalogDraft::publish() {
  if (changes_.empty()) return;
  std::unique_lock lock(published_.mutex_);
  for (auto& [key, stream] : changes_) {
    auto& totals = published_.totals_[Catalog::Region{key.account, key.region}];
    auto it = published_.streams_.find(key);
    if (it != published_.streams_.end()) add(totals, contribution(*it->second), -1);
    if (!stream) {
      if (it != published_.streams_.end()) published_.streams_.erase(it);
      continue;
    }
    add(totals, contribution(*stream), +1);
    if (it != published_.streams_.end()) {
      it->second = std::move(stream);
    } else {
      published_.streams_.emplace(key, std::move(stream));
    }
  }
  changes_.clear();
}

}  // namespace kinesim
