// Writes the seed corpora of the fuzz targets:
//   fuzz_make_seeds tests/fuzz/corpus
// Run it again when a format changes. The values that
// only kinesim can make (sequence numbers, consumer ARNs, sealed tokens) come from a
// DispatcherSession and from fuzz_tokens' fixed secret, so they are real.

#include <rapidjson/document.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/base64.h"
#include "api/cbor.h"
#include "api/event_stream.h"
#include "api/page_token.h"
#include "api/sealed.h"
#include "api/shard_iterator.h"
#include "api/streams.h"
#include "api/validation.h"
#include "storage/sequence_number.h"
#include "tests/fuzz/fixtures.h"

namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
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

// --- fuzz_cbor ---------------------------------------------------------------------------------

// Writes a JSON value as a CBOR client would: members named Data as byte strings (their base64
// decoded), Timestamp members as tag 1 milliseconds.
void json_to_cbor(const rapidjson::Value& v, kinesim::api::Output& out, std::string_view member) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return out.null();
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return out.boolean(v.GetBool());
    case rapidjson::kStringType: {
      const std::string_view s(v.GetString(), v.GetStringLength());
      if (member == "Data") {
        if (auto bytes = kinesim::api::base64_decode(s)) return out.blob(*bytes);
      }
      return out.string(s);
    }
    case rapidjson::kNumberType:
      if (member == "Timestamp") {
        return out.timestamp_ms(static_cast<int64_t>(v.GetDouble() * 1000));
      }
      return out.integer(v.GetInt64());
    case rapidjson::kArrayType:
      out.begin_array();
      for (const auto& item : v.GetArray()) json_to_cbor(item, out, member);
      return out.end_array();
    case rapidjson::kObjectType:
      out.begin_object();
      for (const auto& m : v.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        out.key(name);
        json_to_cbor(m.value, out, name);
      }
      return out.end_object();
  }
}

std::string cbor_of(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) die("bad JSON in a CBOR seed: " + std::string(json));
  kinesim::api::CborOutput out;
  json_to_cbor(doc, out, "");
  return out.take();
}

// The first byte fuzz_cbor reads: its operations in its order (fuzz_cbor.cc, kOperations).
char cbor_operation_byte(std::string_view operation) {
  static const std::vector<std::string_view> operations = {
      "PutRecord",        "PutRecords",      "CreateStream",        "GetRecords",
      "GetShardIterator", "ListShards",      "DescribeStream",      "DescribeStreamSummary",
      "ListStreams",      "AddTagsToStream", "ListStreamConsumers", "SubscribeToShard"};
  for (size_t i = 0; i < operations.size(); ++i) {
    if (operations[i] == operation) return static_cast<char>('A' + i);
  }
  die("fuzz_cbor has no operation " + std::string(operation));
}

