// Request validation against the Kinesis service model. Expected messages are Kinesis' own:
// where a test says "recorded", the exact text (wording, order, count) is what Kinesis answered
// for that request; the rest follow the same rules for members the recordings do not cover.
#include <gtest/gtest.h>
#include <pthread.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/model.h"
#include "api/validation.h"

namespace kinesim::api {
namespace {

std::optional<Error> Validate(std::string_view op, std::string_view json,
                              BlobEncoding blobs = BlobEncoding::kBase64) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json;
  return validate_request(op, doc, blobs);
}

void ExpectValid(std::string_view op, std::string_view json,
                 BlobEncoding blobs = BlobEncoding::kBase64) {
  std::optional<Error> e = Validate(op, json, blobs);
  EXPECT_FALSE(e.has_value()) << op << " " << json << "\n  -> " << e->type << ": " << e->message;
}

void ExpectValidation(std::string_view op, std::string_view json, std::string_view message,
                      BlobEncoding blobs = BlobEncoding::kBase64) {
  std::optional<Error> e = Validate(op, json, blobs);
  ASSERT_TRUE(e.has_value()) << op << " " << json;
  EXPECT_EQ(e->type, "ValidationException");
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->message, message);
}

void ExpectSerialization(std::string_view op, std::string_view json, std::string_view message,
                         BlobEncoding blobs = BlobEncoding::kBase64) {
  std::optional<Error> e = Validate(op, json, blobs);
  ASSERT_TRUE(e.has_value()) << op << " " << json;
  EXPECT_EQ(e->type, "SerializationException") << json;
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->message, message) << json;
}

std::string Repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

constexpr std::string_view kNamePattern = "[a-zA-Z0-9_.-]+";
constexpr std::string_view kHashKeyPattern = "0|([1-9]\\d{0,38})";
constexpr std::string_view kSequencePattern = "0|([1-9]\\d{0,128})";

// ---------------------------------------------------------------------------------------------
// Operations and the model

TEST(ApiValidationModel, KnowsAllOperationsSorted) {
  const std::vector<std::string>& names = operation_names();
  EXPECT_EQ(names.size(), 39u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* op :
       {"AddTagsToStream", "CreateStream", "PutRecord", "PutRecords", "GetRecords",
        "GetShardIterator", "ListShards", "SubscribeToShard", "UpdateStreamWarmThroughput"}) {
    EXPECT_TRUE(is_known_operation(op)) << op;
    EXPECT_NE(std::find(names.begin(), names.end(), op), names.end()) << op;
  }
  EXPECT_FALSE(is_known_operation("ListStream"));
  EXPECT_FALSE(is_known_operation("putRecord"));
  EXPECT_FALSE(is_known_operation(""));
}

TEST(ApiValidationModel, EveryPatternCompiles) {
  // The embedded model loaded (a pattern that did not compile would have thrown), and every
  // patterned shape of the Kinesis model carries its compiled pattern.
  const auto& shapes = model::service_model().shapes;
  std::size_t patterned = 0;
  for (const auto& [name, shape] : shapes) patterned += shape->pattern.has_value();
  EXPECT_EQ(patterned, 9u);
  for (const char* name : {"ConsumerARN", "ConsumerName", "HashKey", "ResourceARN",
                           "SequenceNumber", "ShardId", "StreamARN", "StreamId", "StreamName"}) {
    ASSERT_TRUE(shapes.count(name)) << name;
    EXPECT_TRUE(shapes.at(name)->pattern.has_value()) << name;
  }
  EXPECT_EQ(shapes.at("StreamARN")->pattern->source(), "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
}

TEST(ApiValidationModel, PatternThatDoesNotCompileFailsTheModel) {
  // A pattern left unchecked would accept every value, so the model refuses to load instead.
  constexpr std::string_view kModel = R"({
    "operations": {"Op": {"input": {"shape": "OpInput"}}},
    "shapes": {
      "OpInput": {"type": "structure", "members": {"Name": {"shape": "Name"}}},
      "Name": {"type": "string", "pattern": "(?<=a)b"}
    }})";
  try {
    model::parse_model(kModel);
    ADD_FAILURE() << "parse_model accepted a pattern RE2 cannot run";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "service model: pattern (?<=a)b of shape Name does not compile: unsupported "
              "group (?");
  }
  auto good = model::parse_model(R"({
    "operations": {"Op": {"input": {"shape": "OpInput"}}},
    "shapes": {
      "OpInput": {"type": "structure", "members": {"Name": {"shape": "Name"}}},
      "Name": {"type": "string", "pattern": "[a-z]+"}
    }})");
  ASSERT_TRUE(good->shapes.at("Name")->pattern);
  EXPECT_TRUE(good->shapes.at("Name")->pattern->matches("abc"));
  EXPECT_FALSE(good->shapes.at("Name")->pattern->matches("abC"));
}

TEST(ApiValidationModel, UnknownOperationIsRefused) {
  std::optional<Error> e = Validate("NoSuchOperation", "{}");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "UnknownOperationException");
}

TEST(ApiValidationModel, ReportOrderFollowsKinesis) {
  auto names = [](std::string_view shape) {
    const model::Shape& s = *model::service_model().shapes.at(std::string(shape));
    std::vector<std::string> out;
    for (auto i : s.report_order) out.push_back(s.members[i].path_name);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("PutRecordInput"), (V{"sequenceNumberForOrdering", "partitionKey", "streamId",
                                        "explicitHashKey", "streamARN", "data", "streamName"}));
  EXPECT_EQ(names("PutRecordsRequestEntry"), (V{"partitionKey", "explicitHashKey", "data"}));
  EXPECT_EQ(names("GetShardIteratorInput"),
            (V{"timestamp", "streamId", "shardId", "streamARN", "shardIteratorType",
               "startingSequenceNumber", "streamName"}));
  EXPECT_EQ(names("ShardFilter"), (V{"timestamp", "shardId", "type"}));
}

TEST(ApiValidationModel, JavaHashMapOrderResizesLikeJava) {
  // 13 names force one resize (threshold 12) in the simulated map; the order must still list
  // every index once.
  std::vector<std::string> names;
  for (int i = 0; i < 13; ++i) names.push_back("member" + std::to_string(i));
  std::vector<std::uint16_t> order = model::java_hash_map_order(names);
  ASSERT_EQ(order.size(), names.size());
  std::vector<std::uint16_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint16_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i);
}

