// Connection limits and HTTP/1.1 framing over raw sockets: slow request heads and idle
// connections are closed after their (configurable) timeouts, thousands of idle connections do
// not keep a new client waiting, pipelined requests are answered in order, `Expect:
// 100-continue` gets its interim answer, and chunked request bodies are read like sized ones.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server_test_fixture.h"

namespace kinesim::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A client socket that sends and reads bytes exactly as the test says.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(RawConnection&& o) noexcept : fd_(o.fd_), in_(std::move(o.in_)) { o.fd_ = -1; }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads what arrives within `timeout`; false once the server closed (or reset) the connection.
  bool receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return true;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in_.append(buf, static_cast<size_t>(n));
    return true;
  }

  // Waits until the server closes the connection; false if it is still open after `timeout`.
  bool closed_within(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (!receive(milliseconds(50))) return true;
    }
    return false;
  }

  // Bytes received and not yet taken.
  std::string& input() { return in_; }

  // The next complete response (head and Content-Length body); status 0 if none came in time.
  struct Response {
    int status = 0;
    std::string head;
    std::string body;
  };
  Response response(milliseconds timeout = milliseconds(5000)) {
    const auto deadline = Clock::now() + timeout;
    Response r;
    for (;;) {
      const size_t end = in_.find("\r\n\r\n");
      if (end != std::string::npos) {
        const std::string head = in_.substr(0, end + 2);
        size_t length = 0;
        const std::string lower = lowered(head);
        if (const size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
          length = std::stoul(head.substr(at + 17));
        }
        if (in_.size() >= end + 4 + length) {
          r.status = std::stoi(head.substr(9, 3));
          r.head = head;
          r.body = in_.substr(end + 4, length);
          in_.erase(0, end + 4 + length);
          return r;
        }
      }
      if (Clock::now() >= deadline) return r;
      if (!receive(milliseconds(50))) {
        if (in_.find("\r\n\r\n") == std::string::npos) return r;
      }
    }
  }

 private:
  static std::string lowered(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  int fd_ = -1;
  std::string in_;
};

// A signed Kinesis JSON request's head, without the framing of its body (presence mode checks
// only that a signature is there).
std::string head_of(const std::string& op, const std::string& extra = "") {
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
         "X-Amz-Target: Kinesis_20131202." +
         op +
         "\r\nX-Amz-Date: 20260921T141320Z\r\nAuthorization: AWS4-HMAC-SHA256 "
         "Credential=test/20260921/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, "
         "Signature=0123456789abcdef\r\n" +
         extra;
}

