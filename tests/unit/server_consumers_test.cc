// RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers and
// DeregisterStreamConsumer end to end, and DeleteStream's rule for streams with consumers.
#include <set>

#include "resource_api_fixture.h"

namespace kinesim::testing {
namespace {

constexpr int64_t kStartS = kStartMs / 1000;

class ConsumerTest : public ResourceApiTest {};

// Consumers take 5 s to create and to delete; streams 2 s to create and to delete.
class ConsumerStateTest : public ResourceApiTest {
 protected:
  ConsumerStateTest() : ResourceApiTest(StateDelays{2000, 2000, 0, 5000}) {}
  std::string status(const std::string& stream, const std::string& consumer) {
    Answer a = call("DescribeStreamConsumer", by_name(stream, consumer));
    if (a.status != 200) return a.type();
    return a.json["ConsumerDescription"]["ConsumerStatus"].GetString();
  }
};

TEST_F(ConsumerTest, RegisterDescribeListDeregister) {
  create("s");
  Answer reg = ok("RegisterStreamConsumer", by_name("s", "c1"));
  const auto& c = reg.json["Consumer"];
  EXPECT_EQ(Answer::members(c),
            (std::vector<std::string>{"ConsumerName", "ConsumerARN", "ConsumerStatus",
                                      "ConsumerCreationTimestamp"}));
  EXPECT_STREQ(c["ConsumerName"].GetString(), "c1");
  const std::string arn = consumer_arn("s", "c1", kStartS);
  EXPECT_EQ(c["ConsumerARN"].GetString(), arn);
  EXPECT_STREQ(c["ConsumerStatus"].GetString(), "ACTIVE");  // no delay configured
  EXPECT_DOUBLE_EQ(c["ConsumerCreationTimestamp"].GetDouble(), 1'790'000'000.0);

  // Every way of naming it finds it.
  for (const std::string& body :
       {by_arn(arn), by_name("s", "c1"),
        R"({"StreamARN":)" + q(stream_arn("s")) + R"(,"ConsumerARN":)" + q(arn) + "}",
        R"({"StreamARN":)" + q(stream_arn("s")) + R"(,"ConsumerName":"c1","ConsumerARN":)" +
            q(arn) + "}"}) {
    Answer d = ok("DescribeStreamConsumer", body);
    const auto& desc = d.json["ConsumerDescription"];
    EXPECT_EQ(Answer::members(desc),
              (std::vector<std::string>{"ConsumerName", "ConsumerARN", "ConsumerStatus",
                                        "ConsumerCreationTimestamp", "StreamARN"}))
        << body;
    EXPECT_EQ(desc["ConsumerARN"].GetString(), arn);
    EXPECT_EQ(desc["StreamARN"].GetString(), stream_arn("s"));
    EXPECT_STREQ(desc["ConsumerStatus"].GetString(), "ACTIVE");
  }

  Answer list = ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}");
  ASSERT_EQ(list.json["Consumers"].Size(), 1u);
  EXPECT_EQ(list.json["Consumers"][0]["ConsumerARN"].GetString(), arn);
  EXPECT_FALSE(list.json["Consumers"][0].HasMember("StreamARN"));
  EXPECT_FALSE(list.json.HasMember("NextToken"));
  EXPECT_EQ(ok("DescribeStreamSummary", R"({"StreamName":"s"})")
                .json["StreamDescriptionSummary"]["ConsumerCount"]
                .GetInt(),
            1);

  Answer dereg = ok("DeregisterStreamConsumer", by_arn(arn));
  EXPECT_EQ(dereg.body, "");
  expect_error("DescribeStreamConsumer", by_arn(arn), "ResourceNotFoundException",
               "Consumer c1 with creation timestamp 1790000000 under stream s and account "
               "000000000000 not found.");
  EXPECT_EQ(ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}").body,
            R"({"Consumers":[]})");
  EXPECT_EQ(ok("DescribeStreamSummary", R"({"StreamName":"s"})")
                .json["StreamDescriptionSummary"]["ConsumerCount"]
                .GetInt(),
            0);
}

TEST_F(ConsumerTest, DeregisterByStreamArnAndName) {
  create("s");
  register_consumer("s", "c1");
  register_consumer("s", "c2");
  EXPECT_EQ(ok("DeregisterStreamConsumer", by_name("s", "c1")).body, "");
  expect_error("DescribeStreamConsumer", by_name("s", "c1"), "ResourceNotFoundException",
               "Consumer c1 under stream s and account 000000000000 not found.");
  ok("DescribeStreamConsumer", by_name("s", "c2"));
  // Deregistering it again finds nothing.
  expect_error("DeregisterStreamConsumer", by_name("s", "c1"), "ResourceNotFoundException",
               "Consumer c1 under stream s and account 000000000000 not found.");
}

TEST_F(ConsumerTest, RegisterErrors) {
  expect_error("RegisterStreamConsumer", by_name("nope", "c"), "ResourceNotFoundException",
               "Stream nope under account 000000000000 not found.");
  create("s");
  register_consumer("s", "c");
  expect_error("RegisterStreamConsumer", by_name("s", "c"), "ResourceInUseException",
               "Consumer c under stream s and account 000000000000 already exists.");
  // The pattern lets this through; it is no stream ARN.
  expect_error("RegisterStreamConsumer",
               R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s/x",)"
               R"("ConsumerName":"d"})",
               "InvalidArgumentException",
               "Invalid StreamARN: arn:aws:kinesis:us-east-1:000000000000:stream/s/x");
  // The model's checks come first.
  Answer bad = call("RegisterStreamConsumer", by_name("s", "no spaces"));
  EXPECT_EQ(bad.type(), "ValidationException");
  Answer missing = call("RegisterStreamConsumer", R"({"ConsumerName":"c"})");
  EXPECT_EQ(missing.type(), "ValidationException");
  // Nothing of that was registered.
  Answer list = ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}");
  EXPECT_EQ(list.json["Consumers"].Size(), 1u);
}

