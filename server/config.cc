#include "server/config.h"

#include <cstdlib>
#include <functional>
#include <sstream>

#include "storage/log.h"

namespace kinesim {
namespace {

struct Setting {
  const char* name;  // flag --name, environment KINESIM_NAME (upper case, '-' as '_')
  std::string help;
  std::function<std::optional<std::string>(Config&, const std::string&)> set;
  // The value of the flag given alone (--name), or nullptr when it needs one.
  const char* bare_value = nullptr;
};

std::optional<long long> to_int(const std::string& v) {
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return n;
}

// A flag for how long one transitional state lasts.
Setting delay_setting(const char* name, const char* state, int64_t StateDelays::*field) {
  return Setting{name, std::string("milliseconds ") + state + " lasts (default 0)",
                 [name, field](Config& c, const std::string& v) -> std::optional<std::string> {
                   auto n = to_int(v);
                   if (!n || *n < 0 || *n > 3600 * 1000) {
                     return std::string("--") + name + " must be 0..3600000 milliseconds, not '" +
                            v + "'";
                   }
                   c.delays.*field = *n;
                   return std::nullopt;
                 }};
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      {"host", "address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "--host needs an address";
         c.host = v;
         return std::nullopt;
       }},
      {"port", "TCP port (default 4566; 0 picks a free one)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         auto n = to_int(v);
         if (!n || *n < 0 || *n > 65535) return "--port must be 0..65535, not '" + v + "'";
         c.port = static_cast<uint16_t>(*n);
         return std::nullopt;
       }},
      {"db", "SQLite database file (default ./data/kinesim.db; :memory: keeps nothing)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "--db needs a path";
         c.db = v;
         return std::nullopt;
       }},
      {"sync", "durability: normal (survives a crash) or full (also power loss)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v != "normal" && v != "full") return "--sync must be normal or full, not '" + v + "'";
         c.sync = v;
         return std::nullopt;
       }},
      {"shard-limit", "open shards allowed per account and region (default 500)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         auto n = to_int(v);
         if (!n || *n < 1) return "--shard-limit must be a positive number, not '" + v + "'";
         c.shard_limit = *n;
         return std::nullopt;
       }},
      {"on-demand-stream-limit", "ON_DEMAND streams allowed per account and region (default 50)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         auto n = to_int(v);
         if (!n || *n < 1) {
           return "--on-demand-stream-limit must be a positive number, not '" + v + "'";
         }
         c.on_demand_stream_limit = *n;
         return std::nullopt;
       }},
      {"threads", "HTTP worker threads (default: one per core, at least 2)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         auto n = to_int(v);
         if (!n || *n < 0 || *n > 256) return "--threads must be 0..256, not '" + v + "'";
         c.threads = static_cast<int>(*n);
         return std::nullopt;
       }},
      {"throughput-limits",
       "on: shards take 1,000 records and 1 MiB per second and serve 5 reads and 2 MiB per "
       "second, as in Kinesis (default off)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v != "on" && v != "off") {
           return "--throughput-limits must be on or off, not '" + v + "'";
         }
         c.throughput_limits = v == "on";
         return std::nullopt;
       }},
      {"admin",
       "on: serve test controls under /_kinesim/ (reset, clock, faults; see README). Reset "
       "erases every stream: never turn it on where data matters. --admin alone means on "
       "(default off)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v != "on" && v != "off") return "--admin must be on or off, not '" + v + "'";
         c.admin = v == "on";
         return std::nullopt;
       },
       "on"},
      {"log-level",
       "error, warn, info (default) or debug: debug logs one line per request; server errors "
       "are logged at every level",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (!log::parse_level(v)) {
           return "--log-level must be error, warn, info or debug, not '" + v + "'";
         }
         c.log_level = v;
         return std::nullopt;
       }},
      {"log-format", "text (default) or json: one JSON object per line",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (!log::parse_format(v)) return "--log-format must be text or json, not '" + v + "'";
         c.log_format = v;
         return std::nullopt;
       }},
      {"tls-cert",
       "PEM certificate (chain) for TLS on the same port (default: a self-signed one for "
       "localhost, made at start-up and kept beside the database)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "--tls-cert needs a path";
         c.tls_cert = v;
         return std::nullopt;
       }},
      {"tls-key", "PEM private key for --tls-cert",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "--tls-key needs a path";
         c.tls_key = v;
         return std::nullopt;
       }},
      {"account",
       "account of requests whose access key is not a 12-digit account id (default "
       "000000000000)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos) {
           return "--account must be 12 digits, not '" + v + "'";
         }
         c.account = v;
         return std::nullopt;
       }},
      {"auth",
       "presence: requests must be signed, as Kinesis insists (default); verify: signatures "
       "are checked against --credentials; off: no checks",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v != "off" && v != "presence" && v != "verify") {
           return "--auth must be off, presence or verify, not '" + v + "'";
         }
         c.auth = v;
         return std::nullopt;
       }},
      {"credentials",
       "file of access keys, one 'ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID' a line; a listed "
       "key acts in its account (required by --auth verify)",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "--credentials needs a file";
         c.credentials = v;
         return std::nullopt;
       }},
      {"delays",
       "none: streams and consumers change state at once (default); aws-like: CREATING, "
       "UPDATING and DELETING last 500 ms each",
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         int64_t ms = 0;
         if (v == "aws-like") {
           ms = 500;
         } else if (v != "none") {
           return "--delays must be none or aws-like, not '" + v + "'";
         }
         c.delays = StateDelays{ms, ms, ms, ms};
         return std::nullopt;
       }},
      delay_setting("create-delay-ms", "CREATING", &StateDelays::creating_ms),
      delay_setting("update-delay-ms", "UPDATING", &StateDelays::updating_ms),
      delay_setting("delete-delay-ms", "DELETING", &StateDelays::deleting_ms),
      delay_setting("consumer-delay-ms", "a consumer's CREATING and DELETING",
                    &StateDelays::consumer_ms),
  };
  return all;
}