// A whole request with a Content-Length body.
std::string request(const std::string& op, const std::string& body, const std::string& extra = "") {
  return head_of(op, extra) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends `bytes` one at a time, `interval` apart, until the server closes the connection or 10 s
// have passed since `since`; then gives the close 3 s more.
struct Trickled {
  bool closed = false;
  size_t sent = 0;
  Clock::duration after{};  // from `since` to the close (or to giving up)
};
Trickled trickle(RawConnection& c, const std::string& bytes, milliseconds interval,
                 Clock::time_point since) {
  Trickled t;
  while (!t.closed && t.sent < bytes.size() && Clock::now() - since < milliseconds(10000)) {
    if (!c.send(bytes.substr(t.sent, 1))) break;
    ++t.sent;
    t.closed = !c.receive(interval);
  }
  if (!t.closed) t.closed = c.closed_within(milliseconds(3000));
  t.after = Clock::now() - since;
  return t;
}

class LimitsTest : public ServerTest {
 protected:
  static constexpr int64_t kHeaderTimeoutMs = 1000;
  // Longer than twice the head timeout, so a test can tell which of the two closed a connection.
  static constexpr int64_t kIdleTimeoutMs = 3000;

  LimitsTest()
      : ServerTest([](Options& o) {
          o.header_timeout_ms = kHeaderTimeoutMs;
          o.idle_timeout_ms = kIdleTimeoutMs;
        }) {}

  RawConnection connect() {
    RawConnection c(server_->port());
    EXPECT_TRUE(c.connected());
    return c;
  }
};

// ---------------------------------------------------------------------------------------------
// Slow heads and idle connections

// A client that sends its head a byte a second is closed once the head timeout passed since its
// first byte (enforced within twice the timeout); the server goes on answering others.
TEST_F(LimitsTest, AHeadSentAByteASecondIsClosedAfterTheHeadTimeout) {
  RawConnection slow = connect();
  const std::string head = head_of("ListStreams");
  const Trickled t = trickle(slow, head, milliseconds(1000), Clock::now());  // a byte a second
  ASSERT_TRUE(t.closed) << "still open after " << t.sent << " bytes";
  EXPECT_GE(t.after, milliseconds(kHeaderTimeoutMs));
  EXPECT_LE(t.after, milliseconds(2 * kHeaderTimeoutMs + 500));  // before the idle timeout
  EXPECT_GE(t.sent, 2u);
  EXPECT_EQ(slow.input(), "");  // closed without an answer
  ok("ListStreams", "{}");
}

// HTTP/2 (prior knowledge): a request whose header block trickles in, a CONTINUATION byte every
// 400 ms, is closed once the head timeout passed since its HEADERS frame, long before the idle
// timeout its steady bytes would otherwise keep putting off.
TEST_F(LimitsTest, AnHttp2HeaderBlockSentSlowlyIsClosedAfterTheHeadTimeout) {
  RawConnection slow = connect();
  auto frame = [](uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload,
                  size_t length) {
    std::string f;
    f += static_cast<char>((length >> 16) & 0xff);
    f += static_cast<char>((length >> 8) & 0xff);
    f += static_cast<char>(length & 0xff);
    f += static_cast<char>(type);
    f += static_cast<char>(flags);
    for (int shift = 24; shift >= 0; shift -= 8) f += static_cast<char>((stream >> shift) & 0xff);
    return f + payload;
  };
  constexpr uint8_t kSettings = 0x4, kHeaders = 0x1, kContinuation = 0x9, kEndHeaders = 0x4;
  // HPACK (RFC 7541): indexed :method POST, then in the CONTINUATION indexed :scheme http and
  // :path /, and literal `x: y` fields, valid all the way, so only the timeout can end it.
  std::string rest = "\x86\x84";
  for (int i = 0; i < 40; ++i) rest += std::string("\x00\x01x\x01y", 5);
  ASSERT_TRUE(slow.send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                        frame(kSettings, 0, 0, "", 0) + frame(kHeaders, 0, 1, "\x83", 1) +
                        frame(kContinuation, kEndHeaders, 1, "", rest.size())));
  const Trickled t = trickle(slow, rest, milliseconds(400), Clock::now());
  ASSERT_TRUE(t.closed) << "still open after " << t.sent << " bytes";
  EXPECT_GE(t.after, milliseconds(kHeaderTimeoutMs));
  EXPECT_LE(t.after, milliseconds(2 * kHeaderTimeoutMs + 500));  // before the idle timeout
  EXPECT_GE(t.sent, 3u);
  ok("ListStreams", "{}");
}

// The head timeout only runs while a head is arriving: a keep-alive connection may wait longer
// than it between requests, and a request whose head comes at once is not affected.
TEST_F(LimitsTest, TheHeadTimeoutDoesNotApplyBetweenRequests) {
  RawConnection c = connect();
  ASSERT_TRUE(c.send(request("ListStreams", "{}")));
  EXPECT_EQ(c.response().status, 200);
  std::this_thread::sleep_for(milliseconds(2 * kHeaderTimeoutMs + 300));
  ASSERT_TRUE(c.send(request("ListStreams", "{}")));
  const auto r = c.response();
  EXPECT_EQ(r.status, 200) << r.head;
}

