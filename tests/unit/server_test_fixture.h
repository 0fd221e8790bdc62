// The one fixture of the in-process server tests (tests/unit/server_*_test.cc): a kinesim server
// started inside the test process on a FakeClock, a client for it, and the helpers every suite
// needs to send Kinesis operations and check their answers. Suites derive from ServerTest, pass
// a customiser for the server options they need (state delays, shard limits, database file,
// maintenance interval, ...), and keep the request builders of their own operations in their own
// files.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/http_client.h"
#include "harness/test_server.h"
#include "storage/clock.h"

namespace kinesim::testing {

// Where every fixture's clock starts, and the account of the fixture client's access key.
constexpr int64_t kStartMs = 1'790'000'000'000;
constexpr const char* kAccount = "000000000000";

// One HTTP answer as it came, copied out of the client, header names in lower case.
struct Raw {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;

  bool has(const std::string& name) const { return headers.count(name) != 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline Raw copy(const harness::HttpResponse& r) {
  Raw out;
  out.status = r.status;
  out.body = r.body;
  for (const auto& h : r.headers) {
    std::string name(h.name);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(h.value);
  }
  return out;
}

// One HTTP answer, copied out of the client and parsed.
struct Answer {
  int status = 0;
  rapidjson::Document json;  // not an object when the body is empty or not JSON
  std::string body;
  std::string request_id;  // x-amzn-RequestId

  // The error's __type and message, or "" when the answer has none.
  std::string type() const { return member("__type"); }
  std::string message() const { return member("message"); }

  // The member names of an object, in order.
  static std::vector<std::string> members(const rapidjson::Value& object) {
    std::vector<std::string> out;
    for (const auto& m : object.GetObject()) out.emplace_back(m.name.GetString());
    return out;
  }

 private:
  std::string member(const char* name) const {
    return json.IsObject() && json.HasMember(name) ? json[name].GetString() : "";
  }
};

inline Answer answer(const harness::HttpResponse& r) {
  Answer a;
  a.status = r.status;
  a.body = r.body;
  a.request_id = std::string(r.header("x-amzn-RequestId"));
  a.json.Parse(a.body.c_str());
  return a;
}

// Kinesis operation `op` through `client` (for tests with clients of their own).
inline Answer send(harness::HttpClient& client, std::string_view op, std::string_view body) {
  return answer(client.call(op, body));
}

// A JSON string literal for `s`.
inline std::string q(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

class ServerTest : public ::testing::Test {
 protected:
  using Options = harness::TestServer::Options;

  // Starts the server with the default options as changed by `customise`.
  explicit ServerTest(const std::function<void(Options&)>& customise = {}) {
    Options options;
    if (customise) customise(options);
    start(std::move(options));
  }

  // (Re)starts the server with `options`, on clock_, and connects a new client.
  void start(Options options) {
    shut_down();
    options.clock = &clock_;
    server_ = std::make_unique<harness::TestServer>(std::move(options));
    client_.emplace(server_->client());
  }
  // Drops the client and the server (before a test removes the server's database file).
  void shut_down() {
    client_.reset();
    server_.reset();
  }

  Answer call(std::string_view op, std::string_view body) { return send(*client_, op, body); }
  // A call signed with `access_key` (a 12-digit key names its account) in `region`.
  Answer call_as(std::string_view access_key, std::string_view region, std::string_view op,
                 std::string_view body) {
    const std::string target = "Kinesis_20131202." + std::string(op);
    const std::string auth = "AWS4-HMAC-SHA256 Credential=" + std::string(access_key) +
                             "/20261129/" + std::string(region) +
                             "/kinesis/aws4_request, SignedHeaders=host;x-amz-date, "
                             "Signature=0000";
    const harness::HttpHeader headers[] = {{"X-Amz-Target", target},
                                           {"Content-Type", "application/x-amz-json-1.1"},
                                           {"X-Amz-Date", "20261129T000000Z"},
                                           {"Authorization", auth}};
    return answer(client_->post("/", headers, body));
  }
  // The call must succeed.
  Answer ok(std::string_view op, std::string_view body) {
    Answer a = call(op, body);
    EXPECT_EQ(a.status, 200) << op << " " << body << ": " << a.body;
    return a;
  }
  // The call must succeed with the empty body Kinesis sends for operations without output
  // members.
  void ok_empty(std::string_view op, std::string_view body) {
    Answer a = ok(op, body);
    EXPECT_EQ(a.body, "") << op;
  }
  // `a` must be HTTP 400 with `type` and exactly `message`.
  static void expect_error(const Answer& a, std::string_view type, std::string_view message) {
    EXPECT_EQ(a.status, 400) << a.body;
    EXPECT_EQ(a.type(), type) << a.body;
    EXPECT_EQ(a.message(), message) << a.body;
  }
  // The call must fail with HTTP 400, `type` and exactly `message`.
  void expect_error(std::string_view op, std::string_view body, std::string_view type,
                    std::string_view message) {
    SCOPED_TRACE(std::string(op) + " " + std::string(body));
    expect_error(call(op, body), type, message);
  }

  // CreateStream of `shards` provisioned shards.
  void create(const std::string& name, int shards = 1) {
    ok("CreateStream",
       R"({"StreamName":)" + q(name) + R"(,"ShardCount":)" + std::to_string(shards) + "}");
  }

  FakeClock clock_{kStartMs};
  std::unique_ptr<harness::TestServer> server_;
  std::optional<harness::HttpClient> client_;
};

}  // namespace kinesim::testing
