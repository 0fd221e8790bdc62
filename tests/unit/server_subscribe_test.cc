// SubscribeToShard: the errors before a stream starts, and the event stream itself (initial
// response, records pushed as they commit, starting positions, heartbeats, the five-minute
// lifetime, takeover, the end of a closed shard, cancellation and backpressure).
//
// Most tests drive the api Dispatcher directly, as the server does, with a BodyWriter of their
// own standing in for the HTTP/1.1 and HTTP/2 writers; the last ones go through the server over
// HTTP/1.1 with chunked transfer encoding. The clock is a FakeClock.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "api/dispatcher.h"
#include "api/event_stream.h"
#include "cbor_test_util.h"
#include "server_test_fixture.h"
#include "storage/store.h"

namespace kinesim::testing {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kStartS = kStartMs / 1000;
constexpr auto kWait = 5s;  // how long a test waits for something that should come promptly

std::string stream_arn(const std::string& name) {
  return std::string("arn:aws:kinesis:us-east-1:") + kAccount + ":stream/" + name;
}

std::string consumer_arn(const std::string& stream, const std::string& name, int64_t created_s) {
  return stream_arn(stream) + "/consumer/" + name + ":" + std::to_string(created_s);
}

// One decoded event-stream message, its payload parsed as JSON.
struct Event {
  std::string message_type;  // :message-type
  std::string type;          // :event-type, or :exception-type for exceptions
  std::string content_type;  // :content-type
  std::string payload;
  rapidjson::Document json;
};

// Stands in for the server's writer: keeps what is written, checks the one-write-per-on_ready
// rule, and (unless a test takes over backpressure) asks for the next chunk at once.
class FakeWriter : public api::BodyWriter, public std::enable_shared_from_this<FakeWriter> {
 public:
  explicit FakeWriter(bool auto_ready) : auto_ready_(auto_ready) {}

  // Holds the source as the server's session does, until the test ends.
  void start(std::shared_ptr<api::BodySource> source) {
    source_ = std::move(source);
    grant();
  }

  void write(std::string chunk) override {
    {
      std::lock_guard lock(mutex_);
      if (!granted_) ++overruns_;
      granted_ = false;
      if (finished_) ++after_finish_;
      decoder_.feed(chunk);
      api::EventMessage m;
      if (decoder_.next(m) != api::EventStreamDecoder::Status::kMessage || decoder_.buffered()) {
        ++bad_chunks_;  // a chunk is one whole message
      } else {
        Event e;
        e.message_type = m.header(":message-type");
        e.type = e.message_type == "exception" ? std::string(m.header(":exception-type"))
                                               : std::string(m.header(":event-type"));
        e.content_type = m.header(":content-type");
        e.payload = m.payload;
        e.json.Parse(e.payload.c_str());
        events_.push_back(std::move(e));
      }
    }
    cv_.notify_all();
    // The server calls on_ready once the chunk is on its way; doing it from inside write() is
    // the hardest case for a source (it is re-entered).
    if (auto_ready_) grant();
  }

  void finish() override {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    cv_.notify_all();
  }

  // Lets the source write one more chunk.
  void grant() {
    {
      std::lock_guard lock(mutex_);
      granted_ = true;
    }
    source_->on_ready(shared_from_this());
  }
  void cancel() { source_->on_cancel(); }

  // Waits until at least `n` events arrived.
  bool wait_events(size_t n, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  bool wait_finished(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return finished_; });
  }
  // Waits for the first event after `from` that carries records; nullptr on timeout.
  const Event* wait_records(size_t from, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    const Event* found = nullptr;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < events_.size(); ++i) {
        const auto& j = events_[i].json;
        if (j.IsObject() && j.HasMember("Records") && j["Records"].Size() > 0) {
          found = &events_[i];
          return true;
        }
      }
      return false;
    });
    return found;
  }

  size_t count() {
    std::lock_guard lock(mutex_);
    return events_.size();
  }
  // Events are only appended, so references stay valid while the writer lives.
  const Event& event(size_t i) {
    std::lock_guard lock(mutex_);
    return events_.at(i);
  }
  bool finished() {
    std::lock_guard lock(mutex_);
    return finished_;
  }
  // Broken rules: writes without an on_ready, chunks that were not one message, writes after
  // finish.
  int violations() {
    std::lock_guard lock(mutex_);
    return overruns_ + bad_chunks_ + after_finish_;
  }

 private:
  const bool auto_ready_;
  std::shared_ptr<api::BodySource> source_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Event> events_;
  api::EventStreamDecoder decoder_;
  bool granted_ = false;
  bool finished_ = false;
  int overruns_ = 0, bad_chunks_ = 0, after_finish_ = 0;
};

class SubscribeTest : public ::testing::Test {
 protected:
  explicit SubscribeTest(StateDelays delays = {}) {
    StoreOptions options;
    options.path = ":memory:";
    options.delays = delays;
    options.maintenance_interval_ms = 3'600'000;
    auto store = Store::open(options, clock_);
    if (!store.ok()) throw std::runtime_error(store.status().message);
    store_ = std::move(store.value());
    dispatcher_ = std::make_unique<api::Dispatcher>(*store_, clock_);
  }
  ~SubscribeTest() override {
    dispatcher_.reset();  // ends the subscriptions while the store is still there
    store_.reset();
  }

  api::HttpResponse request(std::string_view op, std::string body,
                            std::string content_type = "application/x-amz-json-1.1") {
    api::HttpRequest r;
    r.headers = {{"content-type", std::move(content_type)},
                 {"x-amz-target", "Kinesis_20131202." + std::string(op)},
                 {"x-amz-date", "20261129T000000Z"},
                 {"authorization",
                  "AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/kinesis/aws4_request, "
                  "SignedHeaders=host;x-amz-date, Signature=0000"}};
    r.body = std::move(body);
    auto answer = std::make_shared<std::promise<api::HttpResponse>>();
    auto got = answer->get_future();
    dispatcher_->handle(std::move(r),
                        [answer](api::HttpResponse resp) { answer->set_value(std::move(resp)); });
    if (got.wait_for(kWait) != std::future_status::ready) {
      ADD_FAILURE() << op << " was not answered";
      return {};
    }
    return got.get();
  }

