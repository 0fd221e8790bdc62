// catalog_scale: control-plane and data-plane call costs as the number of streams grows.
#pragma once

#include <vector>

#include "bench/bench.h"

namespace kinesim::bench {

// One result per level of options.catalog_levels (stops at the first that fails).
std::vector<Result> RunCatalogScale(const Options& options);

}  // namespace kinesim::bench
