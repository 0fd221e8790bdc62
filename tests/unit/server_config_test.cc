// Start-up configuration: where each setting comes from (flag, environment, config file,
// default), the errors that stop kinesim before it serves, the --init-streams grammar, and the
// streams it makes before the server answers its first call.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "server/config.h"
#include "server/init_streams.h"
#include "server/server.h"
#include "server_test_fixture.h"
#include "storage/store.h"

namespace kinesim::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A directory of its own for each test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = fs::temp_directory_path() /
            ("kinesim-config-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name, const std::string& text) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Sets environment variables for one test and puts back what was there before; every KINESIM_*
// variable of the process is out of the way meanwhile.
class Environment {
 public:
  Environment() {
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      if (entry.rfind("KINESIM_", 0) == 0) {
        const auto eq = entry.find('=');
        saved_[entry.substr(0, eq)] = entry.substr(eq + 1);
      }
    }
    for (const auto& [name, value] : saved_) ::unsetenv(name.c_str());
  }
  ~Environment() {
    for (const std::string& name : set_) ::unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    set_.insert(name);
  }

 private:
  std::map<std::string, std::string> saved_;
  std::set<std::string> set_;
};

class ConfigTest : public ::testing::Test {
 protected:
  // Parses `args`; an error fails the test.
  Config parsed(const std::vector<std::string>& args) {
    Config c;
    bool help = true;
    const auto error = c.parse(args, &help);
    EXPECT_FALSE(error) << *error;
    EXPECT_FALSE(help);
    return c;
  }
  // The error parsing `args` must give.
  std::string error_of(const std::vector<std::string>& args) {
    Config c;
    bool help = false;
    const auto error = c.parse(args, &help);
    EXPECT_TRUE(error) << "no error for the arguments";
    return error.value_or("");
  }

  Environment env_;
  TempDir dir_;
};

// ---------------------------------------------------------------------------------------------
// Where a setting comes from

TEST_F(ConfigTest, FlagWinsOverEnvironmentOverFileOverDefault) {
  const std::string file = dir_.file("k.toml",
                                     "# kinesim settings\n"
                                     "shard-limit = 100\n"
                                     "threads = 3\n"
                                     "sync = \"full\"\n"
                                     "account = 111122223333  # inline comment\n");
  EXPECT_EQ(parsed({}).shard_limit, 500);  // the default
  EXPECT_EQ(parsed({}).config_file, "");

  Config from_file = parsed({"--config", file});
  EXPECT_EQ(from_file.config_file, file);
  EXPECT_EQ(from_file.shard_limit, 100);
  EXPECT_EQ(from_file.threads, 3);
  EXPECT_EQ(from_file.sync, "full");
  EXPECT_EQ(from_file.account, "111122223333");
  EXPECT_EQ(from_file.port, 4566);  // not in the file: the default

  env_.set("KINESIM_SHARD_LIMIT", "200");
  Config from_env = parsed({"--config", file});
  EXPECT_EQ(from_env.shard_limit, 200);
  EXPECT_EQ(from_env.threads, 3);

  Config from_flag = parsed({"--config", file, "--shard-limit", "300"});
  EXPECT_EQ(from_flag.shard_limit, 300);
  EXPECT_EQ(from_flag.threads, 3);
  EXPECT_EQ(from_flag.account, "111122223333");
}

TEST_F(ConfigTest, TheConfigFileCanBeNamedInTheEnvironment) {
  const std::string file = dir_.file("k.toml", "port = 0\nhost = \"0.0.0.0\"\n");
  env_.set("KINESIM_CONFIG", file);
  Config c = parsed({});
  EXPECT_EQ(c.config_file, file);
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.host, "0.0.0.0");
  // The flag names another file, which wins.
  const std::string other = dir_.file("other.toml", "port = 7\n");
  EXPECT_EQ(parsed({"--config=" + other}).port, 7);
}

