#include "server/connection.h"

#include <openssl/ssl.h>

#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstring>
#include <memory>

#include "server/session_start.h"
#include "server/wire.h"

namespace kinesim::server {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr unsigned char kTlsHandshakeRecord = 0x16;

enum class Protocol { kUndecided, kTls, kHttp2, kHttp1 };

// What the bytes read so far say the client speaks.
Protocol classify(const beast::flat_buffer& buffer, bool tls_allowed) {
  const auto data = buffer.data();
  const std::string_view seen(static_cast<const char*>(data.data()), data.size());
  if (seen.empty()) return Protocol::kUndecided;
  if (tls_allowed && static_cast<unsigned char>(seen[0]) == kTlsHandshakeRecord) {
    return Protocol::kTls;
  }
  const size_t n = std::min(seen.size(), kH2Preface.size());
  if (seen.substr(0, n) != kH2Preface.substr(0, n)) return Protocol::kHttp1;
  return n == kH2Preface.size() ? Protocol::kHttp2 : Protocol::kUndecided;
}

// Reads just enough of a connection to know its protocol, then hands it on.
template <class Stream>
class Detector : public std::enable_shared_from_this<Detector<Stream>> {
 public:
  Detector(Stream&& stream, beast::flat_buffer&& buffer, api::Dispatcher& api, ssl::context& tls,
           const wire::Timeouts& timeouts, bool tls_allowed)
      : stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        api_(api),
        tls_(tls),
        timeouts_(timeouts),
        tls_allowed_(tls_allowed) {}

  void run() {
    // A client that connects and says nothing is idle, too.
    beast::get_lowest_layer(stream_).expires_after(
        std::min<std::chrono::steady_clock::duration>(wire::kHandshakeTimeout, timeouts_.idle));
    decide();
  }

 private:
  void decide() {
    switch (classify(buffer_, tls_allowed_)) {
      case Protocol::kUndecided:
        stream_.async_read_some(
            buffer_.prepare(kH2Preface.size() - buffer_.size()),
            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
              if (ec) return;  // closed or timed out before saying anything
              self->buffer_.commit(n);
              self->decide();
            });
        return;
      case Protocol::kHttp1:
        return start_http1(std::move(stream_), std::move(buffer_), api_, timeouts_);
      case Protocol::kHttp2:
        return start_http2(std::move(stream_), std::move(buffer_), api_, timeouts_);
      case Protocol::kTls:
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) return start_tls();
        return;
    }
  }

  void start_tls() {
    auto tls = std::make_shared<TlsStream>(std::move(stream_), tls_);
    auto self = this->shared_from_this();
    // The bytes already read are the start of the ClientHello.
    tls->async_handshake(
        ssl::stream_base::server, buffer_.data(),
        // (The default argument satisfies a concept check in Boost 1.81 that names the wrong
        // handler signature.)
        [self, tls](beast::error_code ec, std::size_t used = 0) {
          if (ec) return;  // a failed or abandoned handshake just ends the connection
          self->buffer_.consume(used);
          const unsigned char* alpn = nullptr;
          unsigned int alpn_len = 0;
          SSL_get0_alpn_selected(tls->native_handle(), &alpn, &alpn_len);
          const std::string_view chosen(reinterpret_cast<const char*>(alpn), alpn_len);
          if (chosen == "h2") {
            return start_http2(std::move(*tls), std::move(self->buffer_), self->api_,
                               self->timeouts_);
          }
          // http/1.1, or no ALPN: the first bytes tell (a client may still speak h2 directly).
          std::make_shared<Detector<TlsStream>>(std::move(*tls), std::move(self->buffer_),
                                                self->api_, self->tls_, self->timeouts_, false)
              ->run();
        });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  api::Dispatcher& api_;
  ssl::context& tls_;
  wire::Timeouts timeouts_;
  bool tls_allowed_;
};

// ALPN: h2 when the client offers it, else http/1.1.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static constexpr unsigned char kPreferred[] = "\x02h2\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kPreferred, sizeof kPreferred - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string configure_tls(ssl::context& context, const std::string& cert_path,
                          const std::string& key_path) {
  beast::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1,
                      ec);
  context.use_certificate_chain_file(cert_path, ec);
  if (ec) return "cannot use TLS certificate " + cert_path + ": " + ec.message();
  context.use_private_key_file(key_path, ssl::context::pem, ec);
  if (ec) return "cannot use TLS key " + key_path + ": " + ec.message();
  SSL_CTX_set_alpn_select_cb(context.native_handle(), &select_alpn, nullptr);
  return "";
}

void serve_connection(tcp::socket socket, api::Dispatcher& api, ssl::context& tls,
                      const wire::Timeouts& timeouts) {
  std::make_shared<Detector<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                beast::flat_buffer(), api, tls, timeouts, true)
      ->run();
}

}  // namespace kinesim::server
