#include "api/base64.h"

#include <array>
#include <cstdint>

namespace kinesim::api {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

size_t base64_encoded_size(size_t n) { return (n + 2) / 3 * 4; }

void base64_encode(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + base64_encoded_size(bytes.size()));
  base64_encode(bytes, out.data() + start);
}

void base64_encode(std::string_view bytes, char* o) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0, n = bytes.size();
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{p[i]} << 16;
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = '=';
  }
}

Base64Problem base64_problem(std::string_view text) {
  using Kind = Base64Problem::Kind;
  if (text.size() % 4 != 0) return {Kind::kLength};
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (kDecode[static_cast<unsigned char>(c)] >= 0) continue;
    if (c == '=' && (i + 1 == text.size() || text[i + 1] == '=')) continue;
    return {Kind::kCharacter, c};
  }
  size_t pads = 0;
  while (pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
  if (pads > 2) return {Kind::kLastCharacter};
  if (pads > 0) {
    // One pad leaves 2 unused bits in the last data character, two pads leave 4; Kinesis wants
    // them zero.
    const int unused = pads == 1 ? 0x3 : 0xF;
    if (kDecode[static_cast<unsigned char>(text[text.size() - pads - 1])] & unused) {
      return {Kind::kLastCharacter};
    }
  }
  return {};
}

std::optional<size_t> base64_decoded_size(std::string_view text) {
  if (base64_problem(text).kind != Base64Problem::Kind::kNone) return std::nullopt;
  const size_t pads =
      text.empty() ? 0 : (text.back() == '=') + (text.size() > 1 && text[text.size() - 2] == '=');
  return text.size() / 4 * 3 - pads;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto size = base64_decoded_size(text);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  char* o = out.data();
  const size_t n = text.size();
  for (size_t i = 0; i < n; i += 4) {
    uint32_t v = 0;
    int valid = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=') {
        v <<= 6;
        continue;
      }
      v = (v << 6) | static_cast<uint32_t>(kDecode[static_cast<unsigned char>(c)]);
      ++valid;
    }
    *o++ = static_cast<char>((v >> 16) & 0xff);
    if (valid > 2) *o++ = static_cast<char>((v >> 8) & 0xff);
    if (valid > 3) *o++ = static_cast<char>(v & 0xff);
  }
  return out;
}

}  // namespace kinesim::api