TEST(ApiValidationModel, JavaStringHashAndUtf16Length) {
  EXPECT_EQ(model::java_string_hash(""), 0);
  EXPECT_EQ(model::java_string_hash("a"), 97);
  EXPECT_EQ(model::java_string_hash("hello"), 99162322);
  // "é" is U+00E9; "😀" is the surrogate pair D83D DE00.
  EXPECT_EQ(model::java_string_hash("\xC3\xA9"), 0xE9);
  EXPECT_EQ(model::java_string_hash("\xF0\x9F\x98\x80"), 0xD83D * 31 + 0xDE00);
  EXPECT_EQ(model::utf16_length("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), 5u);
}

// ---------------------------------------------------------------------------------------------
// Patterns

TEST(ApiValidationPattern, MatchesWholeValue) {
  auto hash_key = model::Pattern::compile(kHashKeyPattern);
  ASSERT_TRUE(hash_key);
  EXPECT_TRUE(hash_key->matches("0"));
  EXPECT_TRUE(hash_key->matches("1" + std::string(38, '9')));
  EXPECT_FALSE(hash_key->matches("1" + std::string(39, '9')));
  EXPECT_FALSE(hash_key->matches("012"));
  EXPECT_FALSE(hash_key->matches("12a"));
  EXPECT_FALSE(hash_key->matches("a12"));
  EXPECT_FALSE(hash_key->matches(""));

  auto arn = model::Pattern::compile("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  ASSERT_TRUE(arn);
  EXPECT_TRUE(arn->matches("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_TRUE(arn->matches("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s"));
  EXPECT_FALSE(arn->matches("arn:aws:kinesis:us-east-1:12345678901:stream/s"));
  EXPECT_FALSE(arn->matches("arn:aws:kinesis:us-east-1:123456789012:stream/a b"));
  EXPECT_FALSE(arn->matches("xarn:aws:kinesis:us-east-1:123456789012:stream/s"));

  // A pattern that starts with ^ is still matched against the whole value.
  auto consumer = model::Pattern::compile(
      "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
      "[a-zA-Z0-9_.-]+:[0-9]+");
  ASSERT_TRUE(consumer);
  const std::string good = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000";
  EXPECT_TRUE(consumer->matches(good));
  EXPECT_FALSE(consumer->matches(good + " "));
  EXPECT_FALSE(consumer->matches(good + "x"));
}

// The model's own patterns, as request validation runs them.
const model::Pattern& ModelPattern(const char* shape) {
  return *model::service_model().shapes.at(shape)->pattern;
}

TEST(ApiValidationPattern, NamesAcceptOnlyTheirAsciiCharacters) {
  for (const char* shape : {"StreamName", "ShardId", "ConsumerName"}) {
    const model::Pattern& name = ModelPattern(shape);
    EXPECT_EQ(name.source(), kNamePattern);
    EXPECT_TRUE(name.matches("my-stream_1.0")) << shape;
    EXPECT_TRUE(name.matches("shardId-000000000000")) << shape;
    EXPECT_FALSE(name.matches("")) << shape;
    EXPECT_FALSE(name.matches("my stream")) << shape;
    EXPECT_FALSE(name.matches("s/t")) << shape;
    EXPECT_FALSE(name.matches("s\n")) << shape;
    EXPECT_FALSE(name.matches("\xC3\xA9t\xC3\xA9")) << shape;  // "été"
    // Every byte on its own: only letters, digits, '_', '.' and '-' pass.
    for (int c = 0; c < 256; ++c) {
      const bool expected = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
      EXPECT_EQ(name.matches(std::string(1, static_cast<char>(c))), expected) << shape << c;
    }
  }
}

TEST(ApiValidationPattern, DecimalKeysCountTheirDigits) {
  const model::Pattern& hash_key = ModelPattern("HashKey");
  const model::Pattern& sequence = ModelPattern("SequenceNumber");
  EXPECT_EQ(hash_key.source(), kHashKeyPattern);
  EXPECT_EQ(sequence.source(), kSequencePattern);
  // The largest hash key, 2^128 - 1, has 39 digits.
  EXPECT_TRUE(hash_key.matches("340282366920938463463374607431768211455"));
  for (std::size_t digits : {39u, 40u, 129u, 130u}) {
    std::string value(digits, '5');
    value[0] = '1';
    EXPECT_EQ(hash_key.matches(value), digits <= 39) << digits;
    EXPECT_EQ(sequence.matches(value), digits <= 129) << digits;
  }
  for (const model::Pattern* p : {&hash_key, &sequence}) {
    EXPECT_TRUE(p->matches("0"));
    EXPECT_TRUE(p->matches("10"));
    EXPECT_FALSE(p->matches(""));
    EXPECT_FALSE(p->matches("00"));
    EXPECT_FALSE(p->matches("-1"));
    EXPECT_FALSE(p->matches("+1"));
    EXPECT_FALSE(p->matches("1 "));
    EXPECT_FALSE(p->matches("1\n"));  // `$`-style "before a final newline" does not apply
    EXPECT_FALSE(p->matches("1e3"));
    EXPECT_FALSE(p->matches("\xEF\xBC\x91"));  // FULLWIDTH DIGIT ONE: \d is ASCII only
  }
}

TEST(ApiValidationPattern, ArnsFollowJavaLineAndSpaceRules) {
  const model::Pattern& stream = ModelPattern("StreamARN");
  const model::Pattern& resource = ModelPattern("ResourceARN");
  const model::Pattern& consumer = ModelPattern("ConsumerARN");
  const std::string arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
  EXPECT_TRUE(stream.matches(arn));
  EXPECT_TRUE(resource.matches(arn));
  EXPECT_TRUE(stream.matches("arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/s"));
  EXPECT_TRUE(stream.matches("arn:aws:kinesis::123456789012:stream/s"));  // empty region
  EXPECT_FALSE(stream.matches("arn:aws:kinesis:us-east-1:123456789012:stream/"));
  EXPECT_FALSE(stream.matches("arn:aws:firehose:us-east-1:123456789012:stream/s"));
  // A resource ARN may have text between the account and "stream/"; a stream ARN may not.
  const std::string wrapped = "arn:aws:kinesis:us-east-1:123456789012:x/stream/s";
  EXPECT_TRUE(resource.matches(wrapped));
  EXPECT_FALSE(stream.matches(wrapped));
  // `.` stops at \r as well as \n (Java's line terminators); `\S` refuses the vertical tab
  // (Java's whitespace includes it) but accepts non-ASCII bytes, UTF-8 or not.
  EXPECT_FALSE(stream.matches("arn:aws\r:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_FALSE(stream.matches("arn:aws:kinesis:us-east\n1:123456789012:stream/s"));
  EXPECT_TRUE(stream.matches("arn:aws\t:kinesis:us-east-1:123456789012:stream/s"));
  for (const char* tail : {"s\x0Bt", "s\tt", "s\rt", "s\x0Ct", "s t", "s\n"}) {
    EXPECT_FALSE(
        stream.matches(std::string("arn:aws:kinesis:us-east-1:123456789012:stream/") + tail))
        << tail;
  }
  EXPECT_TRUE(stream.matches(arn + "\xC3\xA9"));
  EXPECT_TRUE(stream.matches(arn + "\xFF"));
  EXPECT_TRUE(stream.matches(arn + std::string(1, '\0')));

  EXPECT_EQ(consumer.source(),
            "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
            "[a-zA-Z0-9_.-]+:[0-9]+");
  EXPECT_TRUE(consumer.matches(arn + "/consumer/c:1700000000"));
  EXPECT_FALSE(consumer.matches(arn + "/consumer/c:"));
  EXPECT_FALSE(consumer.matches(arn + "/consumer/c d:1"));
  EXPECT_FALSE(consumer.matches(arn + "/consumer/c:1\n"));

  const model::Pattern& stream_id = ModelPattern("StreamId");
  EXPECT_TRUE(stream_id.matches("abcdefghij0123456789-abc"));
  EXPECT_FALSE(stream_id.matches("Abcdefghij0123456789-abc"));
  EXPECT_FALSE(stream_id.matches("abcdefghij0123456789-ab"));
}

// Runs `work` on a thread with a 64 KiB stack: a matcher that recursed over its input would
// overflow it.
void RunOnSmallStack(std::function<void()> work) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 64 * 1024), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attr,
                [](void* arg) -> void* {
                  (*static_cast<std::function<void()>*>(arg))();
                  return nullptr;
                },
                &work),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(ApiValidationPattern, LongInputsDoNotExhaustTheStack) {
  auto arn = model::Pattern::compile("arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+");
  ASSERT_TRUE(arn);
  const std::string value =
      "arn:aws:kinesis:us-east-1:123456789012:stream/" + std::string(1 << 20, 'a');
  bool matched = false;
  RunOnSmallStack([&] { matched = arn->matches(value); });
  EXPECT_TRUE(matched);
}

TEST(ApiValidationPattern, EveryModelPatternTakesLongHostileValuesOnASmallStack) {
  // 1 MiB values (validation stops running patterns at 64 KiB; the matcher must not need that
  // bound) built to keep the ARN patterns' `.*` pieces busy: repeated separators and account ids.
  std::string digits(1 << 20, '9');
  digits[0] = '1';
  std::string accounts = "arn:aws:kinesis:";
  while (accounts.size() < (1u << 20)) accounts += ":123456789012";
  std::string streams = "arn:aws:kinesis:x:123456789012:";
  while (streams.size() < (1u << 20)) streams += "stream/s/consumer/c:1 ";
  const std::string arn =
      "arn:aws:kinesis:us-east-1:123456789012:stream/" + std::string(1 << 20, 'a');
  struct Case {
    const std::string* value;
    std::vector<std::string> accepted_by;
  };
  const std::vector<Case> cases = {
      {&digits, {"ConsumerName", "ShardId", "StreamName"}},
      {&accounts, {}},
      {&streams, {}},
      {&arn, {"ResourceARN", "StreamARN"}},
  };
  for (const auto& [name, shape] : model::service_model().shapes) {
    if (!shape->pattern) continue;
    for (const Case& c : cases) {
      bool matched = false;
      RunOnSmallStack([&] { matched = shape->pattern->matches(*c.value); });
      const bool expected =
          std::find(c.accepted_by.begin(), c.accepted_by.end(), name) != c.accepted_by.end();
      EXPECT_EQ(matched, expected) << name << " on " << c.value->substr(0, 40) << "...";
    }
  }
}

TEST(ApiValidationPattern, RefusesUnsupportedSyntax) {
  // Malformed, or meaning something different (or nothing) in Java's engine or in RE2.
  for (const char* source :
       {"(?=a)b", "(?<=a)b", "(?s).", "(?i)a", "a\\bb", "\\v", "\\p{L}", "\\x41", "\\Qa\\E",
        "(a)\\1", "[\\S]", "[a[b]]", "[[:alpha:]]", "(a", "a{2,1}", "[a", "a*+", "a{1001}"}) {
    std::string error;
    EXPECT_FALSE(model::Pattern::compile(source, &error)) << source;
    EXPECT_FALSE(error.empty()) << source;
  }
  EXPECT_TRUE(model::Pattern::compile("[^,]{1,3}|x*?"));
  EXPECT_TRUE(model::Pattern::compile("(?:ab|a)*b$"));
  EXPECT_TRUE(model::Pattern::compile("[]a-]+\\.\\/\\s\\D"));
}

TEST(ApiValidationPattern, RewrittenConstructsKeepJavaMeaning) {
  auto dot = model::Pattern::compile("a.b");
  auto spaces = model::Pattern::compile("[\\sx]+");
  auto not_space = model::Pattern::compile("[^\\s]+");
  auto literal_dot = model::Pattern::compile("[.]");
  ASSERT_TRUE(dot && spaces && not_space && literal_dot);
  EXPECT_TRUE(dot->matches("a-b"));
  EXPECT_FALSE(dot->matches("a\rb"));
  EXPECT_FALSE(dot->matches("a\nb"));
  EXPECT_TRUE(spaces->matches(" \t\n\x0B\f\rx"));
  EXPECT_FALSE(
      not_space->matches("a\x0B"
                         "b"));
  EXPECT_TRUE(
      not_space->matches("a\xA0"
                         "b"));
  EXPECT_TRUE(literal_dot->matches("."));
  EXPECT_FALSE(literal_dot->matches("a"));
}

// ---------------------------------------------------------------------------------------------
// Missing members, lengths, patterns, ranges (recorded from Kinesis unless noted)

TEST(ApiValidation, MissingRequiredMember) {
  ExpectValidation("CreateStream", "{}",
                   "1 validation error detected: Value null at 'streamName' failed to satisfy "
                   "constraint: Member must not be null");
  ExpectValidation("GetRecords", "{}",
                   "1 validation error detected: Value null at 'shardIterator' failed to satisfy "
                   "constraint: Member must not be null");
  // JSON null is the same as absent.
  ExpectValidation("GetRecords", R"({"ShardIterator": null})",
                   "1 validation error detected: Value null at 'shardIterator' failed to satisfy "
                   "constraint: Member must not be null");
  ExpectValidation("PutRecord", "{}",
                   "2 validation errors detected: Value null at 'partitionKey' failed to satisfy "
                   "constraint: Member must not be null; Value null at 'data' failed to satisfy "
                   "constraint: Member must not be null");
}

TEST(ApiValidation, NullBodyReadsAsEmptyRequest) {
  ExpectValidation("CreateStream", "null",
                   "1 validation error detected: Value null at 'streamName' failed to satisfy "
                   "constraint: Member must not be null");
  ExpectValid("ListStreams", "null");
}

TEST(ApiValidation, CreateStreamEmptyNameAndZeroShards) {
  // Recorded: the pattern is reported before the length, shardCount before streamName.
  ExpectValidation("CreateStream", R"({"StreamName": "", "ShardCount": 0})",
                   "3 validation errors detected: "
                   "Value '0' at 'shardCount' failed to satisfy constraint: Member must have "
                   "value greater than or equal to 1; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: [a-zA-Z0-9_.-]+; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must have "
                   "length greater than or equal to 1");
}

TEST(ApiValidation, StringTooLong) {
  const std::string name(129, 'a');
  ExpectValidation("CreateStream", R"({"StreamName": ")" + name + R"(", "ShardCount": 1})",
                   "1 validation error detected: Value '" + name +
                       "' at 'streamName' failed to satisfy constraint: Member must have length "
                       "less than or equal to 128");
  ExpectValid("CreateStream", R"({"StreamName": ")" + std::string(128, 'a') + R"("})");
}

TEST(ApiValidation, BadPattern) {
  ExpectValidation("DescribeStreamSummary", R"({"StreamName": "my stream"})",
                   "1 validation error detected: Value 'my stream' at 'streamName' failed to "
                   "satisfy constraint: Member must satisfy regular expression pattern: "
                   "[a-zA-Z0-9_.-]+");
  ExpectValidation("DescribeStreamSummary",
                   R"({"StreamARN": "arn:aws:kinesis:us-east-1:1234:stream/s"})",
                   "1 validation error detected: Value 'arn:aws:kinesis:us-east-1:1234:stream/s' "
                   "at 'streamARN' failed to satisfy constraint: Member must satisfy regular "
                   "expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  ExpectValidation("PutRecord", R"({"PartitionKey": "k", "Data": "", "ExplicitHashKey": "01"})",
                   "1 validation error detected: Value '01' at 'explicitHashKey' failed to "
                   "satisfy constraint: Member must satisfy regular expression pattern: "
                   "0|([1-9]\\d{0,38})");
}

TEST(ApiValidation, VeryLongPatternedValueIsReportedForItsLength) {
  // Beyond 64 KiB the pattern is not evaluated; the length violation is reported.
  const std::string arn =
      "arn:aws:kinesis:us-east-1:123456789012:stream/" + std::string(100000, 'a');
  ExpectValidation("DescribeStreamSummary", R"({"StreamARN": ")" + arn + R"("})",
                   "1 validation error detected: Value '" + arn +
                       "' at 'streamARN' failed to satisfy constraint: Member must have length "
                       "less than or equal to 2048");
}

TEST(ApiValidation, BadEnum) {
  // Recorded order of ShardIteratorType's values, which is not the model's order.
  ExpectValidation(
      "GetShardIterator",
      R"({"StreamName": "s", "ShardId": "shardId-0", "ShardIteratorType": "X"})",
      "1 validation error detected: Value 'X' at 'shardIteratorType' failed to satisfy "
      "constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, "
      "AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
  // Other enums in model order.
  ExpectValidation("UpdateShardCount",
                   R"({"StreamName": "s", "TargetShardCount": 2, "ScalingType": "uniform"})",
                   "1 validation error detected: Value 'uniform' at 'scalingType' failed to "
                   "satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]");
}

TEST(ApiValidation, IntegerOutOfRange) {
  ExpectValidation("GetRecords", R"({"ShardIterator": "it", "Limit": 0})",
                   "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                   "constraint: Member must have value greater than or equal to 1");
  ExpectValidation("GetRecords", R"({"ShardIterator": "it", "Limit": 10001})",
                   "1 validation error detected: Value '10001' at 'limit' failed to satisfy "
                   "constraint: Member must have value less than or equal to 10000");
  ExpectValid("GetRecords", R"({"ShardIterator": "it", "Limit": 10000})");
  ExpectValidation("CreateStream", R"({"StreamName": "s", "MaxRecordSizeInKiB": 1023})",
                   "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to "
                   "satisfy constraint: Member must have value greater than or equal to 1024");
}

TEST(ApiValidation, NumbersAreTruncatedAndSaturatedLikeKinesis) {
  ExpectValid("GetRecords", R"({"ShardIterator": "it", "Limit": 34.9})");
  ExpectValidation("GetRecords", R"({"ShardIterator": "it", "Limit": 0.5})",
                   "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                   "constraint: Member must have value greater than or equal to 1");
  ExpectValidation("GetRecords", R"({"ShardIterator": "it", "Limit": 1000000000000})",
                   "1 validation error detected: Value '2147483647' at 'limit' failed to "
                   "satisfy constraint: Member must have value less than or equal to 10000");
  ExpectValidation("GetRecords", R"({"ShardIterator": "it", "Limit": -1e12})",
                   "1 validation error detected: Value '-2147483648' at 'limit' failed to "
                   "satisfy constraint: Member must have value greater than or equal to 1");
}

TEST(ApiValidation, GetRecordsRecorded) {
  ExpectValidation("GetRecords", R"({"ShardIterator": "", "Limit": 0})",
                   "2 validation errors detected: "
                   "Value '0' at 'limit' failed to satisfy constraint: Member must have value "
                   "greater than or equal to 1; "
                   "Value '' at 'shardIterator' failed to satisfy constraint: Member must have "
                   "length greater than or equal to 1");
  const std::string it(513, 'a');
  ExpectValidation("GetRecords", R"({"ShardIterator": ")" + it + R"(", "Limit": 100000})",
                   "2 validation errors detected: "
                   "Value '100000' at 'limit' failed to satisfy constraint: Member must have "
                   "value less than or equal to 10000; "
                   "Value '" +
                       it +
                       "' at 'shardIterator' failed to satisfy constraint: Member must have "
                       "length less than or equal to 512");
}

TEST(ApiValidation, LengthCountsUtf16Units) {
  const std::string smiley = "\xF0\x9F\x98\x80";  // two UTF-16 units
  const std::string e_acute = "\xC3\xA9";         // one unit, two bytes
  ExpectValid("PutRecord", R"({"StreamName": "s", "Data": "", "PartitionKey": ")" +
                               Repeat(smiley, 128) + R"("})");
  ExpectValid("PutRecord", R"({"StreamName": "s", "Data": "", "PartitionKey": ")" +
                               Repeat(e_acute, 256) + R"("})");
  const std::string key = Repeat(smiley, 129);
  ExpectValidation("PutRecord",
                   R"({"StreamName": "s", "Data": "", "PartitionKey": ")" + key + R"("})",
                   "1 validation error detected: Value '" + key +
                       "' at 'partitionKey' failed to satisfy constraint: Member must have "
                       "length less than or equal to 256");
}

// ---------------------------------------------------------------------------------------------
// Multiple violations: order and count

TEST(ApiValidation, PutRecordEverythingEmptyRecorded) {
  ExpectValidation(
      "PutRecord",
      R"({"StreamName": "", "PartitionKey": "", "Data": "", "ExplicitHashKey": "",
          "SequenceNumberForOrdering": ""})",
      "5 validation errors detected: "
      "Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy "
      "regular expression pattern: 0|([1-9]\\d{0,128}); "
      "Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater "
      "than or equal to 1; "
      "Value '' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular "
      "expression pattern: 0|([1-9]\\d{0,38}); "
      "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
      "expression pattern: [a-zA-Z0-9_.-]+; "
      "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater "
      "than or equal to 1");
}

TEST(ApiValidation, PutRecordTooLongRecordedFormat) {
  const std::string name(129, 'a');
  const std::string key(257, 'a');
  // 10485761 zero bytes: one more than the model's maximum for Data.
  const std::string data = Repeat("AAAA", 3495253) + "AAA=";
  ExpectValidation(
      "PutRecord",
      R"({"StreamName": ")" + name + R"(", "PartitionKey": ")" + key + R"(", "Data": ")" + data +
          R"(", "ExplicitHashKey": ""})",
      "4 validation errors detected: "
      "Value '" +
          key +
          "' at 'partitionKey' failed to satisfy constraint: Member must have length less than "
          "or equal to 256; "
          "Value '' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy "
          "regular expression pattern: 0|([1-9]\\d{0,38}); "
          "Value at 'data' failed to satisfy constraint: Member must have length less than or "
          "equal to 10485760; "
          "Value '" +
          name +
          "' at 'streamName' failed to satisfy constraint: Member must have length less than "
          "or equal to 128");
}

