// SplitShard, MergeShards, UpdateShardCount and the retention operations end to end through HTTP,
// against a server in this process on a fake clock: answers and errors as Kinesis gives them,
// the lineage they leave (DescribeStream, ListShards and its filters, ChildShards at the end of a
// closed shard), UPDATING and the shard limit, records read back across the lineage while writers
// keep writing, and retention with trimming and restarts.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "api/base64.h"
#include "server_test_fixture.h"
#include "storage/hash_key.h"
#include "storage/store.h"

namespace kinesim::testing {
namespace {

using harness::HttpClient;
using harness::TestServer;

const std::string kMax = "340282366920938463463374607431768211455";
const std::string kHalf = "170141183460469231731687303715884105728";  // 2^127
constexpr int64_t kHourMs = 3600 * 1000;

// One shard as ListShards or DescribeStream shows it.
struct Shard {
  std::string id, parent, adjacent, start_hash, end_hash, start_seq, end_seq;
  bool closed() const { return !end_seq.empty(); }
};

std::vector<Shard> parse_shards(const rapidjson::Value& list) {
  std::vector<Shard> out;
  for (const auto& v : list.GetArray()) {
    Shard s;
    s.id = v["ShardId"].GetString();
    if (v.HasMember("ParentShardId")) s.parent = v["ParentShardId"].GetString();
    if (v.HasMember("AdjacentParentShardId")) s.adjacent = v["AdjacentParentShardId"].GetString();
    s.start_hash = v["HashKeyRange"]["StartingHashKey"].GetString();
    s.end_hash = v["HashKeyRange"]["EndingHashKey"].GetString();
    const auto& seq = v["SequenceNumberRange"];
    s.start_seq = seq["StartingSequenceNumber"].GetString();
    if (seq.HasMember("EndingSequenceNumber")) s.end_seq = seq["EndingSequenceNumber"].GetString();
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> ids(const std::vector<Shard>& shards) {
  std::vector<std::string> out;
  for (const auto& s : shards) out.push_back(s.id);
  return out;
}

// Decimal strings without leading zeros, compared as numbers.
bool less_number(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// In hash key order (ListShards lists by shard id).
std::vector<Shard> by_hash(std::vector<Shard> shards) {
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return less_number(a.start_hash, b.start_hash); });
  return shards;
}

std::string sid(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012d", index);
  return buf;
}

std::string not_active(const std::string& name, const std::string& state) {
  return "Stream " + name + " under account " + kAccount + " not ACTIVE, instead in state " + state;
}

class Reshard : public ServerTest {
 protected:
  // CreateStream, with the empty body Kinesis answers it with.
  void create(const std::string& name, int shards) {
    ok_empty("CreateStream",
             R"({"StreamName":")" + name + R"(","ShardCount":)" + std::to_string(shards) + "}");
  }
  void create_on_demand(const std::string& name) {
    ok_empty("CreateStream",
             R"({"StreamName":")" + name + R"(","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  }
  static std::string split_body(const std::string& name, const std::string& shard,
                                const std::string& at) {
    return R"({"StreamName":")" + name + R"(","ShardToSplit":")" + shard +
           R"(","NewStartingHashKey":")" + at + "\"}";
  }
  static std::string merge_body(const std::string& name, const std::string& a,
                                const std::string& b) {
    return R"({"StreamName":")" + name + R"(","ShardToMerge":")" + a +
           R"(","AdjacentShardToMerge":")" + b + "\"}";
  }
  static std::string scale_body(const std::string& name, int64_t target) {
    return R"({"StreamName":")" + name + R"(","TargetShardCount":)" + std::to_string(target) +
           R"(,"ScalingType":"UNIFORM_SCALING"})";
  }
  static std::string retention_body(const std::string& name, int64_t hours) {
    return R"({"StreamName":")" + name + R"(","RetentionPeriodHours":)" + std::to_string(hours) +
           "}";
  }

  std::vector<Shard> describe(const std::string& name) {
    Answer a = ok("DescribeStream", R"({"StreamName":")" + name + "\"}");
    return parse_shards(a.json["StreamDescription"]["Shards"]);
  }
  std::string status(const std::string& name) {
    Answer a = ok("DescribeStreamSummary", R"({"StreamName":")" + name + "\"}");
    return a.json["StreamDescriptionSummary"]["StreamStatus"].GetString();
  }
  int retention(const std::string& name) {
    Answer a = ok("DescribeStreamSummary", R"({"StreamName":")" + name + "\"}");
    return a.json["StreamDescriptionSummary"]["RetentionPeriodHours"].GetInt();
  }
  std::vector<Shard> list(const std::string& name, const std::string& filter = "") {
    std::string body = R"({"StreamName":")" + name + "\"";
    if (!filter.empty()) body += R"(,"ShardFilter":)" + filter;
    Answer a = ok("ListShards", body + "}");
    return parse_shards(a.json["Shards"]);
  }
  // PutRecord with an explicit hash key; answers {ShardId, SequenceNumber}.
  std::pair<std::string, std::string> put(const std::string& name, const std::string& hash,
                                          const std::string& data = "AA==") {
    Answer a = ok("PutRecord", R"({"StreamName":")" + name + R"(","PartitionKey":"p","Data":")" +
                                   data + R"(","ExplicitHashKey":")" + hash + "\"}");
    if (a.status != 200) return {};
    return {a.json["ShardId"].GetString(), a.json["SequenceNumber"].GetString()};
  }
  std::string iterator(const std::string& name, const std::string& shard,
                       const std::string& type = "TRIM_HORIZON", const std::string& extra = "") {
    Answer a = ok("GetShardIterator", R"({"StreamName":")" + name + R"(","ShardId":")" + shard +
                                          R"(","ShardIteratorType":")" + type + "\"" + extra + "}");
    return a.status == 200 ? a.json["ShardIterator"].GetString() : "";
  }
  Answer get_records(const std::string& it) {
    return ok("GetRecords", R"({"ShardIterator":")" + it + "\"}");
  }
};

// ---------------------------------------------------------------------------------------------
// SplitShard

