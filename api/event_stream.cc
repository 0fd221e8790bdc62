#include "api/event_stream.h"

#include <boost/crc.hpp>

namespace kinesim::api {
namespace {

uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void put_u32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, sizeof bytes);
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

uint16_t get_u16(std::string_view bytes, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(bytes[at]) << 8) |
                               static_cast<unsigned char>(bytes[at + 1]));
}

// Bytes a value of a fixed-size type takes; -1 for types with a length prefix or unknown ones.
int fixed_value_size(EventHeaderType type) {
  switch (type) {
    case EventHeaderType::kTrue:
    case EventHeaderType::kFalse:
      return 0;
    case EventHeaderType::kByte:
      return 1;
    case EventHeaderType::kShort:
      return 2;
    case EventHeaderType::kInteger:
      return 4;
    case EventHeaderType::kLong:
    case EventHeaderType::kTimestamp:
      return 8;
    case EventHeaderType::kUuid:
      return 16;
    case EventHeaderType::kBytes:
    case EventHeaderType::kString:
      break;
  }
  return -1;
}

}  // namespace

std::string_view EventMessage::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

std::string encode_event_message(const EventMessage& message) {
  std::string headers;
  for (const auto& h : message.headers) {
    headers.push_back(static_cast<char>(h.name.size()));
    headers += h.name;
    headers.push_back(static_cast<char>(h.type));
    if (fixed_value_size(h.type) < 0) {
      headers.push_back(static_cast<char>(h.value.size() >> 8));
      headers.push_back(static_cast<char>(h.value.size()));
    }
    headers += h.value;
  }
  const size_t total = kEventOverheadBytes + headers.size() + message.payload.size();
  std::string out;
  out.reserve(total);
  put_u32(out, static_cast<uint32_t>(total));
  put_u32(out, static_cast<uint32_t>(headers.size()));
  put_u32(out, crc32(out));
  out += headers;
  out += message.payload;
  put_u32(out, crc32(out));
  return out;
}

EventStreamDecoder::Status EventStreamDecoder::fail(std::string reason) {
  error_ = std::move(reason);
  return Status::kMalformed;
}

EventStreamDecoder::Status EventStreamDecoder::next(EventMessage& out) {
  if (!error_.empty()) return Status::kMalformed;
  const std::string_view rest = std::string_view(buffer_).substr(consumed_);
  if (rest.size() < kEventPreludeBytes) return Status::kNeedMore;
  const uint32_t total = get_u32(rest, 0);
  const uint32_t headers_length = get_u32(rest, 4);
  // The prelude is checked before its lengths are trusted.
  if (get_u32(rest, 8) != crc32(rest.substr(0, 8))) return fail("prelude checksum mismatch");
  if (total < kEventOverheadBytes || headers_length > total - kEventOverheadBytes) {
    return fail("message length smaller than its parts");
  }
  if (headers_length > kMaxEventHeadersBytes) return fail("headers too long");
  if (total - kEventOverheadBytes - headers_length > kMaxEventPayloadBytes) {
    return fail("payload too long");
  }
  if (rest.size() < total) return Status::kNeedMore;
  const std::string_view message = rest.substr(0, total);
  if (get_u32(message, total - 4) != crc32(message.substr(0, total - 4))) {
    return fail("message checksum mismatch");
  }

  EventMessage decoded;
  const std::string_view headers = message.substr(kEventPreludeBytes, headers_length);
  size_t at = 0;
  while (at < headers.size()) {
    const size_t name_length = static_cast<unsigned char>(headers[at++]);
    if (name_length == 0) return fail("empty header name");
    if (headers.size() - at < name_length + 1) return fail("header runs past the headers");
    EventHeader h;
    h.name = std::string(headers.substr(at, name_length));
    at += name_length;
    const auto type_byte = static_cast<unsigned char>(headers[at++]);
    if (type_byte > static_cast<unsigned char>(EventHeaderType::kUuid)) {
      return fail("unknown header type " + std::to_string(type_byte));
    }
    h.type = static_cast<EventHeaderType>(type_byte);
    size_t value_length = 0;
    if (const int fixed = fixed_value_size(h.type); fixed >= 0) {
      value_length = static_cast<size_t>(fixed);
    } else {
      if (headers.size() - at < 2) return fail("header runs past the headers");
      value_length = get_u16(headers, at);
      at += 2;
    }
    if (headers.size() - at < value_length) return fail("header runs past the headers");
    h.value = std::string(headers.substr(at, value_length));
    at += value_length;
    decoded.headers.push_back(std::move(h));
  }
  decoded.payload = std::string(message.substr(kEventPreludeBytes + headers_length,
                                               total - kEventOverheadBytes - headers_length));
  consumed_ += total;
  // Drop what was read once it is most of the buffer, so a long stream does not keep it all.
  if (consumed_ > buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  out = std::move(decoded);
  return Status::kMessage;
}

}  // namespace kinesim::api
