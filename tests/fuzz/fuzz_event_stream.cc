// Fuzzes the event-stream framing SubscribeToShard answers in (api/event_stream.h): the decoder
// on arbitrary bytes, and the encoder and decoder on messages built from the input.
//
// Input layout:
//   byte 0    the mode, b % 3:
//               0  the rest is a byte stream, decoded as it is (almost every input fails a
//                  checksum, which is what a decoder mostly meets);
//               1  the same, with each frame's prelude and message checksums set right first,
//                  so the fuzzer reaches the lengths and headers behind them;
//               2  the rest is a recipe for messages (make_messages), which are encoded, then
//                  decoded
//   byte 1    how many bytes the decoder is fed at a time (0: all at once)
//   the rest  as the mode says
//
// Beyond what the sanitizers catch:
//  - fed in pieces or at once, the decoder reads the same messages and stops the same way;
//  - every message it reads, encoded again, is exactly the bytes it was read from (prelude,
//    lengths, header types, checksums), and each header value has its type's size;
//  - an encoded message decodes to the message (names, types, values, payload, in order); cut
//    short by one byte it needs more; any one byte changed, it is malformed (a CRC32 catches
//    every error within 32 bits).

#include <boost/crc.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api/event_stream.h"
#include "tests/fuzz/fixtures.h"