std::string env_name(const char* name) {
  std::string s = "KINESIM_";
  for (const char* p = name; *p; ++p) s += *p == '-' ? '_' : static_cast<char>(std::toupper(*p));
  return s;
}

}  // namespace

std::optional<std::string> Config::parse(const std::vector<std::string>& args, bool* help) {
  *help = false;
  for (const auto& s : settings()) {
    if (const char* v = std::getenv(env_name(s.name).c_str())) {
      if (auto err = s.set(*this, v)) return env_name(s.name) + ": " + *err;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return std::nullopt;
    }
    if (arg.rfind("--", 0) != 0) return "unexpected argument '" + arg + "'";
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Setting* found = nullptr;
    for (const auto& s : settings()) {
      if (name == s.name) found = &s;
    }
    if (!found) return "unknown flag --" + name + " (see --help)";
    const bool next_is_flag = i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0;
    if (!has_value && found->bare_value && next_is_flag) {
      value = found->bare_value;
    } else if (!has_value) {
      if (i + 1 >= args.size()) return "--" + name + " needs a value";
      value = args[++i];
    }
    if (auto err = found->set(*this, value)) return *err;
  }
  if (auth == "verify" && credentials.empty()) {
    return "--auth verify needs --credentials FILE (access keys to check signatures against)";
  }
  return std::nullopt;
}

std::string Config::usage() {
  std::ostringstream o;
  o << "usage: kinesim [flags]\n\n"
       "A local Amazon Kinesis Data Streams endpoint.\n\nflags (each also as an environment "
       "variable, e.g. --port as KINESIM_PORT):\n";
  for (const auto& s : settings()) {
    // Long flags put their help on the next line, aligned with the others.
    std::string flag = std::string("  --") + s.name + " VALUE";
    flag = flag.size() < 26 ? flag + std::string(26 - flag.size(), ' ')
                            : flag + "\n" + std::string(26, ' ');
    o << flag << s.help << "\n";
  }
  o << "  --help                  print this text\n";
  return o.str();
}

std::string Config::describe() const {
  std::ostringstream o;
  o << "host=" << host << " port=" << port << " db=" << db << " sync=" << sync
    << " shard-limit=" << shard_limit << " threads=" << threads
    << " throughput-limits=" << (throughput_limits ? "on" : "off")
    << " admin=" << (admin ? "on" : "off") << " account=" << account
    << " delays(create/update/delete/consumer ms)=" << delays.creating_ms << "/"
    << delays.updating_ms << "/" << delays.deleting_ms << "/" << delays.consumer_ms;
  o << " on-demand-stream-limit=" << on_demand_stream_limit << " auth=" << auth
    << " log-level=" << log_level << " log-format=" << log_format;
  if (!credentials.empty()) o << " credentials=" << credentials;
  return o.str();
}

}  // namespace kinesim
