// KinesimProcess: a `kinesim` server in a process of its own, for tests that want the real binary
// (its flag parsing, its own threads and memory) rather than a TestServer in the test process.
// It starts `kinesim --port 0 --db :memory: --admin` (plus any extra flags), reads the endpoint
// from the line the server prints once it listens ("kinesim listening on http://127.0.0.1:PORT")
// and stops the process when destroyed.
//
//   kinesim::harness::KinesimProcess kinesis(KINESIM_BIN);   // path of the kinesim binary
//   kinesim::harness::KinesisClient client(kinesis.endpoint());
//   kinesim::harness::AdminClient admin(kinesis.endpoint());  // --admin is on
//
// Contract: the constructor returns only once the server accepts connections, or throws
// std::runtime_error saying why (the binary is missing, exited, or printed no endpoint within
// Options::start_timeout). The server's stderr goes to /dev/null unless Options::stderr_path
// names a file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace kinesim::harness {

class KinesimProcess {
 public:
  struct Options {
    // Flags after the defaults; a later flag wins over an earlier one.
    std::vector<std::string> extra_args;
    bool admin = true;  // pass --admin
    std::chrono::milliseconds start_timeout{10000};
    std::string stderr_path;  // "" for /dev/null
  };

  // `binary` is the path of the kinesim executable. Throws std::runtime_error when it cannot
  // start.
  explicit KinesimProcess(std::string binary) : KinesimProcess(std::move(binary), Options{}) {}
  KinesimProcess(std::string binary, Options options);
  // stop()
  ~KinesimProcess();
  KinesimProcess(const KinesimProcess&) = delete;
  KinesimProcess& operator=(const KinesimProcess&) = delete;

  // "http://127.0.0.1:PORT"
  const std::string& endpoint() const { return endpoint_; }
  pid_t pid() const { return pid_; }
  // True while the process has not exited.
  bool running();

  // SIGTERM, then SIGKILL if it has not exited within two seconds; waits for it. Idempotent.
  void stop();

 private:
  pid_t pid_ = -1;
  std::string endpoint_;
};

}  // namespace kinesim::harness
