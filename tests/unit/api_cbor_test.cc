// CBOR (application/x-amz-cbor-1.1): decoding and encoding against RFC 8949's Appendix A, hostile
// bodies, and requests written byte by byte the way the Java SDK v2 sends them, answered through
// the in-process server. Responses are read back with libcbor's own tree decoder, not kinesim's.
#include <cbor.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/cbor.h"
#include "api/codec.h"
#include "cbor_test_util.h"
#include "server_test_fixture.h"

namespace kinesim {
namespace {

using api::CborOutput;
using namespace cbor_test;
using api::decode_cbor;

// ---------------------------------------------------------------------------------------------
// Helpers

// Bytes from hex digits ("c11a514b67b0"); spaces are ignored.
std::string unhex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    const int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// One decoded body: the bytes stay alive beside the document whose strings point into them.
struct Decoded {
  std::string bytes;
  rapidjson::Document doc;
  std::optional<api::Error> error;
};

std::unique_ptr<Decoded> decode_hex(std::string_view hex_bytes) {
  auto d = std::make_unique<Decoded>();
  d->bytes = unhex(hex_bytes);
  d->error = decode_cbor(d->bytes, d->doc);
  return d;
}

// The decoded document as compact JSON, to compare structures in one line.
std::string json_of(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// Decodes `hex_bytes` and expects success; returns the document as JSON.
std::string decoded_json(std::string_view hex_bytes) {
  auto d = decode_hex(hex_bytes);
  EXPECT_FALSE(d->error) << hex_bytes;
  return d->error ? "<error>" : json_of(d->doc);
}

// Decoding `bytes` must fail with a bare SerializationException.
void expect_refused(const std::string& bytes, const std::string& what) {
  rapidjson::Document doc;
  auto e = decode_cbor(bytes, doc);
  ASSERT_TRUE(e) << what << ": " << hex(bytes.substr(0, 40));
  EXPECT_EQ(e->type, "SerializationException") << what;
  EXPECT_EQ(e->message, "") << what;
  EXPECT_EQ(e->http_status, 400) << what;
}

// ---------------------------------------------------------------------------------------------
// Decoding RFC 8949 Appendix A

TEST(CborDecode, UnsignedIntegers) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"00", 0},
      {"01", 1},
      {"0a", 10},
      {"17", 23},
      {"1818", 24},
      {"1819", 25},
      {"1864", 100},
      {"1903e8", 1000},
      {"1a000f4240", 1000000},
      {"1b000000e8d4a51000", 1000000000000},
      {"1bffffffffffffffff", 18446744073709551615ull},
  };
  for (const auto& [bytes, value] : cases) {
    auto d = decode_hex(bytes);
    ASSERT_FALSE(d->error) << bytes;
    ASSERT_TRUE(d->doc.IsUint64()) << bytes;
    EXPECT_EQ(d->doc.GetUint64(), value) << bytes;
  }
  // Beyond int64 the value stays exact as an unsigned integer.
  EXPECT_FALSE(decode_hex("1bffffffffffffffff")->doc.IsInt64());
}

TEST(CborDecode, NegativeIntegers) {
  const std::pair<const char*, int64_t> cases[] = {
      {"20", -1}, {"29", -10}, {"3863", -100}, {"3903e7", -1000}, {"3b7fffffffffffffff", INT64_MIN},
  };
  for (const auto& [bytes, value] : cases) {
    auto d = decode_hex(bytes);
    ASSERT_FALSE(d->error) << bytes;
    ASSERT_TRUE(d->doc.IsInt64()) << bytes;
    EXPECT_EQ(d->doc.GetInt64(), value) << bytes;
  }
  // -18446744073709551616 is below int64: it is kept as a double, as JSON's reader would.
  auto below = decode_hex("3bffffffffffffffff");
  ASSERT_FALSE(below->error);
  ASSERT_TRUE(below->doc.IsDouble());
  EXPECT_EQ(below->doc.GetDouble(), -18446744073709551616.0);
}

TEST(CborDecode, HalfSingleAndDoubleFloats) {
  const std::pair<const char*, double> cases[] = {
      {"f90000", 0.0},
      {"f98000", -0.0},
      {"f93c00", 1.0},
      {"fb3ff199999999999a", 1.1},
      {"f93e00", 1.5},
      {"f97bff", 65504.0},
      {"fa47c35000", 100000.0},
      {"fa7f7fffff", 3.4028234663852886e+38},
      {"fb7e37e43c8800759c", 1.0e+300},
      {"f90001", 5.960464477539063e-8},
      {"f90400", 0.00006103515625},
      {"f9c400", -4.0},
      {"fbc010666666666666", -4.1},
  };
  for (const auto& [bytes, value] : cases) {
    auto d = decode_hex(bytes);
    ASSERT_FALSE(d->error) << bytes;
    ASSERT_TRUE(d->doc.IsDouble()) << bytes;
    EXPECT_EQ(d->doc.GetDouble(), value) << bytes;
    EXPECT_EQ(std::signbit(d->doc.GetDouble()), std::signbit(value)) << bytes;
  }
}

TEST(CborDecode, NonFiniteFloatsAreRefused) {
  // Infinity, NaN and -Infinity in half, single and double precision.
  for (const char* bytes : {"f97c00", "f97e00", "f9fc00", "fa7f800000", "fa7fc00000", "faff800000",
                            "fb7ff0000000000000", "fb7ff8000000000000", "fbfff0000000000000"}) {
    expect_refused(unhex(bytes), bytes);
  }
}

