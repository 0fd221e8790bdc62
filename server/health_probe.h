// `kinesim --health-check`: asks the kinesim running on this machine for GET /health and turns
// the answer into an exit code, for container health checks in images that hold no HTTP client.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>

namespace kinesim {

// How long one probe may take, from connecting to the last byte of the answer.
constexpr std::chrono::milliseconds kHealthProbeTimeout{2000};
// The port probed when KINESIM_PORT is not set: the server's own default.
constexpr uint16_t kHealthProbeDefaultPort = 4566;

// GET /health from 127.0.0.1:`port` over plain HTTP/1.1. Returns 0 when the answer's status is
// 200 and 1 otherwise (nothing listening, no answer within `timeout`, any other status), after
// writing one line to `out` that says which.
int probe_health(uint16_t port, std::ostream& out,
                 std::chrono::milliseconds timeout = kHealthProbeTimeout);

// The port to probe given KINESIM_PORT's value (nullptr when unset: the default port), or
// nothing when the value is not a port number from 1 to 65535.
std::optional<uint16_t> health_probe_port(const char* env_value);

// The whole --health-check mode: the port from KINESIM_PORT, then probe_health. Returns the exit
// code.
int run_health_check(std::ostream& out);

}  // namespace kinesim
