// Decoding a SubscribeToShard response as it arrives: HTTP/1.1 chunked framing, then Kinesis'
// event-stream messages (application/vnd.amazon.eventstream): a prelude of total length,
// header-block length (both u32 big-endian) and a CRC32 of those 8 bytes; the header block; the
// payload; and a CRC32 of everything before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kinesim::bench {

// Event-stream messages are at most 16 MiB.
inline constexpr uint32_t kMaxEventMessageBytes = 16 * 1024 * 1024;

// CRC-32 (IEEE 802.3, as zlib computes it) of `bytes`, continuing from `crc`.
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

// One decoded message: the string headers that matter here, and the payload.
struct EventMessage {
  std::string message_type;  // :message-type: event, exception or error
  std::string event_type;    // :event-type: initial-response, SubscribeToShardEvent
  std::string error;         // :exception-type or :error-code, then any :error-message
  std::string payload;
};

// Splits a byte stream into event-stream messages, checking both CRCs of each. Throws
// BenchFailure on a malformed message; the stream cannot be resynchronised after that.
class EventStreamDecoder {
 public:
  // Appends `bytes` and hands every message completed so far to `on_message`.
  void Feed(std::string_view bytes, const std::function<void(const EventMessage&)>& on_message);

 private:
  std::string buffer_;
};

// Removes HTTP/1.1 chunked framing from a body that arrives in pieces. Throws BenchFailure on
// bad framing.
class ChunkedDecoder {
 public:
  // True once the last chunk and the trailers have been read.
  bool done() const { return state_ == State::kDone; }

  // Appends the body bytes found in `bytes` to `out`.
  void Feed(std::string_view bytes, std::string& out);

 private:
  enum class State { kSize, kData, kDataEnd, kTrailers, kDone };

  State state_ = State::kSize;
  size_t remaining_ = 0;
  std::string buffer_;
};

// Standard base64 (padded) decoded, or nullopt when `text` is not that.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace kinesim::bench
