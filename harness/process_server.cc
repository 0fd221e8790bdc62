#include "harness/process_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace kinesim::harness {
namespace {

constexpr std::string_view kListening = "listening on ";

// Reads from `fd` up to the first newline, or until `deadline`; "" when nothing complete came.
std::string ReadLine(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return "";
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "";  // the process closed its stdout: it exited
    if (c == '\n') return line;
    line.push_back(c);
  }
}

// Waits for `pid` up to `timeout`; true when it exited.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

KinesimProcess::KinesimProcess(std::string binary, Options options) {
  std::vector<std::string> args = {binary, "--port", "0", "--db", ":memory:"};
  if (options.admin) args.push_back("--admin");
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("kinesim process: pipe: ") + std::strerror(errno));
  }
  // Everything the child needs is prepared before fork, so the child only calls
  // async-signal-safe functions.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string err_path = options.stderr_path.empty() ? "/dev/null" : options.stderr_path;

  pid_ = fork();
  if (pid_ < 0) {
    close(out[0]);
    close(out[1]);
    throw std::runtime_error(std::string("kinesim process: fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (err < 0 || in < 0 || dup2(out[1], STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
        dup2(in, STDIN_FILENO) < 0) {
      _exit(126);
    }
    // The server inherits no sockets or files of the test process (in-process servers, client
    // connections), which would otherwise stay open as long as it runs.
    close_range(3, ~0U, 0);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  const std::string line =
      ReadLine(out[0], std::chrono::steady_clock::now() + options.start_timeout);
  // The server prints nothing else to stdout; were it to, the write fails with EPIPE (kinesim
  // ignores SIGPIPE) rather than blocking on a full pipe.
  close(out[0]);
  auto at = line.find(kListening);
  if (at == std::string::npos) {
    stop();
    throw std::runtime_error("kinesim process: " + binary + " printed no endpoint" +
                             (line.empty() ? std::string(" (did it start?)") : ": " + line));
  }
  endpoint_ = line.substr(at + kListening.size());
  while (!endpoint_.empty() && (endpoint_.back() == '\r' || endpoint_.back() == ' ')) {
    endpoint_.pop_back();
  }
}

KinesimProcess::~KinesimProcess() { stop(); }

bool KinesimProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void KinesimProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!WaitFor(pid_, std::chrono::seconds(2))) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, std::chrono::seconds(10));
  }
  pid_ = -1;
}

}  // namespace kinesim::harness