TEST_F(Reshard, SplitShardClosesTheParentAndOpensTwoChildren) {
  create("s", 1);
  const auto before = put("s", "5");
  EXPECT_EQ(before.first, sid(0));
  clock_.advance_ms(1500);
  // Kinesis reads the shard id by its number; any prefix will do.
  ok_empty("SplitShard", split_body("s", "anything-0", kHalf));
  EXPECT_EQ(status("s"), "ACTIVE");

  const auto shards = describe("s");
  ASSERT_EQ(ids(shards), (std::vector<std::string>{sid(0), sid(1), sid(2)}));
  const Shard& parent = shards[0];
  EXPECT_TRUE(parent.closed());
  EXPECT_EQ(parent.parent, "");
  EXPECT_EQ(parent.start_hash, "0");
  EXPECT_EQ(parent.end_hash, kMax);
  EXPECT_EQ(shards[1].parent, sid(0));
  EXPECT_EQ(shards[2].parent, sid(0));
  EXPECT_EQ(shards[1].adjacent, "");
  EXPECT_EQ(shards[2].adjacent, "");
  EXPECT_EQ(shards[1].start_hash, "0");
  EXPECT_EQ(shards[1].end_hash, "170141183460469231731687303715884105727");
  EXPECT_EQ(shards[2].start_hash, kHalf);
  EXPECT_EQ(shards[2].end_hash, kMax);
  for (int i : {1, 2}) {
    EXPECT_FALSE(shards[i].closed());
    EXPECT_TRUE(less_number(parent.end_seq, shards[i].start_seq))
        << parent.end_seq << " vs " << shards[i].start_seq;
  }
  // The parent ends above every record it holds.
  EXPECT_TRUE(less_number(before.second, parent.end_seq));
  EXPECT_EQ(list("s").size(), 3u);

  // New records go to the children, with sequence numbers above the parent's.
  const auto low = put("s", "7");
  const auto high = put("s", kMax);
  EXPECT_EQ(low.first, sid(1));
  EXPECT_EQ(high.first, sid(2));
  EXPECT_TRUE(less_number(before.second, low.second));
  EXPECT_TRUE(less_number(parent.end_seq, high.second));

  // Reading the parent to its end names the children and gives no next iterator.
  Answer end = get_records(iterator("s", sid(0)));
  ASSERT_EQ(end.json["Records"].Size(), 1u);
  EXPECT_EQ(end.json["Records"][0]["SequenceNumber"].GetString(), before.second);
  EXPECT_FALSE(end.json.HasMember("NextShardIterator")) << end.body;
  ASSERT_TRUE(end.json.HasMember("ChildShards")) << end.body;
  const auto& children = end.json["ChildShards"];
  ASSERT_EQ(children.Size(), 2u);
  for (rapidjson::SizeType i = 0; i < 2; ++i) {
    EXPECT_EQ(children[i]["ShardId"].GetString(), sid(static_cast<int>(i) + 1));
    ASSERT_EQ(children[i]["ParentShards"].Size(), 1u);
    EXPECT_EQ(children[i]["ParentShards"][0].GetString(), sid(0));
    EXPECT_EQ(children[i]["HashKeyRange"]["StartingHashKey"].GetString(), shards[i + 1].start_hash);
    EXPECT_EQ(children[i]["HashKeyRange"]["EndingHashKey"].GetString(), shards[i + 1].end_hash);
  }
  // A closed shard read at LATEST is at its end straight away.
  Answer latest = get_records(iterator("s", sid(0), "LATEST"));
  EXPECT_EQ(latest.json["Records"].Size(), 0u);
  EXPECT_FALSE(latest.json.HasMember("NextShardIterator"));
  EXPECT_TRUE(latest.json.HasMember("ChildShards"));
  // An open child keeps going.
  Answer child = get_records(iterator("s", sid(1)));
  EXPECT_EQ(child.json["Records"].Size(), 1u);
  EXPECT_TRUE(child.json.HasMember("NextShardIterator"));
  EXPECT_FALSE(child.json.HasMember("ChildShards"));
}

TEST_F(Reshard, SplitShardTakesTheStreamArnAndTheNarrowestChildren) {
  create("s", 1);
  // Children need two hash keys each: 2 is the smallest key a shard starting at 0 splits at.
  ok_empty("SplitShard", R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s",)"
                         R"("ShardToSplit":"shardId-000000000000","NewStartingHashKey":"2"})");
  const auto shards = describe("s");
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[1].end_hash, "1");
  EXPECT_EQ(shards[2].start_hash, "2");
  // And kMax - 1 is the largest a shard ending at kMax splits at.
  const std::string below_max = "340282366920938463463374607431768211454";
  ok_empty("SplitShard", split_body("s", sid(2), below_max));
  EXPECT_EQ(describe("s")[4].start_hash, below_max);
}

