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
  std::string sync = "normal";           // normal: survives a crash; full: also power loss
  int64_t shard_limit = 500;             // open shards per account and region
  int64_t on_demand_stream_limit = 50;   // ON_DEMAND streams per account and region
  int threads = 0;                       // HTTP threads; 0: one per core, at least 2
  bool throughput_limits = false;        // hold shards to Kinesis' per-shard rates
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

  // Fills the config from `args` (argv without the program name), the environment and the
  // config file. Returns an error message naming the flag, variable or file and key at fault,
  // or nothing. `help` is set when --help was given.
  std::optional<std::string> parse(const std::vector<std::string>& args, bool* help);

  static std::string usage();
  // One line with every setting's effective value (name=value), for the start-up log.
  std::string describe() const;
};

}  // namespace kinesim