TEST(ApiValidation, GetShardIteratorEverythingEmptyRecorded) {
  ExpectValidation(
      "GetShardIterator",
      R"({"StreamName": "", "ShardIteratorType": "", "ShardId": "", "StartingSequenceNumber": ""})",
      "6 validation errors detected: "
      "Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular "
      "expression pattern: [a-zA-Z0-9_.-]+; "
      "Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than "
      "or equal to 1; "
      "Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum "
      "value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, "
      "TRIM_HORIZON]; "
      "Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy "
      "regular expression pattern: 0|([1-9]\\d{0,128}); "
      "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
      "expression pattern: [a-zA-Z0-9_.-]+; "
      "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater "
      "than or equal to 1");
}

TEST(ApiValidation, ListShardsSeveralMembers) {
  ExpectValidation("ListShards",
                   R"({"StreamName": "", "MaxResults": 0, "ExclusiveStartShardId": ""})",
                   "5 validation errors detected: "
                   "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member "
                   "must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
                   "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member "
                   "must have length greater than or equal to 1; "
                   "Value '0' at 'maxResults' failed to satisfy constraint: Member must have "
                   "value greater than or equal to 1; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: [a-zA-Z0-9_.-]+; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must have "
                   "length greater than or equal to 1");
}

TEST(ApiValidation, AtMostTenViolationsAreListed) {
  std::string records;
  for (int i = 0; i < 12; ++i)
    records += std::string(i ? ", " : "") + R"({"PartitionKey": "", "Data": ""})";
  std::string expected = "10 validation errors detected: ";
  for (int i = 1; i <= 10; ++i) {
    if (i > 1) expected += "; ";
    expected += "Value '' at 'records." + std::to_string(i) +
                ".member.partitionKey' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1";
  }
  ExpectValidation("PutRecords", R"({"StreamName": "", "Records": [)" + records + "]}", expected);
}

