// The load generator's own wire codecs: its CBOR writer and map lookups (checked against
// libcbor, the encoder the server uses), and its decoders for chunked bodies and
// event-stream messages. A wrong codec would make the bench report errors that are its own, or
// miss the server's.
#include <cbor.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/bench.h"
#include "bench/cbor.h"
#include "bench/event_stream.h"

namespace kinesim::bench {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 15];
  }
  return out;
}

std::string Head(uint8_t major, uint64_t value) {
  std::string out;
  cbor::AppendHead(out, major, value);
  return Hex(out);
}

// RFC 8949 appendix A gives these encodings.
TEST(BenchCbor, HeadsTakeTheShortestForm) {
  EXPECT_EQ(Head(cbor::kUnsigned, 0), "00");
  EXPECT_EQ(Head(cbor::kUnsigned, 23), "17");
  EXPECT_EQ(Head(cbor::kUnsigned, 24), "1818");
  EXPECT_EQ(Head(cbor::kUnsigned, 100), "1864");
  EXPECT_EQ(Head(cbor::kUnsigned, 1000), "1903e8");
  EXPECT_EQ(Head(cbor::kUnsigned, 1000000), "1a000f4240");
  EXPECT_EQ(Head(cbor::kUnsigned, 1000000000000), "1b000000e8d4a51000");
  EXPECT_EQ(Head(cbor::kArray, 25), "9819");
  EXPECT_EQ(Head(cbor::kMap, 2), "a2");
}

TEST(BenchCbor, StringsCarryTheirLength) {
  std::string out;
  cbor::AppendText(out, "IETF");
  EXPECT_EQ(Hex(out), "6449455446");
  out.clear();
  cbor::AppendBytes(out, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(Hex(out), "4401020304");
}

struct CborItemDeleter {
  void operator()(cbor_item_t* item) const {
    cbor_item_t* owned = item;
    cbor_decref(&owned);
  }
};
using CborItem = std::unique_ptr<cbor_item_t, CborItemDeleter>;

CborItem Load(const std::string& bytes) {
  cbor_load_result result;
  CborItem item(
      cbor_load(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), &result));
  EXPECT_EQ(result.error.code, CBOR_ERR_NONE);
  EXPECT_EQ(result.read, bytes.size());
  return item;
}

std::string TextOf(cbor_item_t* item) {
  EXPECT_TRUE(cbor_isa_string(item) && cbor_string_is_definite(item));
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(item)),
                     cbor_string_length(item));
}

// A PutRecords request as the bench writes it reads back through libcbor as the same map.
TEST(BenchCbor, APutRecordsRequestDecodesWithLibcbor) {
  const std::string data(300, '\xab');  // long enough for a two-byte length
  std::string out;
  cbor::AppendMap(out, 2);
  cbor::AppendText(out, "StreamName");
  cbor::AppendText(out, "s1");
  cbor::AppendText(out, "Records");
  cbor::AppendArray(out, 2);
  for (int i = 0; i < 2; ++i) {
    cbor::AppendMap(out, 2);
    cbor::AppendText(out, "Data");
    cbor::AppendBytes(out, data);
    cbor::AppendText(out, "PartitionKey");
    cbor::AppendText(out, "key-" + std::to_string(i));
  }

  CborItem root = Load(out);
  ASSERT_TRUE(root && cbor_isa_map(root.get()));
  ASSERT_EQ(cbor_map_size(root.get()), 2u);
  cbor_pair* pairs = cbor_map_handle(root.get());
  EXPECT_EQ(TextOf(pairs[0].key), "StreamName");
  EXPECT_EQ(TextOf(pairs[0].value), "s1");
  EXPECT_EQ(TextOf(pairs[1].key), "Records");
  ASSERT_TRUE(cbor_isa_array(pairs[1].value));
  ASSERT_EQ(cbor_array_size(pairs[1].value), 2u);
  cbor_item_t** records = cbor_array_handle(pairs[1].value);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(cbor_isa_map(records[i]));
    cbor_pair* fields = cbor_map_handle(records[i]);
    EXPECT_EQ(TextOf(fields[0].key), "Data");
    ASSERT_TRUE(cbor_isa_bytestring(fields[0].value));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(fields[0].value)),
                          cbor_bytestring_length(fields[0].value)),
              data);
    EXPECT_EQ(TextOf(fields[1].key), "PartitionKey");
    EXPECT_EQ(TextOf(fields[1].value), "key-" + std::to_string(i));
  }
}

