// The settings table, read through CLI11: it parses the command line, writes --help and reads the
// config file; which source wins, and each value's check, are kinesim's own (config.h).
#include "server/config.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>

namespace kinesim {
namespace {

// Checks a value and stores it; the complaint ("must be 0..65535, not 'x'") is prefixed with
// where the value came from.
using Apply = std::function<std::optional<std::string>(Config&, const std::string&)>;
// The effective value, for describe().
using Show = std::function<std::string(const Config&)>;

struct Setting {
  const char* name;  // flag --name, file key `name`, environment KINESIM_NAME
  const char* value_name;
  std::string help;
  Apply apply;
  Show show;                   // empty when other settings show the value
  const char* bare = nullptr;  // the value of the flag given alone, when it may be
};

constexpr int64_t kNoMaximum = std::numeric_limits<int64_t>::max();

std::optional<long long> to_int(const std::string& v) {
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return n;
}

// A whole number in lo..hi, kept in `field` (a member of Config or of its delays).
template <class Field>
Setting number(const char* name, std::string help, int64_t lo, int64_t hi, Field field,
               const char* unit = "") {
  auto apply = [=](Config& c, const std::string& v) -> std::optional<std::string> {
    auto n = to_int(v);
    if (!n || *n < lo || *n > hi) {
      return "must be " +
             (hi == kNoMaximum ? "a positive number"
                               : std::to_string(lo) + ".." + std::to_string(hi) + unit) +
             ", not '" + v + "'";
    }
    auto& out = std::invoke(field, c);
    out = static_cast<std::remove_reference_t<decltype(out)>>(*n);
    return std::nullopt;
  };
  return {name, "N", std::move(help), apply,
          [=](const Config& c) { return std::to_string(std::invoke(field, c)); }};
}

// A non-empty text, such as a path.
Setting text(const char* name, const char* value_name, std::string help,
             std::string Config::*field) {
  auto apply = [=](Config& c, const std::string& v) -> std::optional<std::string> {
    if (v.empty())
      return std::string("needs ") + (value_name[0] == 'A' ? "an " : "a ") +
             CLI::detail::to_lower(value_name);
    c.*field = v;
    return std::nullopt;
  };
  return {name, value_name, std::move(help), apply,
          [=](const Config& c) { return (c.*field).empty() ? std::string("none") : c.*field; }};
}

// One of a few words.
Setting choice(const char* name, std::vector<std::string> words, std::string help,
               std::string Config::*field) {
  std::string listed;
  for (size_t i = 0; i < words.size(); ++i) {
    listed += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  }
  auto apply = [=](Config& c, const std::string& v) -> std::optional<std::string> {
    if (std::find(words.begin(), words.end(), v) == words.end()) {
      return "must be " + listed + ", not '" + v + "'";
    }
    c.*field = v;
    return std::nullopt;
  };
  return {name, "WORD", std::move(help), apply, [=](const Config& c) { return c.*field; }};
}

// on or off.
Setting on_off(const char* name, std::string help, bool Config::*field) {
  auto apply = [=](Config& c, const std::string& v) -> std::optional<std::string> {
    if (v != "on" && v != "off") return "must be on or off, not '" + v + "'";
    c.*field = v == "on";
    return std::nullopt;
  };
  return {name, "on|off", std::move(help), apply,
          [=](const Config& c) { return std::string(c.*field ? "on" : "off"); }};
}

Setting delay(const char* name, const char* state, int64_t StateDelays::*ms) {
  return number(
      name, std::string("milliseconds ") + state + " lasts (default 0)", 0,
      3600 * 1000, [ms](auto& c) -> auto& { return c.delays.*ms; }, " milliseconds");
}

std::optional<std::string> apply_account(Config& c, const std::string& v) {
  if (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos) {
    return "must be 12 digits, not '" + v + "'";
  }
  c.account = v;
  return std::nullopt;
}

std::optional<std::string> apply_delays(Config& c, const std::string& v) {
  if (v != "none" && v != "aws-like") return "must be none or aws-like, not '" + v + "'";
  const int64_t ms = v == "aws-like" ? 500 : 0;
  c.delays = StateDelays{ms, ms, ms, ms};
  return std::nullopt;
}

// After shard-limit in the table, so entries are checked against the effective limit.
std::optional<std::string> apply_init_streams(Config& c, const std::string& v) {
  auto streams = parse_init_streams(v, c.shard_limit);
  if (!streams.ok()) return streams.status().message;
  c.init_streams = std::move(streams.value());
  return std::nullopt;
}

// Every setting, in the order of --help and describe().
const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      text("config", "FILE", "file of settings, `name = value` a line (see below)",
           &Config::config_file),
      text("host", "ADDRESS", "address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
           &Config::host),
      number("port", "TCP port (default 4566; 0 picks a free one)", 0, 65535, &Config::port),
      text("db", "PATH", "SQLite database file (default ./data/kinesim.db; :memory: keeps nothing)",
           &Config::db),
      choice("sync", {"normal", "full"},
             "durability: normal (survives a crash, the default) or full (also power loss)",
             &Config::sync),
      number("shard-limit", "open shards allowed per account and region (default 500)", 1,
             kNoMaximum, &Config::shard_limit),
      number("on-demand-stream-limit",
             "ON_DEMAND streams allowed per account and region (default 50)", 1, kNoMaximum,
             &Config::on_demand_stream_limit),
      number("threads", "HTTP worker threads (default 0: one per core, at least 2)", 0, 256,
             &Config::threads),
      number("idle-timeout-ms",
             "milliseconds a connection may sit idle before it is closed (default 300000)", 1,
             24 * 3600 * 1000, &Config::idle_timeout_ms),
      number("header-timeout-ms",
             "milliseconds a request head (an HTTP/2 header block) may take to arrive (default "
             "10000; 0: no limit)",
             0, 3600 * 1000, &Config::header_timeout_ms),
      number("busy-timeout-ms",
             "milliseconds a write waits for another process's lock on the database before it "
             "fails (default 5000)",
             0, 3600 * 1000, &Config::busy_timeout_ms),
      on_off("throughput-limits",
             "on: shards take 1,000 records and 1 MiB per second and serve 5 reads and 2 MiB per "
             "second, as in Kinesis (default off)",
             &Config::throughput_limits),
      [] {
        Setting s = on_off("admin",
                           "on: serve test controls under /_kinesim/ (reset, clock, faults; see "
                           "README). Reset erases every stream: never turn it on where data "
                           "matters. --admin alone means on (default off)",
                           &Config::admin);
        s.bare = "on";
        return s;
      }(),
      choice("log-level", {"error", "warn", "info", "debug"},
             "error, warn, info (default) or debug: debug logs one line per request; server "
             "errors are logged at every level",
             &Config::log_level),
      choice("log-format", {"text", "json"}, "text (default) or json: one JSON object per line",
             &Config::log_format),
      text("tls-cert", "FILE",
           "PEM certificate (chain) for TLS on the same port (default: a self-signed one for "
           "localhost, made at start-up and kept beside the database)",
           &Config::tls_cert),
      text("tls-key", "FILE", "PEM private key for --tls-cert", &Config::tls_key),
      {"account", "DIGITS",
       "account of requests whose access key is not a 12-digit account id (default "
       "000000000000)",
       apply_account, [](const Config& c) { return c.account; }},
      choice("auth", {"off", "presence", "verify"},
             "presence: requests must be signed, as Kinesis insists (default); verify: signatures "
             "are checked against --credentials; off: no checks",
             &Config::auth),
      text("credentials", "FILE",
           "file of access keys, one 'ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID' a line; a "
           "listed key acts in its account (required by --auth verify)",
           &Config::credentials),
      {"delays", "WORD",
       "none: streams and consumers change state at once (default); aws-like: CREATING, "
       "UPDATING and DELETING last 500 ms each (the four flags below override it)",
       apply_delays, nullptr},
      delay("create-delay-ms", "CREATING", &StateDelays::creating_ms),
      delay("update-delay-ms", "UPDATING", &StateDelays::updating_ms),
      delay("delete-delay-ms", "DELETING", &StateDelays::deleting_ms),
      delay("consumer-delay-ms", "a consumer's CREATING and DELETING", &StateDelays::consumer_ms),
      {"init-streams", "LIST",
       "streams to make at start-up if missing, comma-separated "
       "NAME[:SHARDS|:ON_DEMAND][@REGION][/CONSUMER]... entries, e.g. "
       "orders:4,events:ON_DEMAND,payments:2@us-west-2,audit/analytics/billing (default: 1 "
       "PROVISIONED shard in us-east-1; ON_DEMAND starts with 4). A stream that exists is left "
       "as it is; missing consumers are registered. All are ACTIVE before kinesim serves",
       apply_init_streams,
       [](const Config& c) {
         return c.init_streams.empty() ? std::string("none") : format_init_streams(c.init_streams);
       }},
  };
  return all;
}