// ---------------------------------------------------------------------------------------------
// Lists, nested members and maps

TEST(ApiValidation, PutRecordsEmptyRecorded) {
  ExpectValidation("PutRecords", R"({"StreamName": "", "Records": []})",
                   "3 validation errors detected: "
                   "Value at 'records' failed to satisfy constraint: Member must have "
                   "length greater than or equal to 1; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: [a-zA-Z0-9_.-]+; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must have "
                   "length greater than or equal to 1");
}

TEST(ApiValidation, PutRecordsEntryPathsRecorded) {
  ExpectValidation(
      "PutRecords",
      R"({"StreamName": "", "Records": [{"PartitionKey": "", "Data": "", "ExplicitHashKey": ""}]})",
      "4 validation errors detected: "
      "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must "
      "have length greater than or equal to 1; "
      "Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must "
      "satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
      "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
      "expression pattern: [a-zA-Z0-9_.-]+; "
      "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater "
      "than or equal to 1");
  ExpectValidation("PutRecords",
                   R"({"StreamName": "s", "Records": [{"PartitionKey": "a", "Data": ""},
                       {"Data": ""}, {"PartitionKey": "c"}]})",
                   "2 validation errors detected: "
                   "Value null at 'records.2.member.partitionKey' failed to satisfy constraint: "
                   "Member must not be null; "
                   "Value null at 'records.3.member.data' failed to satisfy constraint: Member "
                   "must not be null");
}

