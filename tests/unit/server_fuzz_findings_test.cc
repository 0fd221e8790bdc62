// Requests the fuzz targets (tests/fuzz) found mishandled, answered as Kinesis answers them. The
// inputs themselves are kept under tests/fuzz/regressions/ and replayed by tests/fuzz/run.sh.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/server_test_fixture.h"

namespace kinesim::testing {
namespace {

class FuzzFindingsTest : public ServerTest {};

// A raw HTTP/2 client: nghttp2 writes its bytes (preface, SETTINGS, requests) and reads the
// server's, over a socket the test drives itself (to half-close it, or add bytes of its own).
class H2Client {
 public:
  struct StreamEnd {
    bool closed = false;
    uint32_t error = 0;
  };

  H2Client() {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_stream_close_callback(
        callbacks, [](nghttp2_session*, int32_t id, uint32_t error, void* user) {
          static_cast<H2Client*>(user)->ends_[id] = {true, error};
          return 0;
        });
    nghttp2_session_client_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~H2Client() {
    if (fd_ >= 0) ::close(fd_);
    nghttp2_session_del(session_);
  }

  // Queues a signed POST for `operation`; returns its stream id.
  int32_t request(const std::string& operation, const std::string& body) {
    bodies_.push_back(std::make_unique<std::string_view>(
        *strings_.emplace_back(std::make_unique<std::string>(body))));
    const std::vector<std::pair<std::string, std::string>> fields = {
        {":method", "POST"},
        {":scheme", "http"},
        {":authority", "127.0.0.1"},
        {":path", "/"},
        {"content-type", "application/x-amz-json-1.1"},
        {"x-amz-target", "Kinesis_20131202." + operation},
        {"x-amz-date", "20261129T000000Z"},
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=000000000000/20261129/us-east-1/kinesis/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=0000"},
    };
    std::vector<nghttp2_nv> nva;
    for (const auto& [name, value] : fields) {
      nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                     reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider provider{};
    provider.source.ptr = bodies_.back().get();
    provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length,
                                uint32_t* flags, nghttp2_data_source* source, void*) -> ssize_t {
      auto* rest = static_cast<std::string_view*>(source->ptr);
      const size_t n = std::min(length, rest->size());
      std::memcpy(buf, rest->data(), n);
      rest->remove_prefix(n);
      if (rest->empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    };
    return nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &provider, nullptr);
  }

  // What nghttp2 has queued, as bytes.
  std::string bytes() {
    std::string out;
    for (;;) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    return out;
  }

  // Connects, writes `bytes`, half-closes, and reads until the server closes (true) or
  // `seconds` pass (false).
  bool send_and_half_close(uint16_t port, const std::string& bytes, int seconds) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
      return false;
    ::shutdown(fd_, SHUT_WR);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[16384];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buf),
                               static_cast<size_t>(n));
    }
    return false;
  }

  StreamEnd end(int32_t id) const {
    auto it = ends_.find(id);
    return it == ends_.end() ? StreamEnd{} : it->second;
  }

 private:
  nghttp2_session* session_ = nullptr;
  int fd_ = -1;
  std::vector<std::unique_ptr<std::string>> strings_;
  std::vector<std::unique_ptr<std::string_view>> bodies_;
  std::map<int32_t, StreamEnd> ends_;
};

// The file descriptors this process has open (the in-process server's sockets among them).
size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

// Timestamps are JSON numbers of seconds; converting one beyond int64 milliseconds to an integer
// was undefined behaviour. They saturate now, as a Java long conversion does.
TEST_F(FuzzFindingsTest, ListShardsWithATimestampFarInTheFutureListsTheOpenShards) {
  create("s", 2);
  Answer a = ok("ListShards",
                R"({"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":8.9e70}})");
  ASSERT_TRUE(a.json.IsObject()) << a.body;
  EXPECT_EQ(a.json["Shards"].Size(), 2u) << a.body;
  a = ok("ListShards",
         R"({"StreamName":"s","ShardFilter":{"Type":"FROM_TIMESTAMP","Timestamp":-8.9e70}})");
  EXPECT_EQ(a.json["Shards"].Size(), 2u) << a.body;
}