TEST_F(Reshard, SplitShardErrors) {
  create("s", 3);
  const std::string nope = "nope";
  // Shard ids that do not parse are not found before the stream is looked up, named as sent.
  for (const std::string bad : {"2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"}) {
    expect_error("SplitShard", split_body(nope, bad, "0"), "ResourceNotFoundException",
                 "Could not find shard " + bad + " in stream nope under account 000000000000.");
  }
  for (const std::string good : {"2147483647", "x-2147483647", "a-00002147483647"}) {
    expect_error("SplitShard", split_body(nope, good, "0"), "ResourceNotFoundException",
                 "Stream nope under account 000000000000 not found.");
  }
  expect_error("SplitShard", split_body("s", "shardId-5", "0"), "ResourceNotFoundException",
               "Could not find shard shardId-000000000005 in stream s under account 000000000000.");

  const std::string shard0 =
      " used in SplitShard() on shard shardId-000000000000 in stream s under account "
      "000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less "
      "than the shard's EndingHashKey 113427455640312821154458202477256070484.";
  for (const std::string key : {"0", "1", "113427455640312821154458202477256070484",
                                "113427455640312821154458202477256070485"}) {
    expect_error("SplitShard", split_body("s", "shard-0", key), "InvalidArgumentException",
                 "NewStartingHashKey " + key + shard0);
  }
  // More than 2^128 - 1 (the model allows 39 digits): echoed as sent.
  expect_error(
      "SplitShard", split_body("s", "shard-2", "999999999999999999999999999999999999999"),
      "InvalidArgumentException",
      "NewStartingHashKey 999999999999999999999999999999999999999 used in SplitShard() on shard "
      "shardId-000000000002 in stream s under account 000000000000 is not both greater than "
      "one plus the shard's StartingHashKey 226854911280625642308916404954512140970 and less "
      "than the shard's EndingHashKey 340282366920938463463374607431768211455.");
  // Nothing changed.
  EXPECT_EQ(describe("s").size(), 3u);
  EXPECT_EQ(status("s"), "ACTIVE");

  // A shard that a split already closed.
  ok_empty("SplitShard", split_body("s", sid(0), "1000"));
  expect_error("SplitShard", split_body("s", sid(0), "2000"), "InvalidArgumentException",
               "Shard shardId-000000000000 in stream s under account 000000000000 has already been "
               "merged or split, and thus is not eligible for merging or splitting.");
  EXPECT_EQ(describe("s").size(), 5u);

  create_on_demand("od");
  expect_error("SplitShard", split_body("od", sid(0), "1000"), "ValidationException",
               "Request is invalid. Stream od under account 000000000000 is in On-Demand mode.");
  EXPECT_EQ(describe("od").size(), 4u);
}

// ---------------------------------------------------------------------------------------------
// MergeShards

TEST_F(Reshard, MergeShardsJoinsTwoAdjacentShards) {
  create("s", 3);
  const auto in0 = put("s", "1");
  const auto in1 = put("s", "113427455640312821154458202477256070485");
  EXPECT_EQ(in0.first, sid(0));
  EXPECT_EQ(in1.first, sid(1));
  ok_empty("MergeShards", merge_body("s", "shard-0", "x-1"));

  const auto shards = describe("s");
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_TRUE(shards[0].closed());
  EXPECT_TRUE(shards[1].closed());
  EXPECT_FALSE(shards[2].closed());
  const Shard& merged = shards[3];
  EXPECT_EQ(merged.id, sid(3));
  EXPECT_EQ(merged.parent, sid(0));
  EXPECT_EQ(merged.adjacent, sid(1));
  EXPECT_EQ(merged.start_hash, "0");
  EXPECT_EQ(merged.end_hash, "226854911280625642308916404954512140969");
  EXPECT_FALSE(merged.closed());
  EXPECT_TRUE(less_number(shards[0].end_seq, merged.start_seq));
  EXPECT_TRUE(less_number(shards[1].end_seq, merged.start_seq));
  EXPECT_EQ(put("s", "1").first, sid(3));

  // Both parents end by naming the merged shard, with both of its parents.
  for (int parent : {0, 1}) {
    Answer end = get_records(iterator("s", sid(parent)));
    EXPECT_EQ(end.json["Records"].Size(), 1u);
    EXPECT_FALSE(end.json.HasMember("NextShardIterator"));
    ASSERT_TRUE(end.json.HasMember("ChildShards")) << end.body;
    const auto& children = end.json["ChildShards"];
    ASSERT_EQ(children.Size(), 1u);
    EXPECT_EQ(children[0]["ShardId"].GetString(), sid(3));
    ASSERT_EQ(children[0]["ParentShards"].Size(), 2u);
    EXPECT_EQ(children[0]["ParentShards"][0].GetString(), sid(0));
    EXPECT_EQ(children[0]["ParentShards"][1].GetString(), sid(1));
    EXPECT_EQ(children[0]["HashKeyRange"]["EndingHashKey"].GetString(), merged.end_hash);
  }
}

TEST_F(Reshard, MergeShardsErrors) {
  create("s", 3);
  const std::string tail =
      " in stream s under account 000000000000 are not an adjacent pair of "
      "shards eligible for merging";
  expect_error("MergeShards", merge_body("s", sid(0), sid(2)), "InvalidArgumentException",
               "Shards shardId-000000000000 and shardId-000000000002" + tail);
  // The order matters: ShardToMerge must come first in the hash key space.
  expect_error("MergeShards", merge_body("s", "shard-1", "shard-0"), "InvalidArgumentException",
               "Shards shardId-000000000001 and shardId-000000000000" + tail);
  expect_error("MergeShards", merge_body("s", sid(1), sid(1)), "InvalidArgumentException",
               "Shards shardId-000000000001 and shardId-000000000001" + tail);
  expect_error("MergeShards", merge_body("nope", sid(0), "ABKLFD8"), "ResourceNotFoundException",
               "Could not find shard ABKLFD8 in stream nope under account 000000000000.");
  expect_error("MergeShards", merge_body("nope", "2147483648", sid(1)), "ResourceNotFoundException",
               "Could not find shard 2147483648 in stream nope under account 000000000000.");
  expect_error("MergeShards", merge_body("nope", sid(0), sid(1)), "ResourceNotFoundException",
               "Stream nope under account 000000000000 not found.");
  expect_error("MergeShards", merge_body("s", sid(0), "shardId-5"), "ResourceNotFoundException",
               "Could not find shard shardId-000000000005 in stream s under account 000000000000.");
  expect_error("MergeShards", merge_body("s", "shardId-7", sid(0)), "ResourceNotFoundException",
               "Could not find shard shardId-000000000007 in stream s under account 000000000000.");
  EXPECT_EQ(describe("s").size(), 3u);

  ok_empty("MergeShards", merge_body("s", sid(1), sid(2)));
  expect_error("MergeShards", merge_body("s", sid(0), sid(1)), "InvalidArgumentException",
               "Shard shardId-000000000001 in stream s under account 000000000000 has already been "
               "merged or split, and thus is not eligible for merging or splitting.");
  EXPECT_EQ(describe("s").size(), 4u);

  create_on_demand("od");
  expect_error("MergeShards", merge_body("od", sid(0), sid(1)), "ValidationException",
               "Request is invalid. Stream od under account 000000000000 is in On-Demand mode.");
}