// A PutRecords response as libcbor encodes it: results first, the count last.
std::string LibcborPutRecordsResponse(uint64_t failed) {
  CborItem root(cbor_new_definite_map(3));
  auto add = [&](const char* key, cbor_item_t* value) {
    cbor_map_add(root.get(), {cbor_move(cbor_build_string(key)), cbor_move(value)});
  };
  cbor_item_t* records = cbor_new_definite_array(2);
  for (int i = 0; i < 2; ++i) {
    cbor_item_t* record = cbor_new_definite_map(2);
    cbor_map_add(record, {cbor_move(cbor_build_string("SequenceNumber")),
                          cbor_move(cbor_build_string("4960000000000000000000"))});
    cbor_map_add(record, {cbor_move(cbor_build_string("ShardId")),
                          cbor_move(cbor_build_string("shardId-000000000000"))});
    cbor_array_push(records, cbor_move(record));
  }
  add("Records", records);
  add("EncryptionType", cbor_build_string("NONE"));
  add("FailedRecordCount", cbor_build_uint64(failed));
  unsigned char* buffer = nullptr;
  size_t size = 0;
  const size_t written = cbor_serialize_alloc(root.get(), &buffer, &size);
  std::string bytes(reinterpret_cast<const char*>(buffer), written);
  free(buffer);
  return bytes;
}

TEST(BenchCbor, MapUnsignedFindsAnEntryAfterNestedOnes) {
  EXPECT_EQ(cbor::MapUnsigned(LibcborPutRecordsResponse(0), "FailedRecordCount"), 0u);
  EXPECT_EQ(cbor::MapUnsigned(LibcborPutRecordsResponse(7), "FailedRecordCount"), 7u);
  EXPECT_EQ(cbor::MapUnsigned(LibcborPutRecordsResponse(70000), "FailedRecordCount"), 70000u);
  EXPECT_EQ(cbor::MapText(LibcborPutRecordsResponse(0), "EncryptionType"), "NONE");
}

TEST(BenchCbor, MapLookupsFailOnWhatIsNotThere) {
  const std::string body = LibcborPutRecordsResponse(1);
  EXPECT_EQ(cbor::MapUnsigned(body, "Missing"), std::nullopt);
  EXPECT_EQ(cbor::MapUnsigned(body, "EncryptionType"), std::nullopt);  // text, not a number
  EXPECT_EQ(cbor::MapText(body, "FailedRecordCount"), std::nullopt);
  // Cut anywhere before the count's value, the body no longer yields it.
  for (size_t cut = 0; cut + 1 < body.size(); ++cut) {
    EXPECT_EQ(cbor::MapUnsigned(body.substr(0, cut), "FailedRecordCount"), std::nullopt) << cut;
  }
  std::string array;
  cbor::AppendArray(array, 0);
  EXPECT_EQ(cbor::MapUnsigned(array, "FailedRecordCount"), std::nullopt);
  EXPECT_EQ(cbor::MapUnsigned("", "FailedRecordCount"), std::nullopt);
  // Reserved additional information (28) is malformed.
  EXPECT_EQ(cbor::MapUnsigned(std::string("\xa1\x1c", 2), "x"), std::nullopt);
}