TEST(CborDecode, SimpleValues) {
  EXPECT_EQ(decoded_json("f4"), "false");
  EXPECT_EQ(decoded_json("f5"), "true");
  EXPECT_EQ(decoded_json("f6"), "null");
  EXPECT_EQ(decoded_json("f7"), "null");  // undefined
  // Unassigned simple values mean nothing to Kinesis.
  expect_refused(unhex("f0"), "simple(16)");
  expect_refused(unhex("f8ff"), "simple(255)");
}

TEST(CborDecode, TextStrings) {
  const std::pair<const char*, std::string> cases[] = {
      {"60", ""},
      {"6161", "a"},
      {"6449455446", "IETF"},
      {"62225c", "\"\\"},
      {"62c3bc", "\xc3\xbc"},              // ü
      {"63e6b0b4", "\xe6\xb0\xb4"},        // 水
      {"64f0908591", "\xf0\x90\x85\x91"},  // 𐅑
  };
  for (const auto& [bytes, value] : cases) {
    auto d = decode_hex(bytes);
    ASSERT_FALSE(d->error) << bytes;
    ASSERT_TRUE(d->doc.IsString()) << bytes;
    EXPECT_EQ(std::string(d->doc.GetString(), d->doc.GetStringLength()), value) << bytes;
  }
}