TEST_F(ConsumerTest, TwentyConsumersPerStream) {
  create("s");
  create("t");
  for (int i = 0; i < 20; ++i) register_consumer("s", "c" + std::to_string(i));
  expect_error("RegisterStreamConsumer", by_name("s", "c20"), "LimitExceededException",
               "This request would exceed the limit of 20 consumers registered with stream s "
               "under account 000000000000.");
  // The limit is per stream.
  EXPECT_FALSE(register_consumer("t", "c20").empty());
  // Room again once one is gone.
  ok("DeregisterStreamConsumer", by_name("s", "c0"));
  EXPECT_FALSE(register_consumer("s", "c20").empty());
}

TEST_F(ConsumerTest, DescribeAndDeregisterNeedAConsumerNamedConsistently) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  create("t");
  const std::string neither =
      "Either ConsumerARN or both StreamARN and ConsumerName must be provided.";
  for (const char* op : {"DescribeStreamConsumer", "DeregisterStreamConsumer"}) {
    expect_error(op, "{}", "InvalidArgumentException", neither);
    expect_error(op, R"({"StreamARN":)" + q(stream_arn("s")) + "}", "InvalidArgumentException",
                 neither);
    expect_error(op, R"({"ConsumerName":"c"})", "InvalidArgumentException", neither);
    expect_error(op, R"({"ConsumerARN":)" + q(arn) + R"(,"ConsumerName":"d"})",
                 "InvalidArgumentException",
                 "ConsumerARN " + arn + " does not match ConsumerName d.");
    expect_error(op, R"({"ConsumerARN":)" + q(arn) + R"(,"StreamARN":)" + q(stream_arn("t")) + "}",
                 "InvalidArgumentException",
                 "ConsumerARN " + arn + " does not match StreamARN " + stream_arn("t") + ".");
    expect_error(op, by_name("s", "nobody"), "ResourceNotFoundException",
                 "Consumer nobody under stream s and account 000000000000 not found.");
    expect_error(op, by_name("nope", "c"), "ResourceNotFoundException",
                 "Stream nope under account 000000000000 not found.");
    // The right name at the wrong second is another consumer.
    expect_error(op, by_arn(consumer_arn("s", "c", kStartS - 1)), "ResourceNotFoundException",
                 "Consumer c with creation timestamp 1789999999 under stream s and account "
                 "000000000000 not found.");
    expect_error(op, by_arn(consumer_arn("s", "c", 0)), "ResourceNotFoundException",
                 "Consumer c with creation timestamp 0 under stream s and account "
                 "000000000000 not found.");
  }
  // None of that deregistered it.
  EXPECT_EQ(ok("DescribeStreamConsumer", by_arn(arn))
                .json["ConsumerDescription"]["ConsumerStatus"]
                .GetString(),
            std::string("ACTIVE"));
}