// ---------------------------------------------------------------------------------------------
// UpdateShardCount

TEST_F(Reshard, UpdateShardCountAnswersAndReshapes) {
  create("s", 2);
  Answer up = ok("UpdateShardCount", scale_body("s", 4));
  ASSERT_TRUE(up.json.IsObject()) << up.body;
  EXPECT_EQ(up.json.MemberCount(), 4u);
  EXPECT_STREQ(up.json["StreamName"].GetString(), "s");
  EXPECT_EQ(up.json["CurrentShardCount"].GetInt(), 2);
  EXPECT_EQ(up.json["TargetShardCount"].GetInt(), 4);
  EXPECT_STREQ(up.json["StreamARN"].GetString(), "arn:aws:kinesis:us-east-1:000000000000:stream/s");
  // Doubling splits each shard once: 2 closed, 4 open, each a child of one of the two.
  auto shards = describe("s");
  ASSERT_EQ(shards.size(), 6u);
  const auto open = by_hash(list("s", R"({"Type":"AT_LATEST"})"));
  ASSERT_EQ(open.size(), 4u);
  const auto even = split_evenly(4);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(open[i].start_hash, to_decimal(even[i].start));
    EXPECT_EQ(open[i].end_hash, to_decimal(even[i].end));
    EXPECT_EQ(open[i].parent, sid(static_cast<int>(i / 2)));
  }
  // Halving merges pairs.
  Answer down = ok("UpdateShardCount", scale_body("s", 2));
  EXPECT_EQ(down.json["CurrentShardCount"].GetInt(), 4);
  shards = describe("s");
  ASSERT_EQ(shards.size(), 8u);
  EXPECT_EQ(shards[6].parent, sid(2));
  EXPECT_EQ(shards[6].adjacent, sid(3));
  EXPECT_EQ(shards[7].parent, sid(4));
  EXPECT_EQ(shards[7].adjacent, sid(5));
  // A target that is not a multiple: three even shards, through short-lived closed ones.
  ok("UpdateShardCount", scale_body("s", 3));
  const auto three = by_hash(list("s", R"({"Type":"AT_LATEST"})"));
  ASSERT_EQ(three.size(), 3u);
  const auto thirds = split_evenly(3);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(three[i].start_hash, to_decimal(thirds[i].start));
    EXPECT_EQ(three[i].end_hash, to_decimal(thirds[i].end));
  }
  // Doubling three shards splits each once, though even sixths round differently from thirds.
  const size_t total = describe("s").size();
  Answer six = ok("UpdateShardCount", scale_body("s", 6));
  EXPECT_EQ(six.json["CurrentShardCount"].GetInt(), 3);
  EXPECT_EQ(describe("s").size(), total + 6);
  EXPECT_EQ(list("s", R"({"Type":"AT_LATEST"})").size(), 6u);
  // The count it already has: nothing changes.
  Answer same = ok("UpdateShardCount", scale_body("s", 6));
  EXPECT_EQ(same.json["CurrentShardCount"].GetInt(), 6);
  EXPECT_EQ(same.json["TargetShardCount"].GetInt(), 6);
  EXPECT_EQ(describe("s").size(), total + 6);
}

TEST_F(Reshard, UpdateShardCountErrors) {
  create("s", 2);
  expect_error(
      "UpdateShardCount", scale_body("s", 5), "LimitExceededException",
      "UpdateShardCount cannot scale up over double your current open shard count. Current "
      "open shard count: 2, Target shard count: 5");
  create("six", 6);
  expect_error(
      "UpdateShardCount", scale_body("six", 2), "LimitExceededException",
      "UpdateShardCount cannot scale down below half your current open shard count. Current "
      "open shard count: 6, Target shard count: 2");
  expect_error("UpdateShardCount", scale_body("nope", 2), "ResourceNotFoundException",
               "Stream nope under account 000000000000 not found.");
  // The account's limit (500 open shards here, 8 in use) comes before the doubling rule.
  expect_error(
      "UpdateShardCount", scale_body("six", 499), "LimitExceededException",
      "Target shard count or number of open shards cannot be greater than 500. Current open "
      "shard count: 6, Target shard count: 499");
  ok("UpdateShardCount", scale_body("six", 12));  // 2 + 12 open shards is well within it
  expect_error(
      "UpdateShardCount", scale_body("s", 100001), "ValidationException",
      "1 validation error detected: Value '100001' at 'targetShardCount' failed to satisfy "
      "constraint: Member must have value less than or equal to 100000");
  create_on_demand("od");
  expect_error("UpdateShardCount", scale_body("od", 8), "ValidationException",
               "Request is invalid. Stream od under account 000000000000 is in On-Demand mode.");
  // Nothing changed anywhere.
  EXPECT_EQ(describe("s").size(), 2u);
  EXPECT_EQ(describe("six").size(), 18u);
  EXPECT_EQ(describe("od").size(), 4u);
}

TEST_F(Reshard, UpdateShardCountScalesTenTimesPerDay) {
  create("s", 1);
  for (int i = 0; i < 10; ++i) {
    ok("UpdateShardCount", scale_body("s", i % 2 == 0 ? 2 : 1));
    clock_.advance_ms(kHourMs);
  }
  expect_error(
      "UpdateShardCount", scale_body("s", 2), "LimitExceededException",
      "UpdateShardCount cannot scale stream s under account 000000000000 more than 10 times in "
      "a rolling 24-hour period.");
  // Splits and merges do not count.
  ok_empty("SplitShard", split_body("s", list("s", R"({"Type":"AT_LATEST"})")[0].id, "2"));
  // The window rolls: 24 hours after the first scaling, one more is allowed.
  clock_.advance_ms(14 * kHourMs + 1);
  ok("UpdateShardCount", scale_body("s", 1));
  expect_error(
      "UpdateShardCount", scale_body("s", 2), "LimitExceededException",
      "UpdateShardCount cannot scale stream s under account 000000000000 more than 10 times in "
      "a rolling 24-hour period.");
}

