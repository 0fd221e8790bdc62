#include <gtest/gtest.h>

#include "storage/sequence_number.h"

namespace kinesim {
namespace {

TEST(SequenceNumber, FormatIsFixedWidthDecimal) {
  const std::string s = SequenceNumber{7, 3, 42}.str();
  EXPECT_EQ(s.size(), 56u);
  EXPECT_EQ(s,
            "49"
            "0000000007"
            "000000000003"
            "00000000000000000000000000000042");
}

TEST(SequenceNumber, ParseRoundTrips) {
  const SequenceNumber n{123, 4, kMaxRecordCounter};
  auto back = SequenceNumber::parse(n.str());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, n);
}

TEST(SequenceNumber, RejectsForeignText) {
  EXPECT_FALSE(SequenceNumber::parse(""));
  EXPECT_FALSE(SequenceNumber::parse("1"));
  EXPECT_FALSE(SequenceNumber::parse(std::string(56, '9')));  // wrong prefix
  std::string s = SequenceNumber{1, 1, 1}.str();
  s[20] = 'x';
  EXPECT_FALSE(SequenceNumber::parse(s));
  // A counter beyond what a shard can hold was not made here.
  std::string big = SequenceNumber{1, 1, 0}.str();
  big.replace(24, 32, std::string(32, '9'));
  EXPECT_FALSE(SequenceNumber::parse(big));
}

TEST(SequenceNumber, OrderFollowsCounterWithinShard) {
  // Same width, so string order and numeric order agree; later records compare greater.
  EXPECT_LT((SequenceNumber{1, 0, 9}.str()), (SequenceNumber{1, 0, 10}.str()));
  EXPECT_LT((SequenceNumber{1, 0, 99999}.str()), (SequenceNumber{1, 1, 0}.str()));
}

}  // namespace
}  // namespace kinesim
