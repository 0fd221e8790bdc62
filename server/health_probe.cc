// The probe speaks HTTP over a plain socket rather than through Asio or libcurl: it runs every
// few seconds in a container, so it should start fast, link nothing the server does not, and
// never wait longer than its deadline, whatever the other end does.
#include "server/health_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace kinesim {
namespace {

using Clock = std::chrono::steady_clock;

// The most of an answer the probe reads; /health's body is a few dozen bytes.
constexpr size_t kMaxAnswerBytes = 16 * 1024;

// Owns a socket and closes it.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Waits until `fd` is ready for `events` or `deadline` passes. False on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    // Rounded up: poll's whole milliseconds must not end the wait before the deadline.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

// Connects to 127.0.0.1:`port`. Returns "" or what went wrong.
std::string connect_loopback(int fd, uint16_t port, Clock::time_point deadline) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return "";
  if (errno != EINPROGRESS) return std::strerror(errno);
  if (!wait_for(fd, POLLOUT, deadline)) return "timed out";
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return std::strerror(errno);
  return err == 0 ? "" : std::strerror(err);
}

// Sends all of `data`. Returns "" or what went wrong.
std::string send_all(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    if (!wait_for(fd, POLLOUT, deadline)) return "timed out sending the request";
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return std::strerror(errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return "";
}

// The body length a complete answer `head` (the header block) announces, if it does.
std::optional<size_t> content_length(std::string_view head) {
  constexpr std::string_view kName = "\r\ncontent-length:";
  std::string lower(head);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = lower.find(kName);
  if (at == std::string::npos) return std::nullopt;
  std::string_view v = std::string_view(head).substr(at + kName.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  size_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end == v.data()) return std::nullopt;
  return n;
}

// Reads the answer until the peer closes, the announced body is complete, or `deadline`.
// Returns false on timeout or error with nothing usable read.
bool read_answer(int fd, std::string& answer, Clock::time_point deadline) {
  char buf[4096];
  while (answer.size() < kMaxAnswerBytes) {
    const size_t head_end = answer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const auto length = content_length(std::string_view(answer).substr(0, head_end + 2));
      if (length && answer.size() >= head_end + 4 + *length) return true;
    }
    if (!wait_for(fd, POLLIN, deadline)) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    answer.append(buf, static_cast<size_t>(n));
  }
  return true;
}

// The status code of "HTTP/1.1 200 OK\r\n...", or 0 when `answer` does not start like that.
int status_of(std::string_view answer) {
  if (!answer.starts_with("HTTP/1.") || answer.size() < 12 || answer[8] != ' ') return 0;
  int status = 0;
  const auto [end, ec] = std::from_chars(answer.data() + 9, answer.data() + 12, status);
  return ec == std::errc() && end == answer.data() + 12 ? status : 0;
}

// The body of `answer` on one line, for the probe's report.
std::string one_line_body(std::string_view answer) {
  const size_t head_end = answer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return "";
  std::string body;
  for (const char c : answer.substr(head_end + 4)) {
    if (static_cast<unsigned char>(c) >= 0x20) body += c;
  }
  return body;
}

}  // namespace

int probe_health(uint16_t port, std::ostream& out, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string where = "127.0.0.1:" + std::to_string(port);
  const auto fail = [&](std::string_view why) {
    out << "kinesim health: unhealthy: " << where << ": " << why << std::endl;
    return 1;
  };
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) return fail(std::strerror(errno));
  if (auto err = connect_loopback(socket.fd(), port, deadline); !err.empty()) return fail(err);
  const std::string request = "GET /health HTTP/1.1\r\nHost: " + where +
                              "\r\nUser-Agent: kinesim-health-check\r\nConnection: close\r\n\r\n";
  if (auto err = send_all(socket.fd(), request, deadline); !err.empty()) return fail(err);
  std::string answer;
  if (!read_answer(socket.fd(), answer, deadline)) {
    return fail("no answer within " + std::to_string(timeout.count()) + " ms");
  }
  const int status = status_of(answer);
  if (status == 0) return fail("not an HTTP answer");
  if (status != 200) return fail("HTTP " + std::to_string(status) + " " + one_line_body(answer));
  out << "kinesim health: ok: " << where << ": HTTP 200 " << one_line_body(answer) << std::endl;
  return 0;
}

std::optional<uint16_t> health_probe_port(const char* env_value) {
  if (env_value == nullptr) return kHealthProbeDefaultPort;
  const std::string_view v(env_value);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(port);
}

int run_health_check(std::ostream& out) {
  const char* env = std::getenv("KINESIM_PORT");
  const auto port = health_probe_port(env);
  if (!port) {
    out << "kinesim health: unhealthy: KINESIM_PORT=" << env << " is not a port from 1 to 65535"
        << std::endl;
    return 1;
  }
  return probe_health(*port, out);
}

}  // namespace kinesim