TEST_F(Reshard, UpdateShardCountStopsAtTenThousandShards) {
  start([] {
    TestServer::Options o;
    o.shard_limit = 30000;
    return o;
  }());
  create("big", 5001);
  expect_error(
      "UpdateShardCount", scale_body("big", 10002), "LimitExceededException",
      "UpdateShardCount cannot scale up to more than 10000 shards in a stream. Current open "
      "shard count: 5001, Target shard count: 10002");
  Answer summary = ok("DescribeStreamSummary", R"({"StreamName":"big"})");
  EXPECT_EQ(summary.json["StreamDescriptionSummary"]["OpenShardCount"].GetInt(), 5001);
}

// ---------------------------------------------------------------------------------------------
// States and limits

TEST_F(Reshard, UpdatingRefusesAnotherReshardUntilTheDelayEnds) {
  start([] {
    TestServer::Options o;
    o.delays.updating_ms = 5000;
    o.delays.creating_ms = 2000;
    return o;
  }());
  create("s", 2);
  EXPECT_EQ(status("s"), "CREATING");
  expect_error("SplitShard", split_body("s", sid(0), "1000"), "ResourceInUseException",
               not_active("s", "CREATING"));
  expect_error("MergeShards", merge_body("s", sid(0), sid(1)), "ResourceInUseException",
               not_active("s", "CREATING"));
  clock_.advance_ms(2000);
  EXPECT_EQ(status("s"), "ACTIVE");

  ok_empty("SplitShard", split_body("s", sid(0), "1000"));
  EXPECT_EQ(status("s"), "UPDATING");
  // Resharding waits; the state is checked before the shard (shard 9 does not exist).
  expect_error("SplitShard", split_body("s", sid(9), "1000"), "ResourceInUseException",
               not_active("s", "UPDATING"));
  expect_error("MergeShards", merge_body("s", sid(3), sid(1)), "ResourceInUseException",
               not_active("s", "UPDATING"));
  expect_error("UpdateShardCount", scale_body("s", 4), "ResourceInUseException",
               not_active("s", "UPDATING"));
  expect_error("IncreaseStreamRetentionPeriod", retention_body("s", 48), "ResourceInUseException",
               not_active("s", "UPDATING"));
  // Reads and writes go on; the split already routes to the children.
  EXPECT_EQ(put("s", "5").first, sid(2));
  EXPECT_EQ(describe("s").size(), 4u);

  clock_.advance_ms(4999);
  EXPECT_EQ(status("s"), "UPDATING");
  clock_.advance_ms(1);
  EXPECT_EQ(status("s"), "ACTIVE");
  ok_empty("MergeShards", merge_body("s", sid(3), sid(1)));
  EXPECT_EQ(status("s"), "UPDATING");
  clock_.advance_ms(5000);

  // Retention changes take effect at once and leave the stream ACTIVE.
  ok_empty("IncreaseStreamRetentionPeriod", retention_body("s", 48));
  EXPECT_EQ(status("s"), "ACTIVE");
  EXPECT_EQ(retention("s"), 48);
  ok_empty("DecreaseStreamRetentionPeriod", retention_body("s", 30));
  EXPECT_EQ(status("s"), "ACTIVE");
  // A scaling to the count the stream already has, evenly spread, changes nothing, so no
  // UPDATING either; three uneven shards do become three even ones.
  ok_empty("SplitShard", split_body("s", sid(4), kHalf));
  clock_.advance_ms(5000);
  Answer same = ok("UpdateShardCount", scale_body("s", 3));
  EXPECT_EQ(same.json["CurrentShardCount"].GetInt(), 3);
  EXPECT_EQ(status("s"), "UPDATING");
  clock_.advance_ms(5000);
  ok("UpdateShardCount", scale_body("s", 3));
  EXPECT_EQ(status("s"), "ACTIVE");
}

TEST_F(Reshard, ShardLimitCountsOpenShards) {
  start([] {
    TestServer::Options o;
    o.shard_limit = 4;
    return o;
  }());
  create("a", 3);
  create("b", 1);
  expect_error(
      "SplitShard", split_body("a", sid(0), "1000"), "LimitExceededException",
      "This request would exceed the shard limit for the account 000000000000 in us-east-1. "
      "Current shard count for the account: 4. Limit: 4. Number of additional shards that "
      "would have resulted from this request: 1. Refer to the AWS Service Limits page "
      "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
      "limits and how to request higher limits.");
  expect_error("UpdateShardCount", scale_body("b", 2), "LimitExceededException",
               "Target shard count or number of open shards cannot be greater than 4. Current open "
               "shard count: 1, Target shard count: 2");
  EXPECT_EQ(describe("a").size(), 3u);
  // A merge frees one open shard (closed shards do not count), so one split fits again.
  ok_empty("MergeShards", merge_body("a", sid(0), sid(1)));
  ok_empty("SplitShard", split_body("a", sid(2), "300000000000000000000000000000000000000"));
  EXPECT_EQ(describe("a").size(), 6u);
  EXPECT_EQ(call("SplitShard", split_body("a", sid(3), "1000")).type(), "LimitExceededException");
}

// ---------------------------------------------------------------------------------------------
// Lineage as ListShards and the readers see it

