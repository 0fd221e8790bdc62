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
#include <string>
#include <vector>

#include "tests/unit/server_test_fixture.h"

namespace kinesim::testing {
namespace {

class FuzzFindingsTest : public ServerTest {};

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
  const std::string body =
      R"({"ConsumerARN":)" + q(arn) +
      R"(,"ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}})";

  // The client side: nghttp2 writes the preface, SETTINGS and the request, and reads the answer.
  struct Seen {
    bool closed = false;
    uint32_t error = 0;
  } seen;
  nghttp2_session_callbacks* callbacks = nullptr;
  ASSERT_EQ(nghttp2_session_callbacks_new(&callbacks), 0);
  nghttp2_session_callbacks_set_on_stream_close_callback(
      callbacks, [](nghttp2_session*, int32_t, uint32_t error, void* user) {
        static_cast<Seen*>(user)->closed = true;
        static_cast<Seen*>(user)->error = error;
        return 0;
      });
  nghttp2_session* session = nullptr;
  ASSERT_EQ(nghttp2_session_client_new(&session, callbacks, &seen), 0);
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
  auto nv = [](const std::string& name, const std::string& value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NONE};
  };
  const std::vector<std::pair<std::string, std::string>> fields = {
      {":method", "POST"},
      {":scheme", "http"},
      {":authority", "127.0.0.1"},
      {":path", "/"},
      {"content-type", "application/x-amz-json-1.1"},
      {"x-amz-target", "Kinesis_20131202.SubscribeToShard"},
      {"x-amz-date", "20261129T000000Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=000000000000/20261129/us-east-1/kinesis/aws4_request, "
       "SignedHeaders=host;x-amz-date, Signature=0000"},
  };
  std::vector<nghttp2_nv> headers;
  for (const auto& [name, value] : fields) headers.push_back(nv(name, value));
  std::string_view rest = body;
  nghttp2_data_provider provider{};
  provider.source.ptr = &rest;
  provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length,
                              uint32_t* flags, nghttp2_data_source* source, void*) -> ssize_t {
    auto* r = static_cast<std::string_view*>(source->ptr);
    const size_t n = std::min(length, r->size());
    std::memcpy(buf, r->data(), n);
    r->remove_prefix(n);
    if (r->empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  };
  ASSERT_EQ(
      nghttp2_submit_request(session, nullptr, headers.data(), headers.size(), &provider, nullptr),
      1);
  std::string out;
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session, &data);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::send(fd, out.data(), out.size(), MSG_NOSIGNAL), static_cast<ssize_t>(out.size()));
  ::shutdown(fd, SHUT_WR);

  // The server must close within seconds (the subscription would last five minutes).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool server_closed = false;
  while (!server_closed && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[16384];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      server_closed = true;
      break;
    }
    nghttp2_session_mem_recv(session, reinterpret_cast<const uint8_t*>(buf),
                             static_cast<size_t>(n));
  }
  ::close(fd);
  nghttp2_session_del(session);
  EXPECT_TRUE(server_closed) << "the half-closed connection stayed open";
  EXPECT_TRUE(seen.closed) << "the subscription's stream did not end";
  EXPECT_EQ(seen.error, static_cast<uint32_t>(NGHTTP2_CANCEL));
}

}  // namespace
}  // namespace kinesim::testing
