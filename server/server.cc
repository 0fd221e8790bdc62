// The HTTP side of kinesim: Boost.Beast HTTP/1.1 with keep-alive on a pool of threads. A session
// reads a request, hands it to the api Dispatcher, and writes whatever answer comes back (now,
// or later from whichever thread commits the write), then reads the next one.
#include "server/server.h"

#include <pthread.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <thread>
#include <vector>

#include "api/codec.h"
#include "api/dispatcher.h"
#include "storage/store.h"

namespace kinesim {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Large enough for a PutRecords of 10 MiB of data once base64 and JSON are around it.
constexpr uint64_t kMaxRequestBodyBytes = 16 * 1024 * 1024;
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(300);

// A request id in the form Kinesis uses (a random UUID).
std::string request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, api::Dispatcher& api) : stream_(std::move(socket)), api_(api) {}

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return send(api::HttpResponse{
          413, "application/x-amz-json-1.1",
          api::error_json(api::errors::make(
              "SerializationException",
              "Request body is larger than the " +
                  std::to_string(kMaxRequestBodyBytes / (1024 * 1024)) + " MiB kinesim accepts.",
              413))});
    }
    if (ec) return;  // reset, timeout or malformed HTTP: drop the connection
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    api::HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.headers.reserve(8);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.push_back({std::move(name), std::string(field.value())});
    }
    r.body = std::move(req.body());
    api_.handle(std::move(r), [self = shared_from_this()](api::HttpResponse resp) {
      net::dispatch(self->stream_.get_executor(),
                    [self, resp = std::move(resp)]() mutable { self->send(std::move(resp)); });
    });
  }

  void send(api::HttpResponse r) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<http::status>(r.status));
    if (!r.content_type.empty()) res_.set(http::field::content_type, r.content_type);
    for (auto& h : r.headers) res_.set(h.name, h.value);
    res_.set("x-amzn-RequestId", request_id());
    res_.keep_alive(keep_alive_);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive_) return close();
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  api::Dispatcher& api_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

struct Server::Impl {
  Config config;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<Store> store;
  std::unique_ptr<api::Dispatcher> dispatcher;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::string host;
  uint16_t port = 0;
  bool stopped = false;

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      } else {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), *dispatcher)->run();
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
  impl->dispatcher = std::make_unique<api::Dispatcher>(*impl->store, *impl->clock,
                                                       config.throughput_limits, config.account);

  beast::error_code ec;
  auto address = net::ip::make_address(config.host, ec);
  if (ec) {
    // Host names (e.g. localhost) resolve to their first address.
    tcp::resolver resolver(impl->ioc);
    auto results = resolver.resolve(config.host, std::to_string(config.port), ec);
    if (ec || results.empty()) {
      return Status::Error(StatusCode::kInvalid, "cannot resolve host " + config.host);
    }
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, config.port);
  auto& acc = impl->acceptor;
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
    impl->threads.emplace_back([io = &impl->ioc] {
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

Store& Server::store() { return *impl_->store; }

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  beast::error_code ec;
  impl_->acceptor.close(ec);
  // The dispatcher's subscriptions read the store until it ends them: it goes first. Queued
  // writes then finish (and are acknowledged to no one) before the store closes.
  impl_->dispatcher.reset();
  impl_->store.reset();
}

}  // namespace kinesim
