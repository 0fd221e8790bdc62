#include "api/page_token.h"

namespace kinesim::api {

std::string PageToken::seal(const Sealer& sealer) const {
  std::string plain(1, kind);
  for (int i = 0; i < 8; ++i) {
    plain.push_back(static_cast<char>((static_cast<uint64_t>(issued_ms) >> (8 * i)) & 0xff));
  }
  for (const auto& f : fields) {
    plain.push_back(static_cast<char>(f.size() & 0xff));
    plain.push_back(static_cast<char>((f.size() >> 8) & 0xff));
    plain.append(f);
  }
  return sealer.seal(plain);
}

std::optional<Error> PageToken::expired(int64_t now_ms) const {
  if (now_ms - issued_ms <= kPageTokenLifetimeMs) return std::nullopt;
  return errors::expired_next_token("The NextToken has expired.");
}

std::optional<PageToken> PageToken::open(const Sealer& sealer, std::string_view token, char kind) {
  auto plain = sealer.open(token);
  if (!plain || plain->size() < 9 || (*plain)[0] != kind) return std::nullopt;
  PageToken t;
  t.kind = kind;
  uint64_t issued = 0;
  for (int i = 7; i >= 0; --i) {
    issued = (issued << 8) | static_cast<unsigned char>((*plain)[1 + static_cast<size_t>(i)]);
  }
  t.issued_ms = static_cast<int64_t>(issued);
  std::string_view rest = std::string_view(*plain).substr(9);
  while (!rest.empty()) {
    if (rest.size() < 2) return std::nullopt;
    const size_t n = static_cast<unsigned char>(rest[0]) |
                     (static_cast<size_t>(static_cast<unsigned char>(rest[1])) << 8);
    if (rest.size() < 2 + n) return std::nullopt;
    t.fields.emplace_back(rest.substr(2, n));
    rest.remove_prefix(2 + n);
  }
  return t;
}

}  // namespace kinesim::api
