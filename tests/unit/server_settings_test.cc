// Stream and account settings end to end through HTTP, against a server started in this process:
// encryption, enhanced monitoring, capacity mode, maximum record size, warm throughput, limits
// and the billing commitment, with their effects on PutRecord, PutRecords and GetRecords.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "api/base64.h"
#include "server_test_fixture.h"

namespace kinesim::testing {
namespace {

using harness::TestServer;

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
const std::string kArnPrefix = "arn:aws:kinesis:us-east-1:000000000000:stream/";

const std::vector<std::string> kAllMetrics = {"IncomingBytes",
                                              "IncomingRecords",
                                              "OutgoingBytes",
                                              "OutgoingRecords",
                                              "WriteProvisionedThroughputExceeded",
                                              "ReadProvisionedThroughputExceeded",
                                              "IteratorAgeMilliseconds"};

std::vector<std::string> strings(const rapidjson::Value& list) {
  std::vector<std::string> out;
  for (const auto& v : list.GetArray()) out.emplace_back(v.GetString());
  return out;
}

// The member names of an object, sorted.
std::vector<std::string> member_names(const rapidjson::Value& object) {
  std::vector<std::string> out = Answer::members(object);
  std::sort(out.begin(), out.end());
  return out;
}

std::string not_active(const std::string& name, const char* state) {
  return "Stream " + name + " under account 000000000000 not ACTIVE, instead in state " + state;
}

class SettingsTest : public ServerTest {
 protected:
  void start_with_delays(int64_t updating_ms) {
    TestServer::Options o;
    o.delays.updating_ms = updating_ms;
    start(o);
  }

  void create_on_demand(const std::string& name) {
    ok("CreateStream",
       R"({"StreamName":")" + name + R"(","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  }
  Answer describe(const std::string& name) {
    return ok("DescribeStream", R"({"StreamName":")" + name + "\"}");
  }
  Answer summary(const std::string& name) {
    return ok("DescribeStreamSummary", R"({"StreamName":")" + name + "\"}");
  }
  std::string status(const std::string& name) {
    return summary(name).json["StreamDescriptionSummary"]["StreamStatus"].GetString();
  }
  std::string mode(const std::string& name) {
    return summary(name)
        .json["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"]
        .GetString();
  }
  Answer set_mode(const std::string& name, const std::string& mode, const std::string& extra = "") {
    return call("UpdateStreamMode", R"({"StreamARN":")" + kArnPrefix + name +
                                        R"(","StreamModeDetails":{"StreamMode":")" + mode + "\"}" +
                                        extra + "}");
  }
  Answer set_commitment(const std::string& status) {
    return call("UpdateAccountSettings",
                R"({"MinimumThroughputBillingCommitment":{"Status":")" + status + "\"}}");
  }
  std::string put(const std::string& name, const std::string& data_b64) {
    Answer a = ok("PutRecord", R"({"StreamName":")" + name + R"(","PartitionKey":"k","Data":")" +
                                   data_b64 + "\"}");
    return a.body;
  }
  Answer records(const std::string& name) {
    Answer it = ok("GetShardIterator", R"({"StreamName":")" + name +
                                           R"(","ShardId":"shardId-000000000000",)"
                                           R"("ShardIteratorType":"TRIM_HORIZON"})");
    return ok("GetRecords",
              R"({"ShardIterator":")" + std::string(it.json["ShardIterator"].GetString()) + "\"}");
  }
};

// ---------------------------------------------------------------------------------------------
// StartStreamEncryption / StopStreamEncryption

TEST_F(SettingsTest, EncryptionStampsTheRecordsWrittenWhileItIsOn) {
  create("s", 1);
  Answer before = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AQ=="})");
  EXPECT_FALSE(before.json.HasMember("EncryptionType")) << before.body;

  ok_empty("StartStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})");
  const Answer desc_answer = describe("s");
  const auto& desc = desc_answer.json["StreamDescription"];
  EXPECT_STREQ(desc["EncryptionType"].GetString(), "KMS");
  EXPECT_STREQ(desc["KeyId"].GetString(), "alias/aws/kinesis");
  Answer sum = summary("s");
  EXPECT_STREQ(sum.json["StreamDescriptionSummary"]["EncryptionType"].GetString(), "KMS");
  EXPECT_STREQ(sum.json["StreamDescriptionSummary"]["KeyId"].GetString(), "alias/aws/kinesis");

  Answer during = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"Ag=="})");
  EXPECT_STREQ(during.json["EncryptionType"].GetString(), "KMS");
  Answer batch =
      ok("PutRecords", R"({"StreamName":"s","Records":[{"PartitionKey":"k","Data":"Aw=="}]})");
  EXPECT_STREQ(batch.json["EncryptionType"].GetString(), "KMS");

  ok_empty("StopStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})");
  const Answer after_desc_answer = describe("s");
  const auto& after_desc = after_desc_answer.json["StreamDescription"];
  EXPECT_STREQ(after_desc["EncryptionType"].GetString(), "NONE");
  EXPECT_FALSE(after_desc.HasMember("KeyId"));
  Answer after = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"BA=="})");
  EXPECT_FALSE(after.json.HasMember("EncryptionType")) << after.body;
  Answer unbatched =
      ok("PutRecords", R"({"StreamName":"s","Records":[{"PartitionKey":"k","Data":"BQ=="}]})");
  EXPECT_FALSE(unbatched.json.HasMember("EncryptionType")) << unbatched.body;

  // Records keep the encryption they were written with.
  Answer got = records("s");
  const auto& recs = got.json["Records"];
  ASSERT_EQ(recs.Size(), 5u) << got.body;
  const std::vector<std::string> data = {"AQ==", "Ag==", "Aw==", "BA==", "BQ=="};
  const std::vector<bool> encrypted = {false, true, true, false, false};
  for (size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(recs[i]["Data"].GetString(), data[i]);
    EXPECT_EQ(recs[i].HasMember("EncryptionType"), encrypted[i]) << i;
    if (encrypted[i]) {
      EXPECT_STREQ(recs[i]["EncryptionType"].GetString(), "KMS");
    }
  }
}

