// kinesim-bench: a load generator for Kinesis endpoints on this machine.
//
// Prints one line per scenario (`name key=value ... errors=N [status=ERRORS|FAILED]`) on
// stdout, details of failures on stderr. Exits 0 when every scenario ran without errors, 1 when
// any had errors or failed, 2 on bad usage.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/catalog.h"
#include "bench/scenarios.h"

namespace {

using kinesim::bench::Options;
using kinesim::bench::Result;

constexpr const char* kUsage = R"(usage:
  kinesim-bench [--endpoint URL] [--scenario NAME[,NAME...]]... [options]
  kinesim-bench --startup [--runs K] [--startup-port N] [--timeout S] -- COMMAND [ARGS...]

Scenarios (default: all but rss; rss too when --rss-pid is given):
  put_record_c1      PutRecord of 100 B, random partition keys, 1 keep-alive connection
  put_record_c32     the same on 32 connections (32 threads)
  put_record_h2c_32  the same over HTTP/2 with prior knowledge: 32 requests in flight on one
                     connection (libcurl); a second TCP connection is an error
  put_records_500    PutRecords of 500 x 100 B on --connections connections
  put_records_500_cbor  the same with application/x-amz-cbor-1.1 bodies
  get_records_drain  fill a 1-shard stream with --drain-records records, then time reading them
                     all back with GetRecords (Limit 10000) from TRIM_HORIZON; verifies the count
  subscribe_latency  register a consumer, SubscribeToShard (LATEST) over HTTP/1.1, then put one
                     record at a time: ms from PutRecord's 200 to the record's event; lost
                     records are errors
  rss                store --rss-records records, then report VmRSS of --rss-pid
  catalog_scale      (only when named) fill the endpoint with 1-shard streams up to each of
                     --catalog-levels, timing CreateStream, DescribeStreamSummary, PutRecord
                     and ListShards (--catalog-ops calls each, 1 connection) at each level;
                     leaves its streams behind, so use a server started for it

Options:
  --endpoint URL        Kinesis endpoint, loopback only (default http://127.0.0.1:4566)
  --duration S          measured seconds of each timed scenario (default 5)
  --warmup S            unmeasured seconds of load before that (default 0.5)
  --shards N            shards of the put scenarios' and rss streams (default 4)
  --connections N       connections of put_records_500 and of fills (default 4)
  --drain-records N     records for get_records_drain (default 200000)
  --rss-records N       records for rss (default 1000000)
  --rss-pid PID         process to read VmRSS from; printed after the scenarios
  --timeout S           bound on each setup, fill or drain phase (default 300)
  --max-ops N           bound on requests in one timed scenario (default 20000000)
  --keep-streams        do not delete the scenario streams afterwards
  --stream NAME         put scenarios write to this existing stream (not created or deleted)
  --catalog-levels L    comma-separated stream counts for catalog_scale (default 1000,10000,100000)
  --catalog-ops N       calls timed per operation and level in catalog_scale (default 2000)
  --verbose             per-run details on stderr
  --list                print the scenario names and exit

Startup mode: spawns COMMAND --runs times (default 5). Without --startup-port it waits for
the server to print "listening on http://HOST:PORT"; with it, it polls that port on 127.0.0.1.
"{n}" in COMMAND's arguments becomes the run number (e.g. a fresh database per run). Reports
the medians of the ms from spawn to listening, to the first ACTIVE stream and to the first
acknowledged PutRecord.
)";

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "kinesim-bench: %s\n\n%s", message.c_str(), kUsage);
  std::exit(2);
}