  Answer call(std::string_view op, std::string body) {
    api::HttpResponse r = request(op, std::move(body));
    Answer a;
    a.status = r.status;
    a.body = r.body;
    a.json.Parse(a.body.c_str());
    return a;
  }
  Answer ok(std::string_view op, std::string body) {
    Answer a = call(op, body);
    EXPECT_EQ(a.status, 200) << op << " " << body << ": " << a.body;
    return a;
  }
  void expect_error(std::string_view op, const std::string& body, std::string_view type,
                    std::string_view message) {
    SCOPED_TRACE(std::string(op) + " " + body);
    Answer a = call(op, body);
    EXPECT_EQ(a.status, 400) << a.body;
    EXPECT_EQ(a.type(), type) << a.body;
    EXPECT_EQ(a.message(), message) << a.body;
  }

  void create(const std::string& name, int shards = 1) {
    ok("CreateStream",
       R"({"StreamName":)" + q(name) + R"(,"ShardCount":)" + std::to_string(shards) + "}");
  }
  std::string register_consumer(const std::string& stream, const std::string& name) {
    Answer a = ok("RegisterStreamConsumer", R"({"StreamARN":)" + q(stream_arn(stream)) +
                                                R"(,"ConsumerName":)" + q(name) + "}");
    return a.json.IsObject() && a.json.HasMember("Consumer")
               ? a.json["Consumer"]["ConsumerARN"].GetString()
               : "";
  }
  // PutRecord of `data` (plain text) to shard 0 of a one-shard stream; answers its sequence
  // number.
  std::string put(const std::string& stream, const std::string& data,
                  const std::string& key = "pk") {
    Answer a = ok("PutRecord", R"({"StreamName":)" + q(stream) + R"(,"PartitionKey":)" + q(key) +
                                   R"(,"Data":)" + q(base64(data)) + "}");
    return a.json.IsObject() ? a.json["SequenceNumber"].GetString() : "";
  }

  static std::string base64(const std::string& s) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
      const uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
      for (int k = 18; k >= 0; k -= 6) out.push_back(table[(v >> k) & 63]);
    }
    if (i + 1 == s.size()) {
      const uint32_t v = uint8_t(s[i]) << 16;
      out += {table[(v >> 18) & 63], table[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == s.size()) {
      const uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
      out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
    }
    return out;
  }

  static std::string subscribe_body(const std::string& consumer, const std::string& position,
                                    const std::string& shard = "shardId-000000000000") {
    return R"({"ConsumerARN":)" + q(consumer) + R"(,"ShardId":)" + q(shard) +
           R"(,"StartingPosition":)" + position + "}";
  }

  // Subscribes and starts reading the stream (the server's first on_ready). nullptr when the
  // call did not start a stream.
  std::shared_ptr<FakeWriter> subscribe(const std::string& consumer, const std::string& position,
                                        const std::string& shard = "shardId-000000000000",
                                        bool auto_ready = true) {
    api::HttpResponse r = request("SubscribeToShard", subscribe_body(consumer, position, shard));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/vnd.amazon.eventstream");
    EXPECT_NE(r.stream, nullptr);
    if (r.status != 200 || !r.stream) return nullptr;
    auto writer = std::make_shared<FakeWriter>(auto_ready);
    writer->start(r.stream);
    return writer;
  }

  // The records of an event, as (sequence number, data, partition key).
  static std::vector<std::tuple<std::string, std::string, std::string>> records(const Event& e) {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& r : e.json["Records"].GetArray()) {
      out.emplace_back(r["SequenceNumber"].GetString(), r["Data"].GetString(),
                       r["PartitionKey"].GetString());
    }
    return out;
  }

  // Reads events from `writer` until `n` records came; answers their data, decoded.
  std::vector<std::string> read_data(FakeWriter& writer, size_t n) {
    std::vector<std::string> out;
    size_t next = 0;
    while (out.size() < n) {
      const Event* e = writer.wait_records(next);
      if (!e) break;
      for (const auto& r : e->json["Records"].GetArray()) out.push_back(r["Data"].GetString());
      while (next < writer.count() && &writer.event(next) != e) ++next;
      ++next;
    }
    return out;
  }

  FakeClock clock_{kStartMs};
  std::unique_ptr<Store> store_;
  std::unique_ptr<api::Dispatcher> dispatcher_;
};

const std::string kLatest = R"({"Type":"LATEST"})";
const std::string kTrimHorizon = R"({"Type":"TRIM_HORIZON"})";

// ---------------------------------------------------------------------------------------------
// The stream

TEST_F(SubscribeTest, InitialResponseComesFirstThenAnEventWithTheContinuation) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto w = subscribe(arn, kLatest);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->wait_events(2));
  const Event& initial = w->event(0);
  EXPECT_EQ(initial.message_type, "event");
  EXPECT_EQ(initial.type, "initial-response");
  EXPECT_EQ(initial.content_type, "application/json");
  EXPECT_EQ(initial.payload, "{}");

  // Nothing in the shard yet: the position is the shard's StartingSequenceNumber.
  const Event& first = w->event(1);
  EXPECT_EQ(first.message_type, "event");
  EXPECT_EQ(first.type, "SubscribeToShardEvent");
  EXPECT_EQ(first.content_type, "application/json");
  EXPECT_EQ(
      Answer::members(first.json),
      (std::vector<std::string>{"Records", "ContinuationSequenceNumber", "MillisBehindLatest"}));
  EXPECT_EQ(first.json["Records"].Size(), 0u);
  Answer shards = ok("ListShards", R"({"StreamName":"s"})");
  EXPECT_STREQ(
      first.json["ContinuationSequenceNumber"].GetString(),
      shards.json["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"].GetString());
  EXPECT_EQ(first.json["MillisBehindLatest"].GetInt64(), 0);
  EXPECT_FALSE(w->finished());
  EXPECT_EQ(w->violations(), 0);
}