TEST_F(SettingsTest, EncryptionAcceptsEveryDocumentedKeyFormAndEchoesIt) {
  create("s", 1);
  for (const std::string key_id : {
           "12345678-1234-1234-1234-123456789012",
           "mrk-1234abcd12ab34cd56ef1234567890ab",
           "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
           "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName",
           "alias/MyAliasName",
           "alias/aws/kinesis",
       }) {
    // Calling it again with another key changes the key (rotation), no error.
    ok_empty("StartStreamEncryption", R"({"StreamARN":")" + kArnPrefix +
                                          R"(s","EncryptionType":"KMS","KeyId":")" + key_id +
                                          "\"}");
    EXPECT_EQ(describe("s").json["StreamDescription"]["KeyId"].GetString(), key_id);
  }
}

TEST_F(SettingsTest, EncryptionRefusesWhatKinesisRefusesAndChangesNothing) {
  create("s", 1);
  expect_error(call("StartStreamEncryption",
                    R"({"StreamName":"s","EncryptionType":"NONE","KeyId":"alias/a"})"),
               "InvalidArgumentException", "Encryption type cannot be NONE.");
  for (const std::string bad :
       {"MyAliasName", "alias/", "alias/has space", "12345678-1234-1234-1234-12345678901",
        "arn:aws:kms:us-east-1:123:key/12345678-1234-1234-1234-123456789012",
        "arn:aws:kms:us-east-1:123456789012:key/nope",
        "arn:aws:s3:us-east-1:123456789012:alias/x"}) {
    expect_error(call("StartStreamEncryption",
                      R"({"StreamName":"s","EncryptionType":"KMS","KeyId":")" + bad + "\"}"),
                 "KMSNotFoundException", "Invalid keyId " + bad);
  }
  EXPECT_STREQ(describe("s").json["StreamDescription"]["EncryptionType"].GetString(), "NONE");
  expect_error(call("StartStreamEncryption",
                    R"({"StreamName":"missing","EncryptionType":"KMS","KeyId":"alias/a"})"),
               "ResourceNotFoundException", "Stream missing under account 000000000000 not found.");
  Answer enum_error = call("StartStreamEncryption",
                           R"({"StreamName":"s","EncryptionType":"AES","KeyId":"alias/a"})");
  EXPECT_EQ(enum_error.type(), "ValidationException");
  EXPECT_NE(enum_error.message().find("Value 'AES' at 'encryptionType' failed to satisfy "
                                      "constraint: Member must satisfy enum value set: ["),
            std::string::npos)
      << enum_error.body;
  expect_error(call("StartStreamEncryption", R"({"StreamName":"s","EncryptionType":"KMS"})"),
               "ValidationException",
               "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
               "Member must not be null");

  // Stopping: only KMS, only an encrypted stream, only with the key in use.
  expect_error(call("StopStreamEncryption",
                    R"({"StreamName":"s","EncryptionType":"NONE","KeyId":"alias/a"})"),
               "InvalidArgumentException", "Encryption type cannot be NONE.");
  expect_error(call("StopStreamEncryption",
                    R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/a"})"),
               "InvalidArgumentException",
               "Server-side encryption is not enabled on stream s under account 000000000000.");
  ok_empty("StartStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/a"})");
  expect_error(call("StopStreamEncryption",
                    R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/b"})"),
               "InvalidArgumentException",
               "KeyId alias/b is not the key that encrypts stream s under account 000000000000.");
  EXPECT_STREQ(describe("s").json["StreamDescription"]["KeyId"].GetString(), "alias/a");
  expect_error(call("StopStreamEncryption",
                    R"({"StreamName":"missing","EncryptionType":"KMS","KeyId":"alias/a"})"),
               "ResourceNotFoundException", "Stream missing under account 000000000000 not found.");
}

