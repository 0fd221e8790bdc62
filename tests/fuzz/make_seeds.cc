// Writes the seed corpora of the fuzz targets:
//   fuzz_make_seeds tests/fuzz/corpus
// Run it again when a format changes. The values that
// only kinesim can make (sequence numbers, consumer ARNs, sealed tokens) come from a
// DispatcherSession and from fuzz_tokens' fixed secret, so they are real.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/page_token.h"
#include "api/sealed.h"
#include "api/shard_iterator.h"
#include "api/streams.h"
#include "api/validation.h"
#include "storage/sequence_number.h"
#include "tests/fuzz/fixtures.h"

namespace {

namespace fs = std::filesystem;
using kinesim::fuzz::die;
using kinesim::fuzz::DispatcherSession;

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) die("cannot write " + path.string());
}

// The first byte fuzz_json_request reads as `operation`.
char operation_byte(std::string_view operation) {
  if (!kinesim::api::is_known_operation(operation))
    die("unknown operation " + std::string(operation));
  return kinesim::fuzz::byte_for_operation(operation);
}

struct RequestSeed {
  std::string name;  // file name
  std::string operation;
  std::string body;
  char time_step = '0';  // below 128: the clock stays
};

std::string replace(std::string s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

void write_request_seeds(const fs::path& dir) {
  DispatcherSession session;
  // Values of the session's fixed streams, as kinesim answers them.
  const std::string iterator = DispatcherSession::member(
      session.call("GetShardIterator", R"({"StreamName":"fuzz","ShardId":"shardId-000000000000",)"
                                       R"("ShardIteratorType":"TRIM_HORIZON"})"),
      "ShardIterator");
  const auto records = session.call("GetRecords", R"({"ShardIterator":")" + iterator + R"("})");
  const size_t at = records.body.find(R"("SequenceNumber":")");
  if (at == std::string::npos) die("no record in shard 0: " + records.body);
  const std::string sequence = records.body.substr(at + 18, kinesim::SequenceNumber::kLength);
  const auto consumer = session.call(
      "DescribeStreamConsumer", replace(R"({"StreamARN":"%ARN%","ConsumerName":"fuzz-consumer"})",
                                        "%ARN%", std::string(kinesim::fuzz::kStreamArn)));
  const size_t arn_at = consumer.body.find(R"("ConsumerARN":")");
  if (arn_at == std::string::npos) die("no consumer ARN: " + consumer.body);
  const std::string consumer_arn =
      consumer.body.substr(arn_at + 15, consumer.body.find('"', arn_at + 15) - arn_at - 15);

  const std::vector<RequestSeed> seeds = {
      {"create-stream", "CreateStream", R"({"StreamName":"seed-new","ShardCount":3})"},
      {"create-stream-on-demand", "CreateStream",
       R"({"StreamName":"seed-od","StreamModeDetails":{"StreamMode":"ON_DEMAND"},)"
       R"("Tags":{"a":"b"}})"},
      {"create-stream-invalid", "CreateStream", R"({"StreamName":"bad name!","ShardCount":0})"},
      {"create-stream-wrong-type", "CreateStream", R"({"StreamName":5,"ShardCount":"x"})"},
      {"create-stream-empty-object", "CreateStream", "{}"},
      {"not-json", "DescribeStream", "{\"StreamName\":"},
      {"empty-body", "ListStreams", ""},
      {"array-body", "ListStreams", "[1,[2,{}]]"},
      {"describe-stream", "DescribeStream",
       R"({"StreamName":"fuzz","Limit":1,"ExclusiveStartShardId":"shardId-000000000000"})"},
      {"describe-stream-summary", "DescribeStreamSummary", R"({"StreamARN":"%ARN%"})"},
      {"list-streams", "ListStreams", R"({"Limit":1,"ExclusiveStartStreamName":"a"})"},
      {"list-streams-token", "ListStreams", R"({"NextToken":"@STREAMS_TOKEN@"})"},
      {"list-shards", "ListShards",
       R"({"StreamName":"fuzz","MaxResults":1,"ShardFilter":{"Type":"AT_LATEST"}})"},
      {"list-shards-token", "ListShards", R"({"NextToken":"@SHARDS_TOKEN@","MaxResults":5})"},
      {"list-shards-timestamp", "ListShards",
       R"({"StreamARN":"%ARN%","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1700000000.5}})"},
      {"put-record", "PutRecord",
       R"({"StreamName":"fuzz","PartitionKey":"k","Data":"aGk=",)"
       R"("SequenceNumberForOrdering":"%SEQ%"})"},
      {"put-record-hash-key", "PutRecord",
       R"({"StreamARN":"%ARN%","PartitionKey":"k","Data":"","ExplicitHashKey":)"
       R"("340282366920938463463374607431768211455"})"},
      {"put-records", "PutRecords",
       R"({"StreamName":"fuzz","Records":[{"PartitionKey":"a","Data":"AAEC"},)"
       R"({"PartitionKey":"b","Data":"not base64!"},{"PartitionKey":"","Data":"AA=="}]})"},
      {"get-shard-iterator-trim-horizon", "GetShardIterator",
       R"({"StreamName":"fuzz","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})"},
      {"get-shard-iterator-at-sequence", "GetShardIterator",
       R"({"StreamName":"fuzz","ShardId":"shardId-000000000000",)"
       R"("ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"%SEQ%"})"},
      {"get-shard-iterator-after-sequence", "GetShardIterator",
       R"({"StreamARN":"%ARN%","ShardId":"1","ShardIteratorType":"AFTER_SEQUENCE_NUMBER",)"
       R"("StartingSequenceNumber":"%SEQ%"})"},
      {"get-shard-iterator-at-timestamp", "GetShardIterator",
       R"({"StreamName":"fuzz","ShardId":"shardId-000000000001",)"
       R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1699999999})"},
      {"get-records", "GetRecords", R"({"ShardIterator":"@ITER@","Limit":2})"},
      {"get-records-later", "GetRecords", R"({"ShardIterator":"@ITER@"})", '\xd0'},
      {"split-shard-with-delays", "SplitShard",
       R"({"StreamName":"fuzz","ShardToSplit":"shardId-000000000001",)"
       R"("NewStartingHashKey":"200000000000000000000000000000000000000"})",
       '1'},
      {"describe-stream-after-seconds", "DescribeStreamSummary", R"({"StreamName":"fuzz"})",
       '\x8a'},
      {"get-records-forged", "GetRecords", R"({"ShardIterator":"AAAAAAAAAAAAAAAAAAAAAAAAAAAA"})"},
      {"split-shard", "SplitShard",
       R"({"StreamName":"fuzz","ShardToSplit":"shardId-000000000000",)"
       R"("NewStartingHashKey":"1000"})"},
      {"merge-shards", "MergeShards",
       R"({"StreamName":"fuzz","ShardToMerge":"shardId-000000000000",)"
       R"("AdjacentShardToMerge":"shardId-000000000001"})"},
      {"update-shard-count", "UpdateShardCount",
       R"({"StreamName":"fuzz-2","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"})"},
      {"increase-retention", "IncreaseStreamRetentionPeriod",
       R"({"StreamName":"fuzz","RetentionPeriodHours":48})"},
      {"decrease-retention", "DecreaseStreamRetentionPeriod",
       R"({"StreamARN":"%ARN%","RetentionPeriodHours":24})"},
      {"add-tags", "AddTagsToStream", R"({"StreamName":"fuzz","Tags":{"k1":"v1","k2":""}})"},
      {"remove-tags", "RemoveTagsFromStream", R"({"StreamName":"fuzz","TagKeys":["env","x"]})"},
      {"list-tags-for-stream", "ListTagsForStream",
       R"({"StreamName":"fuzz","ExclusiveStartTagKey":"a","Limit":1})"},
      {"tag-resource-consumer", "TagResource",
       R"({"ResourceARN":"%CONSUMER%","Tags":{"owner":"fuzz"}})"},
      {"untag-resource", "UntagResource", R"({"ResourceARN":"%ARN%","TagKeys":["team"]})"},
      {"list-tags-for-resource", "ListTagsForResource", R"({"ResourceARN":"%CONSUMER%"})"},
      {"register-consumer", "RegisterStreamConsumer",
       R"({"StreamARN":"%ARN%","ConsumerName":"seed-consumer","Tags":{"a":"b"}})"},
      {"describe-consumer-arn", "DescribeStreamConsumer", R"({"ConsumerARN":"%CONSUMER%"})"},
      {"list-consumers-token", "ListStreamConsumers",
       R"({"StreamARN":"%ARN%","NextToken":"@CONSUMERS_TOKEN@","MaxResults":1})"},
      {"deregister-consumer", "DeregisterStreamConsumer",
       R"({"StreamARN":"%ARN%","ConsumerName":"fuzz-consumer-2"})"},
      {"enable-monitoring", "EnableEnhancedMonitoring",
       R"({"StreamName":"fuzz","ShardLevelMetrics":["IncomingBytes","ALL"]})"},
      {"disable-monitoring", "DisableEnhancedMonitoring",
       R"({"StreamName":"fuzz","ShardLevelMetrics":["ALL"]})"},
      {"start-encryption", "StartStreamEncryption",
       R"({"StreamName":"fuzz","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})"},
      {"stop-encryption", "StopStreamEncryption",
       R"({"StreamName":"fuzz","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})"},
      {"put-resource-policy", "PutResourcePolicy",
       R"({"ResourceARN":"%ARN%","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"})"},
      {"get-resource-policy", "GetResourcePolicy", R"({"ResourceARN":"%CONSUMER%"})"},
      {"delete-resource-policy", "DeleteResourcePolicy", R"({"ResourceARN":"%ARN%"})"},
      {"describe-limits", "DescribeLimits", "{}"},
      {"describe-account-settings", "DescribeAccountSettings", "{}"},
      {"update-account-settings", "UpdateAccountSettings",
       R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED"}})"},
      {"update-stream-mode", "UpdateStreamMode",
       R"({"StreamARN":"%ARN%","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})"},
      {"update-max-record-size", "UpdateMaxRecordSize",
       R"({"StreamARN":"%ARN%","MaxRecordSizeInKiB":2048})"},
      {"update-warm-throughput", "UpdateStreamWarmThroughput",
       R"({"StreamName":"fuzz","WarmThroughputMiBps":10})"},
      {"delete-stream", "DeleteStream",
       R"({"StreamName":"fuzz-2","EnforceConsumerDeletion":true})"},
  };
  for (const auto& s : seeds) {
    std::string body = replace(s.body, "%ARN%", std::string(kinesim::fuzz::kStreamArn));
    body = replace(body, "%SEQ%", sequence);
    body = replace(body, "%CONSUMER%", consumer_arn);
    std::string bytes{operation_byte(s.operation), s.time_step};
    write_file(dir / s.name, bytes + body);
  }
}