TEST(ApiValidation, PutRecordsTooManyRecordsRecorded) {
  // Kinesis no longer prints lists, blobs or maps in these messages: "Value at 'records'".
  std::string records;
  for (int i = 0; i < 501; ++i) {
    records += std::string(i ? ", " : "") + R"({"PartitionKey": "", "Data": ""})";
  }
  std::string expected =
      "10 validation errors detected: Value at 'records' failed to satisfy constraint: Member "
      "must have length less than or equal to 500";
  for (int i = 1; i <= 9; ++i) {
    expected += "; Value '' at 'records." + std::to_string(i) +
                ".member.partitionKey' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1";
  }
  ExpectValidation("PutRecords", R"({"StreamName": "", "Records": [)" + records + "]}", expected);
}

TEST(ApiValidation, OversizedDataIsListedWithTheOtherViolations) {
  // The stream's maximum record size bounds Data in the same pass as the model's constraints.
  rapidjson::Document doc;
  const std::string data(1398104, 'A');  // 1,048,578 bytes once decoded
  const std::string body =
      R"({"StreamName": "s", "Records": [{"PartitionKey": "", "Data": ")" + data + R"("}]})";
  doc.Parse(body.c_str());
  RequestLimits limits;
  limits.max_data_bytes = 1048576;
  auto e = validate_request("PutRecords", doc, BlobEncoding::kBase64, limits);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "2 validation errors detected: Value '' at 'records.1.member.partitionKey' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1; Value at "
            "'records.1.member.data' failed to satisfy constraint: Member must have length less "
            "than or equal to 1048576");
  limits.max_data_bytes = 2 * 1048576;
  e = validate_request("PutRecords", doc, BlobEncoding::kBase64, limits);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value '' at 'records.1.member.partitionKey' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1");
}