TEST_F(SettingsTest, EncryptionLeavesTheStreamUpdatingForTheDelay) {
  start_with_delays(1000);
  create("s", 1);
  ok_empty("StartStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/a"})");
  EXPECT_EQ(status("s"), "UPDATING");
  // Writes go on while UPDATING, already encrypted.
  Answer put = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AQ=="})");
  EXPECT_STREQ(put.json["EncryptionType"].GetString(), "KMS");
  // Another change must wait for ACTIVE.
  expect_error(call("StopStreamEncryption",
                    R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/a"})"),
               "ResourceInUseException", not_active("s", "UPDATING"));
  expect_error(call("StartStreamEncryption",
                    R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/b"})"),
               "ResourceInUseException", not_active("s", "UPDATING"));
  clock_.advance_ms(999);
  EXPECT_EQ(status("s"), "UPDATING");
  clock_.advance_ms(1);
  EXPECT_EQ(status("s"), "ACTIVE");
  ok_empty("StopStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/a"})");
  EXPECT_EQ(status("s"), "UPDATING");
  EXPECT_STREQ(describe("s").json["StreamDescription"]["EncryptionType"].GetString(), "NONE");
}

// ---------------------------------------------------------------------------------------------
// EnableEnhancedMonitoring / DisableEnhancedMonitoring

