// kinesim: parse the configuration, start the server, wait for SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "server/config.h"
#include "server/server.h"

int main(int argc, char** argv) {
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
  // Block the shutdown signals before any thread starts, so only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = kinesim::Server::start(config);
  if (!server.ok()) {
    std::cerr << "kinesim: " << server.status().message << "\n";
    return 2;
  }
  std::cerr << "kinesim: " << config.describe() << "\n";
  std::cerr << "kinesim: TLS on the same port (" << server.value()->tls_endpoint() << ") with "
            << (server.value()->tls_certificate_generated() ? "self-signed certificate "
                                                            : "certificate ")
            << server.value()->tls_certificate() << "\n";
  std::cout << "kinesim listening on " << server.value()->endpoint() << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  server.value()->stop();
  return 0;
}
