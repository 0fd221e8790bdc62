// The kinesim server: an HTTP listener, its worker threads and the store, owned by one object.
// The `kinesim` program and the test harness both start exactly this class.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/config.h"
#include "storage/clock.h"
#include "storage/status.h"

namespace kinesim {

class Store;
namespace api {
class FaultRegistry;
}

class Server {
 public:
  // Opens the store, binds the listener and starts serving. `clock` (optional) replaces the
  // system clock and must outlive the server; either way the server reads it through a
  // ControllableClock (clock()), which tests may freeze and advance. Fails when the port is taken
  // or the database cannot be used; the message says which.
  static Result<std::unique_ptr<Server>> start(const Config& config, const Clock* clock = nullptr);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  // "http://HOST:PORT" (HTTP/1.1 or h2c)
  std::string endpoint() const;
  // "https://HOST:PORT": the same port, over TLS.
  std::string tls_endpoint() const;
  // The PEM certificate served for TLS, and whether kinesim made it (self-signed).
  const std::string& tls_certificate() const;
  bool tls_certificate_generated() const;
  Store& store();
  // The server's clock: the given one (or system time) until frozen (storage/clock.h).
  ControllableClock& clock();
  // Faults injected into Kinesis calls, and the run-time switch of throughput limits.
  api::FaultRegistry& faults();

  // Stops serving and joins all threads. A write already handed to the store is committed
  // first; its answer may not reach the client (who sees the connection close, as on a crash).
  void stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kinesim