// A body that keeps arriving is not cut off by the head timeout.
TEST_F(LimitsTest, ASlowBodyAfterAPromptHeadIsRead) {
  create("slow-body");
  RawConnection c = connect();
  const std::string body = R"({"StreamName":"slow-body","PartitionKey":"k","Data":"AAAA"})";
  ASSERT_TRUE(
      c.send(head_of("PutRecord") + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  for (size_t i = 0; i < body.size(); i += body.size() / 5 + 1) {
    std::this_thread::sleep_for(milliseconds(kHeaderTimeoutMs / 2));
    ASSERT_TRUE(c.send(body.substr(i, body.size() / 5 + 1)));
  }
  const auto r = c.response();
  EXPECT_EQ(r.status, 200) << r.head << r.body;
  EXPECT_NE(r.body.find("\"SequenceNumber\""), std::string::npos) << r.body;
}

// An idle connection is closed after the idle timeout: one that never said anything, and one
// that made a request and then went quiet.
TEST_F(LimitsTest, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  RawConnection silent = connect();
  RawConnection quiet = connect();
  ASSERT_TRUE(quiet.send(request("ListStreams", "{}")));
  EXPECT_EQ(quiet.response().status, 200);
  const auto start = Clock::now();
  EXPECT_FALSE(silent.closed_within(milliseconds(kIdleTimeoutMs - 500)));
  EXPECT_TRUE(silent.closed_within(milliseconds(kIdleTimeoutMs + 2000)));
  EXPECT_TRUE(quiet.closed_within(milliseconds(kIdleTimeoutMs + 2000)));
  EXPECT_LE(Clock::now() - start, milliseconds(2 * kIdleTimeoutMs + 2000));
}

// Thousands of idle connections (some that never spoke, some kept alive after a request) do not
// exhaust the server: a new client is answered at once, and so is an old one.
TEST(ManyConnectionsTest, ThousandsOfIdleConnectionsDoNotStarveANewClient) {
  constexpr int kConnections = 3000;
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max < 2 * kConnections + 200) {
    GTEST_SKIP() << "the hard open file limit (" << limit.rlim_max << ") is too low for "
                 << kConnections << " connections in one process";
  }
  harness::TestServer server;  // raises this process's soft limit to the hard one
  std::vector<RawConnection> idle;
  idle.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    idle.emplace_back(server.port());
    ASSERT_TRUE(idle.back().connected()) << "connection " << i;
    if (i % 3 == 0) {
      ASSERT_TRUE(idle.back().send(request("ListStreams", "{}")));
      ASSERT_EQ(idle.back().response().status, 200) << "connection " << i;
    }
  }
  const auto start = Clock::now();
  harness::HttpClient fresh = server.client();
  const auto r = send(fresh, "ListStreams", "{}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  // The connections are all still served.
  for (int i : {0, kConnections / 2, kConnections - 3}) {
    ASSERT_TRUE(idle[i].send(request("ListStreams", "{}")));
    EXPECT_EQ(idle[i].response().status, 200) << "connection " << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Framing

// Requests written back to back in one write are answered one after the other, in order, on the
// same connection; a write waiting for its commit holds the next request back.
TEST_F(LimitsTest, PipelinedRequestsAreAnsweredInOrder) {
  create("pipe");
  RawConnection c = connect();
  const std::string put1 = R"({"StreamName":"pipe","PartitionKey":"a","Data":"MQ=="})";
  const std::string missing = R"({"StreamName":"no-such-stream"})";
  const std::string put2 = R"({"StreamName":"pipe","PartitionKey":"a","Data":"Mg=="})";
  ASSERT_TRUE(c.send(request("PutRecord", put1) + request("DescribeStreamSummary", missing) +
                     request("PutRecord", put2) +
                     request("ListStreams", "{}", "Connection: close\r\n")));
  const auto first = c.response();
  const auto second = c.response();
  const auto third = c.response();
  const auto fourth = c.response();
  ASSERT_EQ(first.status, 200) << first.head << first.body;
  ASSERT_EQ(second.status, 400) << second.head << second.body;
  ASSERT_EQ(third.status, 200) << third.head << third.body;
  ASSERT_EQ(fourth.status, 200) << fourth.head << fourth.body;
  EXPECT_EQ(second.body,
            R"({"__type":"ResourceNotFoundException","message":"Stream no-such-stream under )"
            R"(account 000000000000 not found."})");
  rapidjson::Document a, b, list;
  a.Parse(first.body.c_str());
  b.Parse(third.body.c_str());
  list.Parse(fourth.body.c_str());
  ASSERT_TRUE(a.IsObject() && b.IsObject() && list.IsObject());
  EXPECT_LT(std::string(a["SequenceNumber"].GetString()),
            std::string(b["SequenceNumber"].GetString()));
  EXPECT_EQ(list["StreamNames"].Size(), 1u);
  EXPECT_TRUE(c.closed_within(milliseconds(2000)));  // Connection: close was honoured
  EXPECT_EQ(c.input(), "");
}

// A client that sends `Expect: 100-continue` gets `HTTP/1.1 100 Continue` before it sends the
// body, then the answer.
TEST_F(LimitsTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  create("expect");
  RawConnection c = connect();
  const std::string body = R"({"StreamName":"expect","PartitionKey":"k","Data":"AAAA"})";
  ASSERT_TRUE(c.send(head_of("PutRecord", "Expect: 100-continue\r\n") +
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  const auto interim = c.response(milliseconds(3000));
  EXPECT_EQ(interim.status, 100);
  EXPECT_EQ(interim.head, "HTTP/1.1 100 Continue\r\n");
  ASSERT_TRUE(c.send(body));
  const auto r = c.response();
  EXPECT_EQ(r.status, 200) << r.head << r.body;
  EXPECT_NE(r.body.find("\"SequenceNumber\""), std::string::npos) << r.body;
  // The connection goes on as usual.
  ASSERT_TRUE(c.send(request("ListStreams", "{}")));
  EXPECT_EQ(c.response().status, 200);
}

// A body announced too large is refused at once, with no 100 Continue first; a request with no
// body needs no interim answer.
TEST_F(LimitsTest, ExpectContinueIsNotAnsweredWhenTheBodyIsRefusedOrEmpty) {
  {
    RawConnection c = connect();
    ASSERT_TRUE(c.send(head_of("PutRecord", "Expect: 100-continue\r\n") +
                       "Content-Length: " + std::to_string(16 * 1024 * 1024 + 1) + "\r\n\r\n"));
    const auto r = c.response();
    EXPECT_EQ(r.status, 413) << r.head << r.body;
  }
  {
    RawConnection c = connect();
    ASSERT_TRUE(
        c.send(head_of("ListStreams", "Expect: 100-continue\r\n") + "Content-Length: 0\r\n\r\n"));
    const auto r = c.response();
    EXPECT_EQ(r.status, 400) << r.head << r.body;  // no body: a serialization failure
    EXPECT_EQ(r.head.find("100 Continue"), std::string::npos);
  }
}

// Any other expectation cannot be met: 417 Expectation Failed, nothing stored, and the
// connection closes (the body the client may still send is not read).
TEST_F(LimitsTest, AnExpectationOtherThanContinueIsAnswered417) {
  create("expect417");
  RawConnection c = connect();
  const std::string body = R"({"StreamName":"expect417","PartitionKey":"k","Data":"AAAA"})";
  ASSERT_TRUE(c.send(head_of("PutRecord", "Expect: 200-ok\r\n") +
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  const auto r = c.response(milliseconds(3000));
  EXPECT_EQ(r.status, 417) << r.head << r.body;
  EXPECT_TRUE(c.closed_within(milliseconds(2000)));
  RawConnection check = connect();
  ASSERT_TRUE(check.send(request("DescribeStreamSummary", R"({"StreamName":"expect417"})")));
  const auto summary = check.response();
  EXPECT_EQ(summary.status, 200);
  EXPECT_NE(summary.body.find("\"OpenShardCount\":1"), std::string::npos) << summary.body;
  ASSERT_TRUE(check.send(request("GetShardIterator",
                                 R"({"StreamName":"expect417","ShardId":"shardId-000000000000",)"
                                 R"("ShardIteratorType":"TRIM_HORIZON"})")));
  const auto iterator = check.response();
  ASSERT_EQ(iterator.status, 200) << iterator.body;
  rapidjson::Document it;
  it.Parse(iterator.body.c_str());
  ASSERT_TRUE(it.IsObject());
  ASSERT_TRUE(check.send(request("GetRecords", std::string(R"({"ShardIterator":")") +
                                                   it["ShardIterator"].GetString() + "\"}")));
  const auto records = check.response();
  EXPECT_NE(records.body.find("\"Records\":[]"), std::string::npos) << records.body;
}

// A chunked request body, arriving in several writes, is read whole and answered as the same
// body with a Content-Length would be.
TEST_F(LimitsTest, AChunkedBodyIsReadLikeASizedOne) {
  create("chunked");
  RawConnection c = connect();
  const std::string body = R"({"StreamName":"chunked","PartitionKey":"k","Data":"Y2h1bmtlZA=="})";
  ASSERT_TRUE(c.send(head_of("PutRecord", "Transfer-Encoding: chunked\r\n") + "\r\n"));
  auto chunk = [](const std::string& part) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", part.size());
    return std::string(size) + "\r\n" + part + "\r\n";
  };
  ASSERT_TRUE(c.send(chunk(body.substr(0, 10))));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(c.send(chunk(body.substr(10, 20)) + chunk(body.substr(30))));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(c.send("0\r\n\r\n"));
  const auto r = c.response();
  ASSERT_EQ(r.status, 200) << r.head << r.body;

  // The record is stored as sent.
  Answer it = ok("GetShardIterator", R"({"StreamName":"chunked","ShardId":"shardId-000000000000",)"
                                     R"("ShardIteratorType":"TRIM_HORIZON"})");
  Answer records =
      ok("GetRecords", R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}");
  ASSERT_EQ(records.json["Records"].Size(), 1u);
  EXPECT_STREQ(records.json["Records"][0]["Data"].GetString(), "Y2h1bmtlZA==");
  EXPECT_STREQ(records.json["Records"][0]["PartitionKey"].GetString(), "k");

  // Chunked and pipelined: the next request after the last chunk is answered too.
  ASSERT_TRUE(c.send(head_of("ListStreams", "Transfer-Encoding: chunked\r\n") + "\r\n" +
                     chunk("{}") + "0\r\n\r\n" + request("ListStreams", "{}")));
  EXPECT_EQ(c.response().status, 200);
  EXPECT_EQ(c.response().status, 200);
}

}  // namespace
}  // namespace kinesim::testing