TEST_F(Reshard, ListShardsFiltersFollowTheLineage) {
  const int64_t t0 = clock_.now_ms();
  create("s", 1);  // shard 0
  clock_.advance_ms(10'000);
  const int64_t t1 = clock_.now_ms();
  ok_empty("SplitShard", split_body("s", sid(0), kHalf));  // 1 and 2
  clock_.advance_ms(10'000);
  const int64_t t2 = clock_.now_ms();
  ok_empty("MergeShards", merge_body("s", sid(1), sid(2)));  // 3
  clock_.advance_ms(10'000);
  auto at = [](const char* type, int64_t ms) {
    return std::string(R"({"Type":")") + type + R"(","Timestamp":)" + std::to_string(ms / 1000) +
           "." + std::to_string(ms % 1000 / 100) + "}";
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(list("s")), (V{sid(0), sid(1), sid(2), sid(3)}));
  EXPECT_EQ(ids(list("s", R"({"Type":"FROM_TRIM_HORIZON"})")), (V{sid(0), sid(1), sid(2), sid(3)}));
  EXPECT_EQ(ids(list("s", R"({"Type":"AT_LATEST"})")), (V{sid(3)}));
  EXPECT_EQ(ids(list("s", R"({"Type":"AT_TRIM_HORIZON"})")), (V{sid(0)}));
  EXPECT_EQ(ids(list("s", at("AT_TIMESTAMP", t0 + 5000))), (V{sid(0)}));
  EXPECT_EQ(ids(list("s", at("AT_TIMESTAMP", t1 + 5000))), (V{sid(1), sid(2)}));
  EXPECT_EQ(ids(list("s", at("AT_TIMESTAMP", t2 + 5000))), (V{sid(3)}));
  EXPECT_EQ(ids(list("s", at("FROM_TIMESTAMP", t1 + 5000))), (V{sid(1), sid(2), sid(3)}));
  EXPECT_EQ(ids(list("s", at("FROM_TIMESTAMP", t2 + 5000))), (V{sid(3)}));
  EXPECT_EQ(ids(list("s", at("FROM_TIMESTAMP", t0))), (V{sid(0), sid(1), sid(2), sid(3)}));
  EXPECT_EQ(ids(list("s", R"({"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000001"})")),
            (V{sid(2), sid(3)}));
  // Once the retention period has passed the split, shard 0 has left the trim horizon.
  clock_.advance_ms(24 * kHourMs - 15'000);  // the horizon is now t1 + 5 s
  EXPECT_EQ(ids(list("s")), (V{sid(1), sid(2), sid(3)}));
  EXPECT_EQ(ids(list("s", R"({"Type":"AT_TRIM_HORIZON"})")), (V{sid(1), sid(2)}));
  EXPECT_EQ(ids(list("s", at("FROM_TIMESTAMP", t0))), (V{sid(1), sid(2), sid(3)}));
  EXPECT_EQ(describe("s").size(), 4u);
}

TEST_F(Reshard, ChildSequenceNumbersWorkAtOnce) {
  // The children of a shard split in the second it was made start a second later, as in
  // Kinesis; their numbers must still be usable in that second.
  create("s", 1);
  ok_empty("SplitShard", split_body("s", sid(0), kHalf));
  const auto first = put("s", "5");
  const auto second = put("s", "6");
  ASSERT_EQ(first.first, sid(1));
  Answer at = get_records(iterator("s", sid(1), "AT_SEQUENCE_NUMBER",
                                   R"(,"StartingSequenceNumber":")" + first.second + "\""));
  ASSERT_EQ(at.json["Records"].Size(), 2u) << at.body;
  EXPECT_EQ(at.json["Records"][1]["SequenceNumber"].GetString(), second.second);
  const std::string start = describe("s")[1].start_seq;
  Answer from_start = get_records(
      iterator("s", sid(1), "AT_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":")" + start + "\""));
  EXPECT_EQ(from_start.json["Records"].Size(), 2u);
  // A producer that orders its puts by the last sequence number it got.
  Answer ordered = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"p","Data":"AA==",)"
                                   R"("ExplicitHashKey":"5","SequenceNumberForOrdering":")" +
                                       second.second + "\"}");
  EXPECT_TRUE(less_number(second.second, ordered.json["SequenceNumber"].GetString()));
}

// ---------------------------------------------------------------------------------------------
// Retention

TEST_F(Reshard, RetentionPeriodChangesAndErrors) {
  create("s", 1);
  EXPECT_EQ(retention("s"), 24);
  ok_empty("IncreaseStreamRetentionPeriod", retention_body("s", 48));
  EXPECT_EQ(retention("s"), 48);
  // The same value again is no change, not an error.
  ok_empty("IncreaseStreamRetentionPeriod", retention_body("s", 48));
  ok_empty("DecreaseStreamRetentionPeriod", retention_body("s", 48));
  expect_error(
      "IncreaseStreamRetentionPeriod", retention_body("s", 47), "InvalidArgumentException",
      "Requested retention period (47 hours) for stream s can not be shorter than existing "
      "retention period (48 hours). Use DecreaseRetentionPeriod API.");
  expect_error("DecreaseStreamRetentionPeriod", retention_body("s", 49), "InvalidArgumentException",
               "Requested retention period (49 hours) for stream s can not be longer than existing "
               "retention period (48 hours). Use IncreaseRetentionPeriod API.");
  for (const char* op : {"IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod"}) {
    expect_error(
        op, retention_body("s", 23), "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is "
        "too short.");
    expect_error(op, retention_body("s", 8761), "InvalidArgumentException",
                 "Maximum allowed retention period is 8760 hours. Requested retention period (8761 "
                 "hours) is too long.");
    for (int bad : {0, -1}) {
      expect_error(
          op, retention_body("s", bad), "ValidationException",
          "1 validation error detected: Value '" + std::to_string(bad) +
              "' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value "
              "greater than or equal to 1");
    }
    expect_error(op, retention_body("nope", 100), "ResourceNotFoundException",
                 "Stream nope under account 000000000000 not found.");
  }
  EXPECT_EQ(retention("s"), 48);
  ok_empty("IncreaseStreamRetentionPeriod", retention_body("s", 8760));
  ok_empty("DecreaseStreamRetentionPeriod", retention_body("s", 24));
  EXPECT_EQ(retention("s"), 24);
  ok_empty("IncreaseStreamRetentionPeriod",
           R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s",)"
           R"("RetentionPeriodHours":100})");
  EXPECT_EQ(retention("s"), 100);
}

class ReshardRetention : public Reshard {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("kinesim-retention-" + std::to_string(::getpid()) + ".db"))
                .string();
    remove_files();
    start(options());
  }
  void TearDown() override {
    shut_down();
    remove_files();
  }
  TestServer::Options options() const {
    TestServer::Options o;
    o.db = path_;
    o.maintenance_interval_ms = 3'600'000;  // trimming happens when the test says so
    return o;
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  // Data of every record GetRecords returns from TRIM_HORIZON to the tip of shard 0.
  std::vector<std::string> readable() {
    std::vector<std::string> out;
    Answer a = get_records(iterator("s", sid(0)));
    for (const auto& r : a.json["Records"].GetArray()) out.push_back(r["Data"].GetString());
    return out;
  }
  // How many records the database still holds for shard 0, readable or not.
  size_t stored() {
    auto stream = server_->server().store().catalog().find({kAccount, "us-east-1", "s"});
    const ShardInfo& shard = *stream->shard(0);
    size_t n = 0;
    Status s = server_->server().store().read_records(
        shard.gid, 0, shard.cursor->last_counter.load(), 0, 1'000'000, SIZE_MAX,
        [&](const StoredRecord&) { ++n; });
    EXPECT_TRUE(s.ok()) << s.message;
    return n;
  }

  std::string path_;
};

