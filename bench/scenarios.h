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

// --startup: spawns options.startup_command options.startup_runs times and measures the time to
// a listening server, to the first ACTIVE stream and to the first acknowledged PutRecord.
Result RunStartup(const Options& options);

}  // namespace kinesim::bench
