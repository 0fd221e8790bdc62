// The KPL aggregation format (harness/kpl.h): bytes checked against the format itself (hand-built
// protobuf and digests computed outside kinesim), what a consumer must refuse, the Aggregator's
// exact sizes and the 1 MiB record limit, and aggregated records through a real server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/gtest.h"
#include "harness/kpl.h"

namespace kinesim::harness::kpl {

inline void PrintTo(const UserRecord& r, std::ostream* os) {
  *os << "{\"" << r.partition_key << "\", \"" << r.explicit_hash_key << "\", " << r.data.size()
      << " bytes}";
}

namespace {

using ::testing::ElementsAre;

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Magic, the protobuf bytes and their MD5, the digests computed with `md5sum`.
std::string Framed(std::string_view protobuf_hex, std::string_view md5_hex) {
  return std::string(kMagic) + Hex(protobuf_hex) + Hex(md5_hex);
}

// Three user records, two partition keys, one explicit hash key, binary data:
//   0a 01 61 | 0a 01 62          partition_key_table "a", "b"
//   12 01 35                     explicit_hash_key_table "5"
//   1a 05 | 08 00 1a 01 78       record: key 0, data "x"
//   1a 08 | 08 01 10 00 1a 02 00 ff   record: key 1, hash key 0, data 00 ff
//   1a 05 | 08 00 1a 01 79       record: key 0, data "y"
const std::string kGoldenProtobuf =
    "0a01610a01621201351a0508001a01781a08080110001a0200ff1a0508001a0179";
const std::string kGoldenMd5 = "0983f6eede3838e9799992174a8df701";
const std::vector<UserRecord> kGoldenRecords = {
    {"a", "", "x"}, {"b", "5", std::string("\0\xff", 2)}, {"a", "", "y"}};

TEST(KplFormat, EncodesTheFormatByteForByte) {
  EXPECT_EQ(aggregate(kGoldenRecords), Framed(kGoldenProtobuf, kGoldenMd5));
}

TEST(KplFormat, DecodesHandBuiltBytes) {
  auto records = deaggregate(Framed(kGoldenProtobuf, kGoldenMd5));
  ASSERT_TRUE(records);
  EXPECT_EQ(*records, kGoldenRecords);
}

TEST(KplFormat, TagsAreReadAndDropped) {
  // 1a 0a | 08 00 1a 01 78 22 03 0a 01 74: key 0, data "x", a tag with key "t" and no value.
  auto records =
      deaggregate(Framed("0a01611a0a08001a017822030a0174", "65c997201fbd9533fb3f283822bb1617"));
  ASSERT_TRUE(records);
  EXPECT_THAT(*records, ElementsAre(UserRecord{"a", "", "x"}));
}

TEST(KplFormat, RoundTripKeepsKeysHashKeysAndBinaryData) {
  std::vector<UserRecord> records;
  for (int i = 0; i < 50; ++i) {
    std::string data;
    for (int b = 0; b < i * 7; ++b) data.push_back(static_cast<char>((b * 31 + i) & 0xff));
    records.push_back({"user-" + std::to_string(i % 7),
                       i % 3 == 0 ? std::to_string(i % 4) + "0000000000000000000000000000000" : "",
                       data});
  }
  records.push_back({"\xc3\xa9t\xc3\xa9", "340282366920938463463374607431768211455", ""});
  const std::string data = aggregate(records);
  EXPECT_TRUE(is_aggregated(data));
  auto back = deaggregate(data);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, records);
}

TEST(KplFormat, AnEmptyAggregateHasNoRecords) {
  const std::string data = aggregate({});
  // An empty message: magic and the MD5 of no bytes.
  EXPECT_EQ(data, Framed("", "d41d8cd98f00b204e9800998ecf8427e"));
  auto back = deaggregate(data);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->empty());
}

TEST(KplFormat, ADigestThatDoesNotMatchIsNotAnAggregate) {
  std::string data = Framed(kGoldenProtobuf, kGoldenMd5);
  std::string bad_digest = data;
  bad_digest.back() ^= 1;
  EXPECT_EQ(deaggregate(bad_digest), std::nullopt);
  std::string bad_body = data;
  bad_body[kMagic.size() + 2] ^= 1;  // "a" becomes "`": the digest no longer matches
  EXPECT_EQ(deaggregate(bad_body), std::nullopt);
  EXPECT_TRUE(is_aggregated(bad_body));  // the magic alone says nothing about the rest
}

TEST(KplFormat, TruncatedDataIsNotAnAggregate) {
  const std::string data = Framed(kGoldenProtobuf, kGoldenMd5);
  for (size_t length : {size_t{0}, size_t{3}, size_t{4}, size_t{19}, data.size() - 1}) {
    EXPECT_EQ(deaggregate(data.substr(0, length)), std::nullopt) << length << " bytes";
  }
}

