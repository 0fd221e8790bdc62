// kinesim's configuration: one struct. Each setting comes from, in order of precedence:
//   1. its command-line flag (--shard-limit 100),
//   2. its environment variable (KINESIM_SHARD_LIMIT=100: KINESIM_ and the flag name in upper
//      case, '-' as '_'),
//   3. the config file that --config or KINESIM_CONFIG names (shard-limit = 100: keys are the
//      flag names, one `key = value` a line, '#' comments; a list, as for init-streams, may be
//      a TOML array),
//   4. its default, below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/init_streams.h"
#include "storage/options.h"

namespace kinesim {

struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;                  // 0 picks a free port
  std::string db = "./data/kinesim.db";  // ":memory:" keeps nothing
  // How durable an acknowledged write is. The database is in WAL mode either way, and either way
  // a crash never corrupts it or leaves part of a request written.
  // - normal (SQLite synchronous=NORMAL): a commit is written to the WAL file but not flushed to
  //   the disk; the WAL is flushed before each background checkpoint (every 250 ms). Every
  //   acknowledged write survives the kinesim process dying (kill -9, a crash, an OOM kill),
  //   since the operating system already holds the written pages. An operating system crash or
  //   power loss can undo the acknowledged writes committed since the last checkpoint (about the
  //   last quarter second's), always whole transactions, newest first; the database stays
  //   consistent.
  // - full (SQLite synchronous=FULL): the WAL is flushed (fsync) before a commit is
  //   acknowledged, so an acknowledged write also survives an operating system crash or power
  //   loss, provided the disk honours flushes. Each commit pays one fsync (group commit shares it
  //   among the requests committed together).
  std::string sync = "normal";
  int64_t shard_limit = 500;            // open shards per account and region
  int64_t on_demand_stream_limit = 50;  // ON_DEMAND streams per account and region
  int threads = 0;                      // HTTP threads; 0: one per core, at least 2
  bool throughput_limits = false;       // hold shards to Kinesis' per-shard rates
  // Serve the admin surface under /_kinesim/ (server/admin.h): reset, clock and faults. It can
  // erase every stream, so it is off unless asked for.
  bool admin = false;
  // The account of requests whose access key is not a 12-digit account id.
  std::string account = "000000000000";
  // Logging (storage/log.h): error, warn, info or debug; text or json.
  std::string log_level = "info";
  std::string log_format = "text";
  // PEM certificate and key for TLS; without them a self-signed pair is made at start-up.
  std::string tls_cert;
  std::string tls_key;
  // Signature checks: off, presence (a request must be signed) or verify (against `credentials`).
  std::string auth = "presence";
  // The credentials file: access key ids, secrets and accounts (format in api/auth.h). Required
  // by auth verify; in every mode a key listed there acts in its account.
  std::string credentials;
  // How long streams and consumers stay CREATING, UPDATING and DELETING (0: no time at all).
  StateDelays delays;
  // Streams and consumers made at start-up, before the server serves (server/init_streams.h).
  std::vector<InitStream> init_streams;
  // The config file read, or "" for none.
  std::string config_file;
  // How often records past retention are trimmed in the background (no flag: tests that run the
  // pass themselves on a fake clock set it high).
  int maintenance_interval_ms = 1000;

  // Connection limits (server/wire.h).
  // A connection with no traffic and no request in progress for this long is closed (AWS SDKs
  // reopen one when needed).
  int64_t idle_timeout_ms = 300000;
  // An HTTP/1.1 request head (request line and headers) must arrive within this of its first
  // byte, else the connection is closed; a slow client sending a byte a second cannot hold a
  // connection. The bound is enforced within twice this. 10 s is far beyond what a real client
  // needs (a head is one packet) and short enough that thousands of trickling connections
  // cannot pile up. 0: no limit beyond the idle timeout.
  int64_t header_timeout_ms = 10000;
  // How long a write waits for another process's lock on the database file before it fails
  // with InternalFailure (SQLite's busy timeout); also how long start-up waits for that lock
  // before giving up.
  int64_t busy_timeout_ms = 5000;

  // Fills the config from `args` (argv without the program name), the environment and the
  // config file. Returns an error message naming the flag, variable or file and key at fault,
  // or nothing. `help` is set when --help was given.
  std::optional<std::string> parse(const std::vector<std::string>& args, bool* help);

  static std::string usage();
  // One line with every setting's effective value (name=value), for the start-up log.
  std::string describe() const;
};

}  // namespace kinesim
