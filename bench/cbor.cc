#include "bench/cbor.h"

namespace kinesim::bench::cbor {
namespace {

// Nesting the reader follows before it calls a body malformed; Kinesis responses nest 3 deep.
constexpr int kMaxDepth = 32;

struct Head {
  uint8_t major = 0;
  uint64_t value = 0;       // the argument: length, count, integer or simple value
  bool indefinite = false;  // a string, array or map ended by a break (0xff)
};

// Walks one buffer item by item. Every read checks bounds; a malformed body only makes a
// lookup fail.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool AtBreak() const { return pos_ < in_.size() && static_cast<uint8_t>(in_[pos_]) == 0xff; }
  void SkipBreak() { ++pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  std::optional<Head> ReadHead() {
    if (pos_ >= in_.size()) return std::nullopt;
    const auto initial = static_cast<uint8_t>(in_[pos_++]);
    Head head;
    head.major = initial >> 5;
    const uint8_t info = initial & 31;
    if (info < 24) {
      head.value = info;
    } else if (info <= 27) {
      const size_t width = size_t{1} << (info - 24);  // 1, 2, 4 or 8 bytes, big-endian
      if (in_.size() - pos_ < width) return std::nullopt;
      for (size_t i = 0; i < width; ++i) {
        head.value = (head.value << 8) | static_cast<uint8_t>(in_[pos_++]);
      }
    } else if (info == 31 && head.major >= kBytes && head.major <= kMap) {
      head.indefinite = true;
    } else {
      return std::nullopt;  // reserved, or a break where an item belongs
    }
    return head;
  }

  // The bytes of a definite-length string whose head was just read.
  std::optional<std::string_view> ReadString(const Head& head) {
    if (head.indefinite || in_.size() - pos_ < head.value) return std::nullopt;
    std::string_view bytes = in_.substr(pos_, static_cast<size_t>(head.value));
    pos_ += static_cast<size_t>(head.value);
    return bytes;
  }

  // Skips the rest of an item whose head was just read.
  bool SkipBody(const Head& head, int depth) {
    if (depth > kMaxDepth) return false;
    switch (head.major) {
      case kUnsigned:
      case kNegative:
      case kSimple:  // floats' bits were the head's argument
        return true;
      case kBytes:
      case kText:
        if (!head.indefinite) return ReadString(head).has_value();
        return SkipUntilBreak(depth);
      case kArray:
      case kMap: {
        if (head.indefinite) return SkipUntilBreak(depth);
        const uint64_t items = head.major == kMap ? head.value * 2 : head.value;
        if (items > in_.size() - pos_) return false;  // each item takes at least one byte
        for (uint64_t i = 0; i < items; ++i) {
          if (!SkipItem(depth + 1)) return false;
        }
        return true;
      }
      case kTag:
        return SkipItem(depth + 1);
      default:
        return false;
    }
  }

  bool SkipItem(int depth) {
    std::optional<Head> head = ReadHead();
    return head && SkipBody(*head, depth);
  }

 private:
  bool SkipUntilBreak(int depth) {
    while (!AtBreak()) {
      if (AtEnd() || !SkipItem(depth + 1)) return false;
    }
    SkipBreak();
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

// Positions `reader` at the value under text key `key` of the top-level map and returns its
// head, or nullopt.
std::optional<Head> FindValue(Reader& reader, std::string_view key) {
  std::optional<Head> map = reader.ReadHead();
  if (!map || map->major != kMap) return std::nullopt;
  for (uint64_t i = 0; map->indefinite || i < map->value; ++i) {
    if (map->indefinite && reader.AtBreak()) return std::nullopt;
    std::optional<Head> key_head = reader.ReadHead();
    if (!key_head) return std::nullopt;
    bool match = false;
    if (key_head->major == kText && !key_head->indefinite) {
      std::optional<std::string_view> text = reader.ReadString(*key_head);
      if (!text) return std::nullopt;
      match = *text == key;
    } else if (!reader.SkipBody(*key_head, 1)) {
      return std::nullopt;
    }
    std::optional<Head> value = reader.ReadHead();
    if (!value) return std::nullopt;
    if (match) return value;
    if (!reader.SkipBody(*value, 1)) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void AppendHead(std::string& out, uint8_t major, uint64_t value) {
  const auto type = static_cast<uint8_t>(major << 5);
  int width = 0;  // bytes of argument after the initial byte
  if (value < 24) {
    out += static_cast<char>(type | value);
    return;
  } else if (value <= 0xff) {
    out += static_cast<char>(type | 24);
    width = 1;
  } else if (value <= 0xffff) {
    out += static_cast<char>(type | 25);
    width = 2;
  } else if (value <= 0xffffffff) {
    out += static_cast<char>(type | 26);
    width = 4;
  } else {
    out += static_cast<char>(type | 27);
    width = 8;
  }
  for (int i = width - 1; i >= 0; --i) out += static_cast<char>((value >> (i * 8)) & 0xff);
}

std::optional<uint64_t> MapUnsigned(std::string_view body, std::string_view key) {
  Reader reader(body);
  std::optional<Head> value = FindValue(reader, key);
  if (!value || value->major != kUnsigned) return std::nullopt;
  return value->value;
}

std::optional<std::string> MapText(std::string_view body, std::string_view key) {
  Reader reader(body);
  std::optional<Head> value = FindValue(reader, key);
  if (!value || value->major != kText) return std::nullopt;
  std::optional<std::string_view> text = reader.ReadString(*value);
  if (!text) return std::nullopt;
  return std::string(*text);
}

}  // namespace kinesim::bench::cbor