TEST_F(ConfigTest, EveryFlagHasItsEnvironmentVariableAndFileKey) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"host", "0.0.0.0"},      {"port", "0"},
      {"db", ":memory:"},       {"sync", "full"},
      {"shard-limit", "9"},     {"on-demand-stream-limit", "2"},
      {"threads", "3"},         {"throughput-limits", "on"},
      {"admin", "on"},          {"tls-cert", "/c.pem"},
      {"tls-key", "/k.pem"},    {"account", "123412341234"},
      {"auth", "off"},          {"credentials", "/creds"},
      {"create-delay-ms", "1"}, {"update-delay-ms", "2"},
      {"delete-delay-ms", "3"}, {"consumer-delay-ms", "4"},
      {"init-streams", "a:2"},
  };
  auto check = [](const Config& c) {
    EXPECT_EQ(c.host, "0.0.0.0");
    EXPECT_EQ(c.port, 0);
    EXPECT_EQ(c.db, ":memory:");
    EXPECT_EQ(c.sync, "full");
    EXPECT_EQ(c.shard_limit, 9);
    EXPECT_EQ(c.on_demand_stream_limit, 2);
    EXPECT_EQ(c.threads, 3);
    EXPECT_TRUE(c.throughput_limits);
    EXPECT_TRUE(c.admin);
    EXPECT_EQ(c.tls_cert, "/c.pem");
    EXPECT_EQ(c.tls_key, "/k.pem");
    EXPECT_EQ(c.account, "123412341234");
    EXPECT_EQ(c.auth, "off");
    EXPECT_EQ(c.credentials, "/creds");
    EXPECT_EQ(c.delays.creating_ms, 1);
    EXPECT_EQ(c.delays.updating_ms, 2);
    EXPECT_EQ(c.delays.deleting_ms, 3);
    EXPECT_EQ(c.delays.consumer_ms, 4);
    ASSERT_EQ(c.init_streams.size(), 1u);
    EXPECT_EQ(c.init_streams[0].shard_count, 2);
  };
  std::vector<std::string> args;
  std::string file_text;
  for (const auto& [name, value] : values) {
    args.insert(args.end(), {"--" + name, value});
    file_text += name + " = \"" + value + "\"\n";
  }
  SCOPED_TRACE("flags");
  check(parsed(args));
  {
    SCOPED_TRACE("file");
    check(parsed({"--config", dir_.file("all.toml", file_text)}));
  }
  SCOPED_TRACE("environment");
  Environment env;
  for (const auto& [name, value] : values) {
    std::string var = "KINESIM_" + name;
    for (char& ch : var) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(ch));
    env.set(var, value);
  }
  check(parsed({}));
}

TEST_F(ConfigTest, FlagForms) {
  EXPECT_EQ(parsed({"--port=0"}).port, 0);
  EXPECT_EQ(parsed({"--port", "1", "--port", "2"}).port, 2);  // the last one counts
  EXPECT_TRUE(parsed({"--admin"}).admin);
  EXPECT_TRUE(parsed({"--admin", "--port", "0"}).admin);
  EXPECT_FALSE(parsed({"--admin", "off"}).admin);
  EXPECT_FALSE(parsed({"--admin=off"}).admin);
  EXPECT_TRUE(parsed({"--admin", "on"}).admin);
  // --delays sets all four; a single delay's own setting overrides it, wherever it comes from.
  env_.set("KINESIM_CREATE_DELAY_MS", "7");
  const Config c = parsed({"--delays", "aws-like"});
  EXPECT_EQ(c.delays.creating_ms, 7);
  EXPECT_EQ(c.delays.updating_ms, 500);
  EXPECT_EQ(c.delays.consumer_ms, 500);
}

