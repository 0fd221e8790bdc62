// AdminClient against an in-process kinesim with the admin surface on, and KinesimProcess
// starting the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "harness/admin_client.h"
#include "harness/gtest.h"
#include "harness/process_server.h"

namespace kinesim::harness {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class AdminClientTest : public KinesisTest {
 protected:
  TestServer::Options ServerOptions() override {
    TestServer::Options o;
    o.admin = true;
    return o;
  }
  void SetUp() override {
    KinesisTest::SetUp();
    admin_ = std::make_unique<AdminClient>(server().endpoint());
  }
  AdminClient& admin() { return *admin_; }

 private:
  std::unique_ptr<AdminClient> admin_;
};

constexpr int64_t kAt = 4102444800000;  // 2100-01-01T00:00:00Z

TEST_F(AdminClientTest, FreezesAdvancesAndResumesTheServersClock) {
  auto frozen = admin().freeze_clock(kAt);
  ASSERT_TRUE(frozen.ok()) << frozen.error().describe();
  EXPECT_TRUE(frozen->manual);
  EXPECT_EQ(frozen->now_ms, kAt);
  EXPECT_EQ(admin().advance_clock(250)->now_ms, kAt + 250);
  EXPECT_EQ(server().clock().now_ms(), kAt + 250);
  EXPECT_EQ(admin().clock()->now_ms, kAt + 250);
  auto resumed = admin().resume_clock();
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(resumed->manual);
  EXPECT_FALSE(server().clock().manual());
}

TEST_F(AdminClientTest, RefusalsComeBackAsAdminErrors) {
  auto advance = admin().advance_clock(10);
  EXPECT_EQ(advance.error().type, "AdminError");
  EXPECT_EQ(advance.error().http_status, 409);
  EXPECT_EQ(advance.error().message,
            "the clock is not manual; POST /_kinesim/clock {\"mode\":\"manual\"} first");
  auto back = admin().freeze_clock(1000);
  EXPECT_EQ(back.error().http_status, 400);
  EXPECT_EQ(back.error().message, "now_ms is earlier than now; time never goes back");
  auto rule = admin().add_fault(R"({"kind":"nope"})");
  EXPECT_EQ(rule.error().http_status, 400);
  EXPECT_EQ(rule.error().message,
            "kind must be throttle, internal_failure, latency or fail_records");
  auto fired = admin().fired(99);
  EXPECT_EQ(fired.error().http_status, 404);
  EXPECT_EQ(fired.error().message, "no fault rule 99");
  EXPECT_EQ(admin().remove_fault(99).error().message, "no fault rule 99");
}

TEST_F(AdminClientTest, AddsListsCountsAndClearsFaults) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  const int64_t id =
      admin()
          .add_fault(R"({"kind":"throttle","stream":"s","operation":"PutRecord","count":2})")
          .value();
  EXPECT_EQ(client().put_record("s", "k", "a").error().type,
            "ProvisionedThroughputExceededException");
  EXPECT_EQ(client().put_record("s", "k", "b").error().type,
            "ProvisionedThroughputExceededException");
  EXPECT_TRUE(client().put_record("s", "k", "c").ok());
  EXPECT_EQ(admin().fired(id).value(), 2);
  EXPECT_EQ(server().faults().fired(id), 2);

  auto listed = admin().faults().value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, id);
  EXPECT_EQ(listed[0].kind, "throttle");
  EXPECT_EQ(listed[0].stream, "s");
  EXPECT_EQ(listed[0].operation, "PutRecord");
  EXPECT_EQ(listed[0].count, 2);
  EXPECT_EQ(listed[0].fired, 2);
  EXPECT_THAT(listed[0].json, HasSubstr("\"error_code\":"));

  ASSERT_TRUE(admin().remove_fault(id).ok());
  EXPECT_THAT(admin().faults().value(), IsEmpty());
  admin().add_fault(R"({"kind":"internal_failure"})").value();
  admin().add_fault(R"({"kind":"latency","latency_ms":1})").value();
  EXPECT_EQ(admin().faults()->size(), 2u);
  ASSERT_TRUE(admin().clear_faults().ok());
  EXPECT_THAT(admin().faults().value(), IsEmpty());
}

TEST_F(AdminClientTest, ResetErasesStreamsFaultsAndTheFrozenClock) {
  ASSERT_TRUE(client().create_stream("s", 1).ok());
  admin().add_fault(R"({"kind":"internal_failure","operation":"ListShards"})").value();
  admin().freeze_clock(kAt).value();
  ASSERT_TRUE(admin().reset().ok());
  EXPECT_THAT(client().list_streams().value(), IsEmpty());
  EXPECT_THAT(admin().faults().value(), IsEmpty());
  EXPECT_FALSE(admin().clock()->manual);
}

TEST(AdminClient, ServerWithoutAdminRefuses) {
  TestServer server;  // admin off
  AdminClient admin(server.endpoint());
  auto reset = admin.reset();
  EXPECT_FALSE(reset.ok());
  EXPECT_EQ(reset.error().type, "AdminError");
  EXPECT_THAT(reset.error().message,
              StartsWith("the server does not serve the admin controls (start it with --admin)"));
  EXPECT_EQ(admin.faults().error().type, "AdminError");
}

TEST(AdminClient, NothingListeningIsATransportError) {
  AdminClient admin("http://127.0.0.1:1");
  auto clock = admin.clock();
  EXPECT_EQ(clock.error().type, "TransportError");
  EXPECT_EQ(clock.error().http_status, 0);
}

TEST(KinesimProcess, StartsServesWithAdminAndStops) {
  KinesimProcess process(KINESIM_BIN);
  EXPECT_THAT(process.endpoint(), StartsWith("http://127.0.0.1:"));
  EXPECT_TRUE(process.running());
  KinesisClient client(process.endpoint());
  ASSERT_TRUE(client.create_stream("s", 2).ok());
  EXPECT_THAT(client.list_streams().value(), ElementsAre("s"));
  AdminClient admin(process.endpoint());
  EXPECT_EQ(admin.freeze_clock(kAt)->now_ms, kAt);
  process.stop();
  EXPECT_FALSE(process.running());
  EXPECT_EQ(client.list_streams().error().type, "TransportError");
  process.stop();  // again: nothing to do
}

TEST(KinesimProcess, ExtraFlagsReachTheServer) {
  KinesimProcess::Options options;
  options.extra_args = {"--delays", "aws-like"};
  KinesimProcess process(KINESIM_BIN, options);
  KinesisClient client(process.endpoint());
  ASSERT_TRUE(client.create_stream("s", 1).ok());
  EXPECT_EQ(client.describe_stream_summary("s")->stream_status, "CREATING");
}

TEST(KinesimProcess, AServerThatCannotStartThrows) {
  KinesimProcess::Options bad_flag;
  bad_flag.extra_args = {"--delays", "bogus"};
  EXPECT_THROW(KinesimProcess(KINESIM_BIN, bad_flag), std::runtime_error);
  try {
    KinesimProcess missing("/nonexistent/kinesim");
    ADD_FAILURE() << "started a missing binary";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/kinesim printed no endpoint"));
  }
}

}  // namespace
}  // namespace kinesim::harness
