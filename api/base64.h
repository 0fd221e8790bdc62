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

// Decodes `text`; nullopt unless it is valid padded base64 (whitespace is not allowed).
std::optional<std::string> base64_decode(std::string_view text);
// The decoded length of valid base64 `text`, without decoding; nullopt if invalid.
std::optional<size_t> base64_decoded_size(std::string_view text);

}  // namespace kinesim::api
