// kinesim: parse the configuration, start the server, wait for SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string_view>

#include "server/config.h"
#include "server/health_probe.h"
#include "server/server.h"
#include "storage/log.h"

int main(int argc, char** argv) {
  // A container's health check: probe the running server and exit, reading no configuration
  // but KINESIM_PORT (server/health_probe.h).
  if (argc == 2 && std::string_view(argv[1]) == "--health-check") {
    return kinesim::run_health_check(std::cout);
  }
  kinesim::Config config;
  bool help = false;
  if (auto err = config.parse(std::vector<std::string>(argv + 1, argv + argc), &help)) {
    std::cerr << "kinesim: " << *err << "\n";
    return 2;
  }
  if (help) {
    std::cout << kinesim::Config::usage();
    return 0;
  }
  namespace log = kinesim::log;
  log::configure(*log::parse_level(config.log_level), *log::parse_format(config.log_format));
  // Block the shutdown signals before any thread starts, so only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = kinesim::Server::start(config);
  if (!server.ok()) {
    log::error("server", server.status().message);
    return 2;
  }
  log::info("server", "configuration", {{"settings", config.describe()}});
  log::info("server", "TLS on the same port",
            {{"endpoint", server.value()->tls_endpoint()},
             {"certificate", server.value()->tls_certificate_generated() ? "self-signed" : "given"},
             {"pem", server.value()->tls_certificate()}});
  std::cout << "kinesim listening on " << server.value()->endpoint() << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  server.value()->stop();
  return 0;
}