TEST_F(FuzzFindingsTest, GetShardIteratorAtATimestampBeyondInt64IsInTheFuture) {
  create("s");
  expect_error("GetShardIterator",
               R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
               R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1e300})",
               "InvalidArgumentException",
               "The timestampInMillis parameter cannot be greater than the "
               "currentTimestampInMillis. timestampInMillis: 9223372036854775807, "
               "currentTimestampInMillis: " +
                   std::to_string(kStartMs));
  // Far in the past: the iterator starts at the oldest record.
  ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"AA=="})");
  Answer it = ok("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                                     R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":-1e300})");
  Answer records =
      ok("GetRecords", R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}");
  EXPECT_EQ(records.json["Records"].Size(), 1u) << records.body;
}

TEST_F(FuzzFindingsTest, StreamCreationTimestampBeyondInt64NamesNoStream) {
  create("s");
  expect_error("ListShards", R"({"StreamName":"s","StreamCreationTimestamp":1e300})",
               "ResourceNotFoundException", "Stream s under account 000000000000 not found.");
}

// Integer members are 32-bit in the model, and validation saturates them there; operations read
// them as 64-bit values, so ShardCount 3.3e39 reached the store as 2^63 - 1 and overflowed the
// shard limit check.
TEST_F(FuzzFindingsTest, ShardCountBeyondInt32IsReadAsValidationReadIt) {
  expect_error("CreateStream",
               R"({"StreamName":"s","ShardCount":3340282366920938463463374607431768211455})",
               "LimitExceededException",
               "This request would exceed the shard limit for the account 000000000000 in "
               "us-east-1. Current shard count for the account: 0. Limit: 500. Number of "
               "additional shards that would have resulted from this request: 2147483647. Refer "
               "to the AWS Service Limits page "
               "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
               "limits and how to request higher limits.");
  create("s");
  expect_error("UpdateShardCount",
               R"({"StreamName":"s","TargetShardCount":1e12,"ScalingType":"UNIFORM_SCALING"})",
               "ValidationException",
               "1 validation error detected: Value '2147483647' at 'targetShardCount' failed to "
               "satisfy constraint: Member must have value less than or equal to 100000");
}

// An HTTP/2 client that half-closed its TCP connection after a SubscribeToShard kept the
// connection open for as long as the subscription lasted (minutes), where HTTP/1.1 cancels the
// subscription when the client goes away. The server now ends the subscription's stream with
// RST_STREAM CANCEL and closes, as it does once every other answer is written (fuzz_http).
TEST_F(FuzzFindingsTest, Http2HalfCloseEndsASubscriptionAndTheConnection) {
  create("s");
  Answer consumer = ok("RegisterStreamConsumer",
                       R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s",)"
                       R"("ConsumerName":"c"})");
  const std::string arn = consumer.json["Consumer"]["ConsumerARN"].GetString();
  H2Client client;
  const int32_t id = client.request(
      "SubscribeToShard",
      R"({"ConsumerARN":)" + q(arn) +
          R"(,"ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}})");
  ASSERT_EQ(id, 1);
  // The server must close within seconds (the subscription would last five minutes).
  EXPECT_TRUE(client.send_and_half_close(server_->port(), client.bytes(), 5))
      << "the half-closed connection stayed open";
  EXPECT_TRUE(client.end(id).closed) << "the subscription's stream did not end";
  EXPECT_EQ(client.end(id).error, static_cast<uint32_t>(NGHTTP2_CANCEL));
}

// A connection error (here a frame longer than the client was allowed to send) after a request
// whose answer nghttp2 then never sent, on a half-closed connection: the session kept a reference
// to itself while it waited for that stream, so its memory and its socket were never released.
TEST_F(FuzzFindingsTest, Http2ConnectionErrorWhileDrainingReleasesTheConnection) {
  const auto connect_and_fail = [this] {
    H2Client client;
    client.request("ListStreams", "{}");
    client.request("ListStreams", "[]");  // SerializationException, answered at once
    // A frame header announcing 3 MB, past the 16 KiB SETTINGS_MAX_FRAME_SIZE: FRAME_SIZE_ERROR.
    const std::string oversized("\x30\x30\x30\x30\x30\x30\x30\x30\x30", 9);
    return client.send_and_half_close(server_->port(), client.bytes() + oversized, 5);
  };
  const auto settled = [](size_t want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (open_fds() > want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return open_fds();
  };
  // Connections go to the server's event loops in turn, and a loop opens its own descriptors
  // (epoll, eventfd, timerfd) with its first connection: one round per loop first.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(connect_and_fail());
  const size_t before = settled(0);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(connect_and_fail());
  // Every server-side socket is closed once its connection ends.
  EXPECT_EQ(settled(before), before);
}

}  // namespace
}  // namespace kinesim::testing