TEST(CborDecode, TextMustBeWellFormedUtf8) {
  expect_refused(unhex("61ff"), "0xff");
  expect_refused(unhex("6180"), "lone continuation byte");
  expect_refused(unhex("62c0af"), "overlong '/'");
  expect_refused(unhex("63e08080"), "overlong NUL");
  expect_refused(unhex("63eda080"), "surrogate U+D800");
  expect_refused(unhex("64f4908080"), "above U+10FFFF");
  expect_refused(unhex("62e6b0"), "cut short");
  expect_refused(unhex("7f61c361bcff"), "a character split across chunks");
  expect_refused(unhex("a161ff01"), "a key");
  EXPECT_EQ(decoded_json("64f48fbfbf"), "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF
  // Byte strings are bytes: anything goes.
  EXPECT_FALSE(decode_hex("41ff")->error);
}

TEST(CborDecode, ByteStringsAreRawBytes) {
  auto empty = decode_hex("40");
  ASSERT_FALSE(empty->error);
  EXPECT_EQ(empty->doc.GetStringLength(), 0u);
  auto four = decode_hex("4401020304");
  ASSERT_FALSE(four->error);
  EXPECT_EQ(std::string(four->doc.GetString(), four->doc.GetStringLength()),
            std::string("\x01\x02\x03\x04", 4));
  // Zero bytes are data too.
  auto zeros = decode_hex("43000000");
  ASSERT_FALSE(zeros->error);
  EXPECT_EQ(zeros->doc.GetStringLength(), 3u);
}

TEST(CborDecode, Arrays) {
  EXPECT_EQ(decoded_json("80"), "[]");
  EXPECT_EQ(decoded_json("83010203"), "[1,2,3]");
  EXPECT_EQ(decoded_json("8301820203820405"), "[1,[2,3],[4,5]]");
  EXPECT_EQ(decoded_json("98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
            "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]");
}

TEST(CborDecode, MapsWithTextKeys) {
  EXPECT_EQ(decoded_json("a0"), "{}");
  EXPECT_EQ(decoded_json("a26161016162820203"), R"({"a":1,"b":[2,3]})");
  EXPECT_EQ(decoded_json("826161a161626163"), R"(["a",{"b":"c"}])");
  EXPECT_EQ(decoded_json("a56161614161626142616361436164614461656145"),
            R"({"a":"A","b":"B","c":"C","d":"D","e":"E"})");
}

TEST(CborDecode, MapKeysMustBeTextStrings) {
  // Kinesis members are named by text; RFC 8949's {1: 2, 3: 4} is no request.
  expect_refused(unhex("a201020304"), "integer keys");
  expect_refused(unhex("a1416101"), "byte string key");
  expect_refused(unhex("a1f601"), "null key");
  expect_refused(unhex("a1a00101"), "map key");
  expect_refused(unhex("bf0102ff"), "integer key, indefinite map");
  expect_refused(unhex("bf5f4161ff01ff"), "indefinite byte string key");
  // An indefinite-length text key is a text key.
  EXPECT_EQ(decoded_json("bf7f6161ff01ff"), R"({"a":1})");
}

TEST(CborDecode, IndefiniteLengthItems) {
  auto bytes = decode_hex("5f42010243030405ff");
  ASSERT_FALSE(bytes->error);
  EXPECT_EQ(std::string(bytes->doc.GetString(), bytes->doc.GetStringLength()),
            std::string("\x01\x02\x03\x04\x05", 5));
  EXPECT_EQ(decoded_json("7f657374726561646d696e67ff"), R"("streaming")");
  EXPECT_EQ(decoded_json("5fff"), R"("")");
  EXPECT_EQ(decoded_json("9fff"), "[]");
  EXPECT_EQ(decoded_json("9f018202039f0405ffff"), "[1,[2,3],[4,5]]");
  EXPECT_EQ(decoded_json("9f01820203820405ff"), "[1,[2,3],[4,5]]");
  EXPECT_EQ(decoded_json("83018202039f0405ff"), "[1,[2,3],[4,5]]");
  EXPECT_EQ(decoded_json("83019f0203ff820405"), "[1,[2,3],[4,5]]");
  EXPECT_EQ(decoded_json("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff"),
            "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]");
  EXPECT_EQ(decoded_json("bf61610161629f0203ffff"), R"({"a":1,"b":[2,3]})");
  EXPECT_EQ(decoded_json("826161bf61626163ff"), R"(["a",{"b":"c"}])");
  EXPECT_EQ(decoded_json("bf6346756ef563416d7421ff"), R"({"Fun":true,"Amt":-2})");
  EXPECT_EQ(decoded_json("bfff"), "{}");
}

TEST(CborDecode, IndefiniteStringChunksMustBeDefiniteStringsOfTheSameType) {
  expect_refused(unhex("5f6161ff"), "text chunk in a byte string");
  expect_refused(unhex("7f4161ff"), "byte chunk in a text string");
  expect_refused(unhex("5f5fffff"), "nested indefinite byte string");
  expect_refused(unhex("7f7fffff"), "nested indefinite text string");
  expect_refused(unhex("7f01ff"), "integer chunk");
  expect_refused(unhex("7fc16161ff"), "tagged chunk");
  expect_refused(unhex("7f6161"), "no break");
}

TEST(CborDecode, TagOneIsATimestampInEpochMilliseconds) {
  // The AWS SDKs write tag 1 over epoch milliseconds; the document holds epoch seconds, as JSON
  // sends them. RFC 8949's 1(1363896240) therefore reads as 1363896.24 seconds.
  const std::pair<const char*, double> cases[] = {
      {"c11a514b67b0", 1363896.24},
      {"c1fb41d452d9ec200000", 1363896.2405},    // a float is milliseconds too
      {"c11b000001a013accc38", 1787036486.712},  // as the Java SDK v2 sends one
      {"c100", 0.0},
      {"c120", -0.001},
      {"c1f93e00", 0.0015},
  };
  for (const auto& [bytes, seconds] : cases) {
    auto d = decode_hex(bytes);
    ASSERT_FALSE(d->error) << bytes;
    ASSERT_TRUE(d->doc.IsDouble()) << bytes;
    EXPECT_DOUBLE_EQ(d->doc.GetDouble(), seconds) << bytes;
  }
  // Milliseconds survive the trip through seconds exactly.
  auto sdk = decode_hex("c11b000001a013accc38");
  EXPECT_EQ(static_cast<int64_t>(sdk->doc.GetDouble() * 1000.0), 1787036486712);

  expect_refused(unhex("c16161"), "tag 1 over text");
  expect_refused(unhex("c180"), "tag 1 over an array");
  expect_refused(unhex("c1a0"), "tag 1 over a map");
  expect_refused(unhex("c1f6"), "tag 1 over null");
  expect_refused(unhex("c1c101"), "tag 1 over a tag");
  expect_refused(unhex("c1"), "tag 1 over nothing");
  expect_refused(unhex("9fc1ff"), "tag 1 before a break");
  expect_refused(unhex("c1fb7ff0000000000000"), "tag 1 over infinity");
  expect_refused(unhex("a1c1016161"), "tag 1 as a map key");
}

TEST(CborDecode, OtherTagsAreReadThrough) {
  EXPECT_EQ(decoded_json("c074323031332d30332d32315432303a30343a30305a"),
            R"("2013-03-21T20:04:00Z")");
  EXPECT_EQ(decoded_json("d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
            R"("http://www.example.com")");
  auto b16 = decode_hex("d74401020304");
  ASSERT_FALSE(b16->error);
  EXPECT_EQ(b16->doc.GetStringLength(), 4u);
  EXPECT_EQ(decoded_json("d818456449455446"), R"("dIETF")");
  // The self-described CBOR prefix some encoders write.
  EXPECT_EQ(decoded_json("d9d9f7a0"), "{}");
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies

TEST(CborDecode, MalformedBodiesAreBareSerializationExceptions) {
  expect_refused("", "empty body");
  // Every proper prefix of a valid request is truncated.
  const std::string request = unhex(
      "bf6a53747265616d4e616d65617364446174614401020304"
      "6c506172746974696f6e4b6579626b31ff");
  {
    rapidjson::Document doc;
    ASSERT_FALSE(decode_cbor(request, doc));
  }
  for (size_t n = 0; n < request.size(); ++n) {
    expect_refused(request.substr(0, n), "prefix of " + std::to_string(n));
  }
  expect_refused(request + '\0', "trailing zero");
  expect_refused(request + request, "two items");
  expect_refused(unhex("a0a0"), "two maps");
  expect_refused(unhex("a0ff"), "trailing break");
  // Declared lengths and counts the body cannot hold.
  for (const char* bytes : {"5bffffffffffffffff", "7bffffffffffffffff", "9bffffffffffffffff",
                            "bbffffffffffffffff", "5affffffff00", "7a7fffffff61", "9affffffff00",
                            "bafffffff00000", "9b0000000100000000", "a16161 9bffffffffffffffff"}) {
    expect_refused(unhex(bytes), bytes);
  }
  // Reserved and malformed heads.
  for (const char* bytes :
       {"1c", "1d", "1e", "1f", "3c",   "3f",   "5c",       "7c", "9c",   "bc",    "dc",
        "fc", "fd", "fe", "ff", "81ff", "a1ff", "bf6161ff", "18", "1900", "fa0000"}) {
    expect_refused(unhex(bytes), bytes);
  }
}

TEST(CborDecode, DeepNestingIsRefusedWithoutRecursion) {
  const size_t deep = 10000;
  expect_refused(std::string(deep, '\x81') + '\0', "definite arrays");
  expect_refused(std::string(deep, '\x9f') + '\0' + std::string(deep, '\xff'), "indefinite arrays");
  std::string maps;
  for (size_t i = 0; i < deep; ++i) maps += unhex("a16161");
  expect_refused(maps + '\0', "maps");
  expect_refused(
      unhex("bf6a53747265616d4e616d6561736358797a") + std::string(deep, '\x81') + '\0' + '\xff',
      "under an unknown member");
  // Up to the limit is fine.
  rapidjson::Document doc;
  const std::string at_limit = std::string(api::kMaxCborNesting, '\x81') + '\0';
  EXPECT_FALSE(decode_cbor(at_limit, doc));
  expect_refused(std::string(api::kMaxCborNesting + 1, '\x81') + '\0', "one past the limit");
}

TEST(CborDecode, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string seed = unhex(
      "bf6a53747265616d4e616d656173675265636f7264739fbf644461746143010203"
      "6c506172746974696f6e4b657961 6bffff69 54696d657374616d70 c11b000001a013accc38ff");
  for (int i = 0; i < 20000; ++i) {
    std::string body = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) body[rng() % body.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) body.resize(rng() % body.size());
    rapidjson::Document doc;
    auto error = decode_cbor(body, doc);
    if (error) {
      EXPECT_EQ(error->type, "SerializationException");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding: RFC 8949 Appendix A, preferred serialization

std::string encoded(const std::function<void(api::Output&)>& write) {
  return hex(api::encode_body(api::WireFormat::kCbor, write));
}

TEST(CborOutput, IntegersTakeTheShortestHead) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "00"},
      {1, "01"},
      {10, "0a"},
      {23, "17"},
      {24, "1818"},
      {25, "1819"},
      {100, "1864"},
      {1000, "1903e8"},
      {1000000, "1a000f4240"},
      {1000000000000, "1b000000e8d4a51000"},
      {INT64_MAX, "1b7fffffffffffffff"},
      {-1, "20"},
      {-10, "29"},
      {-100, "3863"},
      {-1000, "3903e7"},
      {INT64_MIN, "3b7fffffffffffffff"},
  };
  for (const auto& [value, bytes] : cases) {
    EXPECT_EQ(encoded([&](api::Output& o) { o.integer(value); }), bytes) << value;
  }
}

TEST(CborOutput, StringsBlobsAndSimpleValues) {
  EXPECT_EQ(encoded([](api::Output& o) { o.string(""); }), "60");
  EXPECT_EQ(encoded([](api::Output& o) { o.string("a"); }), "6161");
  EXPECT_EQ(encoded([](api::Output& o) { o.string("IETF"); }), "6449455446");
  EXPECT_EQ(encoded([](api::Output& o) { o.string("\"\\"); }), "62225c");
  EXPECT_EQ(encoded([](api::Output& o) { o.string("\xc3\xbc"); }), "62c3bc");
  EXPECT_EQ(encoded([](api::Output& o) { o.string("\xe6\xb0\xb4"); }), "63e6b0b4");
  EXPECT_EQ(encoded([](api::Output& o) { o.blob(""); }), "40");
  EXPECT_EQ(encoded([](api::Output& o) { o.blob(std::string("\x01\x02\x03\x04", 4)); }),
            "4401020304");
  EXPECT_EQ(encoded([](api::Output& o) { o.boolean(false); }), "f4");
  EXPECT_EQ(encoded([](api::Output& o) { o.boolean(true); }), "f5");
  EXPECT_EQ(encoded([](api::Output& o) { o.null(); }), "f6");
  // Bytes that are not UTF-8 are not written into a text string.
  EXPECT_EQ(encoded([](api::Output& o) {
              o.string(
                  "a\xff"
                  "b");
            }),
            "6561efbfbd62");
  EXPECT_EQ(encoded([](api::Output& o) { o.string("\xe6\xb0"); }), "66efbfbdefbfbd");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.string(
                  "\xc0\xaf"
                  "ok");
            }),
            "68efbfbdefbfbd6f6b");
  // Longer strings take longer heads.
  const std::string s24(24, 'x');
  EXPECT_EQ(encoded([&](api::Output& o) { o.string(s24); }), "7818" + hex(s24));
  const std::string b300(300, '\x7f');
  EXPECT_EQ(encoded([&](api::Output& o) { o.blob(b300); }), "59012c" + hex(b300));
}

TEST(CborOutput, ContainersAreDefiniteLength) {
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_array();
              o.end_array();
            }),
            "80");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_array();
              for (int i = 1; i <= 3; ++i) o.integer(i);
              o.end_array();
            }),
            "83010203");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_array();
              o.integer(1);
              o.begin_array();
              o.integer(2);
              o.integer(3);
              o.end_array();
              o.begin_array();
              o.integer(4);
              o.integer(5);
              o.end_array();
              o.end_array();
            }),
            "8301820203820405");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_array();
              for (int i = 1; i <= 25; ++i) o.integer(i);
              o.end_array();
            }),
            "98190102030405060708090a0b0c0d0e0f101112131415161718181819");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_object();
              o.end_object();
            }),
            "a0");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_object();
              o.field("a", int64_t{1});
              o.key("b");
              o.begin_array();
              o.integer(2);
              o.integer(3);
              o.end_array();
              o.end_object();
            }),
            "a26161016162820203");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_array();
              o.string("a");
              o.begin_object();
              o.field("b", "c");
              o.end_object();
              o.end_array();
            }),
            "826161a161626163");
  EXPECT_EQ(encoded([](api::Output& o) {
              o.begin_object();
              for (const char* k : {"a", "b", "c", "d", "e"}) {
                const char upper[] = {static_cast<char>(k[0] - 32), '\0'};
                o.field(k, upper);
              }
              o.end_object();
            }),
            "a56161614161626142616361436164614461656145");
}

