// The fixture of every flow test: each test runs once against an in-process TestServer and once
// against a kinesim process (FlowEnv), with a KinesisClient on it.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "examples/flows/events.h"
#include "examples/flows/flow_env.h"
#include "harness/gtest.h"
#include "harness/lambda_runner.h"

namespace kinesim::flows {

enum class Where { kInProcess, kProcess };

// A Lambda event record as the record type the services handle.
inline harness::Record AsRecord(const harness::KinesisEventRecord& r) {
  harness::Record record;
  record.shard_id = r.shard_id;
  record.sequence_number = r.sequence_number;
  record.partition_key = r.partition_key;
  record.data = r.data;
  record.approximate_arrival_ms = r.approximate_arrival_ms;
  return record;
}

// 2100-01-01T00:00:00.000Z: where flow tests freeze the clock, so timestamps are exact.
constexpr int64_t kStartMs = 4102444800000;

class FlowTest : public ::testing::TestWithParam<Where> {
 protected:
  void SetUp() override {
    env_ = GetParam() == Where::kInProcess ? MakeInProcessEnv() : MakeProcessEnv();
    client_ = std::make_unique<harness::KinesisClient>(env_->endpoint());
    ASSERT_EQ(env_->freeze_clock(kStartMs), kStartMs);
  }
  void TearDown() override {
    client_.reset();
    env_.reset();
  }

  FlowEnv& env() { return *env_; }
  harness::KinesisClient& client() { return *client_; }
  void CreateStream(std::string_view stream, int shards) {
    env_->create_stream(*client_, stream, shards);
  }
  // Every record of `stream`, parents before children.
  std::vector<harness::Record> Drain(std::string_view stream) {
    return harness::DrainStream(*client_, stream).value();
  }
  // The eventType of each record's event, in order.
  static std::vector<std::string> Types(const std::vector<harness::Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) {
      auto e = DecodeEvent(r.data);
      out.push_back(e ? e->event_type : "<not an event>");
    }
    return out;
  }

 private:
  std::unique_ptr<FlowEnv> env_;
  std::unique_ptr<harness::KinesisClient> client_;
};

inline std::string WhereName(const ::testing::TestParamInfo<Where>& info) {
  return info.param == Where::kInProcess ? "InProcess" : "Process";
}

}  // namespace kinesim::flows

#define KINESIM_FLOW_SUITE(Suite)                                                                \
  INSTANTIATE_TEST_SUITE_P(                                                                      \
      Env, Suite,                                                                                \
      ::testing::Values(::kinesim::flows::Where::kInProcess, ::kinesim::flows::Where::kProcess), \
      ::kinesim::flows::WhereName)