TEST(BenchCbor, IndefiniteLengthItemsAreWalked) {
  // {_ "Records": [_ {"a": h'01'}], "__type": (_ "Val", "id"), "FailedRecordCount": 2}
  std::string body = "\xbf";
  cbor::AppendText(body, "Records");
  body += "\x9f";
  cbor::AppendMap(body, 1);
  cbor::AppendText(body, "a");
  cbor::AppendBytes(body, "\x01");
  body += "\xff";
  cbor::AppendText(body, "__type");
  body += "\x7f";
  cbor::AppendText(body, "Val");
  cbor::AppendText(body, "id");
  body += "\xff";
  cbor::AppendText(body, "FailedRecordCount");
  cbor::AppendHead(body, cbor::kUnsigned, 2);
  body += "\xff";
  EXPECT_EQ(cbor::MapUnsigned(body, "FailedRecordCount"), 2u);
  EXPECT_EQ(cbor::MapText(body, "__type"), std::nullopt);  // chunked text is not read
  EXPECT_EQ(cbor::MapUnsigned(body, "Other"), std::nullopt);
}

TEST(BenchCbor, ErrorBodiesGiveTypeAndMessage) {
  CborItem root(cbor_new_definite_map(2));
  cbor_map_add(root.get(), {cbor_move(cbor_build_string("__type")),
                            cbor_move(cbor_build_string("ResourceNotFoundException"))});
  cbor_map_add(root.get(), {cbor_move(cbor_build_string("message")),
                            cbor_move(cbor_build_string("Stream s1 not found."))});
  unsigned char* buffer = nullptr;
  size_t size = 0;
  const size_t written = cbor_serialize_alloc(root.get(), &buffer, &size);
  const std::string body(reinterpret_cast<const char*>(buffer), written);
  free(buffer);
  EXPECT_EQ(cbor::MapText(body, "__type"), "ResourceNotFoundException");
  EXPECT_EQ(cbor::MapText(body, "message"), "Stream s1 not found.");
}

// ---- event stream --------------------------------------------------------------------------

TEST(BenchEventStream, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
}

void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

void StringHeader(std::string& out, std::string_view name, std::string_view value) {
  out += static_cast<char>(name.size());
  out += name;
  out += '\x07';
  out += static_cast<char>(value.size() >> 8);
  out += static_cast<char>(value.size() & 0xff);
  out += value;
}

// One message framed as the event-stream encoding prescribes.
std::string Message(std::string_view headers, std::string_view payload) {
  std::string out;
  PutU32(out, static_cast<uint32_t>(16 + headers.size() + payload.size()));
  PutU32(out, static_cast<uint32_t>(headers.size()));
  PutU32(out, Crc32(out));
  out += headers;
  out += payload;
  PutU32(out, Crc32(out));
  return out;
}

std::string Event(std::string_view type, std::string_view payload) {
  std::string headers;
  StringHeader(headers, ":event-type", type);
  StringHeader(headers, ":content-type", "application/json");
  StringHeader(headers, ":message-type", "event");
  return Message(headers, payload);
}

std::vector<EventMessage> Decode(const std::string& bytes, size_t piece) {
  EventStreamDecoder decoder;
  std::vector<EventMessage> messages;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    decoder.Feed(std::string_view(bytes).substr(at, piece),
                 [&](const EventMessage& m) { messages.push_back(m); });
  }
  return messages;
}

TEST(BenchEventStream, MessagesComeOutWholeHoweverTheBytesArrive) {
  const std::string payload = R"({"Records":[],"ContinuationSequenceNumber":"1"})";
  const std::string bytes =
      Event("initial-response", "{}") + Event("SubscribeToShardEvent", payload);
  for (size_t piece : {bytes.size(), size_t{1}, size_t{7}, size_t{13}}) {
    std::vector<EventMessage> messages = Decode(bytes, piece);
    ASSERT_EQ(messages.size(), 2u) << piece;
    EXPECT_EQ(messages[0].message_type, "event");
    EXPECT_EQ(messages[0].event_type, "initial-response");
    EXPECT_EQ(messages[0].payload, "{}");
    EXPECT_EQ(messages[1].event_type, "SubscribeToShardEvent");
    EXPECT_EQ(messages[1].payload, payload);
  }
}

