// The group-commit writer: who commits, and that nothing is left behind.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/writer.h"

namespace kinesim {
namespace {

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(db_.open(":memory:", true).ok()); }

  sqlite::Connection db_;
  Catalog catalog_;
  FakeClock clock_{1'700'000'000'000};
  StoreOptions options_;
};

// A job that notes the thread that finished it.
std::unique_ptr<WriteJob> noting_job(std::promise<std::thread::id>& finished_on) {
  return make_job([](Transaction&) { return Status::Ok(); },
                  [&finished_on](Status) { finished_on.set_value(std::this_thread::get_id()); });
}

TEST_F(WriterTest, ACallersThreadCommitsItsOwnBatchAndHandsTheRestOn) {
  GroupCommitWriter writer(db_, catalog_, clock_, options_, nullptr);

  // The first job holds its transaction open until two more jobs are queued behind it.
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> applying{false};
  std::promise<std::thread::id> first_done;
  const auto caller = std::this_thread::get_id();
  std::thread submitter;
  std::promise<std::thread::id> second_done, third_done;
  writer.submit(make_job(
      [&](Transaction&) {
        applying = true;
        submitter = std::thread([&] {
          writer.submit(noting_job(second_done));
          writer.submit(noting_job(third_done));
          {
            std::lock_guard lock(m);
            release = true;
          }
          cv.notify_all();
        });
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return release; });
        return Status::Ok();
      },
      [&](Status) { first_done.set_value(std::this_thread::get_id()); }));
  // submit() returned: this thread committed one batch and did not stay to write the others.
  EXPECT_TRUE(applying);
  EXPECT_EQ(first_done.get_future().get(), caller);
  const auto second = second_done.get_future().get();
  const auto third = third_done.get_future().get();
  submitter.join();
  EXPECT_NE(second, caller);
  EXPECT_EQ(second, third);  // one batch, on the relay thread
}

TEST_F(WriterTest, ManyThreadsSubmittingGetEveryJobFinishedOnce) {
  constexpr int kThreads = 8, kJobsEach = 500;
  std::atomic<int> applied{0}, finished{0};
  {
    GroupCommitWriter writer(db_, catalog_, clock_, options_, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kJobsEach; ++i) {
          writer.submit(make_job(
              [&](Transaction&) {
                ++applied;
                return Status::Ok();
              },
              [&](Status s) {
                EXPECT_TRUE(s.ok());
                ++finished;
              }));
        }
      });
    }
    for (auto& t : threads) t.join();
  }  // the destructor waits for whatever the relay thread still holds
  EXPECT_EQ(applied, kThreads * kJobsEach);
  EXPECT_EQ(finished, kThreads * kJobsEach);
}

TEST_F(WriterTest, ExclusiveTakesTheRoleWhileJobsFlowAndNothingQueuedIsLost) {
  std::atomic<int> submitted{0}, finished{0};
  std::atomic<bool> stop{false};
  {
    GroupCommitWriter writer(db_, catalog_, clock_, options_, nullptr);
    std::vector<std::thread> producers;
    for (int t = 0; t < 3; ++t) {
      producers.emplace_back([&] {
        // Like a connection: one write in flight, the next after its answer.
        while (!stop) {
          ++submitted;
          std::promise<void> done;
          writer.submit(make_job([](Transaction&) { return Status::Ok(); },
                                 [&](Status) {
                                   ++finished;
                                   done.set_value();
                                 }));
          done.get_future().wait();
        }
      });
    }
    while (finished < 200) std::this_thread::yield();
    for (int i = 0; i < 20; ++i) {
      bool ran = false;
      writer.exclusive([&] { ran = true; });
      EXPECT_TRUE(ran);
    }
    stop = true;
    for (auto& p : producers) p.join();
  }
  EXPECT_EQ(finished.load(), submitted.load());
}

}  // namespace
}  // namespace kinesim