TEST(CborOutput, TimestampsAreTagOneOverIntegerMilliseconds) {
  EXPECT_EQ(encoded([](api::Output& o) { o.timestamp_ms(1363896240); }), "c11a514b67b0");
  EXPECT_EQ(encoded([](api::Output& o) { o.timestamp_ms(1787036486712); }), "c11b000001a013accc38");
  EXPECT_EQ(encoded([](api::Output& o) { o.timestamp_ms(0); }), "c100");
  EXPECT_EQ(encoded([](api::Output& o) { o.timestamp_ms(-1); }), "c120");
}

// Writes the same calls through both encoders: the CBOR, decoded, must read as the JSON.
void expect_same_as_json(const std::function<void(api::Output&)>& write, const std::string& what) {
  const std::string json = api::encode_body(api::WireFormat::kJson, write);
  std::string cbor = api::encode_body(api::WireFormat::kCbor, write);
  rapidjson::Document doc;
  ASSERT_FALSE(decode_cbor(cbor, doc)) << what;
  EXPECT_EQ(json_of(doc), json) << what;
}

TEST(CborOutput, LargeAndNestedContainersGetLongerHeads) {
  for (int n : {23, 24, 255, 256, 65535, 65536, 70000}) {
    const std::string bytes = api::encode_body(api::WireFormat::kCbor, [&](api::Output& o) {
      o.begin_array();
      for (int i = 0; i < n; ++i) o.integer(i % 2);
      o.end_array();
    });
    const char* head = n < 24 ? "97" : n < 256 ? "98" : n < 65536 ? "99" : "9a";
    EXPECT_EQ(hex(bytes.substr(0, 1)), head) << n;
    EXPECT_EQ(bytes.size(), static_cast<size_t>(n) + (n < 24      ? 1
                                                      : n < 256   ? 2
                                                      : n < 65536 ? 3
                                                                  : 5));
  }
  // Large containers inside large containers, in maps and arrays, each patched in place.
  expect_same_as_json(
      [](api::Output& o) {
        o.begin_object();
        for (int k = 0; k < 30; ++k) {
          o.key("k" + std::to_string(k));
          o.begin_array();
          for (int i = 0; i < k * 20; ++i) {
            if (i % 7 == 0) {
              o.begin_object();
              o.field("ShardId", "shardId-" + std::to_string(i));
              o.field("n", int64_t{-i});
              o.end_object();
            } else {
              o.integer(i * 1000);
            }
          }
          o.end_array();
        }
        o.end_object();
      },
      "map of arrays");
  expect_same_as_json(
      [](api::Output& o) {
        o.begin_array();
        for (int i = 0; i < 300; ++i) {
          o.begin_array();
          for (int j = 0; j < 300; ++j) o.boolean(j % 2 == 0);
          o.end_array();
        }
        o.end_array();
      },
      "array of arrays");
}