TEST_F(ReshardRetention, ExpiredRecordsAreNeverReadAndGetTrimmed) {
  using V = std::vector<std::string>;
  create("s", 1);
  std::vector<std::string> seqs;
  seqs.push_back(put("s", "1", "AQ==").second);  // t = 0
  clock_.advance_ms(10 * kHourMs);
  seqs.push_back(put("s", "1", "Ag==").second);  // t = 10 h
  clock_.advance_ms(14 * kHourMs);
  EXPECT_EQ(readable(), (V{"AQ==", "Ag=="}));
  const std::string early = iterator("s", sid(0));
  clock_.advance_ms(1);  // 24 h and 1 ms: the first record has expired
  EXPECT_EQ(readable(), (V{"Ag=="}));
  EXPECT_EQ(stored(), 2u);  // not trimmed yet, but never read
  // An iterator made before the expiry skips it too.
  Answer from_early = get_records(early);
  ASSERT_EQ(from_early.json["Records"].Size(), 1u);
  EXPECT_STREQ(from_early.json["Records"][0]["Data"].GetString(), "Ag==");
  ASSERT_TRUE(server_->server().store().run_maintenance().ok());
  EXPECT_EQ(stored(), 1u);
  EXPECT_EQ(readable(), (V{"Ag=="}));
  Answer horizon = get_records(iterator("s", sid(0)));
  EXPECT_EQ(horizon.json["Records"][0]["SequenceNumber"].GetString(), seqs[1]);

  // A longer period does not bring back a record that had expired before it.
  seqs.push_back(put("s", "1", "Aw==").second);  // t = 24 h
  clock_.advance_ms(24 * kHourMs + 1);           // the second and third have expired
  EXPECT_EQ(readable(), V{});
  ok_empty("IncreaseStreamRetentionPeriod", retention_body("s", 72));
  EXPECT_EQ(readable(), V{});
  EXPECT_EQ(stored(), 0u);
  seqs.push_back(put("s", "1", "BA==").second);  // t = 48 h
  clock_.advance_ms(30 * kHourMs);               // 30 h old: kept by 72 h
  seqs.push_back(put("s", "1", "BQ==").second);  // t = 78 h
  EXPECT_EQ(readable(), (V{"BA==", "BQ=="}));
  // A shorter period makes it expire at once; the next pass deletes it.
  ok_empty("DecreaseStreamRetentionPeriod", retention_body("s", 24));
  EXPECT_EQ(readable(), (V{"BQ=="}));
  EXPECT_EQ(stored(), 2u);
  ASSERT_TRUE(server_->server().store().run_maintenance().ok());
  EXPECT_EQ(stored(), 1u);

  // Everything expires and is trimmed; after a restart on the same file, new records still
  // number after every record the stream ever had.
  clock_.advance_ms(25 * kHourMs);
  ASSERT_TRUE(server_->server().store().run_maintenance().ok());
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(readable(), V{});
  server_->stop();
  start(options());
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(retention("s"), 24);
  const std::string after = put("s", "1", "Bg==").second;
  for (const auto& seq : seqs) EXPECT_TRUE(less_number(seq, after)) << seq << " vs " << after;
  EXPECT_EQ(readable(), (V{"Bg=="}));
}

// ---------------------------------------------------------------------------------------------
// Resharding under load

class ReshardLoad : public ::testing::TestWithParam<bool> {};