template <typename T>
T ParseNumber(std::string_view flag, std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < T{}) {
    UsageError("bad value for " + std::string(flag) + ": " + std::string(text));
  }
  return value;
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size()) UsageError(std::string(flag) + " needs a value");
      return args[++i];
    };
    if (flag == "--") {
      for (++i; i < args.size(); ++i) options.startup_command.emplace_back(args[i]);
      break;
    } else if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    } else if (flag == "--list") {
      for (const std::string& name : kinesim::bench::ScenarioNames()) {
        std::printf("%s\n", name.c_str());
      }
      std::exit(0);
    } else if (flag == "--endpoint") {
      try {
        options.endpoint = kinesim::harness::ParseEndpoint(value());
      } catch (const std::exception& e) {
        UsageError(e.what());
      }
    } else if (flag == "--scenario") {
      std::string_view list = value();
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view name = list.substr(0, comma);
        if (!name.empty()) options.scenarios.emplace_back(name);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    } else if (flag == "--duration") {
      options.duration_s = ParseNumber<double>(flag, value());
    } else if (flag == "--warmup") {
      options.warmup_s = ParseNumber<double>(flag, value());
    } else if (flag == "--shards") {
      options.shards = ParseNumber<int>(flag, value());
    } else if (flag == "--connections") {
      options.connections = ParseNumber<int>(flag, value());
    } else if (flag == "--drain-records") {
      options.drain_records = ParseNumber<uint64_t>(flag, value());
    } else if (flag == "--rss-records") {
      options.rss_records = ParseNumber<uint64_t>(flag, value());
    } else if (flag == "--rss-pid") {
      options.rss_pid = ParseNumber<int>(flag, value());
    } else if (flag == "--timeout") {
      options.timeout_s = ParseNumber<double>(flag, value());
    } else if (flag == "--max-ops") {
      options.max_ops = ParseNumber<uint64_t>(flag, value());
    } else if (flag == "--catalog-levels") {
      options.catalog_levels.clear();
      std::string_view list = value();
      while (!list.empty()) {
        size_t comma = list.find(',');
        options.catalog_levels.push_back(ParseNumber<uint64_t>(flag, list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    } else if (flag == "--catalog-ops") {
      options.catalog_ops = ParseNumber<uint64_t>(flag, value());
    } else if (flag == "--stream") {
      options.stream = std::string(value());
    } else if (flag == "--keep-streams") {
      options.keep_streams = true;
    } else if (flag == "--verbose") {
      options.verbose = true;
    } else if (flag == "--startup") {
      options.startup = true;
    } else if (flag == "--runs") {
      options.startup_runs = ParseNumber<int>(flag, value());
    } else if (flag == "--startup-port") {
      options.startup_port = ParseNumber<int>(flag, value());
    } else {
      UsageError("unknown argument: " + std::string(flag));
    }
  }

  if (!kinesim::harness::IsLoopbackHost(options.endpoint.host)) {
    UsageError("only loopback endpoints are allowed, not " + options.endpoint.host);
  }
  if (options.shards < 1 || options.connections < 1 || options.duration_s <= 0 ||
      options.timeout_s <= 0 || options.max_ops < 1 || options.startup_runs < 1 ||
      options.startup_port > 65535) {
    UsageError("shards, connections, duration, timeout, max-ops and runs must be positive");
  }
  if (options.startup && options.startup_command.empty()) {
    UsageError("--startup needs the server command after --");
  }
  if (!options.startup && !options.startup_command.empty()) {
    UsageError("a command after -- is only for --startup");
  }
  for (const std::string& name : options.scenarios) {
    const auto& known = kinesim::bench::ScenarioNames();
    if (name != "catalog_scale" && std::find(known.begin(), known.end(), name) == known.end()) {
      UsageError("unknown scenario: " + name);
    }
  }
  if (options.scenarios.empty()) {
    for (const std::string& name : kinesim::bench::ScenarioNames()) {
      if (name != "rss" || options.rss_pid > 0) options.scenarios.push_back(name);
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  bool clean = true;
  auto report = [&clean](const Result& result) {
    kinesim::bench::PrintResult(result);
    if (result.failed || result.errors > 0) clean = false;
  };

  if (options.startup) {
    report(kinesim::bench::RunStartup(options));
    return clean ? 0 : 1;
  }

  for (const std::string& name : options.scenarios) {
    if (name == "catalog_scale") {
      for (const Result& r : kinesim::bench::RunCatalogScale(options)) report(r);
      continue;
    }
    report(kinesim::bench::RunScenario(options, name));
  }
  if (options.rss_pid > 0) {
    Result rss("vmrss");
    rss.Add("pid", static_cast<uint64_t>(options.rss_pid));
    if (auto kib = kinesim::bench::ReadVmRssKib(options.rss_pid)) {
      rss.Add("rss_kib", *kib);
    } else {
      rss.failed = true;
      rss.first_error = "cannot read /proc/" + std::to_string(options.rss_pid) + "/status";
    }
    report(rss);
  }
  return clean ? 0 : 1;
}
