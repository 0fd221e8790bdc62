#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>

#include "storage/store.h"

namespace kinesim {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kinesim-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "sub" / "k.db").string();  // the parent folder does not exist yet
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> open(const std::string& path, int64_t shard_limit = 500) {
    StoreOptions o;
    o.path = path;
    o.shard_limit = shard_limit;
    auto s = Store::open(o, clock_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.status().message);
    return s.ok() ? std::move(s.value()) : nullptr;
  }

  static Status create(Store& s, const std::string& name, int64_t shards) {
    std::promise<Status> p;
    NewStream spec;
    spec.key = StreamKey{"000000000000", "us-east-1", name};
    spec.shard_count = shards;
    s.create_stream(std::move(spec), [&](Status st) { p.set_value(st); });
    return p.get_future().get();
  }

  static Result<std::vector<PutResult>> put(Store& s, const std::string& name,
                                            std::vector<RecordToPut> records) {
    std::promise<Result<std::vector<PutResult>>> p;
    s.put_records(StreamKey{"000000000000", "us-east-1", name}, std::move(records),
                  [&](Result<std::vector<PutResult>> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  static std::vector<std::pair<uint64_t, std::string>> read_all(Store& s, const ShardInfo& shard) {
    std::vector<std::pair<uint64_t, std::string>> out;
    const uint64_t tip = shard.cursor->last_counter.load();
    Status st = s.read_records(shard.gid, 0, tip, 0, 100000, SIZE_MAX, [&](const StoredRecord& r) {
      out.emplace_back(r.counter, std::string(r.data));
    });
    EXPECT_TRUE(st.ok()) << st.message;
    return out;
  }

  FakeClock clock_{1'700'000'000'000};
  std::filesystem::path dir_;
  std::string path_;
};

const StreamKey kOrders{"000000000000", "us-east-1", "orders"};

TEST_F(StoreTest, CreatePutReadInMemory) {
  auto store = open(":memory:");
  ASSERT_TRUE(store);
  ASSERT_TRUE(create(*store, "orders", 2).ok());
  auto stream = store->catalog().find(kOrders);
  ASSERT_TRUE(stream);
  ASSERT_EQ(stream->shards->size(), 2u);

  auto r =
      put(*store, "orders", {{0, "k", "first"}, {kMaxHashKey, "k", "second"}, {1, "k", "third"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].shard_index, 0);
  EXPECT_EQ((*r)[1].shard_index, 1);
  EXPECT_EQ((*r)[2].shard_index, 0);
  EXPECT_EQ((*r)[0].sequence_number.counter, 1u);
  EXPECT_EQ((*r)[2].sequence_number.counter, 2u);

  auto shard0 = read_all(*store, stream->shards->all()[0]);
  ASSERT_EQ(shard0.size(), 2u);
  EXPECT_EQ(shard0[0].second, "first");
  EXPECT_EQ(shard0[1].second, "third");
}

TEST_F(StoreTest, CommitsThatAppendRecordsRaiseTheSignalOnceTheRecordsAreReadable) {
  auto store = open(":memory:");
  ASSERT_TRUE(store);
  int raised = 0;
  uint64_t seen_tip = 0;
  std::shared_ptr<const StreamInfo> stream;
  const uint64_t id = store->records_committed().listen([&] {
    ++raised;
    seen_tip = stream ? stream->shard(0)->cursor->last_counter.load() : 0;
  });
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  EXPECT_EQ(raised, 0) << "creating a stream appends no records";
  stream = store->catalog().find(kOrders);
  ASSERT_TRUE(stream);

  // Raised before the put's callback runs, with the record already counted in its shard.
  bool raised_before_answer = false;
  std::promise<void> answered;
  store->put_records(kOrders, {{0, "k", "a"}, {0, "k", "b"}}, [&](auto r) {
    EXPECT_TRUE(r.ok());
    raised_before_answer = raised == 1;
    answered.set_value();
  });
  answered.get_future().get();
  EXPECT_TRUE(raised_before_answer);
  EXPECT_EQ(raised, 1) << "one commit, one signal";
  EXPECT_EQ(seen_tip, 2u);

  // A put that fails commits nothing and says nothing.
  EXPECT_FALSE(put(*store, "missing", {{0, "k", "x"}}).ok());
  EXPECT_EQ(raised, 1);

  store->records_committed().unlisten(id);
  ASSERT_TRUE(put(*store, "orders", {{0, "k", "c"}}).ok());
  EXPECT_EQ(raised, 1) << "an unlistened listener is not called";
}

TEST_F(StoreTest, DuplicateAndMissingStreams) {
  auto store = open(":memory:");
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  EXPECT_EQ(create(*store, "orders", 1).code, StatusCode::kAlreadyExists);
  EXPECT_EQ(put(*store, "nope", {{0, "k", "x"}}).status().code, StatusCode::kNotFound);
  std::promise<Status> p;
  store->delete_stream(StreamKey{"000000000000", "us-east-1", "nope"}, false,
                       [&](Status s) { p.set_value(s); });
  EXPECT_EQ(p.get_future().get().code, StatusCode::kNotFound);
}

TEST_F(StoreTest, ShardLimitCountsOpenShardsPerAccountAndRegion) {
  auto store = open(":memory:", 5);
  ASSERT_TRUE(create(*store, "a", 3).ok());
  Status s = create(*store, "b", 3);
  EXPECT_EQ(s.code, StatusCode::kLimitExceeded);
  EXPECT_EQ(s.current, 3);
  EXPECT_EQ(s.limit, 5);
  EXPECT_TRUE(create(*store, "c", 2).ok());
  EXPECT_FALSE(store->catalog().find(StreamKey{"000000000000", "us-east-1", "b"}));
}

TEST_F(StoreTest, RecordsAndCountersSurviveRestart) {
  std::vector<PutResult> first;
  {
    auto store = open(path_);
    ASSERT_TRUE(store);
    ASSERT_TRUE(create(*store, "orders", 1).ok());
    auto r = put(*store, "orders", {{5, "a", "one"}, {6, "b", "two"}});
    ASSERT_TRUE(r.ok());
    first = r.value();
  }
  auto store = open(path_);
  ASSERT_TRUE(store);
  auto stream = store->catalog().find(kOrders);
  ASSERT_TRUE(stream);
  auto rows = read_all(*store, stream->shards->all()[0]);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::pair<uint64_t, std::string>{1, "one"}));
  EXPECT_EQ(rows[1], (std::pair<uint64_t, std::string>{2, "two"}));
  auto next = put(*store, "orders", {{7, "c", "three"}});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)[0].sequence_number.counter, 3u);
  EXPECT_EQ((*next)[0].sequence_number.format, first[0].sequence_number.format);
  EXPECT_EQ(store->secret().size(), 32u);
}

