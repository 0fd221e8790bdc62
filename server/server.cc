// The network side of kinesim: one listening port, served by a few threads that each run their
// own event loop. An accepted connection belongs to one loop for its whole life, so its reads,
// the write it submits (committed on the same thread when the writer is free) and its answer
// all happen on one thread with no hand-off: at one connection a request costs no context
// switch. Answers committed by another thread, and streamed events, are posted to the
// connection's loop. server/connection.cc finds out whether a connection speaks HTTP/1.1,
// HTTP/2 or TLS, and hands it to the api Dispatcher.
#include "server/server.h"

#include <pthread.h>
#include <sys/resource.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <thread>
#include <vector>

#include "api/dispatcher.h"
#include "server/admin.h"
#include "server/connection.h"
#include "server/init_streams.h"
#include "server/tls.h"
#include "storage/log.h"
#include "storage/store.h"

namespace kinesim {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// The api layer's options, with the credentials file read (a bad one stops the start).
Result<api::DispatcherOptions> dispatcher_options(const Config& config) {
  api::DispatcherOptions options;
  options.throughput_limits = config.throughput_limits;
  options.auth.default_account = config.account;
  const auto mode = api::parse_auth_mode(config.auth);
  if (!mode) return Status::Error(StatusCode::kInvalid, "unknown auth mode '" + config.auth + "'");
  options.auth.mode = *mode;
  if (*mode == api::AuthMode::kVerify && config.credentials.empty()) {
    return Status::Error(StatusCode::kInvalid, "auth verify needs a credentials file");
  }
  if (!config.credentials.empty()) {
    auto credentials = api::Credentials::load(config.credentials);
    if (!credentials.ok()) return credentials.status();
    options.auth.credentials =
        std::make_shared<const api::Credentials>(std::move(credentials.value()));
  }
  return options;
}

// Every connection is a file descriptor, and the usual soft limit (1024) would cap kinesim at
// about a thousand clients. Raising the soft limit to the hard one needs no privilege.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log::warn("server", "cannot raise the open file limit",
              {{"limit", static_cast<uint64_t>(before)}});
    return;
  }
  log::debug(
      "server", "raised the open file limit",
      {{"from", static_cast<uint64_t>(before)}, {"to", static_cast<uint64_t>(limit.rlim_max)}});
}

// When accept fails for want of file descriptors the pending connection stays queued, and
// accepting again at once would fail again at once: kinesim waits this long instead of spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

}  // namespace

struct Server::Impl {
  Config config;
  SystemClock system_clock;
  std::unique_ptr<ControllableClock> clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<api::Dispatcher> dispatcher;
  server::TlsFiles tls_files;
  net::ssl::context tls{net::ssl::context::tls_server};
  // One event loop per thread, each running on one thread only (so a connection needs no
  // strand). Owned by pointer so stop() can destroy connections (and cancel their streamed
  // bodies) before the dispatcher and the store go. The acceptor lives on the first loop.
  using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;
  std::vector<std::unique_ptr<net::io_context>> loops;
  std::vector<WorkGuard> keep_running;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_retry;
  wire::Timeouts timeouts;
  size_t next_loop = 0;
  std::vector<std::thread> threads;
  std::string host;
  uint16_t port = 0;
  bool stopped = false;

  void make_loops(int n) {
    for (int i = 0; i < n; ++i) {
      loops.push_back(std::make_unique<net::io_context>(1));
      keep_running.emplace_back(loops.back()->get_executor());
    }
    acceptor = std::make_unique<tcp::acceptor>(*loops.front());
    accept_retry = std::make_unique<net::steady_timer>(*loops.front());
  }