TEST_F(SubscribeTest, RecordsPutAfterSubscribingArriveAsTheyCommit) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto w = subscribe(arn, kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  const std::string seq1 = put("s", "hello", "k1");
  const std::string seq2 = put("s", "\x01\x02\xff", "k2");

  // The clock does not move: the records come because they were committed.
  std::vector<std::tuple<std::string, std::string, std::string>> got;
  size_t from = 2;
  while (got.size() < 2) {
    const Event* e = w->wait_records(from);
    ASSERT_NE(e, nullptr) << "records did not arrive";
    EXPECT_EQ(e->type, "SubscribeToShardEvent");
    const auto& r0 = e->json["Records"][0];
    EXPECT_EQ(Answer::members(r0),
              (std::vector<std::string>{"SequenceNumber", "ApproximateArrivalTimestamp", "Data",
                                        "PartitionKey"}));
    EXPECT_DOUBLE_EQ(r0["ApproximateArrivalTimestamp"].GetDouble(), kStartMs / 1000.0);
    for (auto& r : records(*e)) got.push_back(r);
    EXPECT_STREQ(e->json["ContinuationSequenceNumber"].GetString(),
                 std::get<0>(got.back()).c_str());
    EXPECT_EQ(e->json["MillisBehindLatest"].GetInt64(), 0);
    while (&w->event(from) != e) ++from;
    ++from;
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_tuple(seq1, base64("hello"), std::string("k1")));
  EXPECT_EQ(got[1], std::make_tuple(seq2, base64("\x01\x02\xff"), std::string("k2")));
  EXPECT_EQ(w->violations(), 0);
}

TEST_F(SubscribeTest, EachStartingPositionStartsWhereGetShardIteratorWould) {
  create("s");
  std::vector<std::string> seq;
  seq.push_back(put("s", "r1"));
  clock_.advance_ms(2000);
  seq.push_back(put("s", "r2"));
  seq.push_back(put("s", "r3"));
  clock_.advance_ms(1000);

  struct Case {
    std::string position;
    std::vector<std::string> expected;  // data of the records sent before any new one
  };
  const std::vector<Case> cases = {
      {kTrimHorizon, {"r1", "r2", "r3"}},
      {R"({"Type":"AT_SEQUENCE_NUMBER","SequenceNumber":)" + q(seq[1]) + "}", {"r2", "r3"}},
      {R"({"Type":"AFTER_SEQUENCE_NUMBER","SequenceNumber":)" + q(seq[1]) + "}", {"r3"}},
      {R"({"Type":"AT_TIMESTAMP","Timestamp":)" + std::to_string(kStartS + 1) + "}", {"r2", "r3"}},
      {R"({"Type":"AT_TIMESTAMP","Timestamp":)" + std::to_string(kStartS - 100) + "}",
       {"r1", "r2", "r3"}},
      {kLatest, {}},
  };
  int n = 0;
  std::vector<std::pair<std::shared_ptr<FakeWriter>, std::vector<std::string>>> subscriptions;
  for (const Case& c : cases) {
    auto w = subscribe(register_consumer("s", "c" + std::to_string(n++)), c.position);
    ASSERT_TRUE(w) << c.position;
    std::vector<std::string> expected;
    for (const auto& d : c.expected) expected.push_back(base64(d));
    expected.push_back(base64("r4"));
    subscriptions.emplace_back(w, expected);
  }
  // A record put now follows on every subscription, LATEST's included.
  put("s", "r4");
  for (size_t i = 0; i < cases.size(); ++i) {
    auto& [w, expected] = subscriptions[i];
    EXPECT_EQ(read_data(*w, expected.size()), expected) << cases[i].position;
  }
}

TEST_F(SubscribeTest, SequenceNumbersAreCheckedAsGetShardIteratorChecksThem) {
  create("s", 2);
  const std::string seq = put("s", "r1");
  const std::string arn = register_consumer("s", "c");
  Answer shards = ok("ListShards", R"({"StreamName":"s"})");
  const std::string other_shard =
      shards.json["Shards"][1]["SequenceNumberRange"]["StartingSequenceNumber"].GetString();
  for (const std::string& number :
       {std::string("12345"), std::string("1"), other_shard, std::string(56, '9'), seq + "0"}) {
    SCOPED_TRACE(number);
    Answer expected = call("GetShardIterator",
                           R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                           R"("ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":)" +
                               q(number) + "}");
    ASSERT_NE(expected.status, 200) << expected.body;
    Answer got = call(
        "SubscribeToShard",
        subscribe_body(arn, R"({"Type":"AT_SEQUENCE_NUMBER","SequenceNumber":)" + q(number) + "}"));
    EXPECT_EQ(got.status, expected.status);
    EXPECT_EQ(got.type(), expected.type());
    EXPECT_EQ(got.message(), expected.message());
  }
}

TEST_F(SubscribeTest, ANewRecordReachesALatestSubscriptionAlone) {
  create("s");
  put("s", "old");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  EXPECT_EQ(w->event(1).json["Records"].Size(), 0u);
  put("s", "new");
  EXPECT_EQ(read_data(*w, 1), std::vector<std::string>{base64("new")});
}