TEST_F(StoreTest, DeleteRemovesRecordsAndANewStreamStartsOver) {
  auto store = open(path_);
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  ASSERT_TRUE(put(*store, "orders", {{1, "a", "old"}}).ok());
  const int64_t old_id = store->catalog().find(kOrders)->id;
  std::promise<Status> p;
  store->delete_stream(kOrders, false, [&](Status s) { p.set_value(s); });
  ASSERT_TRUE(p.get_future().get().ok());
  EXPECT_FALSE(store->catalog().find(kOrders));
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  auto stream = store->catalog().find(kOrders);
  EXPECT_NE(stream->id, old_id);  // stream ids are never reused
  EXPECT_TRUE(read_all(*store, stream->shards->all()[0]).empty());
}

TEST_F(StoreTest, MaintenanceRemovesEveryRecordOfALargeDeletedStream) {
  auto store = open(path_);
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  // More records than one purge transaction removes (10,000), and not a multiple of it.
  for (int batch = 0; batch < 45; ++batch) {
    std::vector<RecordToPut> records;
    for (int i = 0; i < 500; ++i) records.push_back({1, "k", "record"});
    ASSERT_TRUE(put(*store, "orders", std::move(records)).ok());
  }
  const auto old = store->catalog().find(kOrders);
  const ShardInfo shard = old->shards->all()[0];
  ASSERT_EQ(read_all(*store, shard).size(), 22'500u);
  std::promise<Status> p;
  store->delete_stream(kOrders, false, [&](Status s) { p.set_value(s); });
  ASSERT_TRUE(p.get_future().get().ok());
  ASSERT_TRUE(store->run_maintenance().ok());
  EXPECT_TRUE(read_all(*store, shard).empty());
  // The name is free again, and the new stream starts empty.
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  EXPECT_TRUE(read_all(*store, store->catalog().find(kOrders)->shards->all()[0]).empty());
}

TEST_F(StoreTest, ReadLimitsByCountAndBytes) {
  auto store = open(":memory:");
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  std::vector<RecordToPut> recs;
  for (int i = 0; i < 10; ++i)
    recs.push_back({0, "k", std::string(100, static_cast<char>('a' + i))});
  ASSERT_TRUE(put(*store, "orders", recs).ok());
  const ShardInfo& shard = store->catalog().find(kOrders)->shards->all()[0];
  std::vector<uint64_t> seen;
  auto visit = [&](const StoredRecord& r) { seen.push_back(r.counter); };
  ASSERT_TRUE(store->read_records(shard.gid, 2, 10, 0, 3, SIZE_MAX, visit).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{3, 4, 5}));
  seen.clear();
  ASSERT_TRUE(store->read_records(shard.gid, 0, 10, 0, 100, 250, visit).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));  // a third would pass 250 bytes
  seen.clear();
  ASSERT_TRUE(store->read_records(shard.gid, 0, 10, 0, 100, 1, visit).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{1}));  // the first record always comes back
  seen.clear();
  ASSERT_TRUE(store->read_records(shard.gid, 0, 4, 0, 100, SIZE_MAX, visit).ok());
  EXPECT_EQ(seen.size(), 4u);  // never past `upto`
}

