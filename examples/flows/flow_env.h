// Where a flow test runs: an in-process TestServer, or a kinesim process the test binary starts
// itself. Both are driven the same way, so every flow test runs against both:
//
//   endpoint()            where a KinesisClient connects
//   clock()               the server's time as the test sees it; meaningful once frozen (the
//                         process environment mirrors it from the admin answers)
//   freeze_clock()        stops the server's clock; advance_clock(ms) moves it
//   sleeper()             a flows::Sleeper that advances the clock instead of sleeping
//   add_fault(json)       a fault rule in the admin JSON form (README, "Test controls")
//   fired(id)             how often that rule fired
//   clear_faults(), reset()
//
// The in-process environment reads and moves TestServer::clock() and FaultRegistry directly
// (faults are added through the admin HTTP path, so the rule JSON means the same in both); the
// process environment does everything through the admin surface and mirrors the frozen clock in
// a FakeClock so clock() costs no request.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "examples/flows/retry.h"
#include "harness/kinesis_client.h"
#include "storage/clock.h"

namespace kinesim::flows {

class FlowEnv {
 public:
  virtual ~FlowEnv() = default;

  virtual std::string name() const = 0;
  virtual std::string endpoint() const = 0;
  virtual const Clock& clock() const = 0;
  // Freezes the server's clock at `at_ms` (now when absent); answers the time it stands at.
  virtual int64_t freeze_clock(std::optional<int64_t> at_ms = std::nullopt) = 0;
  // Moves the frozen clock forward; answers the new time.
  virtual int64_t advance_clock(int64_t ms) = 0;
  // Adds a fault rule given as admin JSON; answers its id.
  virtual int64_t add_fault(std::string_view rule_json) = 0;
  virtual int64_t fired(int64_t id) = 0;
  virtual void clear_faults() = 0;
  // Erases all streams and faults and puts the clock back on system time.
  virtual void reset() = 0;

  harness::KinesisClient client() const { return harness::KinesisClient(endpoint()); }
  Sleeper sleeper() {
    return [this](std::chrono::milliseconds ms) { advance_clock(ms.count()); };
  }
  // Creates a stream and waits until it is ACTIVE. Throws on failure.
  void create_stream(harness::KinesisClient& client, std::string_view stream, int shards);
};

// A fresh in-process server.
std::unique_ptr<FlowEnv> MakeInProcessEnv();
// A kinesim process shared by every test of the binary (started on first use, stopped at exit),
// reset for this test.
std::unique_ptr<FlowEnv> MakeProcessEnv();

}  // namespace kinesim::flows