TEST_F(SubscribeTest, AReaderBehindGetsTenThousandRecordsAnEventAndHowFarBehindItIs) {
  create("s");
  for (int batch = 0; batch < 21; ++batch) {
    std::string entries;
    for (int i = 0; i < 500 && batch * 500 + i < 10001; ++i) {
      if (!entries.empty()) entries += ",";
      entries +=
          R"({"PartitionKey":"k","Data":")" + base64(std::to_string(batch * 500 + i)) + R"("})";
    }
    if (entries.empty()) break;
    ok("PutRecords", R"({"StreamName":"s","Records":[)" + entries + "]}");
  }
  clock_.advance_ms(3000);
  auto w = subscribe(register_consumer("s", "c"), kTrimHorizon);
  ASSERT_TRUE(w);
  const Event* first = w->wait_records(0);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->json["Records"].Size(), 10000u);
  EXPECT_EQ(first->json["MillisBehindLatest"].GetInt64(), 3000);
  EXPECT_EQ(first->json["Records"][9999]["Data"].GetString(), base64("9999"));
  EXPECT_STREQ(first->json["ContinuationSequenceNumber"].GetString(),
               first->json["Records"][9999]["SequenceNumber"].GetString());
  size_t at = 0;
  while (&w->event(at) != first) ++at;
  const Event* second = w->wait_records(at + 1);
  ASSERT_NE(second, nullptr);
  ASSERT_EQ(second->json["Records"].Size(), 1u);
  EXPECT_EQ(second->json["Records"][0]["Data"].GetString(), base64("10000"));
  EXPECT_EQ(second->json["MillisBehindLatest"].GetInt64(), 0);
}

TEST_F(SubscribeTest, HeartbeatsComeEveryFiveSecondsOnTheServersClock) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(w->count(), 2u) << "nothing is sent while the clock stands still";
  clock_.advance_ms(4999);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(w->count(), 2u);
  clock_.advance_ms(1);
  ASSERT_TRUE(w->wait_events(3));
  const Event& beat = w->event(2);
  EXPECT_EQ(beat.type, "SubscribeToShardEvent");
  EXPECT_EQ(beat.json["Records"].Size(), 0u);
  EXPECT_EQ(beat.json["MillisBehindLatest"].GetInt64(), 0);
  EXPECT_STREQ(beat.json["ContinuationSequenceNumber"].GetString(),
               w->event(1).json["ContinuationSequenceNumber"].GetString());
}

TEST_F(SubscribeTest, AHeartbeatCarriesTheLastRecordsSequenceNumber) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  const std::string seq = put("s", "x");
  ASSERT_EQ(read_data(*w, 1).size(), 1u);
  const size_t seen = w->count();
  clock_.advance_ms(5000);
  ASSERT_TRUE(w->wait_events(seen + 1));
  EXPECT_EQ(w->event(seen).json["Records"].Size(), 0u);
  EXPECT_EQ(w->event(seen).json["ContinuationSequenceNumber"].GetString(), seq);
}

TEST_F(SubscribeTest, ASubscriptionLastsFiveMinutesOnTheServersClock) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  clock_.advance_ms(5 * 60 * 1000 - 1);
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(w->finished());
  clock_.advance_ms(1);
  EXPECT_TRUE(w->wait_finished());
  // It ends cleanly: no exception event.
  for (size_t i = 0; i < w->count(); ++i) EXPECT_EQ(w->event(i).message_type, "event");
  EXPECT_EQ(w->violations(), 0);
}

TEST_F(SubscribeTest, AClientThatStoppedReadingStillLosesItsSubscriptionOnTime) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest, "shardId-000000000000", false);
  ASSERT_TRUE(w && w->wait_events(1));  // the initial response, and no on_ready after it
  clock_.advance_ms(5 * 60 * 1000);
  EXPECT_TRUE(w->wait_finished());
  EXPECT_EQ(w->count(), 1u);
  EXPECT_EQ(w->violations(), 0);
}

TEST_F(SubscribeTest, OneChunkPerOnReady) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest, "shardId-000000000000", false);
  ASSERT_TRUE(w && w->wait_events(1));
  // The writer has not asked for more: records wait.
  put("s", "a");
  put("s", "b");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(w->count(), 1u);
  w->grant();
  ASSERT_TRUE(w->wait_events(2));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(w->count(), 2u);
  // Both records, in one event, since both were there when the writer was ready.
  const Event& e = w->event(1);
  ASSERT_EQ(e.json["Records"].Size(), 2u);
  EXPECT_EQ(e.json["Records"][0]["Data"].GetString(), base64("a"));
  EXPECT_EQ(e.json["Records"][1]["Data"].GetString(), base64("b"));
  EXPECT_EQ(w->violations(), 0);
}

TEST_F(SubscribeTest, TheEndOfAClosedShardNamesItsChildrenAndEndsTheStream) {
  create("s");
  put("s", "before");
  auto w = subscribe(register_consumer("s", "c"), kTrimHorizon);
  ASSERT_TRUE(w);
  EXPECT_EQ(read_data(*w, 1), std::vector<std::string>{base64("before")});
  ok("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                   R"("NewStartingHashKey":"170141183460469231731687303715884105728"})");
  ASSERT_TRUE(w->wait_finished());
  const Event& last = w->event(w->count() - 1);
  EXPECT_EQ(last.type, "SubscribeToShardEvent");
  EXPECT_EQ(Answer::members(last.json),
            (std::vector<std::string>{"Records", "MillisBehindLatest", "ChildShards"}));
  EXPECT_EQ(last.json["Records"].Size(), 0u);
  const auto& children = last.json["ChildShards"];
  ASSERT_EQ(children.Size(), 2u);
  EXPECT_STREQ(children[0]["ShardId"].GetString(), "shardId-000000000001");
  EXPECT_STREQ(children[1]["ShardId"].GetString(), "shardId-000000000002");
  for (const auto& c : children.GetArray()) {
    ASSERT_EQ(c["ParentShards"].Size(), 1u);
    EXPECT_STREQ(c["ParentShards"][0].GetString(), "shardId-000000000000");
  }
  EXPECT_STREQ(children[0]["HashKeyRange"]["StartingHashKey"].GetString(), "0");
  EXPECT_STREQ(children[1]["HashKeyRange"]["StartingHashKey"].GetString(),
               "170141183460469231731687303715884105728");
  EXPECT_EQ(w->violations(), 0);

  // Subscribing to the closed shard again answers its end at once.
  clock_.advance_ms(5000);
  auto again = subscribe(consumer_arn("s", "c", kStartS), kLatest);
  ASSERT_TRUE(again && again->wait_finished());
  EXPECT_EQ(again->count(), 2u);
  EXPECT_TRUE(again->event(1).json.HasMember("ChildShards"));
  EXPECT_FALSE(again->event(1).json.HasMember("ContinuationSequenceNumber"));
}

