// AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, CreateStream's Tags, and
// TagResource, UntagResource and ListTagsForResource on streams and consumers.
#include <future>

#include "resource_api_fixture.h"
#include "storage/store.h"

namespace kinesim::testing {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

const char* const kInvalidCharacters =
    "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white "
    "space, _ . / = + - % @.";

class TagTest : public ResourceApiTest {
 protected:
  // ListTagsForStream's answer for `extra` members, as (key, value) pairs and HasMoreTags.
  std::pair<Tags, bool> list(const std::string& stream, const std::string& extra = "") {
    Answer a = ok("ListTagsForStream",
                  R"({"StreamName":)" + q(stream) + (extra.empty() ? "" : "," + extra) + "}");
    Tags out;
    if (!a.json.IsObject() || !a.json.HasMember("Tags")) return {out, false};
    for (const auto& t : a.json["Tags"].GetArray()) {
      out.emplace_back(t["Key"].GetString(), t["Value"].GetString());
    }
    return {out, a.json["HasMoreTags"].GetBool()};
  }
  void add(const std::string& stream, const Tags& tags) {
    EXPECT_EQ(
        ok("AddTagsToStream", R"({"StreamName":)" + q(stream) + R"(,"Tags":)" + tag_map(tags) + "}")
            .body,
        "");
  }
};

// Streams take 2 s to create, update and delete; consumers 5 s to create and delete.
class TagDelayTest : public ResourceApiTest {
 protected:
  TagDelayTest() : ResourceApiTest(StateDelays{2000, 2000, 2000, 5000}) {}
};

TEST_F(TagTest, EmptyStreamListsNoTags) {
  create("s");
  EXPECT_EQ(ok("ListTagsForStream", R"({"StreamName":"s"})").body,
            R"({"Tags":[],"HasMoreTags":false})");
  EXPECT_EQ(
      ok("ListTagsForStream", R"({"StreamName":"s","ExclusiveStartTagKey":"a","Limit":1})").body,
      R"({"Tags":[],"HasMoreTags":false})");
  EXPECT_EQ(ok("ListTagsForResource", resource(stream_arn("s"))).body, R"({"Tags":[]})");
}

TEST_F(TagTest, AddOverwritesAndListsInBinaryKeyOrder) {
  create("s");
  add("s", {{"a", "1"}, {"Zb", "2"}, {"_", ""}});
  add("s", {{"a", "one"}, {" ", "sp"}, {"+", ""}, {"/", ""}, {"0", ""}});
  add("s", {{"=", ""}, {"@", ""}, {"\u00ff", "y"}});
  const Tags all = {{" ", "sp"}, {"+", ""},   {"/", ""}, {"0", ""},    {"=", ""},
                    {"@", ""},   {"Zb", "2"}, {"_", ""}, {"a", "one"}, {"\u00ff", "y"}};
  EXPECT_EQ(list("s"), std::make_pair(all, false));
  // Values are always written, empty ones too.
  EXPECT_NE(ok("ListTagsForStream", R"({"StreamName":"s"})").body.find(R"({"Key":"_","Value":""})"),
            std::string::npos);
  // By ARN as well as by name.
  EXPECT_EQ(list("s").first, tags_of(stream_arn("s")));
  Answer by_arn = ok("ListTagsForStream", R"({"StreamARN":)" + q(stream_arn("s")) + "}");
  EXPECT_EQ(by_arn.json["Tags"].Size(), all.size());
  // ListTagsForResource answers Tags alone.
  EXPECT_EQ(Answer::members(ok("ListTagsForResource", resource(stream_arn("s"))).json),
            std::vector<std::string>{"Tags"});
}

TEST_F(TagTest, ListStartsAfterAnyKeyAndStopsAtLimit) {
  create("s");
  add("s", {{" ", ""},
            {"+", ""},
            {"/", ""},
            {"0", ""},
            {"=", ""},
            {"@", ""},
            {"Zb", ""},
            {"_", ""},
            {"a", ""},
            {"\u00ff", ""}});
  auto keys = [](const std::pair<Tags, bool>& r) {
    std::vector<std::string> out;
    for (const auto& [k, v] : r.first) out.push_back(k);
    return out;
  };
  // The start key need not exist.
  auto r = list("s", R"("ExclusiveStartTagKey":"$Z%*(*&@,,.,,ZAC")");
  EXPECT_EQ(keys(r).front(), "+");
  EXPECT_EQ(keys(r).size(), 9u);
  EXPECT_FALSE(r.second);
  r = list("s", R"("ExclusiveStartTagKey":"Za$Z%*(*&@,,.,,")");
  EXPECT_EQ(keys(r), (std::vector<std::string>{"Zb", "_", "a", "\u00ff"}));
  r = list("s", R"("ExclusiveStartTagKey":"@","Limit":2)");
  EXPECT_EQ(keys(r), (std::vector<std::string>{"Zb", "_"}));
  EXPECT_TRUE(r.second);
  r = list("s", R"("ExclusiveStartTagKey":"_","Limit":2)");
  EXPECT_EQ(keys(r), (std::vector<std::string>{"a", "\u00ff"}));
  EXPECT_FALSE(r.second);
  r = list("s", R"("ExclusiveStartTagKey":"\u00ff")");
  EXPECT_TRUE(keys(r).empty());
  EXPECT_FALSE(r.second);
  r = list("s", R"("Limit":1)");
  EXPECT_EQ(keys(r), std::vector<std::string>{" "});
  EXPECT_TRUE(r.second);
  // The model bounds Limit to 1..50.
  EXPECT_EQ(call("ListTagsForStream", R"({"StreamName":"s","Limit":0})").type(),
            "ValidationException");
  EXPECT_EQ(call("ListTagsForStream", R"({"StreamName":"s","Limit":51})").type(),
            "ValidationException");
}

TEST_F(TagTest, CreateStreamTags) {
  ok("CreateStream", R"({"StreamName":"s","ShardCount":1,"Tags":{"team":"core","Foo":"Bar"}})");
  EXPECT_EQ(list("s"), std::make_pair(Tags{{"Foo", "Bar"}, {"team", "core"}}, false));
  Tags many;
  for (int i = 0; i < 51; ++i) many.emplace_back("k" + std::to_string(i), "");
  expect_error("CreateStream", R"({"StreamName":"t","ShardCount":1,"Tags":)" + tag_map(many) + "}",
               "InvalidArgumentException",
               "Failed to add tags to stream t under account 000000000000 because a given stream "
               "cannot have more than 10 tags associated with it.");
  expect_error("DescribeStream", R"({"StreamName":"t"})", "ResourceNotFoundException",
               "Stream t under account 000000000000 not found.");
}

TEST_F(TagTest, InvalidCharacters) {
  create("s");
  add("s", {{"keep", "me"}});
  // The stream is looked for first.
  expect_error("AddTagsToStream", R"({"StreamName":"nope","Tags":{";":""}})",
               "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
  expect_error("RemoveTagsFromStream", R"({"StreamName":"nope","TagKeys":[";"]})",
               "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
  for (const char* bad : {";", "a\tb", "a,b", "new\nline"}) {
    expect_error("AddTagsToStream", R"({"StreamName":"s","Tags":{"x":)" + q(bad) + "}}",
                 "InvalidArgumentException", kInvalidCharacters);
    expect_error("AddTagsToStream", R"({"StreamName":"s","Tags":{)" + q(bad) + R"(:"x"}})",
                 "InvalidArgumentException", kInvalidCharacters);
    expect_error("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":[)" + q(bad) + "]}",
                 "InvalidArgumentException", kInvalidCharacters);
  }
  // '%' passes the first check and fails a second one.
  expect_error("AddTagsToStream", R"({"StreamName":"s","Tags":{"a%":"b","c":"d"}})",
               "InvalidArgumentException",
               "Failed to add tags to stream s under account 000000000000 because some tags "
               "contained illegal characters. The allowed characters are Unicode letters, "
               "white-spaces, '_',',','/','=','+','-','@'.");
  expect_error("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["keep","%"]})",
               "InvalidArgumentException",
               "Failed to remove tags from stream s under account 000000000000 because some "
               "tags contained illegal characters. The allowed characters are Unicode letters, "
               "white-spaces, '_',',','/','=','+','-','@'.");
  // Both checks look at every tag before anything is changed.
  EXPECT_EQ(list("s").first, (Tags{{"keep", "me"}}));
  // What Kinesis does accept.
  add("s", {{"\u00fc0 _.", "\u00fc0 _./=+-@"}, {"/=+-@", ""}, {"a:b", "c:d"}});
  EXPECT_EQ(list("s").first.size(), 4u);
}

TEST_F(TagTest, AtMostFiftyTagsPerStream) {
  create("s");
  Tags fifty;
  for (int i = 0; i < 50; ++i) fifty.emplace_back("k" + std::to_string(i), "v");
  add("s", fifty);
  const std::string too_many =
      "Failed to add tags to stream s under account 000000000000 because a given stream cannot "
      "have more than 10 tags associated with it.";
  expect_error("AddTagsToStream", R"({"StreamName":"s","Tags":{"k50":"v"}})",
               "InvalidArgumentException", too_many);
  expect_error("TagResource", resource(stream_arn("s"), R"("Tags":{"k50":"v","k0":"w"})"),
               "InvalidArgumentException", too_many);
  // The refused calls changed nothing, not even k0.
  auto [tags, more] = list("s");
  EXPECT_EQ(tags.size(), 50u);
  EXPECT_EQ(tags_of(stream_arn("s"))[0], (std::pair<std::string, std::string>{"k0", "v"}));
  // Overwriting keys the stream has adds none.
  add("s", {{"k0", "new"}, {"k49", "new"}});
  EXPECT_EQ(tags_of(stream_arn("s"))[0], (std::pair<std::string, std::string>{"k0", "new"}));
  // Room after a removal.
  ok("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["k1"]})");
  add("s", {{"k50", "v"}});
  EXPECT_EQ(list("s").first.size(), 50u);
}

TEST_F(TagTest, RemoveIgnoresKeysTheStreamLacks) {
  create("s");
  add("s", {{"a", "1"}, {"b", "2"}});
  Answer r = ok("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["b","c","d"]})");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(list("s").first, (Tags{{"a", "1"}}));
  ok("RemoveTagsFromStream", R"({"StreamARN":)" + q(stream_arn("s")) + R"(,"TagKeys":["a"]})");
  EXPECT_TRUE(list("s").first.empty());
  expect_error("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":[]})", "ValidationException",
               "1 validation error detected: Value at 'tagKeys' failed to satisfy "
               "constraint: Member must have length greater than or equal to 1");
}

TEST_F(TagTest, MissingStreams) {
  for (const char* op : {"ListTagsForStream", "AddTagsToStream", "RemoveTagsFromStream"}) {
    const std::string extra = std::string(op) == "AddTagsToStream"        ? R"(,"Tags":{"a":"b"})"
                              : std::string(op) == "RemoveTagsFromStream" ? R"(,"TagKeys":["a"])"
                                                                          : "";
    expect_error(op, R"({"StreamName":"nope")" + extra + "}", "ResourceNotFoundException",
                 "Stream nope under account 000000000000 not found.");
  }
  expect_error("TagResource", resource(stream_arn("nope"), R"("Tags":{"a":"b"})"),
               "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
  expect_error("UntagResource", resource(stream_arn("nope"), R"("TagKeys":["a"])"),
               "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
  expect_error("ListTagsForResource", resource(stream_arn("nope")), "ResourceNotFoundException",
               "Stream nope under account 000000000000 not found.");
}

TEST_F(TagTest, TagResourceOnStreamsAndConsumers) {
  create("s");
  const std::string consumer = register_consumer("s", "c");
  EXPECT_EQ(ok("TagResource", resource(stream_arn("s"), R"("Tags":{"on":"stream"})")).body, "");
  EXPECT_EQ(ok("TagResource", resource(consumer, R"("Tags":{"on":"consumer","x":"1"})")).body, "");
  // One resource's tags are not the other's; the stream operations see the stream's.
  EXPECT_EQ(tags_of(stream_arn("s")), (Tags{{"on", "stream"}}));
  EXPECT_EQ(tags_of(consumer), (Tags{{"on", "consumer"}, {"x", "1"}}));
  EXPECT_EQ(list("s").first, (Tags{{"on", "stream"}}));

  EXPECT_EQ(ok("UntagResource", resource(consumer, R"("TagKeys":["x","missing"])")).body, "");
  EXPECT_EQ(tags_of(consumer), (Tags{{"on", "consumer"}}));
  ok("UntagResource", resource(stream_arn("s"), R"("TagKeys":["on"])"));
  EXPECT_TRUE(tags_of(stream_arn("s")).empty());

  expect_error("TagResource", resource(consumer, R"("Tags":{"bad;":"x"})"),
               "InvalidArgumentException", kInvalidCharacters);
  expect_error("UntagResource", resource(consumer, R"("TagKeys":["bad;"])"),
               "InvalidArgumentException", kInvalidCharacters);

  Tags fifty;
  for (int i = 0; i < 49; ++i) fifty.emplace_back("k" + std::to_string(i), "v");
  ok("TagResource", resource(consumer, R"("Tags":)" + tag_map(fifty)));
  expect_error("TagResource", resource(consumer, R"("Tags":{"one":"more"})"),
               "InvalidArgumentException",
               "Failed to add tags to consumer c under stream s and account 000000000000 because "
               "a given consumer cannot have more than 50 tags associated with it.");
  EXPECT_EQ(tags_of(consumer).size(), 50u);
}

TEST_F(TagTest, ResourceArnMustNameAStreamOrConsumer) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  // These pass the model's pattern but name neither a stream nor a consumer.
  for (const std::string& bad :
       {std::string("arn:aws:kinesis:us-east-1:000000000000:stream/s/extra"),
        std::string("arn:aws:kinesis:us-east-1:000000000000:xstream/s"),
        std::string("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c")}) {
    expect_error("ListTagsForResource", resource(bad), "InvalidArgumentException",
                 "Invalid ResourceARN: " + bad);
    expect_error("TagResource", resource(bad, R"("Tags":{"a":"b"})"), "InvalidArgumentException",
                 "Invalid ResourceARN: " + bad);
    expect_error("UntagResource", resource(bad, R"("TagKeys":["a"])"), "InvalidArgumentException",
                 "Invalid ResourceARN: " + bad);
  }
  EXPECT_EQ(call("ListTagsForResource", resource("arn:aws:s3:::bucket")).type(),
            "ValidationException");
  // Consumers that do not exist, or not at that second.
  const std::string missing =
      "Consumer d with creation timestamp 1790000000 under stream s and account 000000000000 "
      "not found.";
  expect_error("ListTagsForResource", resource(consumer_arn("s", "d", 1'790'000'000)),
               "ResourceNotFoundException", missing);
  expect_error("TagResource",
               resource(consumer_arn("s", "d", 1'790'000'000), R"("Tags":{"a":"b"})"),
               "ResourceNotFoundException", missing);
  expect_error("UntagResource",
               resource(consumer_arn("s", "d", 1'790'000'000), R"("TagKeys":["a"])"),
               "ResourceNotFoundException", missing);
  expect_error("TagResource",
               resource(consumer_arn("s", "c", 1'790'000'001), R"("Tags":{"a":"b"})"),
               "ResourceNotFoundException",
               "Consumer c with creation timestamp 1790000001 under stream s and account "
               "000000000000 not found.");
  expect_error("ListTagsForResource", resource(consumer_arn("nope", "c", 1'790'000'000)),
               "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
  EXPECT_TRUE(tags_of(arn).empty());
}

TEST_F(TagDelayTest, TagsChangeOnlyOnceTheResourceIsActive) {
  ok("CreateStream", R"({"StreamName":"s","ShardCount":1,"Tags":{"from":"create"}})");
  // CreateStream's tags are there from the start; they can be read but not changed yet.
  EXPECT_EQ(ok("ListTagsForStream", R"({"StreamName":"s"})").body,
            R"({"Tags":[{"Key":"from","Value":"create"}],"HasMoreTags":false})");
  const std::string creating =
      "Stream s under account 000000000000 not ACTIVE, instead in state CREATING";
  expect_error("AddTagsToStream", R"({"StreamName":"s","Tags":{"a":"b"}})",
               "ResourceInUseException", creating);
  expect_error("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["from"]})",
               "ResourceInUseException", creating);
  expect_error("TagResource", resource(stream_arn("s"), R"("Tags":{"a":"b"})"),
               "ResourceInUseException", creating);
  expect_error("UntagResource", resource(stream_arn("s"), R"("TagKeys":["from"])"),
               "ResourceInUseException", creating);
  EXPECT_EQ(tags_of(stream_arn("s")), (Tags{{"from", "create"}}));

  clock_.advance_ms(2000);
  ok("AddTagsToStream", R"({"StreamName":"s","Tags":{"a":"b"}})");
  // UPDATING does not hold tags up. (A settings change through the store: the operations that
  // make a stream UPDATING are not this file's.)
  std::promise<Status> updated;
  server_->server().store().update_stream(
      StreamKey{kAccount, "us-east-1", "s"}, true,
      [](StreamInfo&, int64_t) { return Status::Ok(); }, [&](Status st) { updated.set_value(st); });
  ASSERT_TRUE(updated.get_future().get().ok());
  EXPECT_STREQ(ok("DescribeStreamSummary", R"({"StreamName":"s"})")
                   .json["StreamDescriptionSummary"]["StreamStatus"]
                   .GetString(),
               "UPDATING");
  ok("TagResource", resource(stream_arn("s"), R"("Tags":{"c":"d"})"));
  ok("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["a"]})");
  EXPECT_EQ(tags_of(stream_arn("s")), (Tags{{"c", "d"}, {"from", "create"}}));

  // A consumer's tags given at registration count from CREATING; changes wait for ACTIVE.
  clock_.advance_ms(2000);
  Answer reg = ok("RegisterStreamConsumer", R"({"StreamARN":)" + q(stream_arn("s")) +
                                                R"(,"ConsumerName":"c","Tags":{"t":"1"}})");
  const std::string consumer = reg.json["Consumer"]["ConsumerARN"].GetString();
  EXPECT_EQ(tags_of(consumer), (Tags{{"t", "1"}}));
  const std::string not_active =
      "Consumer c with creation timestamp 1790000004 under stream s and account 000000000000 "
      "is not in ACTIVE status.";
  expect_error("TagResource", resource(consumer, R"("Tags":{"a":"b"})"), "ResourceInUseException",
               not_active);
  expect_error("UntagResource", resource(consumer, R"("TagKeys":["t"])"), "ResourceInUseException",
               not_active);
  clock_.advance_ms(5000);
  ok("TagResource", resource(consumer, R"("Tags":{"a":"b"})"));
  ok("DeregisterStreamConsumer", R"({"ConsumerARN":)" + q(consumer) + "}");
  expect_error("UntagResource", resource(consumer, R"("TagKeys":["t"])"), "ResourceInUseException",
               not_active);
  EXPECT_EQ(tags_of(consumer), (Tags{{"a", "b"}, {"t", "1"}}));

  // A DELETING stream's tags can be read, not changed.
  ok("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})");
  expect_error("AddTagsToStream", R"({"StreamName":"s","Tags":{"a":"b"}})",
               "ResourceInUseException",
               "Stream s under account 000000000000 not ACTIVE, instead in state DELETING");
  EXPECT_EQ(tags_of(stream_arn("s")).size(), 2u);
  clock_.advance_ms(2000);
  expect_error("ListTagsForStream", R"({"StreamName":"s"})", "ResourceNotFoundException",
               "Stream s under account 000000000000 not found.");
}

}  // namespace
}  // namespace kinesim::testing
