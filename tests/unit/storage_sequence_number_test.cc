#include <gtest/gtest.h>

#include "storage/sequence_number.h"

namespace kinesim {
namespace {

SequenceNumberFormat kinesis(int64_t created_s) {
  return SequenceNumberFormat{SequenceNumberFormat::Layout::kKinesis, created_s, 0};
}

// Numbers Kinesis handed out for a real split (a parent's start and end, and a child's start).
constexpr const char* kParentStart = "49563335997420305725896584603874146327194044269160562690";
constexpr const char* kParentEnd = "49563335997431456098495849915443705260510755470006288386";
constexpr const char* kChildStart = "49563336006362904550507364483629969354526038951045627922";

TEST(SequenceNumber, WritesKinesisNumbersExactly) {
  EXPECT_EQ((SequenceNumber{kinesis(1467099768), 0, 0, 1467099768}.str()), kParentStart);
  EXPECT_EQ((SequenceNumber{kinesis(1467099768), 0, kEndingCounter, 1467099792}.str()), kParentEnd);
  EXPECT_EQ((SequenceNumber{kinesis(1467099793), 1, 0, 1467099793}.str()), kChildStart);
}

TEST(SequenceNumber, DecodesKinesisNumbers) {
  auto end = decode_sequence_number(kParentEnd);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->version, 2);
  EXPECT_EQ(end->shard_index, 0);
  EXPECT_EQ(end->shard_created_s, 1467099768);
  EXPECT_EQ(end->counter, kEndingCounter);
  EXPECT_TRUE(end->counter_in_range);
  EXPECT_EQ(end->arrival_s, 1467099792);
  EXPECT_EQ(end->echo, kParentEnd);
  auto child = decode_sequence_number(kChildStart);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->shard_index, 1);
  EXPECT_EQ(child->shard_created_s, 1467099793);
}

TEST(SequenceNumber, WriterAndDecoderAgreeEverywhere) {
  for (int64_t shard : {0, 1, 15, 16, 255, 4096, 2147483647}) {
    for (uint64_t counter :
         {uint64_t{0}, uint64_t{1}, uint64_t{999999999}, kMaxRecordCounter, kEndingCounter}) {
      const SequenceNumber n{kinesis(1790000000), shard, counter, 1790000123};
      const std::string s = n.str();
      ASSERT_EQ(s.size(), SequenceNumber::kLength);
      EXPECT_EQ(s.substr(0, 2), "49");
      auto d = decode_sequence_number(s);
      ASSERT_TRUE(d) << s;
      EXPECT_EQ(d->version, 2);
      EXPECT_EQ(d->shard_index, shard);
      EXPECT_EQ(d->counter, counter);
      EXPECT_EQ(d->shard_created_s, 1790000000);
      EXPECT_EQ(d->arrival_s, 1790000123);
    }
  }
}

TEST(SequenceNumber, OrderFollowsCounterWithinShard) {
  // Same width, so string order and numeric order agree; the arrival second never outweighs the
  // counter, and a closed shard's end sorts after all of its records.
  const SequenceNumberWriter w(kinesis(1790000000), 3);
  char a[56], b[56], end[56];
  w.write(9, 1790009999, a);
  w.write(10, 1790000000, b);
  w.write(kEndingCounter, 1790000001, end);
  EXPECT_LT(std::string(a, 56), std::string(b, 56));
  EXPECT_LT(std::string(b, 56), std::string(end, 56));
  // A child shard, made a second later than its parent, starts above the parent's end.
  EXPECT_LT(std::string(end, 56), (SequenceNumber{kinesis(1790000001), 4, 0, 0}.str()));
}

TEST(SequenceNumber, ReadsSmallNumbersAsKinesisDoes) {
  // Below 2^124 a number is read as 2^124 more, in the oldest layout; its last four hex digits
  // name the shard.
  auto five = decode_sequence_number("5");
  ASSERT_TRUE(five);
  EXPECT_EQ(five->version, 0);
  EXPECT_EQ(five->shard_index, 5);
  auto zero = decode_sequence_number("0");
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->echo, "21267647932558653966460912964485513216");
  // An 8 in the top digit of the shard field reads as a negative shard index.
  auto negative =
      decode_sequence_number("49039857307708443467467104868809893875799651944235008002");
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->shard_index, -2147483648);
  // An 8 in the top digit of the counter is out of range.
  auto big = decode_sequence_number("49039857307719593840066370180380661734935976090628259842");
  ASSERT_TRUE(big);
  EXPECT_FALSE(big->counter_in_range);
}

TEST(SequenceNumber, RejectsWhatIsNotANumber) {
  EXPECT_FALSE(decode_sequence_number(""));
  EXPECT_FALSE(decode_sequence_number("12a"));
  EXPECT_FALSE(decode_sequence_number(std::string(60, '9')));  // beyond 47 hex digits
  auto wrong_lead = decode_sequence_number(std::string(56, '9'));
  ASSERT_TRUE(wrong_lead);
  EXPECT_EQ(wrong_lead->version, -1);
}

TEST(SequenceNumber, LegacyLayoutRoundTrips) {
  SequenceNumber n;
  n.format = SequenceNumberFormat{SequenceNumberFormat::Layout::kLegacy, 0, 7};
  n.shard_index = 3;
  n.counter = 42;
  const std::string s = n.str();
  EXPECT_EQ(s,
            "49"
            "0000000007"
            "000000000003"
            "00000000000000000000000000000042");
  auto back = parse_legacy_sequence_number(s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->format.stream_id, 7);
  EXPECT_EQ(back->shard_index, 3);
  EXPECT_EQ(back->counter, 42u);
  EXPECT_FALSE(parse_legacy_sequence_number(kParentStart));  // counter field far too large
}

}  // namespace
}  // namespace kinesim