TEST(KplFormat, PlainRecordsPassThrough) {
  EXPECT_FALSE(is_aggregated("hello"));
  EXPECT_EQ(deaggregate("hello"), std::nullopt);
  EXPECT_EQ(deaggregate(""), std::nullopt);
  // Three bytes of the magic are not the magic.
  EXPECT_FALSE(is_aggregated(kMagic.substr(0, 3)));
  // A record that starts differently, however long, is left alone.
  std::string plain = Framed(kGoldenProtobuf, kGoldenMd5);
  plain[0] = 'x';
  EXPECT_FALSE(is_aggregated(plain));
  EXPECT_EQ(deaggregate(plain), std::nullopt);
}

TEST(KplFormat, MalformedProtobufWithAGoodDigestIsNotAnAggregate) {
  // Not protobuf at all.
  EXPECT_EQ(deaggregate(Framed("ffffff", "8597d4e7e65352a302b63e07bc01a7da")), std::nullopt);
  // A record without its required data.
  EXPECT_EQ(deaggregate(Framed("0a01611a020800", "6f9c5d02d95fbde86ecdd45367d7f6b4")),
            std::nullopt);
  // Partition key index 1 in a table of one.
  EXPECT_EQ(deaggregate(Framed("0a01611a0508011a0178", "4ee8db3cf861831336785d88ec402c4d")),
            std::nullopt);
  // Explicit hash key index 0 in an empty table.
  EXPECT_EQ(deaggregate(Framed("0a01611a07080010001a0178", "ccd24a905ea259b5aad14fb638643ddf")),
            std::nullopt);
}

// --- Aggregator -----------------------------------------------------------------------------

TEST(KplAggregator, KnowsItsSizeExactly) {
  Aggregator aggregator;
  EXPECT_EQ(aggregator.size_bytes(), 0u);
  // Data lengths around the varint steps (127/128 and 16383/16384), new and repeated keys.
  const std::vector<UserRecord> records = {
      {"first-key", "", std::string(127, 'a')},
      {"k2", "12345", std::string(128, 'b')},
      {"first-key", "12345", std::string(16383, 'c')},
      {"k3", "", std::string(16384, 'd')},
      {"k2", "99", ""},
  };
  for (const auto& r : records) {
    const size_t predicted = aggregator.size_with(r);
    ASSERT_TRUE(aggregator.add(r));
    const PutRecordsEntry entry = aggregator.entry();
    EXPECT_EQ(aggregator.size_bytes(), entry.data.size() + entry.partition_key.size());
    EXPECT_EQ(predicted, aggregator.size_bytes());
  }
  EXPECT_EQ(aggregator.count(), records.size());
  EXPECT_EQ(deaggregate(aggregator.entry().data), records);
}

TEST(KplAggregator, TheOuterRecordTakesTheFirstUserRecordsKeys) {
  Aggregator aggregator;
  aggregator.add({"u1", "", "a"});
  aggregator.add({"u2", "7", "b"});
  EXPECT_EQ(aggregator.entry().partition_key, "u1");
  EXPECT_EQ(aggregator.entry().explicit_hash_key, "");
  aggregator.clear();
  EXPECT_TRUE(aggregator.empty());
  EXPECT_EQ(aggregator.size_bytes(), 0u);
  aggregator.add({"u2", "7", "b"});
  aggregator.add({"u1", "", "a"});
  EXPECT_EQ(aggregator.entry().partition_key, "u2");
  EXPECT_EQ(aggregator.entry().explicit_hash_key, "7");
}

TEST(KplAggregator, StaysWithinOneMebibyte) {
  // One user record with key "k": 20 bytes of frame, 3 of key table, 1 + 3 of record header,
  // 6 of record fields, and the outer partition key: 34 bytes besides the data.
  const size_t fits = kMaxRecordBytes - 34;
  {
    Aggregator aggregator;
    UserRecord too_big{"k", "", std::string(fits + 1, 'x')};
    EXPECT_EQ(aggregator.size_with(too_big), kMaxRecordBytes + 1);
    EXPECT_FALSE(aggregator.add(too_big));
    EXPECT_TRUE(aggregator.empty());
    ASSERT_TRUE(aggregator.add({"k", "", std::string(fits, 'x')}));
    EXPECT_EQ(aggregator.size_bytes(), kMaxRecordBytes);
    EXPECT_FALSE(aggregator.add({"k", "", ""}));
    EXPECT_EQ(aggregator.count(), 1u);
  }
  // 100 KiB records: ten fit, the eleventh is refused and changes nothing.
  Aggregator aggregator;
  const UserRecord r{"k", "", std::string(100 * 1024, 'y')};
  int added = 0;
  while (aggregator.add(r)) ++added;
  EXPECT_EQ(added, 10);
  EXPECT_LE(aggregator.size_bytes(), kMaxRecordBytes);
  EXPECT_EQ(aggregator.entry().data.size() + 1, aggregator.size_bytes());
  EXPECT_EQ(deaggregate(aggregator.entry().data)->size(), 10u);
}

