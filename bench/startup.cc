// --startup: how long a Kinesis server takes from spawn to serving.
//
// Each run spawns the server command in its own process group, learns its endpoint (from the
// "listening on http://HOST:PORT" line kinesim prints, or by polling a port given in advance),
// creates a 1-shard stream, polls DescribeStreamSummary until ACTIVE and puts one record. The
// times from spawn to listening, to ACTIVE and to the acknowledged PutRecord are kept, and the
// server's process group is terminated before the next run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>

#include "bench/scenarios.h"

namespace kinesim::bench {
namespace {

using harness::HttpClient;

constexpr std::string_view kListeningMarker = "listening on http://";

double MsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

bool PortAccepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// Reads the server's merged stdout and stderr on its own thread, so the server never blocks on
// a full pipe, keeps the last lines for error reports, and spots the endpoint line.
class OutputReader {
 public:
  explicit OutputReader(int fd) : fd_(fd), thread_([this] { Loop(); }) {}
  ~OutputReader() {
    stop_.store(true);
    thread_.join();
    ::close(fd_);
  }
  OutputReader(const OutputReader&) = delete;
  OutputReader& operator=(const OutputReader&) = delete;

  // The URL after the marker, once seen; "" if output ended or `deadline` passed first.
  std::string WaitForEndpoint(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [this] { return !endpoint_.empty() || eof_; });
    return endpoint_;
  }

  std::string Tail() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string text;
    for (const std::string& line : tail_) text += "\n  | " + line;
    return text;
  }

 private:
  void Loop() {
    std::string pending;
    char buf[4096];
    // Bounded: ends at EOF (the server and its group exited) or when the owner stops it, and
    // the owner only does that after terminating the server.
    while (!stop_.load()) {
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, 50);
      if (ready <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof(buf));
      if (n <= 0) break;
      pending.append(buf, static_cast<size_t>(n));
      size_t eol;
      while ((eol = pending.find('\n')) != std::string::npos) {
        Line(pending.substr(0, eol));
        pending.erase(0, eol + 1);
      }
      if (pending.size() > 64 * 1024) pending.clear();
    }
    std::lock_guard<std::mutex> lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }

  void Line(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (endpoint_.empty()) {
      std::string lower = line;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t at = lower.find(kListeningMarker);
      if (at != std::string::npos) {
        size_t begin = at + kListeningMarker.size() - std::string_view("http://").size();
        size_t end = line.find_first_of(" \t\r", begin);
        endpoint_ = line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        cv_.notify_all();
      }
    }
    tail_.push_back(std::move(line));
    if (tail_.size() > 20) tail_.pop_front();
  }

  int fd_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::string endpoint_;
  bool eof_ = false;
  std::deque<std::string> tail_;
  std::thread thread_;  // last: starts after the members it uses
};

// A spawned server in its own process group; terminated (TERM, then KILL after 5 s) and reaped
// when this goes out of scope.
class ServerProcess {
 public:
  explicit ServerProcess(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw BenchFailure("pipe failed");
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw BenchFailure("fork failed");
    }
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      ::execvp(args[0], args.data());
      const char* message = "kinesim-bench: cannot execute the server command\n";
      ssize_t ignored = ::write(STDERR_FILENO, message, std::strlen(message));
      (void)ignored;
      ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also here, so the group exists before any kill below
    ::close(fds[1]);
    reader_ = std::make_unique<OutputReader>(fds[0]);
  }

  ~ServerProcess() {
    // The leader is only reaped at the very end: until then its pid, and so the group id,
    // cannot be reused, and the signals below reach nothing but this server's own group.
    ::kill(-pid_, SIGTERM);
    const Clock::time_point give_up = Clock::now() + std::chrono::seconds(5);
    while (!Exited() && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(-pid_, SIGKILL);  // a slow leader, or helpers it left in its group
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reader_.reset();
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // True once the leader has exited; does not reap it.
  bool Exited() {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      return true;
    }
    return info.si_pid == pid_;
  }

  OutputReader& output() { return *reader_; }

 private:
  pid_t pid_ = -1;
  std::unique_ptr<OutputReader> reader_;
};