TEST_F(ConsumerTest, ReRegisteredConsumerHasANewArn) {
  create("s");
  const std::string old_arn = register_consumer("s", "c");
  ok("TagResource", resource(old_arn, R"("Tags":{"k":"v"})"));
  ok("DeregisterStreamConsumer", by_arn(old_arn));
  clock_.advance_ms(3000);
  const std::string new_arn = register_consumer("s", "c");
  EXPECT_EQ(new_arn, consumer_arn("s", "c", kStartS + 3));
  EXPECT_NE(new_arn, old_arn);
  expect_error("DescribeStreamConsumer", by_arn(old_arn), "ResourceNotFoundException",
               "Consumer c with creation timestamp 1790000000 under stream s and account "
               "000000000000 not found.");
  expect_error("DeregisterStreamConsumer", by_arn(old_arn), "ResourceNotFoundException",
               "Consumer c with creation timestamp 1790000000 under stream s and account "
               "000000000000 not found.");
  Answer d = ok("DescribeStreamConsumer", by_arn(new_arn));
  EXPECT_DOUBLE_EQ(d.json["ConsumerDescription"]["ConsumerCreationTimestamp"].GetDouble(),
                   1'790'000'003.0);
  // The old consumer's tags went with it.
  EXPECT_TRUE(tags_of(new_arn).empty());
}

TEST_F(ConsumerTest, RegisterWithTags) {
  create("s");
  Answer a =
      ok("RegisterStreamConsumer", R"({"StreamARN":)" + q(stream_arn("s")) +
                                       R"(,"ConsumerName":"c","Tags":{"team":"core","env":""}})");
  const std::string arn = a.json["Consumer"]["ConsumerARN"].GetString();
  EXPECT_EQ(tags_of(arn),
            (std::vector<std::pair<std::string, std::string>>{{"env", ""}, {"team", "core"}}));
  // The stream's own tags are another set.
  EXPECT_TRUE(tags_of(stream_arn("s")).empty());

  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 51; ++i) many.emplace_back("k" + std::to_string(i), "v");
  expect_error("RegisterStreamConsumer",
               R"({"StreamARN":)" + q(stream_arn("s")) + R"(,"ConsumerName":"d","Tags":)" +
                   tag_map(many) + "}",
               "InvalidArgumentException",
               "Failed to add tags to consumer d under stream s and account 000000000000 "
               "because a given consumer cannot have more than 50 tags associated with it.");
  expect_error(
      "RegisterStreamConsumer",
      R"({"StreamARN":)" + q(stream_arn("s")) + R"(,"ConsumerName":"d","Tags":{"a;b":"v"}})",
      "InvalidArgumentException",
      "Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
      "white space, _ . / = + - % @.");
  expect_error("DescribeStreamConsumer", by_name("s", "d"), "ResourceNotFoundException",
               "Consumer d under stream s and account 000000000000 not found.");
}

TEST_F(ConsumerTest, ListPagesThroughEveryConsumerOnce) {
  create("s");
  std::set<std::string> registered;
  for (int i = 0; i < 20; ++i) {
    const std::string name = "c" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    register_consumer("s", name);
    registered.insert(name);
  }
  const std::string arn = q(stream_arn("s"));
  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  std::string token;
  for (int pages = 0; pages < 10; ++pages) {
    std::string body = R"({"StreamARN":)" + arn + R"(,"MaxResults":7)";
    if (!token.empty()) body += R"(,"NextToken":)" + q(token);
    Answer a = ok("ListStreamConsumers", body + "}");
    page_sizes.push_back(a.json["Consumers"].Size());
    for (const auto& c : a.json["Consumers"].GetArray())
      seen.emplace_back(c["ConsumerName"].GetString());
    if (!a.json.HasMember("NextToken")) break;
    token = a.json["NextToken"].GetString();
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{7, 7, 6}));
  EXPECT_EQ(seen, std::vector<std::string>(registered.begin(), registered.end()));

  // MaxResults above 100 is no error; one page holds all 20.
  Answer all = ok("ListStreamConsumers", R"({"StreamARN":)" + arn + R"(,"MaxResults":10000})");
  EXPECT_EQ(all.json["Consumers"].Size(), 20u);
  EXPECT_FALSE(all.json.HasMember("NextToken"));
  Answer zero = call("ListStreamConsumers", R"({"StreamARN":)" + arn + R"(,"MaxResults":0})");
  EXPECT_EQ(zero.type(), "ValidationException");
}