namespace {

using kinesim::api::EventHeader;
using kinesim::api::EventHeaderType;
using kinesim::api::EventMessage;
using kinesim::api::EventStreamDecoder;
using kinesim::fuzz::die;
namespace api = kinesim::api;

void check(bool ok, const std::string& what) {
  if (!ok) die("event stream: " + what);
}

uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

void put_u32(std::string& bytes, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

// The size a value of `type` has, or -1 for the types with a length before their value.
int fixed_size(EventHeaderType type) {
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

bool same(const EventMessage& a, const EventMessage& b) {
  if (a.payload != b.payload || a.headers.size() != b.headers.size()) return false;
  for (size_t i = 0; i < a.headers.size(); ++i) {
    const EventHeader& x = a.headers[i];
    const EventHeader& y = b.headers[i];
    if (x.name != y.name || x.type != y.type || x.value != y.value) return false;
  }
  return true;
}

// What a decoder made of a stream: the messages, and the status it ended on.
struct Decoded {
  std::vector<EventMessage> messages;
  EventStreamDecoder::Status last = EventStreamDecoder::Status::kNeedMore;
  size_t buffered = 0;
};

// Feeds `stream` `piece` bytes at a time (all of it when 0), taking every message out after each
// piece, until the decoder fails or the stream ends.
Decoded decode(std::string_view stream, size_t piece) {
  if (piece == 0) piece = stream.size() + 1;
  EventStreamDecoder decoder;
  Decoded out;
  size_t fed = 0;
  do {
    const size_t n = std::min(piece, stream.size() - fed);
    decoder.feed(stream.substr(fed, n));
    fed += n;
    EventMessage m;
    while ((out.last = decoder.next(m)) == EventStreamDecoder::Status::kMessage) {
      out.messages.push_back(std::move(m));
    }
    if (out.last == EventStreamDecoder::Status::kMalformed) {
      check(!decoder.error().empty(), "malformed without a reason");
      // A failed decoder stays failed, whatever comes.
      decoder.feed(stream.substr(fed));
      check(decoder.next(m) == EventStreamDecoder::Status::kMalformed, "recovered from an error");
      break;
    }
  } while (fed < stream.size());
  out.buffered = decoder.buffered();
  return out;
}

// Decodes `stream` in pieces and at once, and checks each message against the bytes it came from.
void check_decoder(std::string_view stream, size_t piece) {
  const Decoded pieces = decode(stream, piece);
  const Decoded whole = decode(stream, 0);
  check(pieces.last == whole.last && pieces.messages.size() == whole.messages.size(),
        "decoding in pieces differs from decoding at once");
  size_t at = 0;
  for (size_t i = 0; i < whole.messages.size(); ++i) {
    const EventMessage& m = whole.messages[i];
    check(same(m, pieces.messages[i]), "a message differs when decoded in pieces");
    for (const auto& h : m.headers) {
      check(!h.name.empty() && h.name.size() <= api::kMaxEventHeaderName, "header name size");
      const int size = fixed_size(h.type);
      check(size < 0 ? h.value.size() <= 65535 : h.value.size() == static_cast<size_t>(size),
            "header value size does not fit its type");
    }
    const std::string again = api::encode_event_message(m);
    check(again == stream.substr(at, again.size()), "a decoded message encodes differently");
    at += again.size();
  }
  if (whole.last == EventStreamDecoder::Status::kNeedMore) {
    check(whole.buffered == stream.size() - at, "buffered() is not what was left");
  }
}

// Sets each frame's prelude and message checksums to match its bytes, where the lengths fit.
std::string fix_checksums(std::string stream) {
  size_t at = 0;
  while (stream.size() - at >= api::kEventPreludeBytes) {
    put_u32(stream, at + 8, crc32(std::string_view(stream).substr(at, 8)));
    const uint32_t total = get_u32(stream, at);
    if (total < api::kEventOverheadBytes || total > stream.size() - at) break;
    put_u32(stream, at + total - 4, crc32(std::string_view(stream).substr(at, total - 4)));
    at += total;
  }
  return stream;
}

// Reads a recipe out of the input, one byte at a time (zeros once it runs out).
class Recipe {
 public:
  explicit Recipe(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ >= bytes_.size(); }
  uint8_t byte() { return done() ? 0 : static_cast<uint8_t>(bytes_[at_++]); }
  std::string take(size_t n) {
    std::string out(bytes_.substr(std::min(at_, bytes_.size()), n));
    at_ += out.size();
    out.resize(n, 'x');  // past the input: filler
    return out;
  }
  size_t left() const { return done() ? 0 : bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

// Messages from a recipe: per message, a header count (b % 8), then per header a name length
// (1 to 255), its bytes, a type (b % 10) and a value (the type's size, or a two-byte length up to
// the format's limit), then a two-byte payload length and the payload.
std::vector<EventMessage> make_messages(std::string_view recipe_bytes) {
  Recipe r(recipe_bytes);
  std::vector<EventMessage> messages;
  while (!r.done() && messages.size() < 16) {
    EventMessage m;
    const int headers = r.byte() % 8;
    for (int i = 0; i < headers; ++i) {
      EventHeader h;
      const uint8_t name_length = r.byte();
      h.name = r.take(name_length == 0 ? 1 : name_length);
      h.type = static_cast<EventHeaderType>(r.byte() % 10);
      const int size = fixed_size(h.type);
      size_t length = static_cast<size_t>(size);
      if (size < 0) {
        length = (size_t{r.byte()} << 8) | r.byte();
        length = std::min({length, api::kMaxEventHeaderValue, r.left()});
      }
      h.value = r.take(length);
      m.headers.push_back(std::move(h));
    }
    size_t payload = (size_t{r.byte()} << 8) | r.byte();
    m.payload = r.take(std::min(payload, r.left()));
    messages.push_back(std::move(m));
  }
  return messages;
}

void check_round_trip(std::string_view recipe, size_t piece, uint8_t salt) {
  const std::vector<EventMessage> sent = make_messages(recipe);
  std::string stream;
  std::vector<size_t> starts;
  for (const auto& m : sent) {
    starts.push_back(stream.size());
    const std::string bytes = api::encode_event_message(m);
    size_t headers = 0;
    for (const auto& h : m.headers) {
      headers += 2 + h.name.size() + h.value.size() + (fixed_size(h.type) < 0 ? 2 : 0);
    }
    check(get_u32(bytes, 0) == bytes.size(), "prelude total length");
    check(get_u32(bytes, 4) == headers, "prelude headers length");
    check(bytes.size() == api::kEventOverheadBytes + headers + m.payload.size(), "message size");
    stream += bytes;
  }
  const Decoded got = decode(stream, piece);
  check(got.last == EventStreamDecoder::Status::kNeedMore && got.buffered == 0,
        "encoded messages do not decode cleanly");
  check(got.messages.size() == sent.size(), "message count");
  for (size_t i = 0; i < sent.size(); ++i) {
    check(same(sent[i], got.messages[i]), "message " + std::to_string(i) + " changed");
  }
  if (sent.empty()) return;

  // The first message, one byte short, waits for more; with one byte changed, it is refused.
  const std::string first = stream.substr(0, sent.size() > 1 ? starts[1] : stream.size());
  const Decoded short_one = decode(std::string_view(first).substr(0, first.size() - 1), 0);
  check(short_one.messages.empty() && short_one.last == EventStreamDecoder::Status::kNeedMore,
        "a message one byte short did not wait for more");
  std::string corrupt = first;
  uint32_t position = salt;
  for (char c : recipe) position = position * 31 + static_cast<unsigned char>(c);
  corrupt[position % corrupt.size()] ^= static_cast<char>(salt == 0 ? 1 : salt);
  const Decoded bad = decode(corrupt, 0);
  check(bad.messages.empty() && bad.last == EventStreamDecoder::Status::kMalformed,
        "a changed byte went unnoticed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t piece = data[1];
  switch (data[0] % 3) {
    case 0:
      check_decoder(rest, piece);
      break;
    case 1:
      check_decoder(fix_checksums(std::string(rest)), piece);
      break;
    default:
      check_round_trip(rest, piece, static_cast<uint8_t>(data[0] / 3));
      break;
  }
  return 0;
}