TEST_F(StoreTest, CounterBeforeTimeFindsFirstRecordAtOrAfter) {
  auto store = open(":memory:");
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(put(*store, "orders", {{0, "k", "x"}, {0, "k", "y"}}).ok());  // two per ms
    clock_.advance_ms(10);
  }
  const ShardInfo& shard = store->catalog().find(kOrders)->shards->all()[0];
  const int64_t t0 = 1'700'000'000'000;
  auto at = [&](int64_t ms) { return store->counter_before_time(shard.gid, 10, ms).value(); };
  EXPECT_EQ(at(t0 - 1), 0u);
  EXPECT_EQ(at(t0), 0u);
  EXPECT_EQ(at(t0 + 1), 2u);
  EXPECT_EQ(at(t0 + 10), 2u);
  EXPECT_EQ(at(t0 + 40), 8u);
  EXPECT_EQ(at(t0 + 41), 10u);  // nothing that late: positioned at the tip
}

TEST_F(StoreTest, ArrivalTimesNeverGoBackwards) {
  auto store = open(":memory:");
  ASSERT_TRUE(create(*store, "orders", 1).ok());
  ASSERT_TRUE(put(*store, "orders", {{0, "k", "x"}}).ok());
  clock_.advance_ms(-5000);
  ASSERT_TRUE(put(*store, "orders", {{0, "k", "y"}}).ok());
  const ShardInfo& shard = store->catalog().find(kOrders)->shards->all()[0];
  std::vector<int64_t> times;
  ASSERT_TRUE(store
                  ->read_records(shard.gid, 0, 2, 0, 10, SIZE_MAX,
                                 [&](const StoredRecord& r) { times.push_back(r.arrival_ms); })
                  .ok());
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(times[0], times[1]);
}

TEST_F(StoreTest, UnwritableDatabaseFailsToOpen) {
  StoreOptions o;
  o.path = "/proc/kinesim-cannot-write-here/k.db";
  auto s = Store::open(o, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code, StatusCode::kInternal);
  EXPECT_NE(s.status().message.find("k.db"), std::string::npos);
}

// A transaction that cannot commit (here: another connection holds the write lock past the busy
// timeout) fails every write in it with kInternal, stores nothing of them, and leaves no gap:
// the next write takes the counter the failed one would have had.
TEST_F(StoreTest, AFailedCommitStoresNothingAndTheNextWriteContinues) {
  StoreOptions o;
  o.path = path_;
  o.busy_timeout_ms = 200;
  auto opened = Store::open(o, clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().message;
  auto& store = *opened.value();
  ASSERT_TRUE(create(store, "orders", 1).ok());
  ASSERT_TRUE(put(store, "orders", {{0, "k", "before"}}).ok());

  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto began = std::chrono::steady_clock::now();
  auto failed = put(store, "orders", {{0, "k", "lost-1"}, {0, "k", "lost-2"}});
  const auto waited = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kInternal);
  EXPECT_NE(failed.status().message.find("database is locked"), std::string::npos)
      << failed.status().message;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::milliseconds(5000));
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);

  auto after = put(store, "orders", {{0, "k", "after"}});
  ASSERT_TRUE(after.ok()) << after.status().message;
  EXPECT_EQ((*after)[0].sequence_number.counter, 2u);
  const auto& shard = store.catalog().find(kOrders)->shards->all()[0];
  EXPECT_EQ(read_all(store, shard),
            (std::vector<std::pair<uint64_t, std::string>>{{1, "before"}, {2, "after"}}));
}

// A file that is not a SQLite database (or whose header was overwritten) is refused by name.
TEST_F(StoreTest, AFileThatIsNotADatabaseFailsToOpen) {
  std::filesystem::create_directories(dir_);
  const std::string path = (dir_ / "garbage.db").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << std::string(8192, '\x5a');
  }
  StoreOptions o;
  o.path = path;
  auto s = Store::open(o, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code, StatusCode::kInternal);
  EXPECT_EQ(s.status().message.rfind("cannot use " + path + ": it is not a kinesim database", 0),
            0u)
      << s.status().message;
}

}  // namespace
}  // namespace kinesim