void write_token_seeds(const fs::path& dir) {
  namespace api = kinesim::api;
  const api::Sealer sealer(kinesim::fuzz::kTokenSecret);
  api::ShardIterator it;
  it.issued_ms = kinesim::fuzz::kStartMs;
  it.stream_id = 1;
  it.shard_gid = 2;
  it.shard_index = 1;
  it.after_counter = 3;
  it.account = "000000000000";
  it.region = "us-east-1";
  it.stream_name = "fuzz";
  api::ShardIterator far = it;
  far.after_counter = kinesim::kEndingCounter;
  far.shard_index = 2147483647;
  far.stream_name = std::string(128, 'n');
  const api::PageToken shards{
      'H', kinesim::fuzz::kStartMs, {"000000000000", "us-east-1", "fuzz", "AT_LATEST", "0", "0"}};
  const api::PageToken streams{'S', kinesim::fuzz::kStartMs, {"000000000000", "us-east-1", "fuzz"}};
  const api::PageToken consumers{
      'C',
      kinesim::fuzz::kStartMs,
      {"000000000000", "us-east-1", "fuzz", "1700000000000", "fuzz-consumer"}};

  kinesim::SequenceNumber v2;
  v2.format.shard_created_s = 1'700'000'000;
  v2.shard_index = 1;
  v2.counter = 3;
  v2.arrival_s = 1'700'000'001;
  kinesim::SequenceNumber ending = v2;
  ending.counter = kinesim::kEndingCounter;
  kinesim::SequenceNumber legacy;
  legacy.format.layout = kinesim::SequenceNumberFormat::Layout::kLegacy;
  legacy.format.stream_id = 7;
  legacy.shard_index = 3;
  legacy.counter = 12345;

  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"iterator", it.seal(sealer)},
      {"iterator-far", far.seal(sealer)},
      {"iterator-plain", *sealer.open(it.seal(sealer))},
      {"shards-token", shards.seal(sealer)},
      {"shards-token-plain", *sealer.open(shards.seal(sealer))},
      {"streams-token", streams.seal(sealer)},
      {"consumers-token", consumers.seal(sealer)},
      {"consumers-token-plain", *sealer.open(consumers.seal(sealer))},
      {"sequence-number", v2.str()},
      {"sequence-number-ending", ending.str()},
      {"sequence-number-legacy", legacy.str()},
      {"sequence-number-small", "1"},
      {"sequence-number-57-digits", std::string(57, '9')},
      {"stream-arn", std::string(kinesim::fuzz::kStreamArn)},
      {"stream-arn-china", "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-d"},
      {"stream-arn-nested", "arn:aws:kinesis:us-east-1:000000000000:stream/a/b"},
      {"consumer-arn", api::consumer_arn({"000000000000", "us-east-1", "fuzz"}, "fuzz-consumer",
                                         kinesim::fuzz::kStartMs)},
      {"consumer-arn-colons",
       "arn:aws:kinesis:us-east-1:1:stream/s/consumer/c:d:999999999999999999"},
      {"shard-id", "shardId-000000000007"},
      {"shard-id-short", "x-03"},
      {"shard-id-max", "shardId-2147483647"},
      {"shard-id-two-dashes", "a-1-2"},
      {"base64", "aGVsbG8="},
      {"base64-stray-bits", "aGVsbG9="},
      {"base64-bad-padding", "a==="},
  };
  for (const auto& [name, bytes] : seeds) write_file(dir / name, bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  fs::create_directories(root / "fuzz_json_request");
  fs::create_directories(root / "fuzz_tokens");
  write_request_seeds(root / "fuzz_json_request");
  write_token_seeds(root / "fuzz_tokens");
  return 0;
}
