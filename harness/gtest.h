// GoogleTest helpers for tests against an in-process kinesim (link kinesim::harness_gtest).
//
//   class OrdersTest : public kinesim::harness::KinesisTest {};
//   TEST_F(OrdersTest, KeepsOrderPerUser) {
//     ASSERT_TRUE(client().create_stream("orders", 2).ok());
//     ASSERT_TRUE(WaitForActive(client(), "orders").ok());
//     ...
//     EXPECT_THAT(DrainStream(client(), "orders").value(),
//                 Contains(AllOf(HasPartitionKey("u1"), HasJsonField("type", "ORDER_PLACED"))));
//   }
//
// KinesisTest gives every test its own server (in memory; construction takes milliseconds).
// SharedKinesisTest gives a whole suite one server and every test its own namespace: a unique
// stream-name prefix, so tests never see each other's streams.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "harness/kinesis_client.h"
#include "harness/streams.h"
#include "harness/test_server.h"

namespace kinesim::harness {

inline void PrintTo(const KinesisError& e, std::ostream* os) { *os << e.describe(); }
inline void PrintTo(const Record& r, std::ostream* os) {
  *os << "{shard " << r.shard_id << ", seq " << r.sequence_number << ", key \"" << r.partition_key
      << "\", data \"" << r.data << "\"}";
}

// A fresh server and a client per test. Override ServerOptions() to change the server.
class KinesisTest : public ::testing::Test {
 protected:
  virtual TestServer::Options ServerOptions() { return {}; }
  void SetUp() override {
    server_ = std::make_unique<TestServer>(ServerOptions());
    client_ = std::make_unique<KinesisClient>(server_->endpoint());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
  }
  TestServer& server() { return *server_; }
  KinesisClient& client() { return *client_; }

 private:
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<KinesisClient> client_;
};

// One server per suite, a namespace per test: name streams with Stream("orders").
class SharedKinesisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_server() = std::make_unique<TestServer>(); }
  static void TearDownTestSuite() { shared_server().reset(); }
  void SetUp() override {
    static int counter = 0;
    prefix_ = "ns" + std::to_string(++counter) + "-";
    client_ = std::make_unique<KinesisClient>(shared_server()->endpoint());
  }
  void TearDown() override { client_.reset(); }

  TestServer& server() { return *shared_server(); }
  KinesisClient& client() { return *client_; }
  // This test's stream-name prefix ("ns7-").
  const std::string& prefix() const { return prefix_; }
  std::string Stream(std::string_view name) const { return prefix_ + std::string(name); }

 private:
  static std::unique_ptr<TestServer>& shared_server() {
    static std::unique_ptr<TestServer> server;
    return server;
  }
  std::string prefix_;
  std::unique_ptr<KinesisClient> client_;
};

namespace detail {
// The value at `path` ("type", or "order.id" for nested members) of the JSON object in `data`
// as text: strings as they are, other values as JSON ("42", "true"). False when absent or
// when `data` is not a JSON object.
bool JsonFieldText(std::string_view data, std::string_view path, std::string* out);
}  // namespace detail

// Matches a Record (or anything with a partition_key) whose partition key is `key`.
MATCHER_P(HasPartitionKey, key,
          std::string(negation ? "has no" : "has") + " partition key \"" + std::string(key) +
              "\"") {
  return arg.partition_key == key;
}

// Matches a Record whose data is exactly `data`.
MATCHER_P(HasData, data,
          std::string(negation ? "has no" : "has") + " data \"" + std::string(data) + "\"") {
  return arg.data == data;
}

// Matches a Record whose data is a JSON object with member `path` ("type", or dotted
// "order.id") equal to `value`: strings compared as text, numbers and booleans by their JSON
// spelling ("42", "true").
MATCHER_P2(HasJsonField, path, value,
           std::string(negation ? "does not have" : "has") + " JSON field " + std::string(path) +
               " = \"" + std::string(value) + "\"") {
  std::string text;
  if (!detail::JsonFieldText(arg.data, path, &text)) {
    *result_listener << "whose data has no JSON field " << path;
    return false;
  }
  *result_listener << "whose JSON field " << path << " is \"" << text << "\"";
  return text == value;
}

}  // namespace kinesim::harness