// ---------------------------------------------------------------------------------------------
// A CBOR caller's events

// A SubscribeToShard request as the Java SDK v2 writes it in CBOR.
std::string cbor_subscribe_body(const std::string& consumer, const std::string& type) {
  using namespace cbor_test;
  return map({{"ConsumerARN", text(consumer)},
              {"ShardId", text("shardId-000000000000")},
              {"StartingPosition", map({{"Type", text(type)}})}});
}

TEST_F(SubscribeTest, ACborRequestGetsItsEventsInCbor) {
  using namespace cbor_test;
  create("s");
  const std::string arn = register_consumer("s", "c");
  clock_.advance_ms(250);  // an arrival time with milliseconds
  const std::string data("\x00\xff bytes \x80", 10);
  const std::string seq = put("s", data, "key");
  const int64_t arrival = clock_.now_ms();

  api::HttpResponse r = request("SubscribeToShard", cbor_subscribe_body(arn, "TRIM_HORIZON"),
                                "application/x-amz-cbor-1.1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/vnd.amazon.eventstream");
  ASSERT_NE(r.stream, nullptr);
  auto w = std::make_shared<FakeWriter>(true);
  w->start(r.stream);
  ASSERT_TRUE(w->wait_events(2));

  // The initial response: an empty CBOR map.
  const Event& initial = w->event(0);
  EXPECT_EQ(initial.message_type, "event");
  EXPECT_EQ(initial.type, "initial-response");
  EXPECT_EQ(initial.content_type, "application/x-amz-cbor-1.1");
  CborItem empty(initial.payload);
  ASSERT_TRUE(empty.get() && cbor_isa_map(empty.get()));
  EXPECT_EQ(cbor_map_size(empty.get()), 0u);

  // The record: Data as a byte string, the arrival time as tag 1 over epoch milliseconds.
  const Event& event = w->event(1);
  EXPECT_EQ(event.type, "SubscribeToShardEvent");
  EXPECT_EQ(event.content_type, "application/x-amz-cbor-1.1");
  CborItem item(event.payload);
  ASSERT_TRUE(item.get()) << "not one CBOR item";
  EXPECT_EQ(
      member_names(item.get()),
      (std::vector<std::string>{"Records", "ContinuationSequenceNumber", "MillisBehindLatest"}));
  const cbor_item_t* record = element(member(item.get(), "Records"), 0);
  ASSERT_TRUE(record);
  EXPECT_EQ(bytes_of(member(record, "Data")), data);
  EXPECT_EQ(text_of(member(record, "PartitionKey")), "key");
  EXPECT_EQ(text_of(member(record, "SequenceNumber")), seq);
  const cbor_item_t* ts = member(record, "ApproximateArrivalTimestamp");
  ASSERT_TRUE(ts && cbor_isa_tag(ts));
  EXPECT_EQ(cbor_tag_value(ts), 1u);
  cbor_item_t* ms = cbor_tag_item(ts);
  ASSERT_TRUE(cbor_isa_uint(ms));
  EXPECT_EQ(static_cast<int64_t>(cbor_get_int(ms)), arrival);
  cbor_decref(&ms);
  EXPECT_EQ(text_of(member(item.get(), "ContinuationSequenceNumber")), seq);
  const cbor_item_t* behind = member(item.get(), "MillisBehindLatest");
  ASSERT_TRUE(behind && cbor_isa_uint(behind));
  EXPECT_EQ(cbor_get_int(behind), 0u);

  // The exception that ends the stream is a CBOR map too.
  ok("DeregisterStreamConsumer", R"({"ConsumerARN":)" + q(arn) + "}");
  ASSERT_TRUE(w->wait_finished());
  const Event& ended = w->event(w->count() - 1);
  EXPECT_EQ(ended.message_type, "exception");
  EXPECT_EQ(ended.type, "ResourceInUseException");
  EXPECT_EQ(ended.content_type, "application/x-amz-cbor-1.1");
  CborItem why(ended.payload);
  ASSERT_TRUE(why.get());
  EXPECT_EQ(member_names(why.get()), std::vector<std::string>{"message"});
  EXPECT_EQ(text_of(member(why.get(), "message")),
            "Consumer c with creation timestamp " + std::to_string(kStartS) +
                " under stream: s , account 000000000000 is not in ACTIVE status.");
  EXPECT_EQ(w->violations(), 0);
}

