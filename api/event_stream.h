// The `application/vnd.amazon.eventstream` framing SubscribeToShard answers with: a body made of
// self-delimiting binary messages, each with its own headers and payload.
//
// One message on the wire (integers big-endian):
//   total length (u32) | headers length (u32) | CRC32 of the 8 bytes before (u32)
//   headers           : name length (u8) | name | type (u8) | value, one after another
//   payload           : total length - headers length - 16 bytes
//   CRC32 of everything before (u32)
// A string header (type 7) and a byte array (type 6) have a u16 length before their value; the
// other types have fixed sizes. kinesim's answers carry only string headers; the encoder and the
// decoder handle every type AWS defines, so tests can build and check any stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kinesim::api {

// Header value types, as the format numbers them.
enum class EventHeaderType : uint8_t {
  kTrue = 0,
  kFalse = 1,
  kByte = 2,
  kShort = 3,
  kInteger = 4,
  kLong = 5,
  kBytes = 6,
  kString = 7,
  kTimestamp = 8,
  kUuid = 9,
};

struct EventHeader {
  std::string name;
  std::string value;  // a string's or byte array's bytes; fixed-size types: their raw bytes
  EventHeaderType type = EventHeaderType::kString;
};

struct EventMessage {
  std::vector<EventHeader> headers;
  std::string payload;

  // The value of the first header called `name`, or "" when there is none.
  std::string_view header(std::string_view name) const;
};

// Limits of the format: longer names or values cannot be framed, and a decoder refuses larger
// messages.
constexpr size_t kMaxEventHeaderName = 255;
constexpr size_t kMaxEventHeaderValue = 32767;
constexpr size_t kMaxEventHeadersBytes = 128 * 1024;
constexpr size_t kMaxEventPayloadBytes = 24 * 1024 * 1024;
constexpr size_t kEventPreludeBytes = 12;
constexpr size_t kEventOverheadBytes = kEventPreludeBytes + 4;  // prelude and message CRC

// The message's bytes. Headers are written in order, each with its `type`. Names and values must
// fit the limits above, and a fixed-size type's value must have that type's size (callers build
// them from constants and AWS names).
std::string encode_event_message(const EventMessage& message);

// Reads messages out of a byte stream that arrives in pieces (tests; fuzzing). After an error
// the decoder stays failed.
class EventStreamDecoder {
 public:
  enum class Status { kMessage, kNeedMore, kMalformed };

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // Takes the next whole message out of what was fed. kMalformed carries a reason in error().
  Status next(EventMessage& out);
  const std::string& error() const { return error_; }
  // Bytes fed but not yet part of a returned message.
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  Status fail(std::string reason);

  std::string buffer_;
  size_t consumed_ = 0;
  std::string error_;
};

}  // namespace kinesim::api