struct Times {
  double listen_ms = 0;
  double active_ms = 0;
  double put_ms = 0;
};

harness::Endpoint EndpointFromLine(const std::string& url) {
  harness::Endpoint endpoint = harness::ParseEndpoint(url);
  // A server bound to every interface is reached through loopback.
  if (endpoint.host == "0.0.0.0") endpoint.host = "127.0.0.1";
  if (endpoint.host == "::") endpoint.host = "::1";
  if (!harness::IsLoopbackHost(endpoint.host)) {
    throw BenchFailure("server announced a non-loopback endpoint: " + url);
  }
  return endpoint;
}

Times StartOnce(const Options& options, int run) {
  std::vector<std::string> argv = options.startup_command;
  for (std::string& arg : argv) {
    for (size_t at; (at = arg.find("{n}")) != std::string::npos;) {
      arg.replace(at, 3, std::to_string(run));
    }
  }
  const uint16_t port = static_cast<uint16_t>(options.startup_port);
  if (port != 0 && PortAccepts(port)) {
    throw BenchFailure("port " + std::to_string(port) + " already accepts connections");
  }
  const auto limit = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(std::min(options.timeout_s, 60.0)));

  Times times;
  const Clock::time_point spawn = Clock::now();
  const Clock::time_point deadline = spawn + limit;
  ServerProcess server(argv);

  harness::Endpoint endpoint;
  if (port != 0) {
    while (!PortAccepts(port)) {
      if (server.Exited()) throw BenchFailure("server exited early:" + server.output().Tail());
      if (Clock::now() >= deadline) {
        throw BenchFailure("port never accepted connections:" + server.output().Tail());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    endpoint = {"127.0.0.1", port};
  } else {
    std::string url = server.output().WaitForEndpoint(deadline);
    if (url.empty()) {
      throw BenchFailure("no \"listening on http://HOST:PORT\" line:" + server.output().Tail());
    }
    endpoint = EndpointFromLine(url);
  }
  times.listen_ms = MsBetween(spawn, Clock::now());

  HttpClient client(endpoint);
  const std::string stream = UniqueStreamName("startup");
  CreateStream(client, stream, 1);
  WaitActive(client, stream, deadline, std::chrono::milliseconds(1));
  times.active_ms = MsBetween(spawn, Clock::now());

  RecordSource source(0x57A87 + static_cast<uint64_t>(run));
  std::string body;
  source.PutRecordBody(body, stream);
  CallOk(client, "PutRecord", body);
  times.put_ms = MsBetween(spawn, Clock::now());
  return times;
}

}  // namespace

Result RunStartup(const Options& options) {
  Result result("startup");
  if (options.startup_command.empty()) {
    result.failed = true;
    result.first_error = "no server command after --";
    return result;
  }
  std::vector<double> listen, active, put;
  for (int run = 0; run < options.startup_runs; ++run) {
    try {
      Times t = StartOnce(options, run);
      listen.push_back(t.listen_ms);
      active.push_back(t.active_ms);
      put.push_back(t.put_ms);
      if (options.verbose) {
        std::fprintf(stderr, "startup run %d: listen_ms=%.1f active_ms=%.1f put_ms=%.1f\n", run,
                     t.listen_ms, t.active_ms, t.put_ms);
      }
    } catch (const std::exception& e) {
      ++result.errors;
      if (result.first_error.empty()) result.first_error = e.what();
    }
  }
  result.Add("listen_ms", Median(listen), 1);
  result.Add("active_ms", Median(active), 1);
  result.Add("put_ms", Median(put), 1);
  result.Add("runs", static_cast<uint64_t>(put.size()));
  if (put.empty()) result.failed = true;
  return result;
}

}  // namespace kinesim::bench
