// The network side of kinesim: one listening port on a pool of threads. Each accepted
// connection is handed to server/connection.cc, which finds out whether it speaks HTTP/1.1,
// HTTP/2 or TLS, and from there to the api Dispatcher.
#include "server/server.h"

#include <pthread.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <thread>
#include <vector>

#include "api/dispatcher.h"
#include "server/connection.h"
#include "server/tls.h"
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

}  // namespace

struct Server::Impl {
  Config config;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<Store> store;
  std::unique_ptr<api::Dispatcher> dispatcher;
  server::TlsFiles tls_files;
  net::ssl::context tls{net::ssl::context::tls_server};
  // Owned by pointer so stop() can destroy connections (and cancel their streamed bodies)
  // before the dispatcher and the store go.
  std::unique_ptr<net::io_context> ioc = std::make_unique<net::io_context>();
  std::unique_ptr<tcp::acceptor> acceptor = std::make_unique<tcp::acceptor>(*ioc);
  std::vector<std::thread> threads;
  std::string host;
  uint16_t port = 0;
  bool stopped = false;

  void do_accept() {
    acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      } else {
        s.set_option(tcp::no_delay(true), ec);
        server::serve_connection(std::move(s), *dispatcher, tls);
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
  impl->clock = clock ? clock : &impl->system_clock;

  auto api_options = dispatcher_options(config);
  if (!api_options.ok()) return api_options.status();
  StoreOptions options;
  options.path = config.db;
  options.sync_full = config.sync == "full";
  options.shard_limit = config.shard_limit;
  options.on_demand_stream_limit = config.on_demand_stream_limit;
  options.delays = config.delays;
  options.maintenance_interval_ms = config.maintenance_interval_ms;
  auto store = Store::open(options, *impl->clock);
  if (!store.ok()) return store.status();
  impl->store = std::move(store.value());
  impl->dispatcher =
      std::make_unique<api::Dispatcher>(*impl->store, *impl->clock, std::move(api_options.value()));

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
    tcp::resolver resolver(*impl->ioc);
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
  int n = config.threads;
  if (n <= 0) n = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) {
    impl->threads.emplace_back([io = impl->ioc.get()] {
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

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->ioc->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  beast::error_code ec;
  impl_->acceptor->close(ec);
  impl_->acceptor.reset();
  // No thread serves connections now. Subscriptions end first (their thread posts to
  // connections), then the store finishes queued writes (acknowledged to no one), then the
  // connections go (a streamed body is told it was cancelled), then the api layer.
  impl_->dispatcher->stop_streams();
  impl_->store.reset();
  impl_->ioc.reset();
  impl_->dispatcher.reset();
  server::remove_temporary_tls_files(impl_->tls_files);
}

}  // namespace kinesim