void write_cbor_seeds(const fs::path& dir) {
  const std::string arn(kinesim::fuzz::kStreamArn);
  const std::string consumer = kinesim::api::consumer_arn({"000000000000", "us-east-1", "fuzz"},
                                                          "fuzz-consumer", kinesim::fuzz::kStartMs);
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> seeds = {
      {"put-record", {"PutRecord", R"({"StreamName":"fuzz","PartitionKey":"k","Data":"aGk="})"}},
      {"put-record-hash-key",
       {"PutRecord",
        R"({"StreamARN":")" + arn + R"(","PartitionKey":"k","Data":"","ExplicitHashKey":"1"})"}},
      {"put-records",
       {"PutRecords", R"({"StreamName":"fuzz","Records":[{"PartitionKey":"a","Data":"AAEC"},)"
                      R"({"PartitionKey":"","Data":"AA=="}]})"}},
      {"create-stream", {"CreateStream", R"({"StreamName":"cbor-new","ShardCount":2})"}},
      {"create-stream-on-demand",
       {"CreateStream",
        R"({"StreamName":"cbor-od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})"}},
      {"get-shard-iterator",
       {"GetShardIterator", R"({"StreamName":"fuzz","ShardId":"shardId-000000000000",)"
                            R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1699999999.5})"}},
      {"list-shards",
       {"ListShards", R"({"StreamName":"fuzz","ShardFilter":{"Type":"FROM_TIMESTAMP",)"
                      R"("Timestamp":1699999999}})"}},
      {"describe-stream", {"DescribeStream", R"({"StreamName":"fuzz","Limit":1})"}},
      {"describe-stream-summary", {"DescribeStreamSummary", R"({"StreamARN":")" + arn + "\"}"}},
      {"list-streams", {"ListStreams", R"({"Limit":1,"ExclusiveStartStreamName":"a"})"}},
      {"add-tags", {"AddTagsToStream", R"({"StreamName":"fuzz","Tags":{"k":"v"}})"}},
      {"list-consumers", {"ListStreamConsumers", R"({"StreamARN":")" + arn + "\"}"}},
      {"subscribe",
       {"SubscribeToShard", R"({"ConsumerARN":")" + consumer +
                                R"(","ShardId":"shardId-000000000000",)"
                                R"("StartingPosition":{"Type":"LATEST"}})"}},
  };
  for (const auto& [name, request] : seeds) {
    write_file(dir / name,
               std::string(1, cbor_operation_byte(request.first)) + cbor_of(request.second));
  }
  // GetRecords on a live iterator: the text string "@ITER@" is swapped for one.
  kinesim::api::CborOutput get_records;
  get_records.begin_object();
  get_records.key("ShardIterator");
  get_records.string("@ITER@");
  get_records.key("Limit");
  get_records.integer(2);
  get_records.end_object();
  write_file(dir / "get-records",
             std::string(1, cbor_operation_byte("GetRecords")) + get_records.take());
  // Encodings a writer that is not kinesim's may use: indefinite-length maps, arrays and
  // strings, half floats, other tags, wide heads for small numbers.
  const std::string indefinite =
      "\xbf\x6aStreamName\x7f\x62\x66u\x62zz\xff\x6aShardCount\xf9\x40\x00\xff";
  write_file(dir / "create-stream-indefinite",
             std::string(1, cbor_operation_byte("CreateStream")) + indefinite);
  const std::string records =
      "\xa2\x6aStreamName\xd8\x20\x64\x66uzz\x67Records\x9f\xa2\x6cPartitionKey"
      "\x61p\x64"
      "Data\x5f\x41\x01\x42\x02\x03\xff\xff"s;
  write_file(dir / "put-records-indefinite",
             std::string(1, cbor_operation_byte("PutRecords")) + records);
  const std::string wide = "\xa1\x65Limit\x1b\x00\x00\x00\x00\x00\x00\x00\x05"s;
  write_file(dir / "list-streams-wide-head",
             std::string(1, cbor_operation_byte("ListStreams")) + wide);
  write_file(dir / "not-a-map",
             std::string(1, cbor_operation_byte("ListStreams")) + "\x83\x01\x02\x03");
  write_file(dir / "truncated", std::string(1, cbor_operation_byte("PutRecord")) +
                                    "\xa3\x6aStreamName\x64"
                                    "fu");
}

// --- fuzz_event_stream ------------------------------------------------------------------------

void write_event_stream_seeds(const fs::path& dir) {
  namespace api = kinesim::api;
  api::EventMessage event;
  event.headers = {{":message-type", "event", api::EventHeaderType::kString},
                   {":event-type", "SubscribeToShardEvent", api::EventHeaderType::kString},
                   {":content-type", "application/json", api::EventHeaderType::kString}};
  event.payload = R"({"Records":[],"ContinuationSequenceNumber":"1","MillisBehindLatest":0})";
  api::EventMessage typed;
  typed.headers = {{"t", "", api::EventHeaderType::kTrue},
                   {"f", "", api::EventHeaderType::kFalse},
                   {"b", "\x7f", api::EventHeaderType::kByte},
                   {"s", "\x01\x02"s, api::EventHeaderType::kShort},
                   {"i", "\0\0\0\x09"s, api::EventHeaderType::kInteger},
                   {"l", "\0\0\0\0\0\0\0\x07"s, api::EventHeaderType::kLong},
                   {"a", "\xff\0"s, api::EventHeaderType::kBytes},
                   {"m", "\0\0\x01\0\0\0\0\0"s, api::EventHeaderType::kTimestamp},
                   {"u", std::string(16, '\x11'), api::EventHeaderType::kUuid}};
  typed.payload = "x";
  const std::string empty = api::encode_event_message(api::EventMessage{});
  const std::string one = api::encode_event_message(event);
  const std::string all_types = api::encode_event_message(typed);
  // Modes (fuzz_event_stream.cc): 0 as it is, 1 with checksums set right, 2 a recipe.
  write_file(dir / "event", "\x00\x00"s + one);
  write_file(dir / "events-in-pieces", "\x00\x07"s + one + empty + all_types);
  write_file(dir / "every-header-type", "\x00\x00"s + all_types);
  write_file(dir / "truncated", "\x00\x00"s + one.substr(0, one.size() - 3));
  std::string bad_crc = one;
  bad_crc[bad_crc.size() - 1] ^= 1;
  write_file(dir / "bad-message-crc", "\x00\x00"s + bad_crc);
  // Checksums zeroed: mode 1 sets them.
  std::string unsummed = all_types + one;
  for (size_t at : {size_t{8}, all_types.size() - 4, all_types.size() + 8, unsummed.size() - 4}) {
    unsummed.replace(at, 4, std::string(4, '\0'));
  }
  write_file(dir / "fix-checksums", "\x01\x00"s + unsummed);
  std::string bad_headers = api::encode_event_message(typed);
  bad_headers[12] = '\x00';  // an empty header name
  write_file(dir / "fix-checksums-empty-name", "\x01\x03"s + bad_headers);
  bad_headers[12] = '\x01';
  bad_headers[14] = '\x0c';  // an unknown header type
  write_file(dir / "fix-checksums-unknown-type", "\x01\x00"s + bad_headers);
  // Recipes: header count, then per header name length, name, type, value; payload length and
  // payload.
  write_file(dir / "recipe-two-headers",
             "\x02\x00\x02\x0d:message-type\x07\x00\x05"
             "event"
             "\x0b:event-type\x08\x00\x00\x00\x00\x00\x00\x00\x01"
             "\x00\x04{ab}"s);
  write_file(dir / "recipe-many-messages",
             "\x05\x05\x00\x00\x00\x00\x01\x01"
             "a\x09"
             "0123456789abcdef\x00\x01z"
             "\x01\x03"
             "bcd\x06\x00\x03xyz\x00\x00"s);
}

