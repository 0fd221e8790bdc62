// CBOR (application/x-amz-cbor-1.1), the binary wire format the Java SDKs and the KPL use for
// Kinesis by default. It carries the same members as JSON, with two differences that matter:
// blobs are CBOR byte strings (not base64 text), and timestamps are tag 1 over *milliseconds*
// since the epoch (the AWS SDKs' convention, not RFC 8949's seconds). Operation handlers never
// see this file; they read Input and write Output (api/codec.h).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"
#include "api/error.h"

namespace kinesim::api {

// Containers nested deeper than this are refused. Kinesis requests nest four levels at most; the
// bound keeps a hostile body's bookkeeping small.
constexpr std::size_t kMaxCborNesting = 1000;

// Decodes one CBOR data item, the whole of `body`, into `doc`, the document validation and
// Input read (api/validation.h), with blobs as raw bytes (BlobEncoding::kRaw):
//  - text and byte strings become strings; definite-length ones point into `body`, which must
//    outlive `doc`; indefinite-length ones are joined into `doc`'s allocator;
//  - unsigned and negative integers become integers (doubles below the int64 range); half,
//    single and double floats become doubles;
//  - tag 1 over a number (integer or float) is a timestamp in epoch milliseconds and becomes
//    epoch seconds as a double, which is how the JSON path holds a timestamp; other tags are
//    read through (their content is kept);
//  - true, false, null; undefined reads as null.
// Fails with a bare SerializationException, leaving `doc` unspecified, for anything else:
// an empty or truncated body, bytes after the item, malformed or reserved encodings, a text
// string (or chunk of one) that is not well-formed UTF-8, a map key that is not a text string, tag
// 1 over a non-number, NaN or infinities, a declared length or count the body cannot hold, or
// nesting beyond kMaxCborNesting. Memory use is linear in the body's size whatever it declares, and
// nothing recurses on the stack.
std::optional<Error> decode_cbor(std::string_view body, rapidjson::Document& doc);

// CBOR response writer: definite-length maps and arrays (RFC 8949's preferred serialization),
// byte strings for blobs, tag 1 over integer epoch milliseconds for timestamps, the shortest
// heads for integers. Text strings are always well-formed UTF-8: bytes that are not (a byte string
// a client sent for a string member, echoed in a message) are written as U+FFFD. Writes straight
// into one string; a container's head is patched when it ends, and only a container of 24 or more
// entries moves the bytes written after its head.
class CborOutput final : public Output {
 public:
  void begin_object() override;
  void end_object() override;
  void begin_array() override;
  void end_array() override;
  void key(std::string_view k) override;
  void string(std::string_view s) override;
  void blob(std::string_view bytes) override;
  void integer(int64_t v) override;
  void boolean(bool v) override;
  void timestamp_ms(int64_t epoch_ms) override;
  void null() override;
  // The finished body; every container begun must have ended.
  std::string take();

 private:
  struct Container {
    std::size_t head;     // offset of the container's one-byte placeholder head in out_
    std::uint8_t major;   // 0x80 array, 0xa0 map
    std::uint64_t items;  // values written into it (a map's keys and values both count)
  };
  void start(std::uint8_t major);
  void finish();
  void count_item();

  std::string out_;
  std::vector<Container> open_;
};

}  // namespace kinesim::api