TEST(CborOutput, ErrorBodies) {
  EXPECT_EQ(hex(api::error_cbor(api::errors::resource_not_found("Stream s not found."))),
            // {_ "__type": "ResourceNotFoundException", "message": "Stream s not found."}, an
            // indefinite-length map as Kinesis writes its CBOR errors
            "bf"
            "665f5f74797065"
            "7819" +
                hex("ResourceNotFoundException") + "676d657373616765" + "73" +
                hex("Stream s not found.") + "ff");
  EXPECT_EQ(hex(api::error_cbor(api::errors::serialization(""))),
            "bf665f5f74797065"
            "76" +
                hex("SerializationException") + "ff");
  EXPECT_EQ(api::encode_error(api::WireFormat::kCbor, api::errors::validation("x")),
            api::error_cbor(api::errors::validation("x")));
  EXPECT_EQ(api::encode_error(api::WireFormat::kJson, api::errors::validation("x")),
            api::error_json(api::errors::validation("x")));
}

// ---------------------------------------------------------------------------------------------
// Requests and responses through the server

struct CborAnswer {
  int status = 0;
  std::string content_type;
  std::string request_id;
  std::string body;
};

class CborServerTest : public testing::ServerTest {
 protected:
  CborAnswer cbor(std::string_view op, const std::string& body) {
    const std::string target = "Kinesis_20131202." + std::string(op);
    const harness::HttpHeader headers[] = {
        {"X-Amz-Target", target},
        {"Content-Type", "application/x-amz-cbor-1.1"},
        {"X-Amz-Date", "20261129T000000Z"},
        {"Authorization",
         "AWS4-HMAC-SHA256 Credential=test/20261129/us-east-1/kinesis/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=0000"}};
    const auto& r = client_->post("/", headers, body);
    return CborAnswer{r.status, std::string(r.header("content-type")),
                      std::string(r.header("x-amzn-RequestId")), r.body};
  }

  // The answer must be HTTP 400 in CBOR: an indefinite-length map (as Kinesis writes errors) of
  // exactly __type and `message` (none
  // when empty) under the member name Kinesis uses for it.
  static void expect_cbor_error(const CborAnswer& a, std::string_view type,
                                std::string_view message,
                                std::string_view message_member = "message") {
    EXPECT_EQ(a.status, 400) << hex(a.body);
    EXPECT_EQ(a.content_type, "application/x-amz-cbor-1.1");
    CborItem item(a.body);
    ASSERT_TRUE(item.get()) << hex(a.body);
    EXPECT_TRUE(cbor_map_is_indefinite(item.get()));
    EXPECT_EQ(text_of(member(item.get(), "__type")), std::string(type)) << hex(a.body);
    if (message.empty()) {
      EXPECT_EQ(member_names(item.get()), std::vector<std::string>{"__type"});
    } else {
      EXPECT_EQ(text_of(member(item.get(), message_member)), std::string(message));
      EXPECT_EQ(cbor_map_size(item.get()), 2u);
    }
  }

  std::string put_record_body(std::string_view stream, std::string_view data,
                              std::string_view key) {
    return map({{"StreamName", text(stream)}, {"Data", bytes(data)}, {"PartitionKey", text(key)}});
  }