TEST(BenchEventStream, HeadersOfEveryValueTypeAreSkippedOrRead) {
  // Name "x" (length 1), then the type byte, then the value, for each type 0-9 but 7.
  auto header = [](uint8_t type, std::string value) {
    return std::string{'\x01', 'x', static_cast<char>(type)} + value;
  };
  std::string headers;
  headers += header(0, "");                                   // true
  headers += header(1, "");                                   // false
  headers += header(2, std::string(1, '\x05'));               // byte
  headers += header(3, std::string(2, '\0'));                 // short
  headers += header(4, std::string(4, '\0'));                 // integer
  headers += header(5, std::string(8, '\0'));                 // long
  headers += header(6, std::string{'\0', '\x02', 'a', 'b'});  // byte array
  headers += header(8, std::string(8, '\0'));                 // timestamp
  headers += header(9, std::string(16, '\0'));                // uuid
  StringHeader(headers, ":message-type", "exception");
  StringHeader(headers, ":exception-type", "ResourceInUseException");
  std::vector<EventMessage> messages = Decode(Message(headers, "{}"), 5);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message_type, "exception");
  EXPECT_EQ(messages[0].error, "ResourceInUseException");
}

TEST(BenchEventStream, CorruptionIsCaught) {
  const std::string good = Event("SubscribeToShardEvent", R"({"Records":[]})");
  std::string payload_flip = good;
  payload_flip[payload_flip.size() - 6] ^= 1;
  EXPECT_THROW(Decode(payload_flip, payload_flip.size()), BenchFailure);
  std::string prelude_flip = good;
  prelude_flip[3] ^= 1;
  EXPECT_THROW(Decode(prelude_flip, prelude_flip.size()), BenchFailure);
  std::string bad_type = Message(std::string{'\x01', 'x', '\x0b'}, "");
  EXPECT_THROW(Decode(bad_type, bad_type.size()), BenchFailure);
  // A header that claims more bytes than its block has.
  std::string truncated = Message(std::string("\x05:abc", 5), "");
  EXPECT_THROW(Decode(truncated, truncated.size()), BenchFailure);
}

TEST(BenchEventStream, AnIncompleteMessageWaitsForTheRest) {
  const std::string bytes = Event("SubscribeToShardEvent", "{}");
  EXPECT_TRUE(Decode(bytes.substr(0, bytes.size() - 1), 4).empty());
}

// ---- chunked bodies ------------------------------------------------------------------------

std::string Unchunk(const std::string& bytes, size_t piece, bool* done = nullptr) {
  ChunkedDecoder decoder;
  std::string out;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    decoder.Feed(std::string_view(bytes).substr(at, piece), out);
  }
  if (done != nullptr) *done = decoder.done();
  return out;
}

TEST(BenchChunked, ChunksJoinInAnyPieces) {
  const std::string body = "5\r\nhello\r\n6;name=value\r\n world\r\nA\r\n0123456789\r\n0\r\n\r\n";
  for (size_t piece : {body.size(), size_t{1}, size_t{3}}) {
    bool done = false;
    EXPECT_EQ(Unchunk(body, piece, &done), "hello world0123456789") << piece;
    EXPECT_TRUE(done);
  }
  bool done = true;
  EXPECT_EQ(Unchunk("5\r\nhello\r\n", 2, &done), "hello");
  EXPECT_FALSE(done);
  EXPECT_EQ(Unchunk("0\r\nTrailer: x\r\n\r\n", 1, &done), "");
  EXPECT_TRUE(done);
}

TEST(BenchChunked, BadFramingIsCaught) {
  EXPECT_THROW(Unchunk("zz\r\n", 4), BenchFailure);
  EXPECT_THROW(Unchunk("2\r\nabX\r\n", 8), BenchFailure);
  EXPECT_THROW(Unchunk("123456789\r\n", 11), BenchFailure);
}

TEST(BenchBase64, DecodesPaddedText) {
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Decode("aGVsbA=="), "hell");
  EXPECT_EQ(Base64Decode("aGVs"), "hel");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("aGVsbG8"), std::nullopt);
  EXPECT_EQ(Base64Decode("aG=sbG8="), std::nullopt);
  EXPECT_EQ(Base64Decode("aGVs=G8="), std::nullopt);
  EXPECT_EQ(Base64Decode("aGV*"), std::nullopt);
}

}  // namespace
}  // namespace kinesim::bench
