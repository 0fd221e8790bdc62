// `kinesim --health-check` (server/health_probe.h): exit 0 only when the server on the port
// answers GET /health with 200; 1 when nothing listens, the answer is another status, or no
// answer comes in time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "server/health_probe.h"
#include "tests/unit/server_test_fixture.h"

namespace kinesim::testing {
namespace {

using namespace std::chrono_literals;

// A listening socket on a free loopback port that answers every connection with `answer` (or
// with nothing, holding the connection open until `hold` passes, when `answer` is empty).
class TinyServer {
 public:
  explicit TinyServer(std::string answer, std::chrono::milliseconds hold = 0ms)
      : answer_(std::move(answer)), hold_(hold) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 4) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len)) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve_one(); });
  }
  ~TinyServer() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  // The request the probe sent.
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void serve_one() {
    const int conn = ::accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    char buf[1024];
    while (request_.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
    }
    if (answer_.empty()) {
      std::this_thread::sleep_for(hold_);
    } else {
      ::send(conn, answer_.data(), answer_.size(), MSG_NOSIGNAL);
    }
    ::close(conn);
  }

  std::string answer_;
  std::chrono::milliseconds hold_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string request_;
  std::thread thread_;
};

// A loopback port that nothing listens on: bound once to learn a free one, then released.
uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class HealthProbeTest : public ServerTest {};

TEST_F(HealthProbeTest, HealthyServerExitsZero) {
  std::ostringstream out;
  EXPECT_EQ(probe_health(server_->port(), out), 0);
  const std::string where = "127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(out.str(), "kinesim health: ok: " + where +
                           R"(: HTTP 200 {"status":"ok","storage":"ok"})"
                           "\n");
}

TEST_F(HealthProbeTest, StoppedServerExitsOne) {
  const uint16_t port = server_->port();
  shut_down();
  std::ostringstream out;
  EXPECT_EQ(probe_health(port, out), 1);
  EXPECT_EQ(out.str(), "kinesim health: unhealthy: 127.0.0.1:" + std::to_string(port) +
                           ": Connection refused\n");
}

TEST(HealthProbe, NothingListeningExitsOne) {
  const uint16_t port = unused_port();
  std::ostringstream out;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(probe_health(port, out), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, kHealthProbeTimeout);
  EXPECT_EQ(out.str(), "kinesim health: unhealthy: 127.0.0.1:" + std::to_string(port) +
                           ": Connection refused\n");
}

TEST(HealthProbe, UnhealthyAnswerExitsOne) {
  const std::string body = R"({"status":"unhealthy","storage":"disk I/O error"})";
  TinyServer server(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  std::ostringstream out;
  EXPECT_EQ(probe_health(server.port(), out), 1);
  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(out.str(), "kinesim health: unhealthy: " + where + ": HTTP 503 " + body + "\n");
  EXPECT_EQ(server.request(), "GET /health HTTP/1.1\r\nHost: " + where +
                                  "\r\nUser-Agent: kinesim-health-check\r\n"
                                  "Connection: close\r\n\r\n");
}

TEST(HealthProbe, AnswerEndingAtCloseWithoutLengthIsRead) {
  TinyServer server("HTTP/1.0 200 OK\r\n\r\n{\"status\":\"ok\"}");
  std::ostringstream out;
  EXPECT_EQ(probe_health(server.port(), out), 0);
  EXPECT_EQ(out.str(), "kinesim health: ok: 127.0.0.1:" + std::to_string(server.port()) +
                           ": HTTP 200 {\"status\":\"ok\"}\n");
}

TEST(HealthProbe, NotHttpExitsOne) {
  TinyServer server("SSH-2.0-OpenSSH_9.2\r\n");
  std::ostringstream out;
  EXPECT_EQ(probe_health(server.port(), out), 1);
  EXPECT_EQ(out.str(), "kinesim health: unhealthy: 127.0.0.1:" + std::to_string(server.port()) +
                           ": not an HTTP answer\n");
}

TEST(HealthProbe, SilentServerTimesOut) {
  TinyServer server("", 1s);
  std::ostringstream out;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(probe_health(server.port(), out, 300ms), 1);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 1s);
  EXPECT_EQ(out.str(), "kinesim health: unhealthy: 127.0.0.1:" + std::to_string(server.port()) +
                           ": no answer within 300 ms\n");
}

TEST(HealthProbe, PortComesFromKinesimPort) {
  EXPECT_EQ(health_probe_port(nullptr), 4566);
  EXPECT_EQ(health_probe_port("14700"), 14700);
  EXPECT_EQ(health_probe_port("65535"), 65535);
  for (const char* bad : {"", "0", "65536", "-1", "45 66", "4566x", "http"}) {
    EXPECT_EQ(health_probe_port(bad), std::nullopt) << bad;
  }
}

TEST_F(HealthProbeTest, CheckModeProbesKinesimPort) {
  std::ostringstream out;
  ASSERT_EQ(::setenv("KINESIM_PORT", std::to_string(server_->port()).c_str(), 1), 0);
  EXPECT_EQ(run_health_check(out), 0) << out.str();
  ::setenv("KINESIM_PORT", "forty", 1);
  out.str("");
  EXPECT_EQ(run_health_check(out), 1);
  EXPECT_EQ(out.str(),
            "kinesim health: unhealthy: KINESIM_PORT=forty is not a port from 1 to 65535\n");
  ::unsetenv("KINESIM_PORT");
}

}  // namespace
}  // namespace kinesim::testing