TEST_F(ConsumerTest, ListTokensAndStreamCreationTimestamp) {
  create("s");
  create("t");
  for (const char* n : {"a", "b", "c"}) register_consumer("s", n);
  const std::string arn = q(stream_arn("s"));
  Answer first = ok("ListStreamConsumers", R"({"StreamARN":)" + arn + R"(,"MaxResults":1})");
  const std::string token = first.json["NextToken"].GetString();

  expect_error("ListStreamConsumers",
               R"({"StreamARN":)" + arn + R"(,"NextToken":)" + q(token) +
                   R"(,"StreamCreationTimestamp":1790000000})",
               "InvalidArgumentException",
               "NextToken and StreamCreationTimestamp cannot be provided together.");
  // A token works only for the stream it was issued for.
  expect_error("ListStreamConsumers",
               R"({"StreamARN":)" + q(stream_arn("t")) + R"(,"NextToken":)" + q(token) + "}",
               "InvalidArgumentException", "Invalid NextToken.");
  expect_error("ListStreamConsumers", R"({"StreamARN":)" + arn + R"(,"NextToken":"garbage"})",
               "InvalidArgumentException", "Invalid NextToken.");
  // A ListStreams token is no consumer token.
  Answer streams = ok("ListStreams", R"({"Limit":1})");
  expect_error("ListStreamConsumers",
               R"({"StreamARN":)" + arn + R"(,"NextToken":)" +
                   q(streams.json["NextToken"].GetString()) + "}",
               "InvalidArgumentException", "Invalid NextToken.");

  Answer second =
      ok("ListStreamConsumers", R"({"StreamARN":)" + arn + R"(,"NextToken":)" + q(token) + "}");
  ASSERT_EQ(second.json["Consumers"].Size(), 2u);
  EXPECT_STREQ(second.json["Consumers"][0]["ConsumerName"].GetString(), "b");

  clock_.advance_ms(300'001);
  expect_error("ListStreamConsumers",
               R"({"StreamARN":)" + arn + R"(,"NextToken":)" + q(token) + "}",
               "ExpiredNextTokenException", "The NextToken has expired.");

  // StreamCreationTimestamp tells this stream from an older one of the same name.
  EXPECT_EQ(ok("ListStreamConsumers",
               R"({"StreamARN":)" + arn + R"(,"StreamCreationTimestamp":1790000000})")
                .json["Consumers"]
                .Size(),
            3u);
  expect_error("ListStreamConsumers",
               R"({"StreamARN":)" + arn + R"(,"StreamCreationTimestamp":1780000000})",
               "ResourceNotFoundException", "Stream s under account 000000000000 not found.");
  expect_error("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("nope")) + "}",
               "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
}

TEST_F(ConsumerTest, DeleteStreamWithConsumers) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  ok("AddTagsToStream", R"({"StreamName":"s","Tags":{"k":"v"}})");
  ok("PutResourcePolicy", resource(stream_arn("s"), R"("Policy":"{\"Version\":\"2012-10-17\"}")"));
  ok("PutResourcePolicy", resource(arn, R"("Policy":"{\"c\":1}")"));

  const std::string refusal =
      "DeleteStream can\u2019t delete 000000000000:s because there are consumers associated "
      "with this data stream. To delete s anyway, set the EnforceConsumerDeletion parameter to "
      "true to force the deletion of all the consumers that are associated with it.";
  expect_error("DeleteStream", R"({"StreamName":"s"})", "ResourceInUseException", refusal);
  expect_error("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":false})",
               "ResourceInUseException", refusal);
  // Refused means untouched.
  ok("DescribeStreamConsumer", by_arn(arn));
  EXPECT_STREQ(ok("DescribeStream", R"({"StreamName":"s"})")
                   .json["StreamDescription"]["StreamStatus"]
                   .GetString(),
               "ACTIVE");

  EXPECT_EQ(ok("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})").body, "");
  expect_error("DescribeStreamConsumer", by_arn(arn), "ResourceNotFoundException",
               "Stream s under account 000000000000 not found.");

  // A new stream of the same name starts with nothing of the old one's.
  clock_.advance_ms(1000);
  create("s");
  EXPECT_EQ(ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}").body,
            R"({"Consumers":[]})");
  EXPECT_EQ(ok("ListTagsForStream", R"({"StreamName":"s"})").body,
            R"({"Tags":[],"HasMoreTags":false})");
  EXPECT_EQ(ok("GetResourcePolicy", resource(stream_arn("s"))).body, R"({"Policy":"{}"})");
  expect_error("DescribeStreamConsumer", by_name("s", "c"), "ResourceNotFoundException",
               "Consumer c under stream s and account 000000000000 not found.");
  EXPECT_EQ(ok("DescribeStreamSummary", R"({"StreamName":"s"})")
                .json["StreamDescriptionSummary"]["ConsumerCount"]
                .GetInt(),
            0);
  // And a consumer of the old name on it is a new one.
  EXPECT_EQ(register_consumer("s", "c"), consumer_arn("s", "c", kStartS + 1));
  EXPECT_EQ(ok("GetResourcePolicy", resource(consumer_arn("s", "c", kStartS + 1))).body,
            R"({"Policy":"{}"})");
}

TEST_F(ConsumerStateTest, ConsumersCreateAndDeleteOnTheClock) {
  create("s");
  clock_.advance_ms(2000);
  Answer reg = ok("RegisterStreamConsumer", by_name("s", "c"));
  EXPECT_STREQ(reg.json["Consumer"]["ConsumerStatus"].GetString(), "CREATING");
  const std::string arn = reg.json["Consumer"]["ConsumerARN"].GetString();
  EXPECT_EQ(arn, consumer_arn("s", "c", kStartS + 2));
  EXPECT_EQ(status("s", "c"), "CREATING");
  clock_.advance_ms(4999);
  EXPECT_EQ(status("s", "c"), "CREATING");
  Answer list = ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}");
  EXPECT_STREQ(list.json["Consumers"][0]["ConsumerStatus"].GetString(), "CREATING");
  clock_.advance_ms(1);
  EXPECT_EQ(status("s", "c"), "ACTIVE");

  ok("DeregisterStreamConsumer", by_arn(arn));
  EXPECT_EQ(status("s", "c"), "DELETING");
  list = ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}");
  EXPECT_STREQ(list.json["Consumers"][0]["ConsumerStatus"].GetString(), "DELETING");
  // A consumer still deleting keeps its name taken.
  expect_error("RegisterStreamConsumer", by_name("s", "c"), "ResourceInUseException",
               "Consumer c under stream s and account 000000000000 already exists.");
  // Deregistering it again changes nothing.
  ok("DeregisterStreamConsumer", by_arn(arn));
  clock_.advance_ms(4999);
  EXPECT_EQ(status("s", "c"), "DELETING");
  clock_.advance_ms(1);
  EXPECT_EQ(status("s", "c"), "ResourceNotFoundException");
  EXPECT_EQ(ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}").body,
            R"({"Consumers":[]})");
  // Gone, it no longer holds DeleteStream back.
  EXPECT_EQ(ok("DeleteStream", R"({"StreamName":"s"})").body, "");
}

