// TestServer: a kinesim server inside the test process, on a free loopback port, with an
// in-memory store unless told otherwise. It starts in milliseconds; every test can have its own.
//
//   kinesim::harness::TestServer kinesis;
//   auto client = kinesis.client();
//   client.call("CreateStream", R"({"StreamName":"orders","ShardCount":1})");
#pragma once

#include <memory>
#include <string>

#include "api/faults.h"
#include "harness/http_client.h"
#include "server/server.h"
#include "storage/clock.h"

namespace kinesim::harness {

class TestServer {
 public:
  struct Options {
    std::string db = ":memory:";
    const Clock* clock = nullptr;    // e.g. a FakeClock; must outlive the server
    bool throughput_limits = false;  // hold shards to Kinesis' per-shard rates
    // How long streams and consumers stay CREATING, UPDATING and DELETING, on `clock`.
    StateDelays delays;
    int64_t shard_limit = 500;            // open shards per account and region
    int64_t on_demand_stream_limit = 50;  // ON_DEMAND streams per account and region
    // Background trimming of expired records; set it high to run Store::run_maintenance() alone.
    int maintenance_interval_ms = 1000;
    // Signature checks: "off", "presence" (requests must be signed) or "verify" (against the
    // credentials file, on `clock`); see api/auth.h.
    std::string auth = "presence";
    std::string credentials;  // path of a credentials file, or "" for none
    // Serve the admin controls under /_kinesim/ (server/admin.h), so an AdminClient can drive
    // this server exactly as it drives a kinesim process.
    bool admin = false;
    // Streams made before the server serves, as --init-streams (server/init_streams.h) spells
    // them: "orders:4,events:ON_DEMAND@us-west-2/app". A bad list throws.
    std::string init_streams;
    // Connection limits (kinesim::Config): idle connections and slow request heads are closed.
    int64_t idle_timeout_ms = 300000;
    int64_t header_timeout_ms = 10000;
  };

  TestServer() : TestServer(Options{}) {}
  // Throws std::runtime_error when the server cannot start.
  explicit TestServer(Options options);
  ~TestServer();

  uint16_t port() const { return server_->port(); }
  std::string endpoint() const { return server_->endpoint(); }
  Server& server() { return *server_; }
  // The server's clock: system time (or Options::clock) until a test freezes it; then it moves
  // only when advanced (storage/clock.h).
  ControllableClock& clock() { return server_->clock(); }
  // Faults injected into Kinesis calls (api/faults.h).
  api::FaultRegistry& faults() { return server_->faults(); }

  // A new client connected to this server.
  HttpClient client() const { return HttpClient("127.0.0.1", port()); }

  // Stops the server (as a process exit would, minus the crash): queued writes finish.
  void stop();

 private:
  std::unique_ptr<Server> server_;
};

}  // namespace kinesim::harness
