// Standard base64 (RFC 4648, with padding), as Kinesis uses for blobs in JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kinesim::api {

// Appends the encoding of `bytes` to `out`.
void base64_encode(std::string_view bytes, std::string& out);
// Writes exactly base64_encoded_size(bytes.size()) characters to `out`.
void base64_encode(std::string_view bytes, char* out);
size_t base64_encoded_size(size_t n);

// Why Kinesis refuses a blob's base64 text, checked in its order: the length must be a multiple
// of 4; then the first character outside the alphabet (or an '=' followed by anything but '=')
// is named; then the padding must be at most "==" and the last data character must carry no
// stray bits.
struct Base64Problem {
  enum class Kind { kNone, kLength, kCharacter, kLastCharacter };
  Kind kind = Kind::kNone;
  char bad = 0;  // kCharacter: the character Kinesis names
};
Base64Problem base64_problem(std::string_view text);

// Decodes `text`; nullopt unless base64_problem finds nothing wrong with it.
std::optional<std::string> base64_decode(std::string_view text);
// The decoded length of valid base64 `text`, without decoding; nullopt if invalid.
std::optional<size_t> base64_decoded_size(std::string_view text);

}  // namespace kinesim::api
