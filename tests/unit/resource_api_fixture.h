// A fixture for the consumer, tag and resource policy tests: the in-process server of
// ServerTest (with the state delays a test asks for) and helpers that build the requests those
// operations take.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "server_test_fixture.h"

namespace kinesim::testing {

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

class ResourceApiTest : public ServerTest {
 protected:
  explicit ResourceApiTest(StateDelays delays = {})
      : ServerTest([delays](Options& o) { o.delays = delays; }) {}

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
};

}  // namespace kinesim::testing