  // Connections go to the loops in turn.
  void do_accept() {
    net::io_context& loop = *loops[next_loop++ % loops.size()];
    acceptor->async_accept(loop, [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
        if (ec == net::error::no_descriptors || ec.value() == ENFILE ||
            ec == net::error::no_buffer_space || ec == net::error::no_memory) {
          log::warn("server", "cannot accept a connection", {{"error", ec.message()}});
          accept_retry->expires_after(kAcceptRetryDelay);
          accept_retry->async_wait([this](beast::error_code wait_ec) {
            if (!wait_ec) do_accept();
          });
          return;
        }
      } else {
        s.set_option(tcp::no_delay(true), ec);
        // Started on its own loop's thread, where all of its work runs from now on.
        auto executor = s.get_executor();
        net::post(executor, [this, s = std::move(s)]() mutable {
          server::serve_connection(std::move(s), *dispatcher, tls, timeouts);
        });
      }
      do_accept();
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(const Config& config, const Clock* clock) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->timeouts.idle = std::chrono::milliseconds(std::max<int64_t>(config.idle_timeout_ms, 1));
  impl->timeouts.header = std::chrono::milliseconds(std::max<int64_t>(config.header_timeout_ms, 0));
  raise_open_file_limit();
  int threads = config.threads;
  if (threads <= 0) threads = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  impl->make_loops(threads);
  impl->clock = std::make_unique<ControllableClock>(clock ? *clock : impl->system_clock);

  auto api_options = dispatcher_options(config);
  if (!api_options.ok()) return api_options.status();
  StoreOptions options;
  options.path = config.db;
  options.sync_full = config.sync == "full";
  options.busy_timeout_ms = std::max<int64_t>(config.busy_timeout_ms, 0);
  options.shard_limit = config.shard_limit;
  options.on_demand_stream_limit = config.on_demand_stream_limit;
  options.delays = config.delays;
  options.maintenance_interval_ms = config.maintenance_interval_ms;
  auto store = Store::open(options, *impl->clock);
  if (!store.ok()) return store.status();
  impl->store = std::move(store.value());
  // Before the listener: a client that sees the server sees these streams ACTIVE.
  auto made = create_init_streams(*impl->store, config.account, config.init_streams);
  if (!made.ok()) return made.status();
  for (const std::string& note : made.value()) log::warn("init-streams", note);
  impl->dispatcher =
      std::make_unique<api::Dispatcher>(*impl->store, *impl->clock, std::move(api_options.value()));
  if (config.admin) {
    impl->dispatcher->set_admin(server::make_admin_handler(server::AdminTargets{
        *impl->store, impl->dispatcher->faults(), *impl->clock, config.throughput_limits}));
  }

  auto tls_files = server::prepare_tls_files(config);
  if (!tls_files.ok()) return tls_files.status();
  impl->tls_files = std::move(tls_files.value());
  if (auto err =
          server::configure_tls(impl->tls, impl->tls_files.cert_path, impl->tls_files.key_path);
      !err.empty()) {
    server::remove_temporary_tls_files(impl->tls_files);
    return Status::Error(StatusCode::kInvalid, err);
  }

  beast::error_code ec;
  auto address = net::ip::make_address(config.host, ec);
  if (ec) {
    // Host names (e.g. localhost) resolve to their first address.
    tcp::resolver resolver(*impl->loops.front());
    auto results = resolver.resolve(config.host, std::to_string(config.port), ec);
    if (ec || results.empty()) {
      return Status::Error(StatusCode::kInvalid, "cannot resolve host " + config.host);
    }
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, config.port);
  auto& acc = *impl->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Error(StatusCode::kInvalid, "cannot listen on " + config.host + ":" +
                                                   std::to_string(config.port) + ": " +
                                                   ec.message());
  }
  impl->host = config.host;
  impl->port = acc.local_endpoint().port();
  impl->do_accept();
  for (auto& loop : impl->loops) {
    impl->threads.emplace_back([io = loop.get()] {
      pthread_setname_np(pthread_self(), "kinesim-http");
      io->run();
    });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::endpoint() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->port);
}

std::string Server::tls_endpoint() const {
  return "https://" + impl_->host + ":" + std::to_string(impl_->port);
}

const std::string& Server::tls_certificate() const { return impl_->tls_files.cert_path; }

bool Server::tls_certificate_generated() const { return impl_->tls_files.generated; }

Store& Server::store() { return *impl_->store; }

ControllableClock& Server::clock() { return *impl_->clock; }

api::FaultRegistry& Server::faults() { return impl_->dispatcher->faults(); }

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  for (auto& loop : impl_->loops) loop->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  beast::error_code ec;
  impl_->acceptor->close(ec);
  impl_->acceptor.reset();
  impl_->accept_retry.reset();
  // No thread serves connections now. Subscriptions end first (their thread posts to
  // connections), then the store finishes queued writes (acknowledged to no one), then the
  // connections go (a streamed body is told it was cancelled), then the api layer.
  impl_->dispatcher->stop_streams();
  impl_->store.reset();
  impl_->keep_running.clear();
  impl_->loops.clear();
  impl_->dispatcher.reset();
  server::remove_temporary_tls_files(impl_->tls_files);
}

}  // namespace kinesim