// --- fuzz_http --------------------------------------------------------------------------------

// An HPACK integer with an `prefix`-bit prefix whose other bits are `flags`.
std::string hpack_int(uint8_t flags, int prefix, size_t v) {
  const size_t max = (size_t{1} << prefix) - 1;
  std::string out;
  if (v < max) return std::string(1, static_cast<char>(flags | v));
  out.push_back(static_cast<char>(flags | max));
  v -= max;
  while (v >= 128) {
    out.push_back(static_cast<char>(0x80 | (v & 0x7f)));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// An HTTP/2 frame (RFC 9113, 4.1).
std::string h2_frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string out;
  const size_t n = payload.size();
  out += {static_cast<char>(n >> 16),
          static_cast<char>(n >> 8),
          static_cast<char>(n),
          static_cast<char>(type),
          static_cast<char>(flags),
          static_cast<char>(stream >> 24),
          static_cast<char>(stream >> 16),
          static_cast<char>(stream >> 8),
          static_cast<char>(stream)};
  out += payload;
  return out;
}

// A HEADERS block of literal fields, not indexed, not Huffman-coded.
std::string hpack(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += '\0';
    out += hpack_int(0, 7, name.size()) + name;
    out += hpack_int(0, 7, value.size()) + value;
  }
  return out;
}

constexpr std::string_view kSeedAuthorization =
    "AWS4-HMAC-SHA256 Credential=000000000000/20231114/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=0000000000000000000000000000000000000000000000000000000000000000";

