// The server's four kinds of session, each started from its own translation unit
// (server/http{1,2}_{plain,tls}.cc): the session templates are heavy to instantiate, and one
// file holding all four needed minutes and gigabytes to compile. Only server/connection.cc calls
// these; it includes neither session header.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api/dispatcher.h"
#include "server/wire.h"

namespace kinesim::server {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Each takes over `stream` (and `buffer`, the bytes protocol detection already read from it) and
// serves HTTP/1.1 or HTTP/2 on it until the client is done or `timeouts` close it.
void start_http1(PlainStream&& stream, boost::beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts);
void start_http1(TlsStream&& stream, boost::beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts);
void start_http2(PlainStream&& stream, boost::beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts);
void start_http2(TlsStream&& stream, boost::beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts);

}  // namespace kinesim::server
