// Just enough CBOR (RFC 8949) for the bench to speak Kinesis' application/x-amz-cbor-1.1: a
// writer for the maps, arrays, text and byte strings of a PutRecords request, and a reader
// that finds one entry of a response's top-level map. Written here rather than taken from a
// library so that the bench keeps linking nothing of the server it measures, and so that
// encoding a request costs no allocation beyond the output buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kinesim::bench::cbor {

// Major types (the top three bits of an item's first byte).
inline constexpr uint8_t kUnsigned = 0;
inline constexpr uint8_t kNegative = 1;
inline constexpr uint8_t kBytes = 2;
inline constexpr uint8_t kText = 3;
inline constexpr uint8_t kArray = 4;
inline constexpr uint8_t kMap = 5;
inline constexpr uint8_t kTag = 6;
inline constexpr uint8_t kSimple = 7;

// Appends the head of an item of `major` type with argument `value` (a length, a count or the
// integer itself), in the shortest form.
void AppendHead(std::string& out, uint8_t major, uint64_t value);

inline void AppendMap(std::string& out, uint64_t pairs) { AppendHead(out, kMap, pairs); }
inline void AppendArray(std::string& out, uint64_t items) { AppendHead(out, kArray, items); }
inline void AppendText(std::string& out, std::string_view text) {
  AppendHead(out, kText, text.size());
  out.append(text);
}
inline void AppendBytes(std::string& out, std::string_view bytes) {
  AppendHead(out, kBytes, bytes.size());
  out.append(bytes);
}

// The unsigned integer stored under the text key `key` of the map that `body` holds, or nullopt
// when `body` is not one well-formed map, the key is absent, or its value is not an unsigned
// integer.
std::optional<uint64_t> MapUnsigned(std::string_view body, std::string_view key);

// The same for a text value (definite-length), e.g. "__type" and "message" of an error body.
std::optional<std::string> MapText(std::string_view body, std::string_view key);

}  // namespace kinesim::bench::cbor