  // A TRIM_HORIZON iterator of shard 0, asked for in CBOR.
  std::string trim_horizon(std::string_view stream) {
    CborAnswer a = cbor("GetShardIterator", map({{"StreamName", text(stream)},
                                                 {"ShardId", text("shardId-000000000000")},
                                                 {"ShardIteratorType", text("TRIM_HORIZON")}}));
    EXPECT_EQ(a.status, 200) << hex(a.body);
    CborItem item(a.body);
    return text_of(member(item.get(), "ShardIterator")).value_or("");
  }
};

TEST_F(CborServerTest, PutRecordAsTheJavaSdkSendsIt) {
  create("s");
  // {_ "StreamName": "s", "Data": h'00ff8041', "PartitionKey": "pk"}
  const std::string body = unhex(
      "bf"
      "6a 53747265616d4e616d65"      // "StreamName"
      "61 73"                        // "s"
      "64 44617461"                  // "Data"
      "44 00ff8041"                  // h'00ff8041'
      "6c 506172746974696f6e4b6579"  // "PartitionKey"
      "62 706b"                      // "pk"
      "ff");
  CborAnswer a = cbor("PutRecord", body);
  ASSERT_EQ(a.status, 200) << hex(a.body);
  EXPECT_EQ(a.content_type, "application/x-amz-cbor-1.1");
  EXPECT_EQ(a.request_id.size(), 36u);
  CborItem item(a.body);
  ASSERT_TRUE(item.get()) << hex(a.body);
  ASSERT_TRUE(cbor_isa_map(item.get()));
  EXPECT_TRUE(cbor_map_is_definite(item.get()));
  EXPECT_EQ(member_names(item.get()), (std::vector<std::string>{"ShardId", "SequenceNumber"}));
  EXPECT_EQ(text_of(member(item.get(), "ShardId")), "shardId-000000000000");
  const std::string seq = text_of(member(item.get(), "SequenceNumber")).value_or("");
  EXPECT_EQ(seq.size(), 56u) << seq;
  EXPECT_EQ(seq.find_first_not_of("0123456789"), std::string::npos) << seq;

  // The byte string was stored as the bytes themselves.
  testing::Answer it =
      ok("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                             R"("ShardIteratorType":"TRIM_HORIZON"})");
  testing::Answer records =
      ok("GetRecords",
         R"({"ShardIterator":)" + testing::q(it.json["ShardIterator"].GetString()) + "}");
  ASSERT_EQ(records.json["Records"].Size(), 1u);
  EXPECT_STREQ(records.json["Records"][0]["Data"].GetString(), "AP+AQQ==");
  EXPECT_STREQ(records.json["Records"][0]["SequenceNumber"].GetString(), seq.c_str());
  EXPECT_STREQ(records.json["Records"][0]["PartitionKey"].GetString(), "pk");
}

TEST_F(CborServerTest, PutRecordOnAnEncryptedStreamSaysKms) {
  create("s");
  ok_empty("StartStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})");
  CborAnswer a = cbor("PutRecord", put_record_body("s", "x", "k"));
  ASSERT_EQ(a.status, 200) << hex(a.body);
  CborItem item(a.body);
  EXPECT_EQ(member_names(item.get()),
            (std::vector<std::string>{"ShardId", "SequenceNumber", "EncryptionType"}));
  EXPECT_EQ(text_of(member(item.get(), "EncryptionType")), "KMS");
}

TEST_F(CborServerTest, PutRecordsWithTwoRecords) {
  create("s");
  const std::string body =
      map({{"StreamName", text("s")},
           {"Records",
            array({map({{"Data", bytes(std::string("\x00\x01", 2))}, {"PartitionKey", text("a")}}),
                   map({{"Data", bytes("second")}, {"PartitionKey", text("b")}})})}});
  CborAnswer a = cbor("PutRecords", body);
  ASSERT_EQ(a.status, 200) << hex(a.body);
  EXPECT_EQ(a.content_type, "application/x-amz-cbor-1.1");
  CborItem item(a.body);
  ASSERT_TRUE(item.get()) << hex(a.body);
  const cbor_item_t* failed = member(item.get(), "FailedRecordCount");
  ASSERT_TRUE(failed && cbor_isa_uint(failed)) << hex(a.body);
  EXPECT_EQ(cbor_get_int(failed), 0u);
  const cbor_item_t* results = member(item.get(), "Records");
  ASSERT_TRUE(results && cbor_isa_array(results) && cbor_array_is_definite(results));
  ASSERT_EQ(cbor_array_size(results), 2u);
  std::string previous;
  for (size_t i = 0; i < 2; ++i) {
    const cbor_item_t* r = element(results, i);
    EXPECT_EQ(text_of(member(r, "ShardId")), "shardId-000000000000");
    const std::string seq = text_of(member(r, "SequenceNumber")).value_or("");
    EXPECT_GT(seq, previous);  // same length, so text order is numeric order
    previous = seq;
  }
}

