#include "harness/test_server.h"

#include <stdexcept>

namespace kinesim::harness {

TestServer::TestServer(Options options) {
  Config config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.db = options.db;
  config.threads = 2;
  config.throughput_limits = options.throughput_limits;
  config.delays = options.delays;
  config.shard_limit = options.shard_limit;
  config.maintenance_interval_ms = options.maintenance_interval_ms;
  config.on_demand_stream_limit = options.on_demand_stream_limit;
  config.auth = options.auth;
  config.credentials = options.credentials;
  config.admin = options.admin;
  auto init_streams = parse_init_streams(options.init_streams, options.shard_limit);
  if (!init_streams.ok()) {
    throw std::runtime_error("kinesim test server: --init-streams " +
                             init_streams.status().message);
  }
  config.init_streams = std::move(init_streams.value());
  config.idle_timeout_ms = options.idle_timeout_ms;
  config.header_timeout_ms = options.header_timeout_ms;
  auto started = Server::start(config, options.clock);
  if (!started.ok()) {
    throw std::runtime_error("kinesim test server: " + started.status().message);
  }
  server_ = std::move(started.value());
}

TestServer::~TestServer() = default;

void TestServer::stop() {
  if (server_) server_->stop();
}

}  // namespace kinesim::harness