TEST_F(SettingsTest, EnhancedMonitoringReportsBeforeAndAfter) {
  create("s", 1);
  Answer first =
      ok("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["IncomingBytes"]})");
  EXPECT_EQ(member_names(first.json),
            (std::vector<std::string>{"CurrentShardLevelMetrics", "DesiredShardLevelMetrics",
                                      "StreamARN", "StreamName"}));
  EXPECT_STREQ(first.json["StreamName"].GetString(), "s");
  EXPECT_EQ(first.json["StreamARN"].GetString(), kArnPrefix + "s");
  EXPECT_EQ(strings(first.json["CurrentShardLevelMetrics"]), std::vector<std::string>{});
  EXPECT_EQ(strings(first.json["DesiredShardLevelMetrics"]),
            std::vector<std::string>{"IncomingBytes"});

  Answer second = ok("EnableEnhancedMonitoring",
                     R"({"StreamARN":")" + kArnPrefix +
                         R"(s","ShardLevelMetrics":["IteratorAgeMilliseconds","IncomingBytes"]})");
  EXPECT_EQ(strings(second.json["CurrentShardLevelMetrics"]),
            std::vector<std::string>{"IncomingBytes"});
  EXPECT_EQ(strings(second.json["DesiredShardLevelMetrics"]),
            (std::vector<std::string>{"IncomingBytes", "IteratorAgeMilliseconds"}));
  const Answer monitoring_answer = describe("s");
  const auto& monitoring = monitoring_answer.json["StreamDescription"]["EnhancedMonitoring"];
  ASSERT_EQ(monitoring.Size(), 1u);
  EXPECT_EQ(strings(monitoring[0]["ShardLevelMetrics"]),
            (std::vector<std::string>{"IncomingBytes", "IteratorAgeMilliseconds"}));

  // ALL is spelled out.
  Answer all = ok("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})");
  EXPECT_EQ(strings(all.json["DesiredShardLevelMetrics"]), kAllMetrics);
  Answer sum = summary("s");
  EXPECT_EQ(
      strings(sum.json["StreamDescriptionSummary"]["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
      kAllMetrics);

  Answer less = ok("DisableEnhancedMonitoring",
                   R"({"StreamName":"s","ShardLevelMetrics":["IncomingBytes","OutgoingRecords"]})");
  EXPECT_EQ(strings(less.json["CurrentShardLevelMetrics"]), kAllMetrics);
  EXPECT_EQ(strings(less.json["DesiredShardLevelMetrics"]),
            (std::vector<std::string>{
                "IncomingRecords", "OutgoingBytes", "WriteProvisionedThroughputExceeded",
                "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"}));
  // Disabling what is not enabled is no error.
  Answer again = ok("DisableEnhancedMonitoring",
                    R"({"StreamName":"s","ShardLevelMetrics":["IncomingBytes"]})");
  EXPECT_EQ(strings(again.json["CurrentShardLevelMetrics"]),
            strings(again.json["DesiredShardLevelMetrics"]));
  Answer none =
      ok("DisableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})");
  EXPECT_EQ(strings(none.json["DesiredShardLevelMetrics"]), std::vector<std::string>{});
  EXPECT_EQ(
      strings(
          describe("s").json["StreamDescription"]["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
      std::vector<std::string>{});
}

TEST_F(SettingsTest, EnhancedMonitoringErrors) {
  start_with_delays(500);
  create("s", 1);
  clock_.advance_ms(500);
  for (const char* op : {"EnableEnhancedMonitoring", "DisableEnhancedMonitoring"}) {
    expect_error(call(op, R"({"StreamName":"missing","ShardLevelMetrics":["ALL"]})"),
                 "ResourceNotFoundException",
                 "Stream missing under account 000000000000 not found.");
    Answer bad = call(op, R"({"StreamName":"s","ShardLevelMetrics":["Latency"]})");
    EXPECT_EQ(bad.type(), "ValidationException") << bad.body;
    EXPECT_NE(bad.message().find("Value at 'shardLevelMetrics' failed to satisfy "
                                 "constraint: Member must satisfy constraint: [Member must "
                                 "satisfy enum value set: ["),
              std::string::npos)
        << bad.body;
    expect_error(call(op, R"({"StreamName":"s","ShardLevelMetrics":[]})"), "ValidationException",
                 "1 validation error detected: Value at 'shardLevelMetrics' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 1");
    expect_error(call(op, R"({"ShardLevelMetrics":["ALL"]})"), "ValidationException",
                 "Either StreamName or StreamARN should be provided.");
  }
  // The stream is UPDATING after a change; the next one waits.
  ok("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})");
  EXPECT_EQ(status("s"), "UPDATING");
  expect_error(
      call("DisableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})"),
      "ResourceInUseException", not_active("s", "UPDATING"));
  clock_.advance_ms(500);
  EXPECT_EQ(status("s"), "ACTIVE");
  EXPECT_EQ(
      strings(
          describe("s").json["StreamDescription"]["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
      kAllMetrics);
}

// ---------------------------------------------------------------------------------------------
// UpdateStreamMode

TEST_F(SettingsTest, StreamModeSwitchesBothWaysTwiceADay) {
  start_with_delays(1000);
  create("s", 3);
  clock_.advance_ms(1000);
  ok_empty("UpdateStreamMode", R"({"StreamARN":")" + kArnPrefix +
                                   R"(s","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  Answer sum = summary("s");
  EXPECT_STREQ(sum.json["StreamDescriptionSummary"]["StreamStatus"].GetString(), "UPDATING");
  EXPECT_STREQ(sum.json["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"].GetString(),
               "ON_DEMAND");
  EXPECT_EQ(sum.json["StreamDescriptionSummary"]["OpenShardCount"].GetInt(), 3);  // kept
  expect_error(set_mode("s", "PROVISIONED"), "ResourceInUseException", not_active("s", "UPDATING"));
  clock_.advance_ms(1000);
  EXPECT_EQ(status("s"), "ACTIVE");
  const int64_t first_switch = kStartMs + 1000;

  clock_.advance_ms(kHourMs);
  EXPECT_EQ(set_mode("s", "PROVISIONED").status, 200);
  clock_.advance_ms(1000);
  EXPECT_EQ(mode("s"), "PROVISIONED");
  EXPECT_EQ(describe("s").json["StreamDescription"]["Shards"].Size(), 3u);

  // A third switch within 24 hours of the first is refused and changes nothing.
  const std::string limit =
      "Cannot switch the capacity mode of stream s under account 000000000000 more than 2 times "
      "in a rolling 24-hour period.";
  expect_error(set_mode("s", "ON_DEMAND"), "LimitExceededException", limit);
  EXPECT_EQ(mode("s"), "PROVISIONED");
  EXPECT_EQ(status("s"), "ACTIVE");
  clock_.set_ms(first_switch + kDayMs - 1);
  expect_error(set_mode("s", "ON_DEMAND"), "LimitExceededException", limit);
  // Once the first switch is 24 hours old, one more is allowed; then the second one blocks.
  clock_.set_ms(first_switch + kDayMs);
  EXPECT_EQ(set_mode("s", "ON_DEMAND").status, 200);
  clock_.advance_ms(1000);
  EXPECT_EQ(mode("s"), "ON_DEMAND");
  expect_error(set_mode("s", "PROVISIONED"), "LimitExceededException", limit);
}

TEST_F(SettingsTest, StreamModeErrors) {
  create("s", 1);
  expect_error(set_mode("s", "PROVISIONED"), "InvalidArgumentException",
               "The capacity mode of stream s under account 000000000000 is already PROVISIONED.");
  expect_error(set_mode("missing", "ON_DEMAND"), "ResourceNotFoundException",
               "Stream missing under account 000000000000 not found.");
  // The operation takes an ARN only; a StreamName is not read.
  expect_error(call("UpdateStreamMode",
                    R"({"StreamName":"s","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})"),
               "ValidationException",
               "1 validation error detected: Value null at 'streamARN' failed to satisfy "
               "constraint: Member must not be null");
  expect_error(set_mode("s", "PROVISIONED", R"(,"WarmThroughputMiBps":10)"), "ValidationException",
               "WarmThroughputMiBps can only be specified for streams in ON_DEMAND mode.");
  expect_error(set_mode("s", "ON_DEMAND", R"(,"WarmThroughputMiBps":10)"), "ValidationException",
               "Account isn't opted in to MinimumThroughputBillingCommitment, which warm "
               "throughput requires.");
  Answer bad_mode = set_mode("s", "SERVERLESS");
  EXPECT_EQ(bad_mode.type(), "ValidationException") << bad_mode.body;
  // None of these counted as a switch: two real ones still go through.
  EXPECT_EQ(mode("s"), "PROVISIONED");
  EXPECT_EQ(set_mode("s", "ON_DEMAND").status, 200);
  expect_error(set_mode("s", "ON_DEMAND"), "InvalidArgumentException",
               "The capacity mode of stream s under account 000000000000 is already ON_DEMAND.");
  EXPECT_EQ(set_mode("s", "PROVISIONED").status, 200);
}

TEST_F(SettingsTest, StreamModeRespectsTheOnDemandStreamLimit) {
  TestServer::Options o;
  o.on_demand_stream_limit = 1;
  start(o);
  create_on_demand("od");
  create("p", 2);
  expect_error(set_mode("p", "ON_DEMAND"), "LimitExceededException",
               "This request would exceed the limit of ON_DEMAND streams for the account "
               "000000000000 in us-east-1. Current ON_DEMAND stream count for the account: 1. "
               "Limit: 1.");
  EXPECT_EQ(mode("p"), "PROVISIONED");
  // Once the on-demand stream turns provisioned there is room again; the refusal did not count
  // as one of p's switches.
  EXPECT_EQ(set_mode("od", "PROVISIONED").status, 200);
  EXPECT_EQ(set_mode("p", "ON_DEMAND").status, 200);
  EXPECT_EQ(set_mode("p", "PROVISIONED").status, 200);
  Answer limits = ok("DescribeLimits", "{}");
  EXPECT_EQ(limits.json["OnDemandStreamCount"].GetInt(), 0);
  EXPECT_EQ(limits.json["OnDemandStreamCountLimit"].GetInt(), 1);
}

TEST_F(SettingsTest, StreamModeCarriesWarmThroughputToOnDemandOnly) {
  EXPECT_EQ(set_commitment("ENABLED").status, 200);
  create("s", 1);
  EXPECT_EQ(set_mode("s", "ON_DEMAND", R"(,"WarmThroughputMiBps":100)").status, 200);
  const auto warm = [&] {
    Answer a = summary("s");
    const auto& s = a.json["StreamDescriptionSummary"];
    return s.HasMember("WarmThroughput")
               ? std::to_string(s["WarmThroughput"]["TargetMiBps"].GetInt()) + "/" +
                     std::to_string(s["WarmThroughput"]["CurrentMiBps"].GetInt())
               : std::string("none");
  };
  EXPECT_EQ(warm(), "100/100");
  EXPECT_EQ(set_mode("s", "PROVISIONED").status, 200);
  EXPECT_EQ(warm(), "none");
}

// ---------------------------------------------------------------------------------------------
// UpdateMaxRecordSize

TEST_F(SettingsTest, MaxRecordSizeGovernsPutRecordAndPutRecords) {
  create("s", 1);
  const auto size_kib = [&] {
    return summary("s").json["StreamDescriptionSummary"]["MaxRecordSizeInKiB"].GetInt();
  };
  EXPECT_EQ(size_kib(), 1024);
  const auto b64 = [](size_t n, char c) {
    std::string out;
    api::base64_encode(std::string(n, c), out);
    return out;
  };
  const std::string two_mib = b64(2 * 1024 * 1024, 'x');
  const std::string five_mib = b64(5 * 1024 * 1024, 'y');
  const auto put_one = [&](const std::string& data) {
    return call("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":")" + data + "\"}");
  };
  const auto put_batch = [&](const std::string& data) {
    return call("PutRecords", R"({"StreamName":"s","Records":[{"PartitionKey":"k","Data":"AA=="},)"
                              R"({"PartitionKey":"k","Data":")" +
                                  data + "\"}]}");
  };
  const auto too_big = [](const std::string& path, int64_t bytes) {
    return "1 validation error detected: Value at '" + path +
           "' failed to satisfy constraint: Member must have length less than or equal to " +
           std::to_string(bytes);
  };
  expect_error(put_one(two_mib), "ValidationException", too_big("data", 1048576));
  expect_error(put_batch(two_mib), "ValidationException",
               too_big("records.2.member.data", 1048576));

  ok_empty("UpdateMaxRecordSize",
           R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":4096})");
  EXPECT_EQ(size_kib(), 4096);
  EXPECT_EQ(put_one(two_mib).status, 200);
  Answer batch = put_batch(two_mib);
  EXPECT_EQ(batch.status, 200) << batch.body.substr(0, 300);
  EXPECT_EQ(batch.json["FailedRecordCount"].GetInt(), 0);
  expect_error(put_one(five_mib), "ValidationException", too_big("data", 4194304));
  Answer got = records("s");
  ASSERT_EQ(got.json["Records"].Size(), 3u);
  EXPECT_EQ(got.json["Records"][0]["Data"].GetString(), two_mib);
  EXPECT_EQ(got.json["Records"][2]["Data"].GetString(), two_mib);

  ok_empty("UpdateMaxRecordSize",
           R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":10240})");
  EXPECT_EQ(put_one(five_mib).status, 200);
  ok_empty("UpdateMaxRecordSize",
           R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":1024})");
  EXPECT_EQ(size_kib(), 1024);
  expect_error(put_one(two_mib), "ValidationException", too_big("data", 1048576));
}

TEST_F(SettingsTest, MaxRecordSizeErrors) {
  start_with_delays(100);
  create("s", 1);
  clock_.advance_ms(100);
  const auto update = [&](const std::string& body) { return call("UpdateMaxRecordSize", body); };
  expect_error(update(R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":1023})"),
               "ValidationException",
               "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to "
               "satisfy constraint: Member must have value greater than or equal to 1024");
  expect_error(update(R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":10241})"),
               "ValidationException",
               "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to "
               "satisfy constraint: Member must have value less than or equal to 10240");
  expect_error(update(R"({"StreamName":"s","MaxRecordSizeInKiB":2048})"), "ValidationException",
               "StreamARN should be provided.");
  expect_error(update(R"({"StreamARN":")" + kArnPrefix + R"(missing","MaxRecordSizeInKiB":2048})"),
               "ResourceNotFoundException", "Stream missing under account 000000000000 not found.");
  EXPECT_EQ(summary("s").json["StreamDescriptionSummary"]["MaxRecordSizeInKiB"].GetInt(), 1024);
  ok_empty("UpdateMaxRecordSize",
           R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":2048})");
  EXPECT_EQ(status("s"), "UPDATING");
  expect_error(update(R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":4096})"),
               "ResourceInUseException", not_active("s", "UPDATING"));
  clock_.advance_ms(100);
  EXPECT_EQ(status("s"), "ACTIVE");
  EXPECT_EQ(summary("s").json["StreamDescriptionSummary"]["MaxRecordSizeInKiB"].GetInt(), 2048);
}

// ---------------------------------------------------------------------------------------------
// UpdateStreamWarmThroughput

TEST_F(SettingsTest, WarmThroughputNeedsAnOnDemandStreamAndTheCommitment) {
  start_with_delays(100);
  create("p", 1);
  create_on_demand("od");
  clock_.advance_ms(100);
  const auto warm = [&](const std::string& name, int64_t mibps) {
    return call(
        "UpdateStreamWarmThroughput",
        R"({"StreamName":")" + name + R"(","WarmThroughputMiBps":)" + std::to_string(mibps) + "}");
  };
  const std::string not_opted_in =
      "Account isn't opted in to MinimumThroughputBillingCommitment, which warm throughput "
      "requires.";
  expect_error(warm("od", 100), "ValidationException", not_opted_in);
  expect_error(warm("p", 100), "ValidationException",
               "WarmThroughputMiBps can only be specified for streams in ON_DEMAND mode.");
  expect_error(warm("missing", 100), "ResourceNotFoundException",
               "Stream missing under account 000000000000 not found.");
  expect_error(warm("od", -1), "ValidationException",
               "1 validation error detected: Value '-1' at 'warmThroughputMiBps' failed to "
               "satisfy constraint: Member must have value greater than or equal to 0");
  EXPECT_FALSE(summary("od").json["StreamDescriptionSummary"].HasMember("WarmThroughput"));

  EXPECT_EQ(set_commitment("ENABLED").status, 200);
  expect_error(warm("od", 10241), "LimitExceededException",
               "WarmThroughputMiBps 10241 exceeds the limit of 10240 MiBps for an on-demand "
               "stream.");
  Answer first = warm("od", 100);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(member_names(first.json),
            (std::vector<std::string>{"StreamARN", "StreamName", "WarmThroughput"}));
  EXPECT_EQ(first.json["StreamARN"].GetString(), kArnPrefix + "od");
  EXPECT_STREQ(first.json["StreamName"].GetString(), "od");
  EXPECT_EQ(first.json["WarmThroughput"]["TargetMiBps"].GetInt(), 100);
  EXPECT_EQ(first.json["WarmThroughput"]["CurrentMiBps"].GetInt(), 0);
  EXPECT_EQ(status("od"), "UPDATING");
  expect_error(warm("od", 200), "ResourceInUseException", not_active("od", "UPDATING"));
  clock_.advance_ms(100);
  const Answer shown_answer = summary("od");
  const auto& shown = shown_answer.json["StreamDescriptionSummary"]["WarmThroughput"];
  EXPECT_EQ(shown["TargetMiBps"].GetInt(), 100);
  EXPECT_EQ(shown["CurrentMiBps"].GetInt(), 100);

  Answer by_arn = call("UpdateStreamWarmThroughput",
                       R"({"StreamARN":")" + kArnPrefix + R"(od","WarmThroughputMiBps":10240})");
  ASSERT_EQ(by_arn.status, 200) << by_arn.body;
  EXPECT_EQ(by_arn.json["WarmThroughput"]["TargetMiBps"].GetInt(), 10240);
  EXPECT_EQ(by_arn.json["WarmThroughput"]["CurrentMiBps"].GetInt(), 100);
}

// ---------------------------------------------------------------------------------------------
// DescribeLimits

TEST_F(SettingsTest, DescribeLimitsCountsTheCallersOpenShardsAndOnDemandStreams) {
  Answer empty = ok("DescribeLimits", "{}");
  EXPECT_EQ(empty.body, R"({"ShardLimit":500,"OpenShardCount":0,"OnDemandStreamCount":0,)"
                        R"("OnDemandStreamCountLimit":50})");
  create("p", 3);
  create_on_demand("od");
  Answer used = ok("DescribeLimits", "{}");
  EXPECT_EQ(used.json["OpenShardCount"].GetInt(), 7);
  EXPECT_EQ(used.json["OnDemandStreamCount"].GetInt(), 1);
  // Another account, and another region of the same account, have their own.
  Answer other = call_as("111122223333", "us-east-1", "DescribeLimits", "{}");
  EXPECT_EQ(other.json["OpenShardCount"].GetInt(), 0);
  Answer region = call_as(kAccount, "eu-west-1", "DescribeLimits", "{}");
  EXPECT_EQ(region.json["OpenShardCount"].GetInt(), 0);
  EXPECT_EQ(region.json["OnDemandStreamCount"].GetInt(), 0);

  ok_empty("DeleteStream", R"({"StreamName":"od"})");
  Answer after = ok("DescribeLimits", "{}");
  EXPECT_EQ(after.json["OpenShardCount"].GetInt(), 3);
  EXPECT_EQ(after.json["OnDemandStreamCount"].GetInt(), 0);
}

TEST_F(SettingsTest, DescribeLimitsConfiguredLimitsAndBadInput) {
  TestServer::Options o;
  o.shard_limit = 20000;
  o.on_demand_stream_limit = 7;
  start(o);
  Answer limits = call("DescribeLimits", "");
  EXPECT_EQ(limits.status, 400);  // an empty body is not JSON
  EXPECT_EQ(limits.body, R"({"__type":"SerializationException"})");
  Answer a = ok("DescribeLimits", "{}");
  EXPECT_EQ(a.json["ShardLimit"].GetInt(), 20000);
  EXPECT_EQ(a.json["OnDemandStreamCountLimit"].GetInt(), 7);
}

// ---------------------------------------------------------------------------------------------
// DescribeAccountSettings / UpdateAccountSettings

TEST_F(SettingsTest, AccountWithoutACommitmentIsDisabled) {
  Answer a = ok("DescribeAccountSettings", "{}");
  EXPECT_EQ(a.body, R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}})");
  expect_error(set_commitment("DISABLED"), "ValidationException",
               "Account isn't opted in to MinimumThroughputBillingCommitment, so there is no "
               "commitment to disable.");
  EXPECT_EQ(ok("DescribeAccountSettings", "{}").body, a.body);
  Answer bad = set_commitment("ENABLED_UNTIL_EARLIEST_ALLOWED_END");
  EXPECT_EQ(bad.type(), "ValidationException") << bad.body;
  EXPECT_NE(bad.message().find("Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at "
                               "'minimumThroughputBillingCommitment.status' failed to satisfy "
                               "constraint: Member must satisfy enum value set: ["),
            std::string::npos)
      << bad.body;
  expect_error(call("UpdateAccountSettings", "{}"), "ValidationException",
               "1 validation error detected: Value null at 'minimumThroughputBillingCommitment' "
               "failed to satisfy constraint: Member must not be null");
  Answer malformed = call("DescribeAccountSettings", "[]");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.type(), "SerializationException") << malformed.body;
}