TEST(ApiValidation, NullListEntry) {
  ExpectValidation("PutRecords", R"({"StreamName": "s", "Records": [null]})",
                   "1 validation error detected: Value null at 'records.1.member' failed to "
                   "satisfy constraint: Member must not be null");
}

TEST(ApiValidation, NestedMemberPaths) {
  ExpectValidation("ListShards", R"({"StreamName": "s", "ShardFilter": {}})",
                   "1 validation error detected: Value null at 'shardFilter.type' failed to "
                   "satisfy constraint: Member must not be null");
  ExpectValidation("ListShards",
                   R"({"StreamName": "s", "ShardFilter": {"Type": "NOPE", "ShardId": ""}})",
                   "3 validation errors detected: "
                   "Value '' at 'shardFilter.shardId' failed to satisfy constraint: Member must "
                   "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
                   "Value '' at 'shardFilter.shardId' failed to satisfy constraint: Member must "
                   "have length greater than or equal to 1; "
                   "Value 'NOPE' at 'shardFilter.type' failed to satisfy constraint: Member must "
                   "satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, "
                   "AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]");
  ExpectValidation("CreateStream",
                   R"({"StreamName": "s", "StreamModeDetails": {"StreamMode": "X"}})",
                   "1 validation error detected: Value 'X' at 'streamModeDetails.streamMode' "
                   "failed to satisfy constraint: Member must satisfy enum value set: "
                   "[PROVISIONED, ON_DEMAND]");
  ExpectValidation(
      "SubscribeToShard",
      R"({"ConsumerARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
          "ShardId": "shardId-000000000000", "StartingPosition": {"Type": "AT_SEQUENCE_NUMBER",
          "SequenceNumber": "x"}})",
      "1 validation error detected: Value 'x' at 'startingPosition.sequenceNumber' failed to "
      "satisfy constraint: Member must satisfy regular expression pattern: "
      "0|([1-9]\\d{0,128})");
}

TEST(ApiValidation, ListOfStringsReportsOnceAtTheList) {
  const std::string key(129, 'a');
  ExpectValidation("RemoveTagsFromStream",
                   R"({"StreamName": "s", "TagKeys": ["a", ")" + key + R"(", "b", ""]})",
                   "1 validation error detected: Value at 'tagKeys' failed to satisfy "
                   "constraint: Member must satisfy constraint: [Member must have length less "
                   "than or equal to 128, Member must have length greater than or equal to 1]");
  ExpectValidation("RemoveTagsFromStream", R"({"StreamName": "s", "TagKeys": []})",
                   "1 validation error detected: Value at 'tagKeys' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 1");
  std::string keys;
  for (int i = 0; i < 51; ++i) {
    keys += std::string(i ? ", " : "") + "\"k" + std::to_string(i) + "\"";
  }
  ExpectValidation("RemoveTagsFromStream", R"({"StreamName": "s", "TagKeys": [)" + keys + "]}",
                   "1 validation error detected: Value at 'tagKeys' failed to satisfy "
                   "constraint: Member must have length less than or equal to 50");
  ExpectValidation("EnableEnhancedMonitoring",
                   R"({"StreamName": "s", "ShardLevelMetrics": ["IncomingBytes", "Bogus"]})",
                   "1 validation error detected: Value at "
                   "'shardLevelMetrics' failed to satisfy constraint: Member must satisfy "
                   "constraint: [Member must satisfy enum value set: [IncomingBytes, "
                   "IncomingRecords, OutgoingBytes, OutgoingRecords, "
                   "WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, "
                   "IteratorAgeMilliseconds, ALL]]");
}

