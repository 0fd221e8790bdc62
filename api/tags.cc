#include "api/tags.h"

namespace kinesim::api {
namespace {

// What a tag check is for: it names the action and the stream in one of Kinesis' messages.
enum class TagAction { kAdd, kRemove };

// The next code point of UTF-8 text (validation has checked the encoding); advances `i`.
char32_t next_code_point(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t c = b & (0x3F >> extra);
  while (extra-- > 0 && i < s.size()) c = (c << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return c;
}

enum class TagText { kValid, kInvalid, kPercent };

TagText classify(std::string_view s) {
  TagText result = TagText::kValid;
  for (size_t i = 0; i < s.size();) {
    const char32_t c = next_code_point(s, i);
    const bool letter_or_digit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                 (c >= '0' && c <= '9') || (c >= 0xC0 && c <= 0x1FFF) ||
                                 (c >= 0x2C00 && c <= 0xD7FF);
    if (letter_or_digit) continue;
    switch (c) {
      case ' ':
      case '_':
      case '.':
      case '/':
      case '=':
      case '+':
      case '-':
      case '@':
      case ':':
        continue;
      case '%':
        result = TagText::kPercent;
        continue;
      default:
        return TagText::kInvalid;
    }
  }
  return result;
}

// Kinesis checks the character set first, then rejects '%' with a message of its own.
std::optional<Error> check(const std::vector<std::string_view>& texts, const StreamKey& stream,
                           TagAction action) {
  bool percent = false;
  for (auto t : texts) {
    const TagText c = classify(t);
    if (c == TagText::kInvalid) {
      return errors::invalid_argument(
          "Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
          "white space, _ . / = + - % @.");
    }
    percent = percent || c == TagText::kPercent;
  }
  if (!percent) return std::nullopt;
  return errors::invalid_argument(
      std::string(action == TagAction::kAdd ? "Failed to add tags to stream "
                                            : "Failed to remove tags from stream ") +
      stream.name + " under account " + stream.account +
      " because some tags contained illegal characters. The allowed characters are Unicode "
      "letters, white-spaces, '_',',','/','=','+','-','@'.");
}

}  // namespace

std::optional<Error> read_tags(const Input& map, const StreamKey& stream, std::vector<Tag>& out) {
  std::vector<std::string_view> texts;
  for (const auto& [key, value] : map.entries()) {
    const std::string_view v = value.str().value_or("");
    texts.push_back(key);
    texts.push_back(v);
    out.push_back(Tag{std::string(key), std::string(v)});
  }
  return check(texts, stream, TagAction::kAdd);
}

std::optional<Error> read_tag_keys(const Input& list, const StreamKey& stream,
                                   std::vector<std::string>& out) {
  std::vector<std::string_view> texts;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string_view k = list.at(i).str().value_or("");
    texts.push_back(k);
    out.emplace_back(k);
  }
  return check(texts, stream, TagAction::kRemove);
}

Error too_many_tags(const StreamKey& stream) {
  return errors::invalid_argument("Failed to add tags to stream " + stream.name +
                                  " under account " + stream.account +
                                  " because a given stream cannot have more than 10 tags "
                                  "associated with it.");
}

}  // namespace kinesim::api
