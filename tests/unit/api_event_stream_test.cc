// The application/vnd.amazon.eventstream framing (api/event_stream.h): known encodings, checked
// by hand against the format's definition, and a decoder that refuses what is damaged.
#include <gtest/gtest.h>

#include <boost/crc.hpp>
#include <string>
#include <vector>

#include "api/event_stream.h"

namespace kinesim::api {
namespace {

std::string bytes(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

uint32_t crc32(std::string_view s) {
  boost::crc_32_type crc;
  crc.process_bytes(s.data(), s.size());
  return crc.checksum();
}

std::string be32(uint32_t v) {
  return bytes({static_cast<int>(v >> 24), static_cast<int>((v >> 16) & 0xff),
                static_cast<int>((v >> 8) & 0xff), static_cast<int>(v & 0xff)});
}

// A message framed around raw header bytes (any header types, even broken ones), with correct
// checksums, so the decoder's header parsing can be tested on its own.
std::string frame(const std::string& headers, const std::string& payload) {
  std::string out = be32(static_cast<uint32_t>(16 + headers.size() + payload.size())) +
                    be32(static_cast<uint32_t>(headers.size()));
  out += be32(crc32(out));
  out += headers + payload;
  out += be32(crc32(out));
  return out;
}

std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// A message with no headers and no payload is the 16 bytes of overhead alone: total length 16,
// headers length 0, CRC32 of those 8 bytes, then CRC32 of the 12 bytes before it.
const std::string kEmptyMessage = bytes({0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,  //
                                         0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff});

// Payload {'foo':'bar'} (13 bytes), no headers: 29 bytes.
const std::string kPayloadOnly =
    bytes({0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52, 0x8c, 0x5a}) +
    "{'foo':'bar'}" + bytes({0xc3, 0x65, 0x39, 0x36});

// One string header content-type: application/json (1 + 12 + 1 + 2 + 16 = 32 bytes of headers)
// and the same payload: 61 bytes.
const std::string kOneHeader =
    bytes({0x00, 0x00, 0x00, 0x3d, 0x00, 0x00, 0x00, 0x20, 0x07, 0xfd, 0x83, 0x96}) +
    bytes({0x0c}) + "content-type" + bytes({0x07, 0x00, 0x10}) + "application/json" +
    "{'foo':'bar'}" + bytes({0x8d, 0x9c, 0x08, 0xb1});

TEST(EventStreamTest, EncodesAnEmptyMessage) {
  EXPECT_EQ(hex(encode_event_message(EventMessage{})), hex(kEmptyMessage));
}

TEST(EventStreamTest, EncodesAPayloadWithoutHeaders) {
  EventMessage m;
  m.payload = "{'foo':'bar'}";
  EXPECT_EQ(hex(encode_event_message(m)), hex(kPayloadOnly));
}

TEST(EventStreamTest, EncodesAStringHeader) {
  EventMessage m;
  m.headers = {{"content-type", "application/json"}};
  m.payload = "{'foo':'bar'}";
  EXPECT_EQ(hex(encode_event_message(m)), hex(kOneHeader));
}

TEST(EventStreamTest, DecodesTheKnownMessages) {
  EventStreamDecoder d;
  d.feed(kEmptyMessage + kPayloadOnly + kOneHeader);
  EventMessage m;
  ASSERT_EQ(d.next(m), EventStreamDecoder::Status::kMessage);
  EXPECT_TRUE(m.headers.empty());
  EXPECT_EQ(m.payload, "");
  ASSERT_EQ(d.next(m), EventStreamDecoder::Status::kMessage);
  EXPECT_TRUE(m.headers.empty());
  EXPECT_EQ(m.payload, "{'foo':'bar'}");
  ASSERT_EQ(d.next(m), EventStreamDecoder::Status::kMessage);
  ASSERT_EQ(m.headers.size(), 1u);
  EXPECT_EQ(m.headers[0].name, "content-type");
  EXPECT_EQ(m.headers[0].type, EventHeaderType::kString);
  EXPECT_EQ(m.header("content-type"), "application/json");
  EXPECT_EQ(m.payload, "{'foo':'bar'}");
  EXPECT_EQ(d.next(m), EventStreamDecoder::Status::kNeedMore);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(EventStreamTest, DecodesAMessageThatArrivesByteByByte) {
  EventMessage sent;
  sent.headers = {{":message-type", "event"},
                  {":event-type", "SubscribeToShardEvent"},
                  {":content-type", "application/json"}};
  sent.payload = R"({"Records":[],"MillisBehindLatest":0})";
  const std::string wire = encode_event_message(sent);
  EventStreamDecoder d;
  EventMessage got;
  for (size_t i = 0; i + 1 < wire.size(); ++i) {
    d.feed(wire.substr(i, 1));
    ASSERT_EQ(d.next(got), EventStreamDecoder::Status::kNeedMore) << "after " << i + 1 << " bytes";
  }
  d.feed(wire.substr(wire.size() - 1));
  ASSERT_EQ(d.next(got), EventStreamDecoder::Status::kMessage);
  ASSERT_EQ(got.headers.size(), 3u);
  EXPECT_EQ(got.header(":message-type"), "event");
  EXPECT_EQ(got.header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(got.header(":content-type"), "application/json");
  EXPECT_EQ(got.payload, sent.payload);
}

TEST(EventStreamTest, DecodesEveryHeaderType) {
  const std::string headers = bytes({1}) + "t" + bytes({0}) +                           // true
                              bytes({1}) + "f" + bytes({1}) +                           // false
                              bytes({1}) + "b" + bytes({2, 0x7f}) +                     // byte
                              bytes({1}) + "s" + bytes({3, 0x01, 0x02}) +               // short
                              bytes({1}) + "i" + bytes({4, 0, 0, 0, 9}) +               // integer
                              bytes({1}) + "l" + bytes({5, 0, 0, 0, 0, 0, 0, 0, 7}) +   // long
                              bytes({1}) + "a" + bytes({6, 0, 2, 0xff, 0x00}) +         // bytes
                              bytes({1}) + "m" + bytes({8, 0, 0, 1, 0, 0, 0, 0, 0}) +   // time
                              bytes({1}) + "u" + bytes({9}) + std::string(16, '\x11');  // uuid
  EventStreamDecoder d;
  d.feed(frame(headers, "x"));
  EventMessage m;
  ASSERT_EQ(d.next(m), EventStreamDecoder::Status::kMessage) << d.error();
  ASSERT_EQ(m.headers.size(), 9u);
  const std::vector<std::pair<EventHeaderType, std::string>> expected = {
      {EventHeaderType::kTrue, ""},
      {EventHeaderType::kFalse, ""},
      {EventHeaderType::kByte, bytes({0x7f})},
      {EventHeaderType::kShort, bytes({1, 2})},
      {EventHeaderType::kInteger, bytes({0, 0, 0, 9})},
      {EventHeaderType::kLong, bytes({0, 0, 0, 0, 0, 0, 0, 7})},
      {EventHeaderType::kBytes, bytes({0xff, 0x00})},
      {EventHeaderType::kTimestamp, bytes({0, 0, 1, 0, 0, 0, 0, 0})},
      {EventHeaderType::kUuid, std::string(16, '\x11')},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(m.headers[i].type, expected[i].first) << i;
    EXPECT_EQ(m.headers[i].value, expected[i].second) << i;
  }
  EXPECT_EQ(m.payload, "x");
}

// The encoder writes each header with its type, so any stream a test needs can be built: the
// bytes are exactly the frame above's, and they decode to the same message.
TEST(EventStreamTest, EncodesEveryHeaderType) {
  EventMessage m;
  m.headers = {{"t", "", EventHeaderType::kTrue},
               {"s", bytes({1, 2}), EventHeaderType::kShort},
               {"a", bytes({0xff, 0x00}), EventHeaderType::kBytes},
               {"u", std::string(16, '\x11'), EventHeaderType::kUuid},
               {"n", "text", EventHeaderType::kString}};
  m.payload = "x";
  const std::string headers = bytes({1}) + "t" + bytes({0}) +                            // true
                              bytes({1}) + "s" + bytes({3, 0x01, 0x02}) +                // short
                              bytes({1}) + "a" + bytes({6, 0, 2, 0xff, 0x00}) +          // bytes
                              bytes({1}) + "u" + bytes({9}) + std::string(16, '\x11') +  // uuid
                              bytes({1}) + "n" + bytes({7, 0, 4}) + "text";              // string
  const std::string wire = encode_event_message(m);
  EXPECT_EQ(hex(wire), hex(frame(headers, "x")));
  EventStreamDecoder d;
  d.feed(wire);
  EventMessage got;
  ASSERT_EQ(d.next(got), EventStreamDecoder::Status::kMessage) << d.error();
  ASSERT_EQ(got.headers.size(), m.headers.size());
  for (size_t i = 0; i < m.headers.size(); ++i) {
    EXPECT_EQ(got.headers[i].name, m.headers[i].name) << i;
    EXPECT_EQ(got.headers[i].type, m.headers[i].type) << i;
    EXPECT_EQ(got.headers[i].value, m.headers[i].value) << i;
  }
}

TEST(EventStreamTest, RefusesHeadersThatDoNotParse) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {bytes({0}) + bytes({7, 0, 0}), "empty header name"},
      {bytes({5}) + "ab", "header runs past the headers"},
      {bytes({1}) + "a" + bytes({10}), "unknown header type 10"},
      {bytes({1}) + "a" + bytes({7, 0, 9}) + "abc", "header runs past the headers"},
      {bytes({1}) + "a" + bytes({4, 0, 0}), "header runs past the headers"},
  };
  for (const auto& [headers, reason] : cases) {
    EventStreamDecoder d;
    d.feed(frame(headers, "{}"));
    EventMessage m;
    EXPECT_EQ(d.next(m), EventStreamDecoder::Status::kMalformed) << reason;
    EXPECT_EQ(d.error(), reason);
  }
}

TEST(EventStreamTest, RefusesLengthsThatDoNotAddUp) {
  // A prelude with a correct checksum whose headers would end past the message.
  std::string prelude = bytes({0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01});
  prelude += be32(crc32(prelude));
  EventStreamDecoder d;
  d.feed(prelude);
  EventMessage m;
  EXPECT_EQ(d.next(m), EventStreamDecoder::Status::kMalformed);
  EXPECT_EQ(d.error(), "message length smaller than its parts");

  // A total length below the 16 bytes every message has.
  prelude = bytes({0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00});
  prelude += be32(crc32(prelude));
  EventStreamDecoder d2;
  d2.feed(prelude);
  EXPECT_EQ(d2.next(m), EventStreamDecoder::Status::kMalformed);

  // A payload over 24 MiB is refused from its prelude, before it arrives.
  prelude = bytes({0x01, 0x80, 0x00, 0x11, 0x00, 0x00, 0x00, 0x00});
  prelude += be32(crc32(prelude));
  EventStreamDecoder d3;
  d3.feed(prelude);
  EXPECT_EQ(d3.next(m), EventStreamDecoder::Status::kMalformed);
  EXPECT_EQ(d3.error(), "payload too long");
}

TEST(EventStreamTest, RefusesADamagedPrelude) {
  std::string wire = kOneHeader;
  wire[3] = 0x3e;  // total length no longer matches the prelude CRC
  EventStreamDecoder d;
  d.feed(wire);
  EventMessage m;
  EXPECT_EQ(d.next(m), EventStreamDecoder::Status::kMalformed);
  EXPECT_EQ(d.error(), "prelude checksum mismatch");
  d.feed(kEmptyMessage);
  EXPECT_EQ(d.next(m), EventStreamDecoder::Status::kMalformed) << "a failed decoder stays failed";
}

TEST(EventStreamTest, RefusesADamagedPayload) {
  std::string wire = kOneHeader;
  wire[wire.size() - 6] = 'X';  // inside the payload
  EventStreamDecoder d;
  d.feed(wire);
  EventMessage m;
  EXPECT_EQ(d.next(m), EventStreamDecoder::Status::kMalformed);
  EXPECT_EQ(d.error(), "message checksum mismatch");
}

}  // namespace
}  // namespace kinesim::api