TEST_F(ConfigTest, Help) {
  Config c;
  bool help = false;
  EXPECT_FALSE(c.parse({"--port", "1", "--help"}, &help));
  EXPECT_TRUE(help);
  help = false;
  EXPECT_FALSE(c.parse({"-h"}, &help));
  EXPECT_TRUE(help);
  const std::string usage = Config::usage();
  for (const char* flag : {"--config FILE",
                           "--host ADDRESS",
                           "--port N",
                           "--db PATH",
                           "--sync WORD",
                           "--shard-limit N",
                           "--on-demand-stream-limit N",
                           "--threads N",
                           "--throughput-limits",
                           "--admin [on|off]",
                           "--tls-cert FILE",
                           "--tls-key FILE",
                           "--account DIGITS",
                           "--auth WORD",
                           "--credentials FILE",
                           "--delays WORD",
                           "--create-delay-ms N",
                           "--update-delay-ms N",
                           "--delete-delay-ms N",
                           "--consumer-delay-ms N",
                           "--init-streams LIST",
                           "-h,--help"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
  EXPECT_THAT(usage, HasSubstr("NAME[:SHARDS|:ON_DEMAND][@REGION][/CONSUMER]..."));
  EXPECT_THAT(usage, HasSubstr("KINESIM_SHARD_LIMIT"));
  EXPECT_THAT(usage, HasSubstr("A flag wins over the environment, the environment over the "
                               "file, the file over the default."));
}

TEST_F(ConfigTest, DescribeNamesEverySettingsEffectiveValue) {
  const std::string file = dir_.file("k.toml", "init-streams = [\"a:2/x\", \"b:ON_DEMAND\"]\n");
  Config c = parsed({"--config", file, "--credentials", "/creds", "--delays", "aws-like"});
  EXPECT_EQ(
      c.describe(),
      "config=" + file +
          " host=127.0.0.1 port=4566 db=./data/kinesim.db sync=normal shard-limit=500 "
          "on-demand-stream-limit=50 threads=0 idle-timeout-ms=300000 header-timeout-ms=10000 "
          "busy-timeout-ms=5000 throughput-limits=off admin=off "
          "log-level=info log-format=text tls-cert=none tls-key=none account=000000000000 "
          "auth=presence "
          "credentials=/creds create-delay-ms=500 update-delay-ms=500 "
          "delete-delay-ms=500 consumer-delay-ms=500 "
          "init-streams=a:2@us-east-1/x,b:ON_DEMAND@us-east-1");
  EXPECT_THAT(Config().describe(), HasSubstr("config=none "));
  EXPECT_THAT(Config().describe(), HasSubstr(" init-streams=none"));
}

// ---------------------------------------------------------------------------------------------
// What stops kinesim

TEST_F(ConfigTest, CommandLineErrors) {
  EXPECT_EQ(error_of({"--port", "x"}), "--port must be 0..65535, not 'x'");
  EXPECT_EQ(error_of({"--port", "70000"}), "--port must be 0..65535, not '70000'");
  EXPECT_EQ(error_of({"--shard-limit", "0"}), "--shard-limit must be a positive number, not '0'");
  EXPECT_EQ(error_of({"--threads", "257"}), "--threads must be 0..256, not '257'");
  EXPECT_EQ(error_of({"--sync", "fast"}), "--sync must be normal or full, not 'fast'");
  EXPECT_EQ(error_of({"--auth", "strict"}), "--auth must be off, presence or verify, not 'strict'");
  EXPECT_EQ(error_of({"--admin", "yes"}), "--admin must be on or off, not 'yes'");
  EXPECT_EQ(error_of({"--account", "12345"}), "--account must be 12 digits, not '12345'");
  EXPECT_EQ(error_of({"--delays", "slow"}), "--delays must be none or aws-like, not 'slow'");
  EXPECT_EQ(error_of({"--create-delay-ms=-1"}),
            "--create-delay-ms must be 0..3600000 milliseconds, not '-1'");
  // An empty value is no value (in the file, it is an empty one).
  EXPECT_EQ(error_of({"--host="}), "--host needs a value");
  EXPECT_EQ(error_of({"--no-such-flag"}), "unknown flag --no-such-flag (see --help)");
  EXPECT_EQ(error_of({"--no-such-flag=1"}), "unknown flag --no-such-flag (see --help)");
  EXPECT_EQ(error_of({"stray"}), "unexpected argument 'stray'");
  EXPECT_EQ(error_of({"--port"}), "--port needs a value");
  EXPECT_EQ(error_of({"--auth", "verify"}),
            "--auth verify needs --credentials FILE (access keys to check signatures against)");
}

TEST_F(ConfigTest, EnvironmentErrorsNameTheVariable) {
  env_.set("KINESIM_PORT", "x");
  EXPECT_EQ(error_of({}), "KINESIM_PORT: --port must be 0..65535, not 'x'");
  // A flag makes the variable irrelevant.
  EXPECT_EQ(parsed({"--port", "5"}).port, 5);
  env_.set("KINESIM_CONFIG", dir_.path("missing.toml"));
  EXPECT_EQ(error_of({"--port", "5"}),
            "cannot read config file " + dir_.path("missing.toml") + ": No such file or directory");
}

TEST_F(ConfigTest, FileErrorsNameTheFileAndKey) {
  auto error_in = [&](const std::string& text) {
    return error_of({"--config", dir_.file("bad.toml", text)});
  };
  const std::string f = dir_.path("bad.toml");
  EXPECT_EQ(error_in("prot = 4566\n"),
            f + ": unknown key 'prot' (keys are the flags' names; see --help)");
  EXPECT_EQ(error_in("config = \"other.toml\"\n"),
            f + ": unknown key 'config' (keys are the flags' names; see --help)");
  EXPECT_EQ(error_in("port = 4566\nport2 = 1\n"),
            f + ": unknown key 'port2' (keys are the flags' names; see --help)");
  EXPECT_EQ(error_in("port = \"x\"\n"), f + ": port must be 0..65535, not 'x'");
  EXPECT_EQ(error_in("admin = true\n"), f + ": admin must be on or off, not 'true'");
  EXPECT_EQ(error_in("host = \"\"\n"), f + ": host needs an address");
  EXPECT_EQ(error_in("db = \"\"\n"), f + ": db needs a path");
  EXPECT_EQ(error_in("credentials = \"\"\n"), f + ": credentials needs a file");
  EXPECT_EQ(error_in("port = [1, 2]\n"), f + ": port takes one value, not a list");
  EXPECT_EQ(error_in("[server]\nport = 1\n"), f + ": sections are not supported ([server])");
  EXPECT_EQ(error_in("init-streams = \"a:0\"\n"),
            f + ": init-streams entry 'a:0': the shard count must be 1..500 (the shard limit) "
                "or ON_DEMAND, not '0'");
  EXPECT_EQ(error_of({"--config", dir_.path("none.toml")}),
            "cannot read config file " + dir_.path("none.toml") + ": No such file or directory");
  EXPECT_EQ(error_of({"--config", dir_.path("")}).rfind("cannot read config file ", 0), 0u);
  // auth verify is checked on the settings' effective values, wherever they came from.
  EXPECT_EQ(error_in("auth = verify\n"),
            "--auth verify needs --credentials FILE (access keys to check signatures against)");
}

// ---------------------------------------------------------------------------------------------
// The --init-streams grammar

InitStream stream(std::string name, int64_t shards, std::string region = "us-east-1",
                  std::vector<std::string> consumers = {}) {
  InitStream s;
  s.name = std::move(name);
  s.shard_count = shards;
  s.region = std::move(region);
  s.consumers = std::move(consumers);
  return s;
}

InitStream on_demand(std::string name, std::string region = "us-east-1") {
  InitStream s = stream(std::move(name), 4, std::move(region));
  s.mode = StreamMode::kOnDemand;
  return s;
}

TEST(InitStreamsGrammar, GoodEntries) {
  auto parsed = parse_init_streams(
      "orders:4,user-events:ON_DEMAND,payments:2@us-west-2,orders-fanout:2/analytics/billing,"
      " plain ,eu@eu-central-1/app,x.y_z-1:ON_DEMAND@ap-southeast-2/c.1/c_2",
      500);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message;
  EXPECT_EQ(parsed.value(), (std::vector<InitStream>{
                                stream("orders", 4),
                                on_demand("user-events"),
                                stream("payments", 2, "us-west-2"),
                                stream("orders-fanout", 2, "us-east-1", {"analytics", "billing"}),
                                stream("plain", 1),
                                stream("eu", 1, "eu-central-1", {"app"}),
                                [] {
                                  InitStream s = on_demand("x.y_z-1", "ap-southeast-2");
                                  s.consumers = {"c.1", "c_2"};
                                  return s;
                                }(),
                            }));
  EXPECT_EQ(format_init_streams(parsed.value()),
            "orders:4@us-east-1,user-events:ON_DEMAND@us-east-1,payments:2@us-west-2,"
            "orders-fanout:2@us-east-1/analytics/billing,plain:1@us-east-1,eu:1@eu-central-1/app,"
            "x.y_z-1:ON_DEMAND@ap-southeast-2/c.1/c_2");
  // The same name in two regions is two streams.
  EXPECT_TRUE(parse_init_streams("a,a@us-west-2", 500).ok());
  EXPECT_TRUE(parse_init_streams("", 500).value().empty());
  EXPECT_TRUE(parse_init_streams(std::string(128, 'n') + ":500", 500).ok());
  std::string twenty = "s";
  for (int i = 0; i < 20; ++i) twenty += "/c" + std::to_string(i);
  EXPECT_TRUE(parse_init_streams(twenty, 500).ok());
}

TEST(InitStreamsGrammar, BadEntriesAreNamed) {
  auto error = [](const std::string& spec, int64_t shard_limit = 500) {
    auto parsed = parse_init_streams(spec, shard_limit);
    EXPECT_FALSE(parsed.ok()) << spec;
    return parsed.ok() ? "" : parsed.status().message;
  };
  const std::string name_rule = "must be 1 to 128 letters, digits, '_', '.' or '-'";
  EXPECT_EQ(error("ok,bad name:1"), "entry 'bad name:1': the stream name 'bad name' " + name_rule);
  EXPECT_EQ(error(":4"), "entry ':4': the stream name '' " + name_rule);
  EXPECT_EQ(error(std::string(129, 'n')), "entry '" + std::string(129, 'n') +
                                              "': the stream name '" + std::string(129, 'n') +
                                              "' " + name_rule);
  EXPECT_EQ(error("s:0"),
            "entry 's:0': the shard count must be 1..500 (the shard limit) or ON_DEMAND, not '0'");
  EXPECT_EQ(error("s:4", 3),
            "entry 's:4': the shard count must be 1..3 (the shard limit) or ON_DEMAND, not '4'");
  EXPECT_EQ(error("s:"),
            "entry 's:': the shard count must be 1..500 (the shard limit) or ON_DEMAND, not ''");
  EXPECT_EQ(error("s:on_demand"),
            "entry 's:on_demand': the shard count must be 1..500 (the "
            "shard limit) or ON_DEMAND, not 'on_demand'");
  EXPECT_EQ(error("s:99999999999999999999"),
            "entry 's:99999999999999999999': the shard count must be 1..500 (the shard limit) "
            "or ON_DEMAND, not '99999999999999999999'");
  EXPECT_EQ(error("s@mars"), "entry 's@mars': 'mars' is not a region name (like us-east-1)");
  EXPECT_EQ(error("s:2@"), "entry 's:2@': '' is not a region name (like us-east-1)");
  EXPECT_EQ(error("s@us-west-2:2"),
            "entry 's@us-west-2:2': 'us-west-2:2' is not a region name (like us-east-1)");
  EXPECT_EQ(error("s/c/bad consumer"),
            "entry 's/c/bad consumer': the consumer name 'bad consumer' " + name_rule);
  EXPECT_EQ(error("s/"), "entry 's/': the consumer name '' " + name_rule);
  EXPECT_EQ(error("s/c/c"), "entry 's/c/c': the consumer c is listed twice");
  EXPECT_EQ(error("s:1,t,s:2"), "entry 's:2': the stream s in us-east-1 is listed twice");
  EXPECT_EQ(error("s,,t"), "has an empty entry");
  EXPECT_EQ(error("s,"), "has an empty entry");
  std::string many = "s";
  for (int i = 0; i < 21; ++i) many += "/c" + std::to_string(i);
  EXPECT_EQ(error(many), "entry '" + many + "': a stream has at most 20 consumers, not 21");
}

TEST_F(ConfigTest, InitStreamErrorsNameTheirSource) {
  EXPECT_EQ(error_of({"--init-streams", "a:1,b@nowhere"}),
            "--init-streams entry 'b@nowhere': 'nowhere' is not a region name (like us-east-1)");
  // Checked against the effective shard limit, wherever the limit is set.
  EXPECT_EQ(error_of({"--init-streams", "a:3", "--shard-limit", "2"}),
            "--init-streams entry 'a:3': the shard count must be 1..2 (the shard limit) or "
            "ON_DEMAND, not '3'");
  EXPECT_EQ(parsed({"--init-streams", "a:3", "--shard-limit", "3"}).init_streams[0].shard_count, 3);
  env_.set("KINESIM_INIT_STREAMS", "a:1,");
  EXPECT_EQ(error_of({}), "KINESIM_INIT_STREAMS: --init-streams has an empty entry");
}

// ---------------------------------------------------------------------------------------------
// The streams made at start-up

class InitStreamsTest : public ServerTest {
 protected:
  InitStreamsTest()
      : ServerTest([](Options& o) {
          o.init_streams =
              "orders:4,user-events:ON_DEMAND,payments:2@us-west-2,"
              "orders-fanout:2/analytics/billing";
        }) {}

  // DescribeStreamSummary in `region`.
  Answer summary(const std::string& name, const std::string& region = "us-east-1") {
    return call_as("AKIDEXAMPLE", region, "DescribeStreamSummary",
                   R"({"StreamName":)" + q(name) + "}");
  }
  std::vector<std::string> consumers(const std::string& name, const std::string& region) {
    Answer a = call_as("AKIDEXAMPLE", region, "ListStreamConsumers",
                       R"({"StreamARN":)" + q(arn(name, region)) + "}");
    EXPECT_EQ(a.status, 200) << a.body;
    std::vector<std::string> names;
    for (const auto& c : a.json["Consumers"].GetArray()) {
      EXPECT_STREQ(c["ConsumerStatus"].GetString(), "ACTIVE");
      names.emplace_back(c["ConsumerName"].GetString());
    }
    return names;
  }
  static std::string arn(const std::string& name, const std::string& region = "us-east-1") {
    return "arn:aws:kinesis:" + region + ":" + kAccount + ":stream/" + name;
  }
  // The stream must be ACTIVE with `shards` open shards in `mode`.
  void expect_stream(const std::string& name, int shards, const char* mode,
                     const std::string& region = "us-east-1") {
    SCOPED_TRACE(name + " in " + region);
    Answer a = summary(name, region);
    ASSERT_EQ(a.status, 200) << a.body;
    const auto& s = a.json["StreamDescriptionSummary"];
    EXPECT_STREQ(s["StreamStatus"].GetString(), "ACTIVE");
    EXPECT_EQ(s["OpenShardCount"].GetInt(), shards);
    EXPECT_STREQ(s["StreamModeDetails"]["StreamMode"].GetString(), mode);
    EXPECT_EQ(s["StreamARN"].GetString(), arn(name, region));
  }
};

TEST_F(InitStreamsTest, StreamsAreActiveWhenTheServerAnswers) {
  expect_stream("orders", 4, "PROVISIONED");
  expect_stream("user-events", 4, "ON_DEMAND");
  expect_stream("payments", 2, "PROVISIONED", "us-west-2");
  expect_stream("orders-fanout", 2, "PROVISIONED");
  EXPECT_EQ(consumers("orders-fanout", "us-east-1"),
            (std::vector<std::string>{"analytics", "billing"}));
  EXPECT_TRUE(consumers("orders", "us-east-1").empty());
  // Only where the entries say: payments is not in us-east-1, the others not in us-west-2.
  EXPECT_EQ(summary("payments").type(), "ResourceNotFoundException");
  EXPECT_EQ(summary("orders", "us-west-2").type(), "ResourceNotFoundException");
  EXPECT_EQ(ok("ListStreams", "{}").json["StreamNames"].Size(), 3u);
}

TEST_F(InitStreamsTest, ARestartLeavesStreamsAsTheyAreAndAddsNewConsumers) {
  TempDir dir;
  Options o;
  o.db = dir.path("kinesim.db");
  o.init_streams = "orders:2/a";
  start(o);
  ok("PutRecord", R"({"StreamName":"orders","PartitionKey":"k","Data":"AAEC"})");
  const std::string before = ok("DescribeStream", R"({"StreamName":"orders"})").body;
  const std::string consumer_before =
      ok("DescribeStreamConsumer",
         R"({"StreamARN":)" + q(arn("orders")) + R"(,"ConsumerName":"a"})")
          .body;

  clock_.advance_ms(60'000);
  o.init_streams = "orders:4/a/b,more:ON_DEMAND";
  start(o);
  EXPECT_EQ(ok("DescribeStream", R"({"StreamName":"orders"})").body, before);
  EXPECT_EQ(ok("DescribeStreamConsumer",
               R"({"StreamARN":)" + q(arn("orders")) + R"(,"ConsumerName":"a"})")
                .body,
            consumer_before);
  EXPECT_EQ(consumers("orders", "us-east-1"), (std::vector<std::string>{"a", "b"}));
  expect_stream("more", 4, "ON_DEMAND");
  // The record is still there.
  Answer it = ok("GetShardIterator", R"({"StreamName":"orders","ShardId":"shardId-000000000000",)"
                                     R"("ShardIteratorType":"TRIM_HORIZON"})");
  Answer records =
      ok("GetRecords", R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}");
  Answer other =
      ok("GetShardIterator", R"({"StreamName":"orders","ShardId":"shardId-000000000001",)"
                             R"("ShardIteratorType":"TRIM_HORIZON"})");
  Answer more =
      ok("GetRecords", R"({"ShardIterator":)" + q(other.json["ShardIterator"].GetString()) + "}");
  EXPECT_EQ(records.json["Records"].Size() + more.json["Records"].Size(), 1u);

  // What differs from the entry is reported, not changed.
  auto notes =
      create_init_streams(server_->server().store(), kAccount,
                          parse_init_streams("orders:4,more:ON_DEMAND,new:1", 500).value());
  ASSERT_TRUE(notes.ok()) << notes.status().message;
  EXPECT_EQ(notes.value(), std::vector<std::string>{
                               "--init-streams: stream orders in us-east-1 exists as PROVISIONED "
                               "with 2 open shards, not PROVISIONED with 4; it is left as it is"});
  notes = create_init_streams(server_->server().store(), kAccount,
                              parse_init_streams("orders:ON_DEMAND,more:3", 500).value());
  ASSERT_TRUE(notes.ok()) << notes.status().message;
  EXPECT_EQ(notes.value(),
            (std::vector<std::string>{
                "--init-streams: stream orders in us-east-1 exists as PROVISIONED with 2 open "
                "shards, not ON_DEMAND; it is left as it is",
                "--init-streams: stream more in us-east-1 exists as ON_DEMAND with 4 open "
                "shards, not PROVISIONED with 3; it is left as it is"}));
  expect_stream("orders", 2, "PROVISIONED");
  expect_stream("new", 1, "PROVISIONED");
  shut_down();
}

TEST(InitStreamsStart, LimitsStopTheStart) {
  harness::TestServer::Options o;
  o.shard_limit = 5;
  o.init_streams = "a:3,b:3";
  try {
    harness::TestServer server(o);
    ADD_FAILURE() << "the server started";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "kinesim test server: --init-streams: stream b in us-east-1: 3 more shards "
                 "would take the account's 3 open shards in us-east-1 over the --shard-limit "
                 "of 5");
  }
  o.shard_limit = 500;
  o.on_demand_stream_limit = 1;
  o.init_streams = "a:ON_DEMAND,b:ON_DEMAND@us-west-2,c:ON_DEMAND";
  try {
    harness::TestServer server(o);
    ADD_FAILURE() << "the server started";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "kinesim test server: --init-streams: stream c in us-east-1: the account "
                 "already has 1 ON_DEMAND streams in us-east-1, the --on-demand-stream-limit");
  }
}

// With delays, the streams and consumers still are ACTIVE before the server serves: start-up
// waits through CREATING (on the system clock), more than five consumers included.
TEST(InitStreamsStart, StartUpWaitsThroughTheDelays) {
  harness::TestServer::Options o;
  o.delays = {200, 0, 0, 100};
  o.init_streams = "slow:2/c1/c2/c3/c4/c5/c6/c7";
  harness::TestServer server(o);
  auto client = server.client();
  Answer a = send(client, "DescribeStreamSummary", R"({"StreamName":"slow"})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_STREQ(a.json["StreamDescriptionSummary"]["StreamStatus"].GetString(), "ACTIVE");
  EXPECT_EQ(a.json["StreamDescriptionSummary"]["ConsumerCount"].GetInt(), 7);
  Answer list = send(client, "ListStreamConsumers",
                     R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/slow"})");
  ASSERT_EQ(list.status, 200) << list.body;
  for (const auto& c : list.json["Consumers"].GetArray()) {
    EXPECT_STREQ(c["ConsumerStatus"].GetString(), "ACTIVE") << c["ConsumerName"].GetString();
  }
}

TEST(InitStreamsStart, TheConfiguredAccountOwnsThem) {
  Config config;
  bool help = false;
  ASSERT_FALSE(config.parse(
      {"--port", "0", "--db", ":memory:", "--account", "123412341234", "--init-streams", "mine:1"},
      &help));
  auto server = Server::start(config);
  ASSERT_TRUE(server.ok()) << server.status().message;
  auto stream =
      server.value()->store().catalog().find(StreamKey{"123412341234", "us-east-1", "mine"});
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->shards->open_count(), 1);
  EXPECT_FALSE(server.value()->store().catalog().find(StreamKey{kAccount, "us-east-1", "mine"}));
}

}  // namespace
}  // namespace kinesim::testing