TEST_F(SettingsTest, CommitmentLastsADayAndEndsByItself) {
  const auto settings = [&](const Answer& a) -> const rapidjson::Value& {
    return a.json["MinimumThroughputBillingCommitment"];
  };
  const auto seconds = [](int64_t ms) { return static_cast<double>(ms) / 1000.0; };
  Answer on = set_commitment("ENABLED");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(member_names(settings(on)),
            (std::vector<std::string>{"EarliestAllowedEndAt", "StartedAt", "Status"}));
  EXPECT_STREQ(settings(on)["Status"].GetString(), "ENABLED");
  EXPECT_DOUBLE_EQ(settings(on)["StartedAt"].GetDouble(), seconds(kStartMs));
  EXPECT_DOUBLE_EQ(settings(on)["EarliestAllowedEndAt"].GetDouble(), seconds(kStartMs + kDayMs));
  EXPECT_EQ(ok("DescribeAccountSettings", "{}").body, on.body);

  // Enabling again changes nothing.
  clock_.advance_ms(kHourMs);
  EXPECT_EQ(set_commitment("ENABLED").body, on.body);

  // Disabling early schedules the end for the earliest allowed time.
  Answer pending = set_commitment("DISABLED");
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_STREQ(settings(pending)["Status"].GetString(), "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
  EXPECT_DOUBLE_EQ(settings(pending)["StartedAt"].GetDouble(), seconds(kStartMs));
  EXPECT_DOUBLE_EQ(settings(pending)["EndedAt"].GetDouble(), seconds(kStartMs + kDayMs));
  EXPECT_DOUBLE_EQ(settings(pending)["EarliestAllowedEndAt"].GetDouble(),
                   seconds(kStartMs + kDayMs));
  EXPECT_EQ(set_commitment("DISABLED").body, pending.body);  // already scheduled

  // Warm throughput still works until the end.
  create_on_demand("od");
  EXPECT_EQ(
      call("UpdateStreamWarmThroughput", R"({"StreamName":"od","WarmThroughputMiBps":5})").status,
      200);

  // Enabling before the end cancels it.
  Answer cancelled = set_commitment("ENABLED");
  EXPECT_EQ(cancelled.body, on.body);
  EXPECT_EQ(set_commitment("DISABLED").body, pending.body);

  clock_.set_ms(kStartMs + kDayMs - 1);
  EXPECT_EQ(ok("DescribeAccountSettings", "{}").body, pending.body);
  clock_.set_ms(kStartMs + kDayMs);
  Answer ended = ok("DescribeAccountSettings", "{}");
  EXPECT_STREQ(settings(ended)["Status"].GetString(), "DISABLED");
  EXPECT_DOUBLE_EQ(settings(ended)["EndedAt"].GetDouble(), seconds(kStartMs + kDayMs));
  EXPECT_DOUBLE_EQ(settings(ended)["StartedAt"].GetDouble(), seconds(kStartMs));
  expect_error(call("UpdateStreamWarmThroughput", R"({"StreamName":"od","WarmThroughputMiBps":5})"),
               "ValidationException",
               "Account isn't opted in to MinimumThroughputBillingCommitment, which warm "
               "throughput requires.");
  expect_error(set_commitment("DISABLED"), "ValidationException",
               "Account isn't opted in to MinimumThroughputBillingCommitment, so there is no "
               "commitment to disable.");

  // A new commitment starts a new day.
  clock_.advance_ms(kHourMs);
  Answer again = set_commitment("ENABLED");
  EXPECT_EQ(member_names(settings(again)),
            (std::vector<std::string>{"EarliestAllowedEndAt", "StartedAt", "Status"}));
  EXPECT_DOUBLE_EQ(settings(again)["StartedAt"].GetDouble(), seconds(kStartMs + kDayMs + kHourMs));
  EXPECT_DOUBLE_EQ(settings(again)["EarliestAllowedEndAt"].GetDouble(),
                   seconds(kStartMs + 2 * kDayMs + kHourMs));
}

TEST_F(SettingsTest, CommitmentDisabledAfterItsMinimumEndsAtOnce) {
  ASSERT_EQ(set_commitment("ENABLED").status, 200);
  clock_.advance_ms(kDayMs + kHourMs);
  Answer off = set_commitment("DISABLED");
  ASSERT_EQ(off.status, 200) << off.body;
  const auto& c = off.json["MinimumThroughputBillingCommitment"];
  EXPECT_STREQ(c["Status"].GetString(), "DISABLED");
  EXPECT_DOUBLE_EQ(c["EndedAt"].GetDouble(),
                   static_cast<double>(kStartMs + kDayMs + kHourMs) / 1000.0);
  EXPECT_EQ(ok("DescribeAccountSettings", "{}").body, off.body);
}

TEST_F(SettingsTest, CommitmentBelongsToOneAccountAndRegion) {
  ASSERT_EQ(set_commitment("ENABLED").status, 200);
  const std::string disabled = R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}})";
  EXPECT_EQ(call_as(kAccount, "eu-west-1", "DescribeAccountSettings", "{}").body, disabled);
  EXPECT_EQ(call_as("111122223333", "us-east-1", "DescribeAccountSettings", "{}").body, disabled);
  Answer other = call_as("111122223333", "us-east-1", "UpdateAccountSettings",
                         R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}})");
  EXPECT_EQ(other.type(), "ValidationException");
  EXPECT_STREQ(ok("DescribeAccountSettings", "{}")
                   .json["MinimumThroughputBillingCommitment"]["Status"]
                   .GetString(),
               "ENABLED");
}

