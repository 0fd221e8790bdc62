// Scenario and start-up entry points of kinesim-bench.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bench/bench.h"

namespace kinesim::bench {

// Every scenario name, in the order the default run uses (rss only with --rss-pid).
const std::vector<std::string>& ScenarioNames();

// Runs one scenario. Never throws: failures come back as a Result with `failed` set.
Result RunScenario(const Options& options, std::string_view name);

// Scenarios with a file of their own, run through RunScenario; they throw BenchFailure (or
// HttpError from setup) when no valid figure can come out.

// PutRecord of 100 B over HTTP/2 with prior knowledge (h2c), `streams` requests in flight at
// once, all multiplexed on one connection (h2c.cc).
Result PutRecordH2cScenario(const Options& options, std::string name, int streams);

// Time from an acknowledged PutRecord to its record arriving on a SubscribeToShard
// subscription of a registered consumer (subscribe.cc).
Result SubscribeLatencyScenario(const Options& options, std::string name);

// --startup: spawns options.startup_command options.startup_runs times and measures the time to
// a listening server, to the first ACTIVE stream and to the first acknowledged PutRecord.
Result RunStartup(const Options& options);

}  // namespace kinesim::bench