std::string h1(std::string_view operation, std::string_view body, std::string_view extra = "") {
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
         "X-Amz-Date: 20231114T221320Z\r\nX-Amz-Target: Kinesis_20131202." +
         std::string(operation) + "\r\nAuthorization: " + std::string(kSeedAuthorization) + "\r\n" +
         std::string(extra) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// Frames after the preface: SETTINGS, one request (stream `id`) and its body.
std::string h2(std::string_view operation, std::string_view body, uint32_t id = 1,
               bool settings = true) {
  const std::string headers = hpack({{":method", "POST"},
                                     {":scheme", "http"},
                                     {":authority", "127.0.0.1"},
                                     {":path", "/"},
                                     {"content-type", "application/x-amz-json-1.1"},
                                     {"x-amz-target", "Kinesis_20131202." + std::string(operation)},
                                     {"x-amz-date", "20231114T221320Z"},
                                     {"authorization", std::string(kSeedAuthorization)}});
  std::string out = settings ? h2_frame(0x4, 0, 0, "") : "";
  out += h2_frame(0x1, 0x4, id, headers);  // HEADERS, END_HEADERS
  out += h2_frame(0x0, 0x1, id, body);     // DATA, END_STREAM
  return out;
}

void write_http_seeds(const fs::path& dir) {
  const std::string consumer = kinesim::api::consumer_arn({"000000000000", "us-east-1", "fuzz"},
                                                          "fuzz-consumer", kinesim::fuzz::kStartMs);
  const std::string subscribe = R"({"ConsumerARN":")" + consumer +
                                R"(","ShardId":"shardId-000000000000",)"
                                R"("StartingPosition":{"Type":"TRIM_HORIZON"}})";
  const std::string put = R"({"StreamName":"fuzz","PartitionKey":"k","Data":"aGk="})";
  const auto op = [](std::string_view operation) {
    return std::string(1, kinesim::fuzz::byte_for_operation(operation));
  };
  const std::vector<std::pair<std::string, std::string>> seeds = {
      // Mode 0: bytes as they are.
      {"raw-list-streams", std::string(1, '\0') + h1("ListStreams", "{}")},
      {"raw-pipelined", std::string(1, '\0') + h1("ListStreams", "{}") + h1("PutRecord", put) +
                            h1("DescribeStreamSummary", R"({"StreamName":"fuzz"})")},
      {"raw-chunked", "\x00"s + "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                "Content-Type: application/x-amz-json-1.1\r\n"
                                "X-Amz-Target: Kinesis_20131202.ListStreams\r\n\r\n"
                                "1\r\n{\r\n1;ext=1\r\n}\r\n0\r\nTrailer: x\r\n\r\n"},
      {"raw-get", "\x00"s + "GET /?Action=ListStreams HTTP/1.0\r\n\r\n"},
      {"raw-options-cors", "\x00"s + "OPTIONS / HTTP/1.1\r\nHost: a\r\nOrigin: http://x\r\n"
                                     "Access-Control-Request-Method: POST\r\n\r\n"},
      {"raw-subscribe", std::string(1, '\0') + h1("SubscribeToShard", subscribe)},
      {"raw-tls-client-hello", "\x00\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03"s +
                                   std::string(32, 'r') + "\x00\x00\x02\x13\x01\x01\x00"s},
      {"raw-h2", "\x00"s + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2("ListStreams", "{}")},
      {"raw-h2-preface-cut", "\x00"s + "PRI * HTTP/2.0\r\n"},
      {"raw-garbage", "\x00\xff\xfe\r\n\r\n"s},
      // Mode 1: frames after the preface.
      {"h2-list-streams", "\x01" + h2("ListStreams", "{}")},
      {"h2-two-streams", "\x01" + h2("ListStreams", "{}") + h2("PutRecord", put, 3, false)},
      {"h2-subscribe", "\x01" + h2("SubscribeToShard", subscribe)},
      {"h2-ping-window-goaway", "\x01" + h2_frame(0x4, 0, 0, "") + h2_frame(0x6, 0, 0, "12345678") +
                                    h2_frame(0x8, 0, 0, "\x00\x01\x00\x00"s) +
                                    h2_frame(0x7, 0, 0, std::string(8, '\0'))},
      {"h2-reset-mid-body",
       "\x01" + h2_frame(0x4, 0, 0, "") +
           h2_frame(0x1, 0x4, 1,
                    hpack({{":method", "POST"}, {":scheme", "http"}, {":path", "/"}})) +
           h2_frame(0x0, 0, 1, "{\"Lim") + h2_frame(0x3, 0, 1, "\0\0\0\x08"s)},
      {"h2-continuation",
       "\x01" + h2_frame(0x4, 0, 0, "") +
           h2_frame(0x1, 0x1, 1, hpack({{":method", "POST"}, {":scheme", "http"}})) +
           h2_frame(0x9, 0x4, 1, hpack({{":path", "/"}}))},
      // Modes 2 and 3: a whole HTTP/1.1 request (operation byte, body).
      {"http1-put-record", "\x02" + op("PutRecord") + put},
      {"http1-list-shards", "\x02" + op("ListShards") + R"({"StreamName":"fuzz"})"},
      {"http1-subscribe", "\x02" + op("SubscribeToShard") + subscribe},
      {"http1-not-json", "\x02" + op("CreateStream") + "{\"Stream"},
      {"http1-cbor-list-streams", "\x03" + op("ListStreams") + cbor_of(R"({"Limit":2})")},
      {"http1-cbor-put-record", "\x03" + op("PutRecord") + cbor_of(put)},
      // Mode 4: an HTTP/2 request (operation byte, body).
      {"http2-put-record", "\x04" + op("PutRecord") + put},
      {"http2-subscribe", "\x04" + op("SubscribeToShard") + subscribe},
      // Mode 5: frames into a live session.
      {"live-second-request", "\x05" + h2("DescribeStream", R"({"StreamName":"fuzz"})", 3, false)},
      {"live-reset", "\x05" + h2_frame(0x3, 0, 1, "\0\0\0\x08"s)},
      {"live-settings-window", "\x05" + h2_frame(0x4, 0, 0, "\x00\x04\x00\x00\x00\x01"s) +
                                   h2_frame(0x8, 0, 1, "\x00\x00\x10\x00"s)},
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
  for (const char* target :
       {"fuzz_json_request", "fuzz_tokens", "fuzz_cbor", "fuzz_event_stream", "fuzz_http"}) {
    fs::create_directories(root / target);
  }
  write_request_seeds(root / "fuzz_json_request");
  write_token_seeds(root / "fuzz_tokens");
  write_cbor_seeds(root / "fuzz_cbor");
  write_event_stream_seeds(root / "fuzz_event_stream");
  write_http_seeds(root / "fuzz_http");
  return 0;
}
