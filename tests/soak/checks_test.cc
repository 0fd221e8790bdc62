// The soak test's checks on made-up runs, without a server: each must pass a clean run and
// catch the fault it is there to catch, so a green soak means something.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/soak/ledger.h"
#include "tests/soak/rss.h"

namespace kinesim::soak {
namespace {

// Two keys; key 0 acknowledged #0..#2, key 1 acknowledged #0..#1.
std::vector<KeyLedger> two_keys() {
  std::vector<KeyLedger> ledgers(2);
  ledgers[0].acked = {"100", "101", "102"};
  ledgers[1].acked = {"200", "201"};
  return ledgers;
}

Read read(uint32_t key, uint64_t counter, const std::string& sequence) {
  return {key, counter, sequence_digest(sequence)};
}

std::vector<Read> clean_reads() {
  return {read(0, 0, "100"), read(1, 0, "200"), read(0, 1, "101"), read(1, 1, "201"),
          read(0, 2, "102")};
}

TEST(SoakPayload, RoundTripsAndRefusesDamage) {
  const std::string data = payload(7, 42);
  auto id = parse_payload(partition_key(7), data);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->key, 7u);
  EXPECT_EQ(id->counter, 42u);

  std::string damaged = data;
  damaged.back() = damaged.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(parse_payload(partition_key(7), damaged));
  EXPECT_FALSE(parse_payload(partition_key(7), data.substr(0, data.size() - 1)));
  EXPECT_FALSE(parse_payload(partition_key(8), data));  // put under another key
  EXPECT_EQ(parse_payload(partition_key(7), payload(7, 43)).value().counter, 43u);
}

TEST(SoakChecks, ACleanRunPasses) {
  const Verdict v = check_reads(two_keys(), clean_reads(), 0);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.acked, 5);
  EXPECT_EQ(v.reads, 5);
  EXPECT_EQ(v.lost, 0);
  EXPECT_EQ(v.retry_duplicates, 0);
}

TEST(SoakChecks, CatchesALostRecord) {
  auto reads = clean_reads();
  reads.erase(reads.begin() + 2);  // key 0 #1
  const Verdict v = check_reads(two_keys(), reads, 0);
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.lost, 1);
  ASSERT_FALSE(v.examples.empty());
  EXPECT_NE(v.examples[0].find("key-0000 #1"), std::string::npos) << v.examples[0];
}

TEST(SoakChecks, CatchesARecordReadWithAnotherSequenceNumber) {
  auto reads = clean_reads();
  reads[2] = read(0, 1, "999");
  const Verdict v = check_reads(two_keys(), reads, 0);
  EXPECT_EQ(v.lost, 1);
  EXPECT_FALSE(v.ok());
}

TEST(SoakChecks, CatchesADuplicateNoRetryExplains) {
  auto ledgers = two_keys();
  ledgers[0].ambiguous_failures[2] = 1;  // a different counter was retried
  auto reads = clean_reads();
  reads.push_back(read(1, 1, "201"));
  const Verdict v = check_reads(ledgers, reads, 0);
  EXPECT_EQ(v.unexpected_duplicates, 1);
  EXPECT_FALSE(v.ok());
}

TEST(SoakChecks, AllowsAsManyDuplicatesAsAmbiguousRetries) {
  auto ledgers = two_keys();
  ledgers[0].ambiguous_failures[1] = 2;
  auto reads = clean_reads();
  // Retries written before and after the acknowledged attempt, one of them after #2.
  reads.insert(reads.begin() + 2, read(0, 1, "150"));
  reads.push_back(read(0, 1, "160"));
  Verdict v = check_reads(ledgers, reads, 0);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.retry_duplicates, 2);

  reads.push_back(read(0, 1, "170"));  // one more than the retries explain
  v = check_reads(ledgers, reads, 0);
  EXPECT_EQ(v.retry_duplicates, 2);
  EXPECT_EQ(v.unexpected_duplicates, 1);
  EXPECT_FALSE(v.ok());
}

TEST(SoakChecks, CatchesOutOfOrderReads) {
  auto reads = clean_reads();
  std::swap(reads[0], reads[2]);  // key 0: #1 before #0
  const Verdict v = check_reads(two_keys(), reads, 0);
  EXPECT_EQ(v.order_violations, 1);
  EXPECT_EQ(v.lost, 0);
  EXPECT_FALSE(v.ok());
}

TEST(SoakChecks, CatchesRecordsNeverSent) {
  auto reads = clean_reads();
  reads.push_back(read(1, 2, "202"));  // key 1 only sent #0..#1
  reads.push_back(read(9, 0, "900"));  // no such key
  const Verdict v = check_reads(two_keys(), reads, 0);
  EXPECT_EQ(v.phantoms, 2);
  EXPECT_FALSE(v.ok());
}

TEST(SoakChecks, AnAbandonedRecordMayOrMayNotBeRead) {
  auto ledgers = two_keys();
  ledgers[1].abandoned = 2;
  EXPECT_TRUE(check_reads(ledgers, clean_reads(), 0).ok());
  auto reads = clean_reads();
  reads.push_back(read(1, 2, "202"));
  EXPECT_TRUE(check_reads(ledgers, reads, 0).ok());
}

TEST(SoakChecks, CatchesCorruptRecords) {
  const Verdict v = check_reads(two_keys(), clean_reads(), 3);
  EXPECT_EQ(v.corrupt, 3);
  EXPECT_FALSE(v.ok());
}

std::vector<RssSample> samples(const std::vector<int64_t>& kib) {
  std::vector<RssSample> out;
  for (size_t i = 0; i < kib.size(); ++i) out.push_back({static_cast<double>(i), kib[i]});
  return out;
}

TEST(SoakRss, FlatAfterWarmUpPasses) {
  // The warm-up (the first 3 s) may climb; what follows stays within 10% of its median.
  const RssVerdict v = judge_rss(
      samples({10000, 30000, 60000, 100000, 104000, 98000, 101000, 108000, 95000}), 3, 0.10);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.warm_samples, 6);
  EXPECT_EQ(v.median_kib, 101000);  // the upper of the middle two
  EXPECT_EQ(v.min_kib, 95000);
  EXPECT_EQ(v.max_kib, 108000);
}

TEST(SoakRss, CatchesSteadyGrowth) {
  // 5% a second: each sample is near its neighbours, but the run ends far above the median.
  std::vector<int64_t> kib;
  double x = 100000;
  for (int i = 0; i < 12; ++i, x *= 1.05) kib.push_back(static_cast<int64_t>(x));
  const RssVerdict v = judge_rss(samples(kib), 2, 0.10);
  EXPECT_FALSE(v.ok());
  EXPECT_GT(v.outside, 0);
}

TEST(SoakRss, TooFewSamplesSayNothing) {
  EXPECT_FALSE(judge_rss(samples({100, 100, 100}), 0, 0.10).ok());
}

TEST(SoakRss, ReadsThisProcess) {
  auto kib = resident_kib(getpid());
  ASSERT_TRUE(kib.has_value());
  EXPECT_GT(*kib, 0);
}

}  // namespace
}  // namespace kinesim::soak
