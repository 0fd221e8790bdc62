#include "bench/event_stream.h"

#include <algorithm>
#include <array>

#include "bench/bench.h"

namespace kinesim::bench {
namespace {

uint32_t ReadU32(std::string_view bytes, size_t at) {
  return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(bytes[at + 3])};
}

// Parses the header block of one message; throws BenchFailure when it is malformed.
void ParseHeaders(std::string_view block, EventMessage& message) {
  size_t at = 0;
  auto need = [&](size_t n) {
    if (block.size() - at < n) throw BenchFailure("event stream: truncated header block");
  };
  while (at < block.size()) {
    need(1);
    const size_t name_len = static_cast<uint8_t>(block[at++]);
    need(name_len + 1);
    std::string_view name = block.substr(at, name_len);
    at += name_len;
    const uint8_t type = static_cast<uint8_t>(block[at++]);
    size_t value_len = 0;
    switch (type) {
      case 0:  // true
      case 1:  // false
        break;
      case 2:  // byte
        value_len = 1;
        break;
      case 3:  // short
        value_len = 2;
        break;
      case 4:  // integer
        value_len = 4;
        break;
      case 5:  // long
      case 8:  // timestamp
        value_len = 8;
        break;
      case 9:  // uuid
        value_len = 16;
        break;
      case 6:    // byte array
      case 7: {  // string
        need(2);
        value_len =
            (size_t{static_cast<uint8_t>(block[at])} << 8) | static_cast<uint8_t>(block[at + 1]);
        at += 2;
        break;
      }
      default:
        throw BenchFailure("event stream: unknown header value type " + std::to_string(type));
    }
    need(value_len);
    if (type == 7) {
      std::string value(block.substr(at, value_len));
      if (name == ":message-type") {
        message.message_type = std::move(value);
      } else if (name == ":event-type") {
        message.event_type = std::move(value);
      } else if (name == ":exception-type" || name == ":error-code") {
        message.error = value + (message.error.empty() ? "" : " " + message.error);
      } else if (name == ":error-message") {
        message.error += (message.error.empty() ? "" : ": ") + value;
      }
    }
    at += value_len;
  }
}

// The size on a chunk-size line (hex digits, then any extensions after ';').
size_t ParseChunkSize(std::string_view line) {
  size_t size = 0;
  size_t digits = 0;
  for (char c : line) {
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0) break;  // chunk extensions follow a ';'
    if (++digits > 8) throw BenchFailure("chunked body: chunk size too large");
    size = size * 16 + static_cast<size_t>(v);
  }
  if (digits == 0) throw BenchFailure("chunked body: bad chunk size line");
  return size;
}

}  // namespace

uint32_t Crc32(std::string_view bytes, uint32_t crc) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (char ch : bytes) crc = table[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

void EventStreamDecoder::Feed(std::string_view bytes,
                              const std::function<void(const EventMessage&)>& on_message) {
  buffer_.append(bytes);
  size_t at = 0;
  while (buffer_.size() - at >= 12) {
    std::string_view rest = std::string_view(buffer_).substr(at);
    const uint32_t total = ReadU32(rest, 0);
    const uint32_t headers = ReadU32(rest, 4);
    if (total < 16 || total > kMaxEventMessageBytes || headers > total - 16) {
      throw BenchFailure("event stream: bad prelude (total " + std::to_string(total) +
                         ", headers " + std::to_string(headers) + ")");
    }
    if (Crc32(rest.substr(0, 8)) != ReadU32(rest, 8)) {
      throw BenchFailure("event stream: prelude CRC mismatch");
    }
    if (rest.size() < total) break;
    std::string_view whole = rest.substr(0, total);
    if (Crc32(whole.substr(0, total - 4)) != ReadU32(whole, total - 4)) {
      throw BenchFailure("event stream: message CRC mismatch");
    }
    EventMessage message;
    ParseHeaders(whole.substr(12, headers), message);
    message.payload.assign(whole.substr(12 + headers, total - 16 - headers));
    at += total;
    on_message(message);
  }
  buffer_.erase(0, at);
}

void ChunkedDecoder::Feed(std::string_view bytes, std::string& out) {
  buffer_.append(bytes);
  size_t at = 0;
  for (;;) {
    if (state_ == State::kData) {
      const size_t take = std::min(remaining_, buffer_.size() - at);
      out.append(buffer_, at, take);
      at += take;
      remaining_ -= take;
      if (remaining_ > 0) break;
      state_ = State::kDataEnd;
    }
    if (state_ == State::kDone) break;
    const size_t eol = buffer_.find("\r\n", at);
    if (eol == std::string::npos) {
      if (buffer_.size() - at > 4096) throw BenchFailure("chunked body: line too long");
      break;
    }
    std::string_view line(buffer_.data() + at, eol - at);
    at = eol + 2;
    if (state_ == State::kDataEnd) {
      if (!line.empty()) throw BenchFailure("chunked body: no CRLF after a chunk");
      state_ = State::kSize;
    } else if (state_ == State::kSize) {
      remaining_ = ParseChunkSize(line);
      state_ = remaining_ == 0 ? State::kTrailers : State::kData;
    } else if (line.empty()) {  // kTrailers: an empty line ends the body
      state_ = State::kDone;
    }
  }
  buffer_.erase(0, at);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<size_t>(k)];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = value(c)) < 0) {
        return std::nullopt;
      }
    }
    const uint32_t n =
        (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

}  // namespace kinesim::bench