// Writers keep putting records, each partition key with its own increasing counter, while the
// stream is split, merged and rescaled. Reading the lineage parents first must then give every
// acknowledged record exactly once, in order per partition key.
TEST_P(ReshardLoad, EveryAcknowledgedRecordOnceAndInOrder) {
  const bool on_file = GetParam();
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("kinesim-reshard-load-" + std::to_string(::getpid()) + ".db"))
                               .string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  FakeClock clock(1'790'000'000'000);
  auto server = std::make_unique<TestServer>([&] {
    TestServer::Options o;
    o.clock = &clock;
    o.db = on_file ? path : ":memory:";
    return o;
  }());
  HttpClient control = server->client();
  ASSERT_EQ(send(control, "CreateStream", R"({"StreamName":"load","ShardCount":2})").status, 200);

  constexpr int kWriters = 4;
  constexpr int kKeysPerWriter = 6;
  constexpr int kBatch = 12;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  // Per writer: partition key -> acknowledged counters, in order.
  std::vector<std::map<std::string, std::vector<int>>> acked(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client = server->client();
      std::map<std::string, int> next;
      int turn = 0;
      while (!stop.load()) {
        std::string body = R"({"StreamName":"load","Records":[)";
        std::vector<std::pair<std::string, int>> sent;
        for (int i = 0; i < kBatch; ++i) {
          const std::string key =
              "w" + std::to_string(w) + "-k" + std::to_string((turn + i) % kKeysPerWriter);
          const int n = next[key]++;
          if (i) body += ",";
          std::string encoded;
          api::base64_encode(key + ":" + std::to_string(n), encoded);
          body += R"({"PartitionKey":")" + key + R"(","Data":")" + encoded + "\"}";
          sent.emplace_back(key, n);
        }
        body += "]}";
        ++turn;
        Answer a = send(client, "PutRecords", body);
        if (a.status != 200) {
          ++failures;
          continue;
        }
        const auto& records = a.json["Records"];
        for (rapidjson::SizeType i = 0; i < records.Size(); ++i) {
          if (records[i].HasMember("ErrorCode")) continue;
          acked[w][sent[i].first].push_back(sent[i].second);
        }
      }
    });
  }

  auto open_shards = [&] {
    Answer a =
        send(control, "ListShards", R"({"StreamName":"load","ShardFilter":{"Type":"AT_LATEST"}})");
    return by_hash(parse_shards(a.json["Shards"]));
  };
  auto pause = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    clock.advance_ms(1000);
  };
  int reshards = 0;
  auto expect_ok = [&](const char* op, const std::string& body) {
    Answer a = send(control, op, body);
    EXPECT_EQ(a.status, 200) << op << " " << body << ": " << a.body;
    ++reshards;
  };
  for (int round = 0; round < 3; ++round) {
    pause();
    {
      auto open = open_shards();
      const Shard& widest = open[open.size() / 2];
      const HashKey start = *parse_hash_key(widest.start_hash);
      const HashKey end = *parse_hash_key(widest.end_hash);
      expect_ok("SplitShard", R"({"StreamName":"load","ShardToSplit":")" + widest.id +
                                  R"(","NewStartingHashKey":")" +
                                  to_decimal(start + (end - start) / 2) + "\"}");
    }
    pause();
    {
      auto open = open_shards();
      expect_ok("MergeShards", R"({"StreamName":"load","ShardToMerge":")" + open[0].id +
                                   R"(","AdjacentShardToMerge":")" + open[1].id + "\"}");
    }
    pause();
    // From two open shards: up to 4, 5 or 6, then down to 3, 3 or 4.
    for (int target : {4 + round, 3 + round / 2}) {
      expect_ok("UpdateShardCount", R"({"StreamName":"load","ScalingType":"UNIFORM_SCALING",)"
                                    R"("TargetShardCount":)" +
                                        std::to_string(target) + "}");
      pause();
    }
  }
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reshards, 12);

  // Read the lineage: shards without parents first, each to its end, then the children whose
  // parents are all done.
  Answer listed = send(control, "ListShards", R"({"StreamName":"load"})");
  const auto shards = parse_shards(listed.json["Shards"]);
  EXPECT_GT(shards.size(), 12u);
  std::map<std::string, Shard> by_id;
  for (const auto& s : shards) by_id[s.id] = s;
  std::set<std::string> done;
  std::map<std::string, std::vector<int>> seen;
  std::map<std::string, std::string> last_seq;
  size_t total = 0;
  while (done.size() < shards.size()) {
    bool progressed = false;
    for (const auto& s : shards) {
      if (done.count(s.id)) continue;
      if ((!s.parent.empty() && !done.count(s.parent)) ||
          (!s.adjacent.empty() && !done.count(s.adjacent))) {
        continue;
      }
      Answer it = send(control, "GetShardIterator",
                       R"({"StreamName":"load","ShardId":")" + s.id +
                           R"(","ShardIteratorType":"TRIM_HORIZON"})");
      ASSERT_EQ(it.status, 200) << it.body;
      std::string iterator = it.json["ShardIterator"].GetString();
      for (int calls = 0;; ++calls) {
        ASSERT_LT(calls, 1000) << s.id;
        Answer r = send(control, "GetRecords", R"({"ShardIterator":")" + iterator + "\"}");
        ASSERT_EQ(r.status, 200) << r.body;
        for (const auto& rec : r.json["Records"].GetArray()) {
          const std::string key = rec["PartitionKey"].GetString();
          const std::string seq = rec["SequenceNumber"].GetString();
          const auto decoded = api::base64_decode(rec["Data"].GetString()).value_or("");
          const size_t colon = decoded.rfind(':');
          ASSERT_NE(colon, std::string::npos) << decoded;
          ASSERT_EQ(decoded.substr(0, colon), key);
          seen[key].push_back(std::stoi(decoded.substr(colon + 1)));
          if (last_seq.count(key)) {
            EXPECT_TRUE(less_number(last_seq[key], seq)) << key << " goes back in " << s.id;
          }
          last_seq[key] = seq;
          ++total;
        }
        if (!r.json.HasMember("NextShardIterator")) {
          // A closed shard's end: its children are the shards that name it as a parent.
          EXPECT_TRUE(s.closed()) << s.id;
          std::set<std::string> named, expected;
          for (const auto& c : r.json["ChildShards"].GetArray())
            named.insert(c["ShardId"].GetString());
          for (const auto& c : shards) {
            if (c.parent == s.id || c.adjacent == s.id) expected.insert(c.id);
          }
          EXPECT_EQ(named, expected) << s.id;
          break;
        }
        EXPECT_FALSE(s.closed() && r.json["Records"].Empty() && calls > 0)
            << s.id << " is closed but never ends";
        iterator = r.json["NextShardIterator"].GetString();
        if (!s.closed() && r.json["Records"].Empty()) break;  // open: read to the tip
      }
      done.insert(s.id);
      progressed = true;
    }
    ASSERT_TRUE(progressed) << "lineage has a cycle or a missing parent";
  }

  size_t acknowledged = 0;
  std::map<std::string, std::vector<int>> expected;
  for (const auto& per_writer : acked) {
    for (const auto& [key, counters] : per_writer) {
      expected[key] = counters;
      acknowledged += counters.size();
    }
  }
  EXPECT_GT(acknowledged, 500u) << "the writers hardly wrote";
  EXPECT_EQ(total, acknowledged);
  for (const auto& [key, counters] : expected) {
    EXPECT_EQ(seen[key], counters) << key;
  }
  control.close();
  server.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

INSTANTIATE_TEST_SUITE_P(ReshardUnderLoad, ReshardLoad, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? std::string("File") : std::string("Memory");
                         });

}  // namespace
}  // namespace kinesim::testing