TEST(ApiValidation, MapKeysAndValues) {
  const std::string long_key(129, 'k');
  const std::string long_value(257, 'v');
  ExpectValidation("AddTagsToStream",
                   R"({"StreamName": "s", "Tags": {"a": "1", ")" + long_key + R"(": "3"}})",
                   "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                   "Map keys must satisfy constraint: [Member must have length less than or "
                   "equal to 128, Member must have length greater than or equal to 1]");
  ExpectValidation("AddTagsToStream",
                   R"({"StreamName": "s", "Tags": {"a": "1", "c": ")" + long_value + R"("}})",
                   "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                   "Map value must satisfy constraint: [Member must have length less than or "
                   "equal to 256, Member must have length greater than or equal to 0]");
  ExpectValidation("AddTagsToStream", R"({"StreamName": "", "Tags": {}})",
                   "3 validation errors detected: "
                   "Value at 'tags' failed to satisfy constraint: Member must have length "
                   "greater than or equal to 1; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: [a-zA-Z0-9_.-]+; "
                   "Value '' at 'streamName' failed to satisfy constraint: Member must have "
                   "length greater than or equal to 1");
  std::string tags;
  for (int i = 0; i < 201; ++i) {
    tags += std::string(i ? ", " : "") + "\"k" + std::to_string(i) + "\": \"v\"";
  }
  ExpectValidation("AddTagsToStream", R"({"StreamName": "s", "Tags": {)" + tags + "}}",
                   "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                   "Member must have length less than or equal to 200");
}

// ---------------------------------------------------------------------------------------------
// Wrong JSON types → SerializationException (recorded messages)

struct TypeCase {
  const char* op;
  const char* body;
  const char* message;
};

TEST(ApiValidationSerialization, WrongTypes) {
  const char* kBig = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
  const std::vector<std::pair<std::string, std::string>> string_cases = {
      {"true", "class java.lang.Boolean can not be converted to an String"},
      {"23", std::string(kBig) + " can not be converted to an String"},
      {"-2147483648", std::string(kBig) + " can not be converted to an String"},
      {"2147483648", std::string(kBig) + " can not be converted to an String"},
      {"34.56", std::string(kBig) + " can not be converted to an String"},
      {"[]", "Start of list found where not expected"},
      {"{}", "Start of structure or map found where not expected."},
  };
  for (const auto& [value, message] : string_cases) {
    ExpectSerialization("CreateStream", R"({"StreamName": )" + value + "}", message);
    ExpectSerialization("PutRecords", R"({"Records": [{"PartitionKey": )" + value + "}]}", message);
    ExpectSerialization("AddTagsToStream", R"({"Tags": {"a": )" + value + "}}", message);
  }

  const std::vector<std::pair<std::string, std::string>> integer_cases = {
      {"\"23\"", "class java.lang.String can not be converted to an Integer"},
      {"true", "class java.lang.Boolean can not be converted to an Integer"},
      {"[]", "Start of list found where not expected"},
      {"{}", "Start of structure or map found where not expected."},
  };
  for (const auto& [value, message] : integer_cases) {
    ExpectSerialization("CreateStream", R"({"StreamName": "s", "ShardCount": )" + value + "}",
                        message);
  }

  const std::vector<std::pair<std::string, std::string>> boolean_cases = {
      {"\"23\"", "'23' can not be converted to an Boolean"},
      {"\"hello\"", "'HELLO' can not be converted to an Boolean"},
      {"23", std::string(kBig) + " can not be converted to an Boolean"},
      {"-2147483648", std::string(kBig) + " can not be converted to an Boolean"},
      {"2147483648", std::string(kBig) + " can not be converted to an Boolean"},
      {"[]", "Start of list found where not expected"},
      {"{}", "Start of structure or map found where not expected."},
  };
  for (const auto& [value, message] : boolean_cases) {
    ExpectSerialization("DeleteStream",
                        R"({"StreamName": "s", "EnforceConsumerDeletion": )" + value + "}",
                        message);
  }
  for (const char* fine : {"true", "false", "34.56", "\"true\"", "\"No\"", "\"1\""}) {
    ExpectValid("DeleteStream",
                std::string(R"({"StreamName": "s", "EnforceConsumerDeletion": )") + fine + "}");
  }

  const std::vector<TypeCase> cases = {
      {"PutRecord", R"({"Data": true})", "class java.lang.Boolean can not be converted to a Blob"},
      {"PutRecord", R"({"Data": 23})",
       "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a "
       "Blob"},
      {"PutRecord", R"({"Data": 34.56})",
       "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a "
       "Blob"},
      {"PutRecord", R"({"Data": []})", "Start of list found where not expected"},
      {"PutRecord", R"({"Data": {}})", "Start of structure or map found where not expected."},
      {"PutRecords", R"({"Records": "23"})", "Expected list or null"},
      {"PutRecords", R"({"Records": true})", "Expected list or null"},
      {"PutRecords", R"({"Records": 34.56})", "Expected list or null"},
      {"PutRecords", R"({"Records": {}})", "Start of structure or map found where not expected."},
      {"PutRecords", R"({"Records": ["23"]})", "Expected null"},
      {"PutRecords", R"({"Records": [23]})", "Expected null"},
      {"PutRecords", R"({"Records": [[]]})", "Start of list found where not expected"},
      {"AddTagsToStream", R"({"Tags": "23"})", "Expected map or null"},
      {"AddTagsToStream", R"({"Tags": 2147483648})", "Expected map or null"},
      {"AddTagsToStream", R"({"Tags": []})", "Start of list found where not expected"},
      {"ListShards", R"({"ShardFilter": "23"})", "Expected null"},
      {"ListShards", R"({"ShardFilter": []})", "Start of list found where not expected"},
      {"GetShardIterator", R"({"Timestamp": true})",
       "class java.lang.Boolean can not be converted to milliseconds since epoch"},
      {"GetShardIterator", R"({"Timestamp": "yesterday"})",
       "class java.lang.String can not be converted to milliseconds since epoch"},
      {"GetShardIterator", R"({"Timestamp": "2016-04-04T19:58:46.480-00:00"})",
       "class java.lang.String can not be converted to milliseconds since epoch"},
      {"GetShardIterator", R"({"Timestamp": "1459799926"})",
       "class java.lang.String can not be converted to milliseconds since epoch"},
      {"ListShards", R"({"ShardFilter": {"Type": "AT_TIMESTAMP", "Timestamp": "23"}})",
       "class java.lang.String can not be converted to milliseconds since epoch"},
      {"ListShards", R"({"StreamCreationTimestamp": "23"})",
       "class java.lang.String can not be converted to milliseconds since epoch"},
      {"GetShardIterator", R"({"Timestamp": []})", "Start of list found where not expected"},
      {"GetShardIterator", R"({"Timestamp": {}})",
       "Start of structure or map found where not expected."},
      // The body itself is a structure.
      {"CreateStream", R"([])", "Start of list found where not expected"},
      {"CreateStream", R"("StreamName")", "Expected null"},
      {"CreateStream", R"(42)", "Expected null"},
  };
  for (const TypeCase& c : cases) ExpectSerialization(c.op, c.body, c.message);
}

TEST(ApiValidationSerialization, FirstWrongTypeInDocumentOrderWins) {
  ExpectSerialization("CreateStream", R"({"ShardCount": "1", "StreamName": 1})",
                      "class java.lang.String can not be converted to an Integer");
  ExpectSerialization("CreateStream", R"({"StreamName": 1, "ShardCount": "1"})",
                      "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                      "converted to an String");
  // Types are checked over the whole request before any constraint.
  ExpectSerialization("PutRecords",
                      R"({"StreamName": "", "Records": [{"PartitionKey": ""}, {"Data": "!!!!"}]})",
                      "'!!!!' can not be converted to a Blob: Invalid Base64 character: '!'");
}

TEST(ApiValidationSerialization, UnknownAndNullMembersAreIgnored) {
  ExpectValid("CreateStream", R"({"StreamName": "s", "Bogus": [1, {"x": true}], "streamName": 5})");
  ExpectValid("CreateStream", R"({"StreamName": "s", "ShardCount": null, "Tags": null})");
  ExpectValid("PutRecords", R"({"StreamName": "s", "Records": [{"PartitionKey": "a", "Data": "",
                                "Extra": {}}]})");
}

TEST(ApiValidationSerialization, InvalidBase64) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"23456",
       "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
       "bytes but found: 5"},
      {"=+/=", "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
      {"+/+=",
       "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character "
       "dectected"},
      {"ab!d", "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"},
      {"ab-_", "'ab-_' can not be converted to a Blob: Invalid Base64 character: '-'"},
      {"YQ==YQ==", "'YQ==YQ==' can not be converted to a Blob: Invalid Base64 character: '='"},
      {"a===",
       "'a===' can not be converted to a Blob: Invalid last non-pad Base64 character "
       "dectected"},
      {"YR==",
       "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character "
       "dectected"},
  };
  for (const auto& [data, message] : cases) {
    ExpectSerialization("PutRecord",
                        R"({"StreamName": "s", "PartitionKey": "k", "Data": ")" + data + R"("})",
                        message);
  }
  for (const char* good : {"", "YQ==", "YWI=", "YWJj", "AAECAwQFBgcICQ==", "+/+/"}) {
    ExpectValid("PutRecord", std::string(R"({"StreamName": "s", "PartitionKey": "k", "Data": ")") +
                                 good + "\"}");
  }
}