TEST_F(CborServerTest, GetRecordsAnswersByteStringsAndMillisecondTimestamps) {
  create("s");
  clock_.advance_ms(123);  // arrival times with milliseconds
  const std::string data("\x00\xff binary \x80", 11);
  ASSERT_EQ(cbor("PutRecord", put_record_body("s", data, "key")).status, 200);
  const int64_t arrival = clock_.now_ms();
  const std::string iterator = trim_horizon("s");
  ASSERT_FALSE(iterator.empty());

  CborAnswer a = cbor("GetRecords", map({{"ShardIterator", text(iterator)}}));
  ASSERT_EQ(a.status, 200) << hex(a.body);
  EXPECT_EQ(a.content_type, "application/x-amz-cbor-1.1");
  CborItem item(a.body);
  ASSERT_TRUE(item.get()) << hex(a.body);
  const cbor_item_t* record = element(member(item.get(), "Records"), 0);
  ASSERT_TRUE(record) << hex(a.body);
  EXPECT_EQ(bytes_of(member(record, "Data")), data);
  EXPECT_EQ(text_of(member(record, "PartitionKey")), "key");
  EXPECT_TRUE(text_of(member(record, "SequenceNumber")));
  const cbor_item_t* ts = member(record, "ApproximateArrivalTimestamp");
  ASSERT_TRUE(ts && cbor_isa_tag(ts));
  EXPECT_EQ(cbor_tag_value(ts), 1u);
  cbor_item_t* inner = cbor_tag_item(ts);
  ASSERT_TRUE(cbor_isa_uint(inner));
  EXPECT_EQ(static_cast<int64_t>(cbor_get_int(inner)), arrival);
  cbor_decref(&inner);
  EXPECT_TRUE(text_of(member(item.get(), "NextShardIterator")));
  const cbor_item_t* behind = member(item.get(), "MillisBehindLatest");
  ASSERT_TRUE(behind && cbor_isa_uint(behind));
  EXPECT_EQ(cbor_get_int(behind), 0u);

  // The exact bytes: the member name, then 0xc1 and the 8-byte head of an integer.
  const std::string name = text("ApproximateArrivalTimestamp");
  const size_t at = a.body.find(name);
  ASSERT_NE(at, std::string::npos);
  const std::string tagged = a.body.substr(at + name.size(), 10);
  EXPECT_EQ(hex(tagged.substr(0, 2)), "c11b");
  int64_t ms = 0;
  for (size_t i = 2; i < 10; ++i) ms = ms * 256 + static_cast<unsigned char>(tagged[i]);
  EXPECT_EQ(ms, arrival);
  EXPECT_LE(std::abs(ms - clock_.now_ms()), 1000);
}

TEST_F(CborServerTest, GetShardIteratorAtTimestampInMilliseconds) {
  create("s");
  ASSERT_EQ(cbor("PutRecord", put_record_body("s", "first", "k")).status, 200);
  clock_.advance_ms(1500);
  const int64_t second_at = clock_.now_ms();
  ASSERT_EQ(cbor("PutRecord", put_record_body("s", "second", "k")).status, 200);
  clock_.advance_ms(10);

  auto at_timestamp = [&](const std::string& timestamp) {
    return cbor("GetShardIterator", map({{"StreamName", text("s")},
                                         {"ShardId", text("shardId-000000000000")},
                                         {"ShardIteratorType", text("AT_TIMESTAMP")},
                                         {"Timestamp", timestamp}}));
  };
  auto first_data = [&](const CborAnswer& it) {
    CborItem item(it.body);
    const std::string token = text_of(member(item.get(), "ShardIterator")).value_or("");
    CborAnswer r = cbor("GetRecords", map({{"ShardIterator", text(token)}}));
    CborItem records(r.body);
    return bytes_of(member(element(member(records.get(), "Records"), 0), "Data"));
  };
  // Tag 1 over the 8-byte integer of milliseconds, as the Java SDK v2 sends it.
  CborAnswer exact = at_timestamp(millis(static_cast<uint64_t>(second_at)));
  ASSERT_EQ(exact.status, 200) << hex(exact.body);
  EXPECT_EQ(first_data(exact), "second");
  // One millisecond earlier still finds the second record; the first is 1.5 s older.
  EXPECT_EQ(first_data(at_timestamp(millis(static_cast<uint64_t>(second_at - 1)))), "second");
  EXPECT_EQ(first_data(at_timestamp(millis(static_cast<uint64_t>(second_at - 1501)))), "first");
  // Tag 1 over a float is milliseconds as well.
  std::string as_double = "\xc1\xfb";
  const double d = static_cast<double>(second_at);
  uint64_t raw;
  std::memcpy(&raw, &d, sizeof raw);
  for (int i = 7; i >= 0; --i) as_double.push_back(static_cast<char>(raw >> (8 * i)));
  EXPECT_EQ(first_data(at_timestamp(as_double)), "second");

  // The error for a future timestamp shows that the milliseconds were read as milliseconds.
  const int64_t future = clock_.now_ms() + 60000;
  expect_cbor_error(at_timestamp(millis(static_cast<uint64_t>(future))), "InvalidArgumentException",
                    "The timestampInMillis parameter cannot be greater than the "
                    "currentTimestampInMillis. timestampInMillis: " +
                        std::to_string(future) +
                        ", currentTimestampInMillis: " + std::to_string(clock_.now_ms()));
}

TEST_F(CborServerTest, TimestampsBeyondTheLongRangeSaturate) {
  create("s");
  const std::string future =
      "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
      "timestampInMillis: 9223372036854775807, currentTimestampInMillis: " +
      std::to_string(clock_.now_ms());
  // 2^64 - 1 milliseconds, and 1e300 seconds in JSON: both far in the future, not wrapped around.
  expect_cbor_error(cbor("GetShardIterator", map({{"StreamName", text("s")},
                                                  {"ShardId", text("shardId-000000000000")},
                                                  {"ShardIteratorType", text("AT_TIMESTAMP")},
                                                  {"Timestamp", unhex("c11bffffffffffffffff")}})),
                    "InvalidArgumentException", future);
  expect_error("GetShardIterator",
               R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
               R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1e300})",
               "InvalidArgumentException", future);
  // Far in the past reads from the oldest record.
  CborAnswer past = cbor("GetShardIterator", map({{"StreamName", text("s")},
                                                  {"ShardId", text("shardId-000000000000")},
                                                  {"ShardIteratorType", text("AT_TIMESTAMP")},
                                                  {"Timestamp", unhex("c13bffffffffffffffff")}}));
  EXPECT_EQ(past.status, 200) << hex(past.body);
}