TEST_F(SubscribeTest, ACborRequestsErrorsBeforeTheStreamAreCbor) {
  using namespace cbor_test;
  create("s");
  api::HttpResponse r =
      request("SubscribeToShard", cbor_subscribe_body(consumer_arn("s", "nope", kStartS), "LATEST"),
              "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.stream, nullptr);
  CborItem item(r.body);
  ASSERT_TRUE(item.get());
  EXPECT_EQ(text_of(member(item.get(), "__type")), "ResourceNotFoundException");
}

// ---------------------------------------------------------------------------------------------
// One subscription per consumer and shard

TEST_F(SubscribeTest, ASecondSubscriptionWithinFiveSecondsIsRefusedALaterOneTakesOver) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto first = subscribe(arn, kLatest);
  ASSERT_TRUE(first && first->wait_events(2));
  const std::string in_use =
      "Another active subscription exists for this consumer: 000000000000:s:shardId-000000000000:c";
  clock_.advance_ms(4999);
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "ResourceInUseException", in_use);

  clock_.advance_ms(1);
  auto second = subscribe(arn, kLatest);
  ASSERT_TRUE(second && second->wait_events(2));
  ASSERT_TRUE(first->wait_finished());
  const Event& ended = first->event(first->count() - 1);
  EXPECT_EQ(ended.message_type, "exception");
  EXPECT_EQ(ended.type, "ResourceInUseException");
  EXPECT_EQ(ended.content_type, "application/json");
  EXPECT_EQ(Answer::members(ended.json), std::vector<std::string>{"message"});
  EXPECT_STREQ(ended.json["message"].GetString(), in_use.c_str());

  // The new subscription holds the shard now: within five seconds of it (and after the second
  // the rate asks for), no third.
  clock_.advance_ms(1000);
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "ResourceInUseException", in_use);
  put("s", "x");
  EXPECT_EQ(read_data(*second, 1), std::vector<std::string>{base64("x")});
  EXPECT_EQ(first->violations() + second->violations(), 0);
}

// One SubscribeToShard per second per consumer and shard: the rate is checked before the
// subscription rule, and counts the calls that started a subscription.
TEST_F(SubscribeTest, ASecondCallWithinASecondIsThrottledBeforeAnythingElse) {
  create("s", 2);
  const std::string arn = register_consumer("s", "c");
  const std::string throttled =
      "Rate exceeded for consumer c and shard shardId-000000000000 in stream s under account "
      "000000000000.";
  const std::string in_use =
      "Another active subscription exists for this consumer: 000000000000:s:shardId-000000000000:c";
  auto first = subscribe(arn, kLatest);
  ASSERT_TRUE(first && first->wait_events(2));
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "LimitExceededException",
               throttled);
  clock_.advance_ms(999);
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "LimitExceededException",
               throttled);
  // A throttled call does not count: a second after the start, the live subscription answers.
  clock_.advance_ms(1);
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "ResourceInUseException", in_use);
  // Neither does a refused one: the same instant gets the same answer.
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "ResourceInUseException", in_use);

  // The same consumer's other shard has a rate of its own.
  auto other = subscribe(arn, kLatest, "shardId-000000000001");
  ASSERT_TRUE(other && other->wait_events(2));

  // The rate counts calls, not live subscriptions: one cancelled at once still holds the shard's
  // second.
  create("t");
  const std::string t_arn = register_consumer("t", "c");
  auto cancelled = subscribe(t_arn, kLatest);
  ASSERT_TRUE(cancelled);
  cancelled->cancel();
  expect_error("SubscribeToShard", subscribe_body(t_arn, kLatest), "LimitExceededException",
               "Rate exceeded for consumer c and shard shardId-000000000000 in stream t under "
               "account 000000000000.");
  clock_.advance_ms(1000);
  EXPECT_TRUE(subscribe(t_arn, kLatest));
  EXPECT_EQ(first->violations() + other->violations(), 0);
}

TEST_F(SubscribeTest, OtherShardsAndOtherConsumersAreIndependent) {
  create("s", 2);
  const std::string a = register_consumer("s", "a");
  const std::string b = register_consumer("s", "b");
  auto a0 = subscribe(a, kLatest, "shardId-000000000000");
  auto a1 = subscribe(a, kLatest, "shardId-000000000001");
  auto b0 = subscribe(b, kLatest, "shardId-000000000000");
  ASSERT_TRUE(a0 && a1 && b0);
  EXPECT_TRUE(a0->wait_events(2) && a1->wait_events(2) && b0->wait_events(2));
  EXPECT_FALSE(a0->finished() || a1->finished() || b0->finished());
}

TEST_F(SubscribeTest, CancellingReleasesTheSubscription) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto first = subscribe(arn, kLatest);
  ASSERT_TRUE(first && first->wait_events(2));
  first->cancel();
  // The same consumer may subscribe to the shard again as soon as the rate allows, without
  // waiting five seconds.
  clock_.advance_ms(1000);
  auto second = subscribe(arn, kLatest);
  ASSERT_TRUE(second && second->wait_events(2));
  const size_t seen = first->count();
  put("s", "x");
  EXPECT_EQ(read_data(*second, 1), std::vector<std::string>{base64("x")});
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(first->count(), seen) << "a cancelled subscription gets nothing more";
}

// ---------------------------------------------------------------------------------------------
// Subscriptions that cannot go on

TEST_F(SubscribeTest, DeregisteringTheConsumerEndsItsSubscriptions) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto w = subscribe(arn, kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  ok("DeregisterStreamConsumer", R"({"ConsumerARN":)" + q(arn) + "}");
  ASSERT_TRUE(w->wait_finished());
  const Event& e = w->event(w->count() - 1);
  EXPECT_EQ(e.message_type, "exception");
  EXPECT_EQ(e.type, "ResourceInUseException");
  EXPECT_EQ(std::string(e.json["message"].GetString()),
            "Consumer c with creation timestamp " + std::to_string(kStartS) +
                " under stream: s , account 000000000000 is not in ACTIVE status.");
}

TEST_F(SubscribeTest, DeletingTheStreamEndsItsSubscriptions) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  ok("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})");
  ASSERT_TRUE(w->wait_finished());
  const Event& e = w->event(w->count() - 1);
  EXPECT_EQ(e.message_type, "exception");
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_STREQ(e.json["message"].GetString(), "Stream s under account 000000000000 not found.");
}

// The admin reset erases every stream: a subscription ends as it would on a deletion, and a new
// stream of the same name (new ids) is not read by it.
TEST_F(SubscribeTest, ResettingTheStoreEndsSubscriptionsForGood) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  std::promise<Status> reset;
  store_->reset([&reset](Status s) { reset.set_value(std::move(s)); });
  ASSERT_TRUE(reset.get_future().get().ok());
  ASSERT_TRUE(w->wait_finished());
  const size_t events = w->count();
  const Event& e = w->event(events - 1);
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_STREQ(e.json["message"].GetString(), "Stream s under account 000000000000 not found.");
  create("s");
  ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AAAA"})");
  w->grant();
  EXPECT_EQ(w->count(), events);
}