// ---------------------------------------------------------------------------------------------
// Everything above is stored, not just held in memory.

TEST_F(SettingsTest, SettingsSurviveARestart) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("kinesim-settings-" + std::to_string(::getpid()) + "-" +
                    std::to_string(reinterpret_cast<uintptr_t>(this)));
  std::filesystem::create_directories(dir);
  TestServer::Options o;
  o.db = (dir / "kinesim.db").string();
  start(o);
  create("s", 1);
  ASSERT_EQ(set_commitment("ENABLED").status, 200);
  ASSERT_EQ(set_mode("s", "ON_DEMAND", R"(,"WarmThroughputMiBps":50)").status, 200);
  ASSERT_EQ(set_mode("s", "PROVISIONED").status, 200);
  ok_empty("StartStreamEncryption",
           R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/a"})");
  ok("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["OutgoingBytes"]})");
  ok_empty("UpdateMaxRecordSize",
           R"({"StreamARN":")" + kArnPrefix + R"(s","MaxRecordSizeInKiB":3000})");
  const std::string account_settings = ok("DescribeAccountSettings", "{}").body;

  start(o);  // the same database file
  const Answer d_answer = describe("s");
  const auto& d = d_answer.json["StreamDescription"];
  EXPECT_STREQ(d["KeyId"].GetString(), "alias/a");
  EXPECT_EQ(strings(d["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
            std::vector<std::string>{"OutgoingBytes"});
  EXPECT_EQ(summary("s").json["StreamDescriptionSummary"]["MaxRecordSizeInKiB"].GetInt(), 3000);
  EXPECT_EQ(ok("DescribeAccountSettings", "{}").body, account_settings);
  // Both of today's mode switches are remembered.
  expect_error(set_mode("s", "ON_DEMAND"), "LimitExceededException",
               "Cannot switch the capacity mode of stream s under account 000000000000 more "
               "than 2 times in a rolling 24-hour period.");
  shut_down();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kinesim::testing