TEST_F(CborServerTest, ErrorsAreCborMaps) {
  expect_cbor_error(cbor("DescribeStream", map({{"StreamName", text("missing")}})),
                    "ResourceNotFoundException",
                    "Stream missing under account 000000000000 not found.");
  expect_cbor_error(cbor("NoSuchOperation", map({})), "UnknownOperationException", "");
  // Validation reads as it does for JSON.
  create("s");
  expect_cbor_error(cbor("PutRecord", put_record_body("s", "x", "")), "ValidationException",
                    "1 validation error detected: Value '' at 'partitionKey' failed to satisfy "
                    "constraint: Member must have length greater than or equal to 1");
  // A member of the wrong type is a SerializationException with its reason, as in JSON.
  testing::Answer json =
      call("PutRecord", R"({"StreamName":["s"],"Data":"AA==","PartitionKey":"k"})");
  ASSERT_EQ(json.type(), "SerializationException");
  CborAnswer wrong_type = cbor(
      "PutRecord",
      map({{"StreamName", array({text("s")})}, {"Data", bytes("x")}, {"PartitionKey", text("k")}}));
  expect_cbor_error(wrong_type, "SerializationException", json.json["Message"].GetString(),
                    "Message");
  // A byte string sent for a string member reads as its bytes; a message that quotes them
  // quotes them as text.
  CborAnswer raw = cbor("DescribeStream", map({{"StreamName", bytes("a\xff")}}));
  expect_cbor_error(raw, "ValidationException",
                    "1 validation error detected: Value 'a\xef\xbf\xbd' at 'streamName' failed "
                    "to satisfy constraint: Member must satisfy regular expression pattern: "
                    "[a-zA-Z0-9_.-]+");
  // Operations without output members answer an empty body, in the request's content type.
  CborAnswer empty = cbor("IncreaseStreamRetentionPeriod",
                          map({{"StreamName", text("s")}, {"RetentionPeriodHours", number(48)}}));
  EXPECT_EQ(empty.status, 200) << hex(empty.body);
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(empty.content_type, "application/x-amz-cbor-1.1");
}

TEST_F(CborServerTest, DataLengthIsCountedInBytes) {
  create("s");
  // Data and partition key of 1 MiB together fit; one more byte of data is over, counted as
  // raw bytes (the base64 reading of those bytes would be a quarter shorter).
  EXPECT_EQ(cbor("PutRecord", put_record_body("s", std::string(1024 * 1024 - 1, 'x'), "k")).status,
            200);
  expect_cbor_error(cbor("PutRecord", put_record_body("s", std::string(1024 * 1024 + 1, 'x'), "k")),
                    "ValidationException",
                    "1 validation error detected: Value at 'data' failed to satisfy constraint: "
                    "Member must have length less than or equal to 1048576");
}

TEST_F(CborServerTest, MalformedCborIsASerializationExceptionAndTheServerServesOn) {
  create("s");
  const std::string good = put_record_body("s", "data", "k");
  const std::string bare = unhex("bf 665f5f74797065 76") + "SerializationException" + unhex("ff");
  std::vector<std::pair<std::string, std::string>> bodies = {
      {"empty", ""},
      {"truncated", good.substr(0, good.size() - 3)},
      {"no break", good.substr(0, good.size() - 1)},
      {"trailing garbage", good + std::string("\x00\x01", 2)},
      {"huge byte string", unhex("bf6a53747265616d4e616d65617364446174615bffffffffffffffff00ff")},
      {"huge array", unhex("9bffffffffffffffff")},
      {"deep nesting", std::string(10000, '\x9f') + std::string(10000, '\xff')},
      {"JSON sent as CBOR", R"({"StreamName":"s"})"},
  };
  for (const auto& [what, body] : bodies) {
    SCOPED_TRACE(what);
    CborAnswer a = cbor("PutRecord", body);
    EXPECT_EQ(a.status, 400);
    EXPECT_EQ(a.content_type, "application/x-amz-cbor-1.1");
    EXPECT_EQ(hex(a.body), hex(bare));
  }
  // Nothing was written, and the server still answers.
  CborAnswer put = cbor("PutRecord", good);
  EXPECT_EQ(put.status, 200) << hex(put.body);
  CborAnswer r = cbor("GetRecords", map({{"ShardIterator", text(trim_horizon("s"))}}));
  CborItem item(r.body);
  EXPECT_EQ(cbor_array_size(member(item.get(), "Records")), 1u) << hex(r.body);
}

TEST_F(CborServerTest, EveryOperationSurvivesHostileCbor) {
  create("keep");
  std::mt19937 rng(11);
  const std::string seed =
      map({{"StreamName", text("s")},
           {"Records", array({map({{"Data", bytes("d")}, {"PartitionKey", text("k")}})})},
           {"Timestamp", millis(1787036486712)},
           {"Limit", number(5)}});
  for (const std::string& op : api::operation_names()) {
    for (int i = 0; i < 30; ++i) {
      std::string body = seed;
      for (int e = 0; e < 3; ++e) body[rng() % body.size()] = static_cast<char>(rng());
      CborAnswer a = cbor(op, body);
      EXPECT_TRUE(a.status == 200 || a.status == 400 || a.status == 501) << op << " " << a.status;
      if (a.status != 200) {
        CborItem item(a.body);
        EXPECT_TRUE(text_of(member(item.get(), "__type"))) << op << " " << hex(a.body);
      }
    }
  }
  testing::Answer d = ok("DescribeStreamSummary", R"({"StreamName":"keep"})");
  EXPECT_EQ(d.json["StreamDescriptionSummary"]["OpenShardCount"].GetInt(), 1);
}

}  // namespace
}  // namespace kinesim
