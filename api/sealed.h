// Sealed tokens: opaque, tamper-proof strings that carry server state through a client, such as
// shard iterators and pagination tokens. Contents are encrypted and authenticated with
// AES-256-GCM under the store's secret, so a client can neither read nor forge them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kinesim::api {

class Sealer {
 public:
  // `secret` must hold at least 32 bytes.
  explicit Sealer(std::string_view secret);

  // base64(nonce | ciphertext | tag) of `plain`.
  std::string seal(std::string_view plain) const;
  // The plain bytes, or nullopt when `token` was not made by seal() with this secret.
  std::optional<std::string> open(std::string_view token) const;

 private:
  unsigned char key_[32];
};

}  // namespace kinesim::api
