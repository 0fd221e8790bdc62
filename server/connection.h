// One accepted connection: what it speaks is decided from its first bytes. A TLS ClientHello
// means TLS, after which ALPN picks "h2" or "http/1.1"; the HTTP/2 connection preface means
// h2c; anything else is HTTP/1.1. So one port serves every client.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "api/dispatcher.h"
#include "server/wire.h"

namespace kinesim::server {

// Sets up `context` to serve the certificate and key in these PEM files, offering h2 and
// http/1.1 by ALPN. Returns an error message, or "".
std::string configure_tls(boost::asio::ssl::context& context, const std::string& cert_path,
                          const std::string& key_path);

// Takes over `socket` until the client is done or `timeouts` close it. Call on the socket's
// executor, which must run on one thread at a time (kinesim gives each connection a one-thread
// loop).
void serve_connection(boost::asio::ip::tcp::socket socket, api::Dispatcher& api,
                      boost::asio::ssl::context& tls, const wire::Timeouts& timeouts);

}  // namespace kinesim::server