TEST_F(SubscribeTest, StoppingTheServerEndsEverySubscription) {
  create("s");
  auto w = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(w && w->wait_events(2));
  dispatcher_.reset();
  EXPECT_TRUE(w->finished());
  w->grant();  // a late on_ready finds nothing to do, and nothing breaks
  w->cancel();
  EXPECT_EQ(w->violations(), 0);
}

// ---------------------------------------------------------------------------------------------
// Errors before the stream starts

TEST_F(SubscribeTest, UnknownConsumersStreamsAndShards) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  expect_error("SubscribeToShard", subscribe_body(consumer_arn("s", "nope", kStartS), kLatest),
               "ResourceNotFoundException",
               "Consumer nope with creation timestamp " + std::to_string(kStartS) +
                   " under stream s and account 000000000000 not found.");
  expect_error("SubscribeToShard", subscribe_body(consumer_arn("s", "c", kStartS + 1), kLatest),
               "ResourceNotFoundException",
               "Consumer c with creation timestamp " + std::to_string(kStartS + 1) +
                   " under stream s and account 000000000000 not found.");
  expect_error("SubscribeToShard", subscribe_body(consumer_arn("gone", "c", kStartS), kLatest),
               "ResourceNotFoundException", "Stream gone under account 000000000000 not found.");
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest, "shardId-000000000009"),
               "ResourceNotFoundException",
               "Shard shardId-000000000009 in stream s under account 000000000000 does not exist");
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest, "shard-x"),
               "ResourceNotFoundException",
               "Could not find shard shard-x in stream s under account 000000000000.");
}

TEST_F(SubscribeTest, BadStartingPositions) {
  create("s");
  const std::string seq = put("s", "r1");
  const std::string arn = register_consumer("s", "c");
  const std::string mismatch =
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
      "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
      "Request specified ";
  expect_error("SubscribeToShard", subscribe_body(arn, R"({"Type":"AT_SEQUENCE_NUMBER"})"),
               "InvalidArgumentException",
               mismatch + "AT_SEQUENCE_NUMBER and no StartingSequenceNumber.");
  expect_error("SubscribeToShard",
               subscribe_body(arn, R"({"Type":"LATEST","SequenceNumber":)" + q(seq) + "}"),
               "InvalidArgumentException", mismatch + "LATEST and also a StartingSequenceNumber.");
  expect_error("SubscribeToShard", subscribe_body(arn, R"({"Type":"AT_TIMESTAMP"})"),
               "InvalidArgumentException",
               "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
               "Current request has no timestamp parameter.");
  expect_error("SubscribeToShard",
               subscribe_body(arn, R"({"Type":"AT_TIMESTAMP","Timestamp":)" +
                                       std::to_string(kStartS + 10) + "}"),
               "InvalidArgumentException",
               "The timestampInMillis parameter cannot be greater than the "
               "currentTimestampInMillis. timestampInMillis: " +
                   std::to_string(kStartMs + 10'000) +
                   ", currentTimestampInMillis: " + std::to_string(kStartMs));
  // A failed call holds nothing: a good one follows at once.
  EXPECT_TRUE(subscribe(arn, kLatest));
}

TEST_F(SubscribeTest, TheModelsConstraintsComeFirst) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  Answer a = call("SubscribeToShard", R"({"ConsumerARN":)" + q(arn) + R"(,"ShardId":"x"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.type(), "ValidationException");
  a = call("SubscribeToShard", subscribe_body(arn, R"({"Type":"AT_LATEST"})"));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.type(), "ValidationException");
  a = call("SubscribeToShard",
           subscribe_body("arn:aws:kinesis:us-east-1:000000000000:stream/s", kLatest));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.type(), "ValidationException");
}

class SubscribeDelayTest : public SubscribeTest {
 protected:
  // Consumers take 5 s to become ACTIVE.
  SubscribeDelayTest() : SubscribeTest(StateDelays{0, 0, 0, 5000}) {}
};

TEST_F(SubscribeDelayTest, AConsumerMustBeActive) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  expect_error("SubscribeToShard", subscribe_body(arn, kLatest), "ResourceInUseException",
               "Consumer c with creation timestamp " + std::to_string(kStartS) +
                   " under stream: s , account 000000000000 is not in ACTIVE status.");
  clock_.advance_ms(5000);
  EXPECT_TRUE(subscribe(arn, kLatest));
}

// ---------------------------------------------------------------------------------------------
// Over HTTP/1.1

