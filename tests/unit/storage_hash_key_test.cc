#include <gtest/gtest.h>

#include "storage/hash_key.h"

namespace kinesim {
namespace {

TEST(HashKey, DecimalRoundTrip) {
  EXPECT_EQ(to_decimal(0), "0");
  EXPECT_EQ(to_decimal(kMaxHashKey), "340282366920938463463374607431768211455");
  auto max = parse_hash_key("340282366920938463463374607431768211455");
  ASSERT_TRUE(max);
  EXPECT_TRUE(*max == kMaxHashKey);
  EXPECT_FALSE(parse_hash_key("340282366920938463463374607431768211456"));  // 2^128
  EXPECT_FALSE(parse_hash_key(""));
  EXPECT_FALSE(parse_hash_key("12a"));
  EXPECT_FALSE(parse_hash_key("-1"));
}

TEST(HashKey, PartitionKeyIsBigEndianMd5) {
  // Expected values computed independently with Python: int.from_bytes(md5(k), "big").
  EXPECT_EQ(to_decimal(hash_partition_key("a")), "16955237001963240173058271559858726497");
  EXPECT_EQ(to_decimal(hash_partition_key("")), "281949768489412648962353822266799178366");
}

TEST(HashKey, SplitEvenlyMatchesKinesis) {
  auto one = split_evenly(1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one[0].start == 0);
  EXPECT_TRUE(one[0].end == kMaxHashKey);

  auto three = split_evenly(3);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(to_decimal(three[0].end), "113427455640312821154458202477256070484");
  EXPECT_EQ(to_decimal(three[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(to_decimal(three[1].end), "226854911280625642308916404954512140969");
  EXPECT_EQ(to_decimal(three[2].start), "226854911280625642308916404954512140970");
  EXPECT_TRUE(three[2].end == kMaxHashKey);

  auto four = split_evenly(4);
  EXPECT_EQ(to_decimal(four[1].start), "85070591730234615865843651857942052864");
  EXPECT_EQ(to_decimal(four[0].end), "85070591730234615865843651857942052863");
  for (int n : {2, 5, 7, 16, 100}) {
    auto r = split_evenly(n);
    ASSERT_EQ(static_cast<int>(r.size()), n);
    EXPECT_TRUE(r.front().start == 0);
    EXPECT_TRUE(r.back().end == kMaxHashKey);
    for (int i = 1; i < n; ++i) EXPECT_TRUE(r[i].start == r[i - 1].end + 1) << n << " " << i;
  }
}

}  // namespace
}  // namespace kinesim
