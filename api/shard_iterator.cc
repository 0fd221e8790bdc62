#include "api/shard_iterator.h"

#include <cstring>

namespace kinesim::api {
namespace {

constexpr char kVersion = 1;

void put_u64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, 8);
}

void put_str(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>(s.size()));  // every field is under 256 bytes
  out.append(s);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t u64() {
    if (in.size() < 8) return ok = false, 0;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
      v = (v << 8) | static_cast<unsigned char>(in[static_cast<size_t>(i)]);
    in.remove_prefix(8);
    return v;
  }
  std::string str() {
    if (in.empty()) return ok = false, std::string();
    const size_t n = static_cast<unsigned char>(in[0]);
    if (in.size() < 1 + n) return ok = false, std::string();
    std::string s(in.substr(1, n));
    in.remove_prefix(1 + n);
    return s;
  }
};

}  // namespace

std::string ShardIterator::seal(const Sealer& sealer) const {
  std::string plain;
  plain.reserve(64 + account.size() + region.size() + stream_name.size());
  plain.push_back(kVersion);
  put_u64(plain, static_cast<uint64_t>(issued_ms));
  put_u64(plain, static_cast<uint64_t>(stream_id));
  put_u64(plain, static_cast<uint64_t>(shard_gid));
  put_u64(plain, static_cast<uint64_t>(shard_index));
  put_u64(plain, after_counter);
  put_str(plain, account);
  put_str(plain, region);
  put_str(plain, stream_name);
  return sealer.seal(plain);
}

std::optional<ShardIterator> ShardIterator::open(const Sealer& sealer, std::string_view token) {
  auto plain = sealer.open(token);
  if (!plain || plain->empty() || (*plain)[0] != kVersion) return std::nullopt;
  Reader r{std::string_view(*plain).substr(1)};
  ShardIterator it;
  it.issued_ms = static_cast<int64_t>(r.u64());
  it.stream_id = static_cast<int64_t>(r.u64());
  it.shard_gid = static_cast<int64_t>(r.u64());
  it.shard_index = static_cast<int64_t>(r.u64());
  it.after_counter = r.u64();
  it.account = r.str();
  it.region = r.str();
  it.stream_name = r.str();
  if (!r.ok || !r.in.empty()) return std::nullopt;
  return it;
}

}  // namespace kinesim::api