// A SubscribeToShard call over its own connection, its response read as it streams: the head,
// then chunks (chunked transfer encoding) decoded into event-stream messages.
class StreamingCall {
 public:
  StreamingCall(uint16_t port, const std::string& body) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect");
    }
    const std::string request =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        "X-Amz-Target: Kinesis_20131202.SubscribeToShard\r\n"
        "X-Amz-Date: 20261129T000000Z\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/kinesis/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=0000\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      throw std::runtime_error("cannot send");
    }
  }
  ~StreamingCall() { close(); }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Reads the status line and headers. False on timeout or a closed connection.
  bool read_head() {
    size_t end;
    while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
      if (!receive()) return false;
    }
    const std::string head = raw_.substr(0, end + 2);
    raw_.erase(0, end + 4);
    status = std::stoi(head.substr(9, 3));
    size_t at = head.find("\r\n") + 2;
    while (at < head.size()) {
      const size_t eol = head.find("\r\n", at);
      const std::string line = head.substr(at, eol - at);
      const size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      at = eol + 2;
    }
    return true;
  }

  // The body of a response that is not streamed (Content-Length).
  std::string read_plain_body() {
    const size_t length = std::stoul(headers["content-length"]);
    while (raw_.size() < length && receive()) {
    }
    return raw_.substr(0, length);
  }

  // The next event-stream message; nullopt when the body ended (ended() is then true), on a
  // timeout, or when the connection broke.
  std::optional<api::EventMessage> next(std::chrono::milliseconds timeout = kWait) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    api::EventMessage m;
    for (;;) {
      const auto got = decoder_.next(m);
      if (got == api::EventStreamDecoder::Status::kMessage) return m;
      if (got == api::EventStreamDecoder::Status::kMalformed) {
        ADD_FAILURE() << "bad event stream: " << decoder_.error();
        return std::nullopt;
      }
      if (dechunk()) continue;
      if (ended_) return std::nullopt;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !receive(left)) return std::nullopt;
    }
  }

  bool ended() const { return ended_; }

  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case

 private:
  // Moves whole chunks from raw_ into the decoder; false when none was complete.
  bool dechunk() {
    bool moved = false;
    for (;;) {
      const size_t eol = raw_.find("\r\n");
      if (eol == std::string::npos) return moved;
      const size_t size = std::stoul(raw_.substr(0, eol), nullptr, 16);
      if (size == 0) {
        if (raw_.size() < eol + 4) return moved;  // the empty trailer
        raw_.erase(0, eol + 4);
        ended_ = true;
        return true;
      }
      if (raw_.size() < eol + 2 + size + 2) return moved;
      decoder_.feed(std::string_view(raw_).substr(eol + 2, size));
      raw_.erase(0, eol + 2 + size + 2);
      moved = true;
    }
  }

  bool receive(std::chrono::milliseconds timeout = kWait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    raw_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string raw_;
  api::EventStreamDecoder decoder_;
  bool ended_ = false;
};

class SubscribeHttpTest : public ServerTest {
 protected:
  std::string register_consumer(const std::string& stream, const std::string& name) {
    Answer a = ok("RegisterStreamConsumer", R"({"StreamARN":)" + q(stream_arn(stream)) +
                                                R"(,"ConsumerName":)" + q(name) + "}");
    return a.json.IsObject() ? a.json["Consumer"]["ConsumerARN"].GetString() : "";
  }
  std::unique_ptr<StreamingCall> subscribe(const std::string& consumer,
                                           const std::string& position) {
    return std::make_unique<StreamingCall>(
        server_->port(), R"({"ConsumerARN":)" + q(consumer) +
                             R"(,"ShardId":"shardId-000000000000","StartingPosition":)" + position +
                             "}");
  }
};

TEST_F(SubscribeHttpTest, RecordsStreamAsChunksUntilTheSubscriptionEnds) {
  create("s");
  auto call = subscribe(register_consumer("s", "c"), kLatest);
  ASSERT_TRUE(call->read_head());
  EXPECT_EQ(call->status, 200);
  EXPECT_EQ(call->headers["content-type"], "application/vnd.amazon.eventstream");
  EXPECT_EQ(call->headers["transfer-encoding"], "chunked");
  EXPECT_FALSE(call->headers["x-amzn-requestid"].empty());

  auto initial = call->next();
  ASSERT_TRUE(initial);
  EXPECT_EQ(initial->header(":event-type"), "initial-response");
  EXPECT_EQ(initial->payload, "{}");
  auto first = call->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->header(":event-type"), "SubscribeToShardEvent");

  Answer put = ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"aGVsbG8="})");
  auto event = call->next();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->header(":message-type"), "event");
  EXPECT_EQ(event->header(":event-type"), "SubscribeToShardEvent");
  rapidjson::Document json;
  json.Parse(event->payload.c_str());
  ASSERT_TRUE(json.IsObject()) << event->payload;
  ASSERT_EQ(json["Records"].Size(), 1u);
  EXPECT_STREQ(json["Records"][0]["Data"].GetString(), "aGVsbG8=");
  EXPECT_STREQ(json["Records"][0]["PartitionKey"].GetString(), "k");
  EXPECT_STREQ(json["Records"][0]["SequenceNumber"].GetString(),
               put.json["SequenceNumber"].GetString());
  EXPECT_DOUBLE_EQ(json["Records"][0]["ApproximateArrivalTimestamp"].GetDouble(),
                   kStartMs / 1000.0);

  // Five minutes on the server's clock end the body with its last chunk.
  clock_.advance_ms(5 * 60 * 1000);
  EXPECT_FALSE(call->next());
  EXPECT_TRUE(call->ended());
}

TEST_F(SubscribeHttpTest, ErrorsBeforeTheStreamArePlainResponses) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto call = subscribe(consumer_arn("s", "nope", kStartS), kLatest);
  ASSERT_TRUE(call->read_head());
  EXPECT_EQ(call->status, 400);
  EXPECT_EQ(call->headers["content-type"], "application/x-amz-json-1.1");
  EXPECT_EQ(call->read_plain_body(),
            R"({"__type":"ResourceNotFoundException","message":"Consumer nope with creation )"
            R"(timestamp )" +
                std::to_string(kStartS) +
                R"( under stream s and account 000000000000 not found."})");
}

TEST_F(SubscribeHttpTest, AClientThatHangsUpReleasesTheSubscription) {
  create("s");
  const std::string arn = register_consumer("s", "c");
  auto first = subscribe(arn, kLatest);
  ASSERT_TRUE(first->read_head() && first->next());
  first->close();
  // The server notices the closed connection and ends the subscription; the same consumer may
  // then subscribe again without waiting five seconds, once the second the rate asks for is
  // over (the clock moves no further here; calls refused while the old subscription is still
  // live do not count against the rate).
  clock_.advance_ms(1000);
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    auto again = subscribe(arn, kLatest);
    if (!again->read_head()) break;
    status = again->status;
    if (status != 200) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace kinesim::testing
