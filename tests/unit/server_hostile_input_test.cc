// Bad input gets an AWS-shaped 4xx and changes nothing; no input crashes or hangs the server.
#include <gtest/gtest.h>

#include <random>

#include "api/validation.h"
#include "harness/test_server.h"

namespace kinesim {
namespace {

using harness::TestServer;

TEST(HostileInput, EveryOperationSurvivesMalformedBodies) {
  TestServer server;
  auto client = server.client();
  // The bodies below name stream "s", which does not exist; "keep" must come through untouched.
  ASSERT_EQ(client.call("CreateStream", R"({"StreamName":"keep","ShardCount":1})").status, 200);

  std::vector<std::string> bodies = {
      "",
      "[]",
      "\"x\"",
      "1",
      "true",
      "{",
      "}",
      "{\"a\":}",
      "\xff\xfe",
      R"({"StreamName":123})",
      R"({"StreamName":null,"ShardCount":"x"})",
      R"({"StreamName":"s","ShardCount":-1,"Limit":1e308})",
      R"({"StreamName":"s","Records":{"a":1}})",
      R"({"StreamName":"s","Records":[1,2,3]})",
      R"({"StreamName":"s","Records":[{"Data":1,"PartitionKey":[]}]})",
      R"({"StreamName":"s","ShardIterator":"AAAA","Timestamp":"yesterday"})",
      R"({"StreamName":"s","ShardId":"shardId-999999999999999","ShardIteratorType":"LATEST"})",
      R"({"StreamName":"s","Data":"!!!!","PartitionKey":"k"})",
      R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/"})",
      R"({"StreamName":"s","Tags":{"":""},"ShardFilter":{"Type":"AT_TIMESTAMP"}})",
      std::string(100000, '['),  // deep nesting must not recurse on the stack
      "{\"StreamName\":\"" + std::string(70000, 'a') + "\"}",
  };
  std::mt19937 rng(42);
  static constexpr char kAlphabet[] = "{}[]\":,0123456789.-eEtruefalsn \\\x01\x80";
  for (int i = 0; i < 40; ++i) {
    std::string junk(static_cast<size_t>(rng() % 300), '\0');
    for (auto& c : junk) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
    bodies.push_back(junk);
  }

  for (const std::string& op : api::operation_names()) {
    for (const std::string& body : bodies) {
      const auto& r = client.call(op, body);
      // Unknown members are ignored, so a few bodies are valid for some operation (and then
      // name a stream that does not exist); everything else is a client error.
      EXPECT_TRUE(r.status == 200 || r.status == 400 || r.status == 501)
          << op << " " << body.substr(0, 60) << " -> " << r.status << " " << r.body.substr(0, 200);
      if (r.status != 200) {
        EXPECT_NE(r.body.find("\"__type\""), std::string::npos) << op << " " << body.substr(0, 60);
      }
    }
  }
  // Nothing above changed the stream, and the server still answers.
  const auto& d = client.call("DescribeStreamSummary", R"({"StreamName":"keep"})");
  EXPECT_EQ(d.status, 200);
  EXPECT_NE(d.body.find("\"OpenShardCount\":1"), std::string::npos) << d.body;
  const auto& l = client.call("ListStreams", "{}");
  EXPECT_NE(l.body.find(R"("StreamNames":["keep"])"), std::string::npos) << l.body;
}

}  // namespace
}  // namespace kinesim