const Setting* find_setting(const std::string& name) {
  for (const Setting& s : settings()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::string env_name(const char* name) {
  std::string s = "KINESIM_";
  for (const char* p = name; *p; ++p) s += *p == '-' ? '_' : static_cast<char>(std::toupper(*p));
  return s;
}

// The environment variable of a setting; unset and empty are the same.
std::optional<std::string> from_env(const Setting& s) {
  const char* v = std::getenv(env_name(s.name).c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// CLI::App can be neither copied nor moved.
std::unique_ptr<CLI::App> make_app() {
  auto made =
      std::make_unique<CLI::App>("A local Amazon Kinesis Data Streams endpoint.", "kinesim");
  CLI::App& app = *made;
  app.set_help_flag("-h,--help", "print this text");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.get_formatter()->column_width(34);
  for (const Setting& s : settings()) {
    CLI::Option* o =
        app.add_option(std::string("--") + s.name)->description(s.help)->type_name(s.value_name);
    if (s.bare) o->expected(0, 1)->default_str(s.bare)->option_text("[on|off]");
  }
  app.footer(
      "Every flag can also be set in the environment, as KINESIM_ and its name in upper case "
      "with '-' as '_' (--shard-limit as KINESIM_SHARD_LIMIT), or in the --config file "
      "(KINESIM_CONFIG), as `shard-limit = 100`: one key (a flag's name) and value a line, '#' "
      "comments; init-streams may be a TOML array of entries. A flag wins over the environment, "
      "the environment over the file, the file over the default.\n\n"
      "kinesim --health-check asks the kinesim on 127.0.0.1, port KINESIM_PORT (default 4566), "
      "for GET /health and exits 0 when it is healthy, 1 when not (for container health "
      "checks).");
  return made;
}

// CLI11's complaint about the command line, in kinesim's words where they differ.
std::string command_line_error(const CLI::App& app, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    const std::vector<std::string> rest = app.remaining();
    if (!rest.empty() && rest.front().rfind("-", 0) == 0) {
      return "unknown flag " + rest.front().substr(0, rest.front().find('=')) + " (see --help)";
    }
    if (!rest.empty()) return "unexpected argument '" + rest.front() + "'";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
    const std::string what = e.what();
    return what.substr(0, what.find(':')) + " needs a value";
  }
  return e.what();
}

// The values of a config file by key. Keys must be settings; a list (a TOML array, or commas)
// is joined with commas, and only init-streams takes one.
std::optional<std::string> read_config_file(const std::string& path,
                                            std::map<std::string, std::string>& values) {
  std::error_code ec;
  // A directory would open, and read as an empty file.
  if (std::filesystem::is_directory(path, ec)) {
    return "cannot read config file " + path + ": " + std::strerror(EISDIR);
  }
  std::ifstream in(path);
  if (!in) return "cannot read config file " + path + ": " + std::strerror(errno);
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::Error& e) {
    return path + ": " + e.what();
  }
  for (const CLI::ConfigItem& item : items) {
    if (!item.parents.empty()) {
      return path + ": sections are not supported ([" + item.parents.front() + "])";
    }
    if (!find_setting(item.name) || item.name == "config") {
      return path + ": unknown key '" + item.name + "' (keys are the flags' names; see --help)";
    }
    if (item.inputs.size() != 1 && item.name != "init-streams") {
      return path + ": " + item.name + " takes one value, not a list";
    }
    std::string joined;
    for (const std::string& v : item.inputs) {
      if (!v.empty()) joined += (joined.empty() ? "" : ",") + v;
    }
    values[item.name] = joined;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Config::parse(const std::vector<std::string>& args, bool* help) {
  *help = false;
  auto made = make_app();
  CLI::App& app = *made;
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 reads from the back
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    *help = true;
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    return command_line_error(app, e);
  }
  auto from_flag = [&](const Setting& s) -> std::optional<std::string> {
    const CLI::Option* o = app.get_option(std::string("--") + s.name);
    if (o->count() == 0) return std::nullopt;
    return o->as<std::string>();
  };
  std::map<std::string, std::string> file;
  for (const Setting& s : settings()) {
    const std::string flag = std::string("--") + s.name;
    std::optional<std::string> value = from_flag(s);
    std::string origin = flag + " ";
    if (!value && (value = from_env(s))) origin = env_name(s.name) + ": " + origin;
    if (auto it = file.find(s.name); !value && it != file.end()) {
      value = it->second;
      origin = config_file + ": " + s.name + " ";
    }
    if (!value) continue;
    if (auto err = s.apply(*this, *value)) return origin + *err;
    // The file is read as soon as it is known: it comes first in the table.
    if (s.name == std::string_view("config")) {
      if (auto err = read_config_file(config_file, file)) return err;
    }
  }
  if (auth == "verify" && credentials.empty()) {
    return "--auth verify needs --credentials FILE (access keys to check signatures against)";
  }
  return std::nullopt;
}

std::string Config::usage() { return make_app()->help(); }

std::string Config::describe() const {
  std::string out;
  for (const Setting& s : settings()) {
    if (!s.show) continue;
    out += (out.empty() ? "" : " ") + std::string(s.name) + "=" + s.show(*this);
  }
  return out;
}

}  // namespace kinesim
