// AdminClient: the test controls of a kinesim started with --admin (server/admin.h), over HTTP
// (libcurl): erase all state, freeze and advance the clock, add, list and clear fault rules and
// read how often each fired. It works against any kinesim, in-process (TestServer with
// Options::admin) or a separate process (KinesimProcess), so one test can drive both.
//
//   kinesim::harness::AdminClient admin(endpoint);
//   admin.freeze_clock().value();
//   int64_t id = admin.add_fault(R"({"kind":"throttle","operation":"PutRecord","count":2})")
//                    .value();
//   ...
//   EXPECT_EQ(admin.fired(id).value(), 2);
//
// Errors are values, as with KinesisClient: an admin refusal comes back as a KinesisError of type
// "AdminError" with the server's message and HTTP status (also when the server runs without
// --admin and answers as for an unknown operation); a transport failure as
// "TransportError" with status 0. Contract: one call at a time (not thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim::harness {

struct AdminClockState {
  bool manual = false;  // frozen: moves only when advanced
  int64_t now_ms = 0;
};

// A fault rule as the server holds it (api/faults.h), with its id and firing count.
struct AdminFault {
  int64_t id = 0;
  std::string kind;  // throttle, internal_failure, latency, fail_records
  std::string stream;
  std::string operation;
  int64_t count = 0;  // how often it may fire in all; 0: without end
  int64_t fired = 0;
  std::string json;  // the rule as the server listed it
};

class AdminClient {
 public:
  // `endpoint` is the server's "http://HOST:PORT"; the controls live under /_kinesim/.
  explicit AdminClient(std::string endpoint, long timeout_ms = 30000);
  ~AdminClient();
  AdminClient(AdminClient&&) noexcept;
  AdminClient& operator=(AdminClient&&) noexcept;

  // Erases every stream, clears the faults and puts the clock back on system time.
  Status reset();

  Result<AdminClockState> clock();
  // Stops the clock at `at_ms` (now when absent); refused when that is earlier than now.
  Result<AdminClockState> freeze_clock(std::optional<int64_t> at_ms = std::nullopt);
  // Moves a frozen clock forward; refused (HTTP 409) when the clock is not frozen.
  Result<AdminClockState> advance_clock(int64_t ms);
  // Lets time run again from where it stood.
  Result<AdminClockState> resume_clock();

  // Adds a rule given in the admin JSON form ({"kind":"throttle","stream":"orders",...});
  // answers its id.
  Result<int64_t> add_fault(std::string_view rule_json);
  Result<std::vector<AdminFault>> faults();
  // How often rule `id` fired; an AdminError (404) when there is no such rule.
  Result<int64_t> fired(int64_t id);
  Status remove_fault(int64_t id);
  Status clear_faults();
  Status set_throughput_limits(bool enabled);

  const std::string& endpoint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kinesim::harness