TEST_F(ConsumerStateTest, AtMostFiveCreatingAtOnce) {
  create("s");
  clock_.advance_ms(2000);
  for (int i = 0; i < 5; ++i) register_consumer("s", "c" + std::to_string(i));
  expect_error("RegisterStreamConsumer", by_name("s", "c5"), "LimitExceededException",
               "This request would exceed the limit of 5 consumers in CREATING status for "
               "stream s under account 000000000000.");
  clock_.advance_ms(5000);
  EXPECT_FALSE(register_consumer("s", "c5").empty());
}

TEST_F(ConsumerStateTest, StreamMustBeActiveToRegister) {
  create("s");
  expect_error("RegisterStreamConsumer", by_name("s", "c"), "ResourceInUseException",
               "Stream s under account 000000000000 not ACTIVE, instead in state CREATING");
  // A stream still CREATING lists no consumers rather than failing.
  EXPECT_EQ(ok("ListStreamConsumers", R"({"StreamARN":)" + q(stream_arn("s")) + "}").body,
            R"({"Consumers":[]})");
  clock_.advance_ms(2000);
  register_consumer("s", "c");
  ok("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})");
  expect_error("RegisterStreamConsumer", by_name("s", "d"), "ResourceInUseException",
               "Stream s under account 000000000000 not ACTIVE, instead in state DELETING");
  clock_.advance_ms(2000);
  expect_error("RegisterStreamConsumer", by_name("s", "d"), "ResourceNotFoundException",
               "Stream s under account 000000000000 not found.");
}

TEST_F(ConsumerStateTest, DeleteStreamWaitsForNoConsumerOnlyWhileItExists) {
  create("s");
  clock_.advance_ms(2000);
  register_consumer("s", "c");
  ok("DeregisterStreamConsumer", by_name("s", "c"));
  // Still DELETING: still a consumer of the stream.
  EXPECT_EQ(call("DeleteStream", R"({"StreamName":"s"})").type(), "ResourceInUseException");
  clock_.advance_ms(5000);
  EXPECT_EQ(ok("DeleteStream", R"({"StreamName":"s"})").body, "");
}

}  // namespace
}  // namespace kinesim::testing