TEST(KplAggregator, ASmallerLimitIsHonoured) {
  Aggregator aggregator(100);
  int added = 0;
  while (aggregator.add({"key", "", "0123456789"})) ++added;
  EXPECT_GT(added, 1);
  EXPECT_LE(aggregator.size_bytes(), 100u);
  EXPECT_GT(aggregator.size_with({"key", "", "0123456789"}), 100u);
}

// --- Against a server -------------------------------------------------------------------------

class KplServerTest : public KinesisTest {};

// Every record of the stream, aggregated ones unpacked and plain ones as they are.
std::vector<UserRecord> ReadUserRecords(KinesisClient& client, std::string_view stream) {
  std::vector<UserRecord> out;
  const std::vector<Record> stored = DrainStream(client, stream).value();
  for (const Record& r : stored) {
    if (auto users = deaggregate(r.data)) {
      out.insert(out.end(), users->begin(), users->end());
    } else {
      out.push_back({r.partition_key, "", r.data});
    }
  }
  return out;
}

TEST_F(KplServerTest, AggregatedRecordsComeBackThroughGetRecords) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  std::vector<UserRecord> records;
  for (int i = 0; i < 20; ++i) {
    records.push_back({"u" + std::to_string(i % 3), i % 5 == 0 ? "42" : "",
                       std::string("event\0", 6) + std::to_string(i)});
  }
  auto put = put_aggregated(client(), "s", records);
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(put->failed_record_count, 0);
  ASSERT_EQ(put->records.size(), 1u);
  // A plain record after it is left as it is by the reader.
  ASSERT_TRUE(client().put_record("s", "plain", "not aggregated").ok());

  auto stored = DrainStream(client(), "s").value();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].partition_key, "u0");
  EXPECT_EQ(stored[0].sequence_number, put->records[0].sequence_number);
  EXPECT_TRUE(is_aggregated(stored[0].data));
  EXPECT_FALSE(is_aggregated(stored[1].data));

  auto expected = records;
  expected.push_back({"plain", "", "not aggregated"});
  EXPECT_EQ(ReadUserRecords(client(), "s"), expected);
}

TEST_F(KplServerTest, TheFirstUserRecordsHashKeyPlacesTheAggregate) {
  ASSERT_TRUE(client().create_stream("s", 2).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  // Shard 1 of two holds the upper half of the hash key space.
  const std::string upper = "340282366920938463463374607431768211455";
  auto put = put_aggregated(client(), "s", {{"a", upper, "1"}, {"b", "0", "2"}});
  ASSERT_TRUE(put.ok()) << put.error().describe();
  ASSERT_EQ(put->records.size(), 1u);
  EXPECT_EQ(put->records[0].shard_id, "shardId-000000000001");
  put = put_aggregated(client(), "s", {{"a", "0", "3"}, {"b", upper, "4"}});
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(put->records[0].shard_id, "shardId-000000000000");
}

TEST_F(KplServerTest, ALargeBatchIsSplitIntoRecordsTheServerAccepts) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  // 3.5 MiB of user records: four aggregated records, the last one partly full.
  std::vector<UserRecord> records;
  for (int i = 0; i < 35; ++i) {
    records.push_back({"k" + std::to_string(i), "", std::string(100 * 1024, char('a' + i % 26))});
  }
  auto put = put_aggregated(client(), "s", records);
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(put->failed_record_count, 0);
  EXPECT_EQ(put->records.size(), 4u);
  EXPECT_EQ(ReadUserRecords(client(), "s"), records);
}

TEST_F(KplServerTest, AnAggregateOfExactlyOneMebibyteIsAccepted) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  Aggregator aggregator;
  ASSERT_TRUE(aggregator.add({"k", "", std::string(kMaxRecordBytes - 34, 'z')}));
  ASSERT_EQ(aggregator.size_bytes(), kMaxRecordBytes);
  auto put = client().put_records("s", {aggregator.entry()});
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_EQ(put->failed_record_count, 0);

  // One byte more is what the Aggregator refuses, and so does Kinesis.
  PutRecordsEntry over = aggregator.entry();
  over.partition_key += "k";
  auto refused = client().put_records("s", {over});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().type, "InvalidArgumentException");
}

TEST_F(KplServerTest, AUserRecordThatCannotFitIsRefusedBeforeSending) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  ASSERT_TRUE(WaitForActive(client(), "s").ok());
  auto put = put_aggregated(client(), "s",
                            {{"a", "", "small"}, {"b", "", std::string(kMaxRecordBytes, 'x')}});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().type, "ClientError");
  EXPECT_TRUE(DrainStream(client(), "s").value().empty());
}

}  // namespace
}  // namespace kinesim::harness::kpl
