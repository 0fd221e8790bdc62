// PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on streams and consumers.
#include "resource_api_fixture.h"

namespace kinesim::testing {
namespace {

const char* const kPolicy =
    "{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\": [{\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kinesis:GetRecords\","
    "\"Resource\":\"*\"}]\n}";

class PolicyTest : public ResourceApiTest {
 protected:
  std::string get(const std::string& arn) {
    Answer a = ok("GetResourcePolicy", resource(arn));
    if (!a.json.IsObject() || !a.json.HasMember("Policy")) return "(none)";
    EXPECT_EQ(Answer::members(a.json), std::vector<std::string>{"Policy"});
    return a.json["Policy"].GetString();
  }
  Answer put(const std::string& arn, std::string_view policy) {
    return call("PutResourcePolicy", resource(arn, R"("Policy":)" + q(policy)));
  }
};

// Consumers take 5 s to create and to delete.
class PolicyConsumerStateTest : public ResourceApiTest {
 protected:
  PolicyConsumerStateTest() : ResourceApiTest(StateDelays{0, 0, 0, 5000}) {}
};

TEST_F(PolicyTest, PutGetDeleteOnAStream) {
  create("s");
  const std::string arn = stream_arn("s");
  // No policy yet.
  EXPECT_EQ(ok("GetResourcePolicy", resource(arn)).body, R"({"Policy":"{}"})");
  Answer p = put(arn, kPolicy);
  EXPECT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.body, "");
  // Kept exactly as sent, white space and all.
  EXPECT_EQ(get(arn), kPolicy);
  // A new one replaces it.
  EXPECT_EQ(put(arn, R"({"Version":"2012-10-17","Statement":[]})").status, 200);
  EXPECT_EQ(get(arn), R"({"Version":"2012-10-17","Statement":[]})");
  EXPECT_EQ(ok("DeleteResourcePolicy", resource(arn)).body, "");
  EXPECT_EQ(get(arn), "{}");
  expect_error("DeleteResourcePolicy", resource(arn), "ResourceNotFoundException",
               "No resource policy is attached to " + arn + ".");
}

TEST_F(PolicyTest, PolicyMustBeAJsonObject) {
  create("s");
  const std::string arn = stream_arn("s");
  ASSERT_EQ(put(arn, kPolicy).status, 200);
  for (std::string_view bad :
       {std::string_view(""), std::string_view("not json"), std::string_view("{\"a\":"),
        std::string_view("[]"), std::string_view("\"text\""), std::string_view("42"),
        std::string_view("{} {}"), std::string_view("{\"a\":1,}"),
        std::string_view("{\"a\":1}\0", 8)}) {
    Answer a = put(arn, bad);
    EXPECT_EQ(a.status, 400) << bad;
    EXPECT_EQ(a.type(), "InvalidArgumentException") << bad;
    EXPECT_EQ(a.message(), "Policy is not a valid JSON policy document.") << bad;
  }
  // A refused policy leaves the old one in place.
  EXPECT_EQ(get(arn), kPolicy);
  // Deep nesting is parsed without recursion, and is no reason to refuse.
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(put(arn, deep).status, 200);
  EXPECT_EQ(get(arn), deep);
  std::string unbalanced = "{\"a\":" + std::string(100000, '[') + "}";
  EXPECT_EQ(put(arn, unbalanced).type(), "InvalidArgumentException");
  EXPECT_EQ(call("PutResourcePolicy", resource(arn)).type(), "ValidationException");
}

TEST_F(PolicyTest, PoliciesOnConsumers) {
  create("s");
  const std::string consumer = register_consumer("s", "c");
  ASSERT_EQ(put(consumer, R"({"for":"consumer"})").status, 200);
  EXPECT_EQ(get(consumer), R"({"for":"consumer"})");
  // The stream's policy is another one.
  EXPECT_EQ(get(stream_arn("s")), "{}");
  ASSERT_EQ(put(stream_arn("s"), R"({"for":"stream"})").status, 200);
  EXPECT_EQ(get(consumer), R"({"for":"consumer"})");
  ok("DeleteResourcePolicy", resource(consumer));
  EXPECT_EQ(get(consumer), "{}");
  EXPECT_EQ(get(stream_arn("s")), R"({"for":"stream"})");

  // A consumer registered again under the same name starts without the old one's policy.
  ASSERT_EQ(put(consumer, R"({"old":true})").status, 200);
  ok("DeregisterStreamConsumer", by_arn(consumer));
  clock_.advance_ms(1000);
  const std::string again = register_consumer("s", "c");
  EXPECT_EQ(get(again), "{}");
  expect_error("GetResourcePolicy", resource(consumer), "ResourceNotFoundException",
               "Consumer c with creation timestamp 1790000000 under stream s and account "
               "000000000000 not found.");
}

TEST_F(PolicyTest, MissingAndMalformedResources) {
  create("s");
  const std::string no_stream = "Stream nope under account 000000000000 not found.";
  expect_error("PutResourcePolicy", resource(stream_arn("nope"), R"("Policy":"{}")"),
               "ResourceNotFoundException", no_stream);
  expect_error("GetResourcePolicy", resource(stream_arn("nope")), "ResourceNotFoundException",
               no_stream);
  expect_error("DeleteResourcePolicy", resource(stream_arn("nope")), "ResourceNotFoundException",
               no_stream);
  const std::string missing_consumer = consumer_arn("s", "ghost", 1'790'000'000);
  const std::string no_consumer =
      "Consumer ghost with creation timestamp 1790000000 under stream s and account "
      "000000000000 not found.";
  expect_error("PutResourcePolicy", resource(missing_consumer, R"("Policy":"{}")"),
               "ResourceNotFoundException", no_consumer);
  expect_error("GetResourcePolicy", resource(missing_consumer), "ResourceNotFoundException",
               no_consumer);
  expect_error("DeleteResourcePolicy", resource(missing_consumer), "ResourceNotFoundException",
               no_consumer);
  const std::string bad = "arn:aws:kinesis:us-east-1:000000000000:stream/s/sub";
  expect_error("PutResourcePolicy", resource(bad, R"("Policy":"{}")"), "InvalidArgumentException",
               "Invalid ResourceARN: " + bad);
  expect_error("GetResourcePolicy", resource(bad), "InvalidArgumentException",
               "Invalid ResourceARN: " + bad);
  expect_error("DeleteResourcePolicy", resource(bad), "InvalidArgumentException",
               "Invalid ResourceARN: " + bad);
  // A missing resource is looked for before the policy is read.
  expect_error("PutResourcePolicy", resource(stream_arn("nope"), R"("Policy":"no")"),
               "ResourceNotFoundException", no_stream);
}

TEST_F(PolicyConsumerStateTest, ConsumerPoliciesChangeOnlyWhileActive) {
  create("s");
  Answer reg = ok("RegisterStreamConsumer", by_name("s", "c"));
  const std::string consumer = reg.json["Consumer"]["ConsumerARN"].GetString();
  const std::string not_active =
      "Consumer c with creation timestamp 1790000000 under stream s and account 000000000000 "
      "is not in ACTIVE status.";
  expect_error("PutResourcePolicy", resource(consumer, R"("Policy":"{}")"),
               "ResourceInUseException", not_active);
  expect_error("DeleteResourcePolicy", resource(consumer), "ResourceInUseException", not_active);
  // Reading is fine.
  EXPECT_EQ(ok("GetResourcePolicy", resource(consumer)).body, R"({"Policy":"{}"})");
  clock_.advance_ms(5000);
  ok("PutResourcePolicy", resource(consumer, R"("Policy":"{\"v\":1}")"));
  ok("DeregisterStreamConsumer", by_arn(consumer));
  expect_error("PutResourcePolicy", resource(consumer, R"("Policy":"{}")"),
               "ResourceInUseException", not_active);
  expect_error("DeleteResourcePolicy", resource(consumer), "ResourceInUseException", not_active);
  EXPECT_EQ(ok("GetResourcePolicy", resource(consumer)).body, R"({"Policy":"{\"v\":1}"})");
  clock_.advance_ms(5000);
  expect_error("GetResourcePolicy", resource(consumer), "ResourceNotFoundException",
               "Consumer c with creation timestamp 1790000000 under stream s and account "
               "000000000000 not found.");
}

}  // namespace
}  // namespace kinesim::testing
