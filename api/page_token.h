// Sealed tokens with a kind, an issue time and a list of text fields: the NextToken values of
// paginated listings (Kinesis pagination tokens expire 300 seconds after issue), and the
// encoding under shard iterators (api/shard_iterator.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/sealed.h"

namespace kinesim::api {

constexpr int64_t kPageTokenLifetimeMs = 300 * 1000;

struct PageToken {
  char kind = 0;  // which listing made it; a token is only accepted by the same listing
  int64_t issued_ms = 0;
  std::vector<std::string> fields;

  std::string seal(const Sealer& sealer) const;
  // ExpiredNextTokenException once the token is older than kPageTokenLifetimeMs at `now_ms`.
  std::optional<Error> expired(int64_t now_ms) const;
  static std::optional<PageToken> open(const Sealer& sealer, std::string_view token, char kind);
};

}  // namespace kinesim::api