TEST(ApiValidationSerialization, RawBlobsAreNotBase64) {
  // CBOR carries blobs as bytes: no base64 rules, and the length is the byte count.
  ExpectValid("PutRecord", R"({"StreamName": "s", "PartitionKey": "k", "Data": "!!"})",
              BlobEncoding::kRaw);
  rapidjson::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  const std::string data(10485761, '\0');
  doc.AddMember("StreamName", "s", a);
  doc.AddMember("PartitionKey", "k", a);
  doc.AddMember("Data",
                rapidjson::Value(data.data(), static_cast<rapidjson::SizeType>(data.size()), a), a);
  std::optional<Error> e = validate_request("PutRecord", doc, BlobEncoding::kRaw);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message,
            "1 validation error detected: Value at 'data' failed to satisfy constraint: Member "
            "must have length less than or equal to 10485760");
  ExpectSerialization("PutRecord", R"({"Data": 5})",
                      "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                      "converted to a Blob",
                      BlobEncoding::kRaw);
}

// ---------------------------------------------------------------------------------------------
// Valid requests

TEST(ApiValidation, ValidRequestsPass) {
  ExpectValid("CreateStream", R"({"StreamName": "my-stream_1.x", "ShardCount": 3})");
  ExpectValid("CreateStream", R"({
      "StreamName": "s", "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
      "Tags": {"team": "data", "empty": ""}, "MaxRecordSizeInKiB": 1024})");
  ExpectValid("PutRecord", R"({
      "StreamName": "s", "PartitionKey": "pk", "Data": "aGVsbG8=",
      "ExplicitHashKey": "340282366920938463463374607431768211455",
      "SequenceNumberForOrdering": "0"})");
  ExpectValid("PutRecord", R"({
      "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
      "PartitionKey": "pk", "Data": ""})");
  std::string records;
  for (int i = 0; i < 500; ++i) {
    records += std::string(i ? ", " : "") + R"({"PartitionKey": "k)" + std::to_string(i) +
               R"(", "Data": "AAECAw==", "ExplicitHashKey": ")" + std::to_string(i) + "\"}";
  }
  ExpectValid("PutRecords", R"({"StreamName": "s", "Records": [)" + records + "]}");
  ExpectValid("GetShardIterator", R"({
      "StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})");
  ExpectValid("GetShardIterator", R"({
      "StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
      "Timestamp": 1459799926.48})");
  ExpectValid("GetShardIterator", R"({
      "StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
      "Timestamp": 1459799926.480})");
  ExpectValid("GetShardIterator", R"({
      "StreamName": "s", "ShardId": "shardId-000000000000",
      "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
      "StartingSequenceNumber": "49590338271490256608559692538361571095921575989136588898"})");
  ExpectValid("GetRecords", R"({"ShardIterator": "AAAAAAAAAAE=", "Limit": 10000})");
  ExpectValid("ListShards", R"({
      "StreamName": "s", "MaxResults": 100,
      "ShardFilter": {"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"}})");
  ExpectValid("ListShards", R"({
      "StreamName": "s", "ShardFilter": {"Type": "FROM_TIMESTAMP", "Timestamp": 1700000000}})");
  ExpectValid("ListShards", R"({"NextToken": "token"})");
  ExpectValid("DescribeLimits", "{}");
}

TEST(ApiValidation, SafeToCallFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        rapidjson::Document doc;
        doc.Parse(R"({"StreamName": "", "Records": [{"PartitionKey": "", "Data": ""}]})");
        std::optional<Error> e = validate_request("PutRecords", doc, BlobEncoding::kBase64);
        if (!e || e->message.rfind("3 validation errors detected: ", 0) != 0) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// ---------------------------------------------------------------------------------------------
// Readers shared with the operations

double Timestamp(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  std::optional<double> t = parse_timestamp(doc);
  EXPECT_TRUE(t.has_value()) << json;
  return t.value_or(-1);
}

bool IsTimestamp(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  return parse_timestamp(doc).has_value();
}

TEST(ApiValidationReaders, ParseTimestamp) {
  // Epoch seconds as a JSON number; Kinesis takes no strings here, ISO 8601 or otherwise.
  EXPECT_DOUBLE_EQ(Timestamp("1459799926.48"), 1459799926.48);
  EXPECT_DOUBLE_EQ(Timestamp("1459799926"), 1459799926);
  EXPECT_FALSE(IsTimestamp(R"("1459799926.48")"));
  EXPECT_FALSE(IsTimestamp(R"("2016-04-04T19:58:46.480-00:00")"));
  EXPECT_FALSE(IsTimestamp("true"));
}

TEST(ApiValidationReaders, ParseNumbersAndBooleans) {
  auto doc = [](const char* json) {
    auto d = std::make_unique<rapidjson::Document>();
    d->Parse(json);
    return d;
  };
  EXPECT_EQ(parse_integer(*doc("34.9")), 34);
  EXPECT_EQ(parse_integer(*doc("-0.5")), -1);
  EXPECT_EQ(parse_integer(*doc("1e12")), 2147483647);
  EXPECT_EQ(parse_integer(*doc("-1e12")), -2147483647 - 1);
  EXPECT_EQ(parse_integer(*doc("18446744073709551615")), 2147483647);
  EXPECT_EQ(parse_integer(*doc("\"5\"")), std::nullopt);
  EXPECT_EQ(parse_long(*doc("9007199254740993")), 9007199254740993LL);
  EXPECT_EQ(parse_long(*doc("18446744073709551615")), 9223372036854775807LL);
  EXPECT_EQ(parse_boolean(*doc("true")), true);
  EXPECT_EQ(parse_boolean(*doc("\"yes\"")), true);
  EXPECT_EQ(parse_boolean(*doc("\"FALSE\"")), false);
  EXPECT_EQ(parse_boolean(*doc("0.0")), false);
  EXPECT_EQ(parse_boolean(*doc("1")), std::nullopt);
  EXPECT_EQ(parse_boolean(*doc("\"maybe\"")), std::nullopt);
}

}  // namespace
}  // namespace kinesim::api
