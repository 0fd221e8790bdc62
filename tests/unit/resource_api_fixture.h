// A fixture for the consumer, tag and resource policy tests: an in-process server on a fake
// clock (with the state delays a test asks for) and helpers that build the requests those
// operations take.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/test_server.h"

namespace kinesim::testing_resources {

constexpr int64_t kStartMs = 1'790'000'000'000;
constexpr const char* kAccount = "000000000000";

// A JSON string literal for `s`.
inline std::string q(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

// {"k1":"v1",...} in the order given.
inline std::string tag_map(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::string out = "{";
  for (const auto& [k, v] : tags) {
    if (out.size() > 1) out += ",";
    out += q(k) + ":" + q(v);
  }
  return out + "}";
}

// ["k1",...]
inline std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& s : items) {
    if (out.size() > 1) out += ",";
    out += q(s);
  }
  return out + "]";
}

inline std::string stream_arn(const std::string& name) {
  return std::string("arn:aws:kinesis:us-east-1:") + kAccount + ":stream/" + name;
}

inline std::string consumer_arn(const std::string& stream, const std::string& name,
                                int64_t created_s) {
  return stream_arn(stream) + "/consumer/" + name + ":" + std::to_string(created_s);
}

struct Answer {
  int status = 0;
  rapidjson::Document json;
  std::string body;

  std::string type() const {
    return json.IsObject() && json.HasMember("__type") ? json["__type"].GetString() : "";
  }
  std::string message() const {
    return json.IsObject() && json.HasMember("message") ? json["message"].GetString() : "";
  }
  // The member names of an object, in order.
  static std::vector<std::string> members(const rapidjson::Value& v) {
    std::vector<std::string> out;
    for (const auto& m : v.GetObject()) out.emplace_back(m.name.GetString());
    return out;
  }
};

class ResourceApiTest : public ::testing::Test {
 protected:
  explicit ResourceApiTest(StateDelays delays = {})
      : server_([this, delays] {
          harness::TestServer::Options o;
          o.clock = &clock_;
          o.delays = delays;
          return o;
        }()),
        client_(server_.client()) {}

  Answer call(std::string_view op, std::string_view body) {
    const auto& r = client_.call(op, body);
    Answer a;
    a.status = r.status;
    a.body = r.body;
    a.json.Parse(a.body.c_str());
    return a;
  }
  Answer ok(std::string_view op, std::string_view body) {
    Answer a = call(op, body);
    EXPECT_EQ(a.status, 200) << op << " " << body << ": " << a.body;
    return a;
  }
  // The call must fail with HTTP 400, `type` and exactly `message`.
  void expect_error(std::string_view op, std::string_view body, std::string_view type,
                    std::string_view message) {
    Answer a = call(op, body);
    EXPECT_EQ(a.status, 400) << op << " " << body << ": " << a.body;
    EXPECT_EQ(a.type(), type) << op << " " << body << ": " << a.body;
    EXPECT_EQ(a.message(), message) << op << " " << body;
  }

  void create(const std::string& name, int shards = 1) {
    ok("CreateStream",
       R"({"StreamName":)" + q(name) + R"(,"ShardCount":)" + std::to_string(shards) + "}");
  }
  // Registers consumer `name` with stream `stream` and answers its ARN.
  std::string register_consumer(const std::string& stream, const std::string& name) {
    Answer a = ok("RegisterStreamConsumer", R"({"StreamARN":)" + q(stream_arn(stream)) +
                                                R"(,"ConsumerName":)" + q(name) + "}");
    if (!a.json.IsObject() || !a.json.HasMember("Consumer")) return "";
    return a.json["Consumer"]["ConsumerARN"].GetString();
  }
  // {"StreamARN": ..., "ConsumerName": ...}
  static std::string by_name(const std::string& stream, const std::string& consumer) {
    return R"({"StreamARN":)" + q(stream_arn(stream)) + R"(,"ConsumerName":)" + q(consumer) + "}";
  }
  // {"ConsumerARN": ...}
  static std::string by_arn(const std::string& arn) { return R"({"ConsumerARN":)" + q(arn) + "}"; }
  // {"ResourceARN": ...} plus `extra` members.
  static std::string resource(const std::string& arn, const std::string& extra = "") {
    return R"({"ResourceARN":)" + q(arn) + (extra.empty() ? "" : "," + extra) + "}";
  }

  // A resource's tags as (key, value) pairs, through ListTagsForResource.
  std::vector<std::pair<std::string, std::string>> tags_of(const std::string& arn) {
    Answer a = ok("ListTagsForResource", resource(arn));
    std::vector<std::pair<std::string, std::string>> out;
    if (!a.json.IsObject() || !a.json.HasMember("Tags")) return out;
    for (const auto& t : a.json["Tags"].GetArray()) {
      out.emplace_back(t["Key"].GetString(), t["Value"].GetString());
    }
    return out;
  }

  FakeClock clock_{kStartMs};
  harness::TestServer server_;
  harness::HttpClient client_;
};

}  // namespace kinesim::testing_resources
