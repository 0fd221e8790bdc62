// HTTP/1.1 sessions over TLS streams (see server/session_start.h).
#include "server/http1_session.h"
#include "server/session_start.h"

namespace kinesim::server {

void start_http1(TlsStream&& stream, beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts) {
  std::make_shared<Http1Session<TlsStream>>(std::move(stream), std::move(buffer), api, timeouts)
      ->run();
}

}  // namespace kinesim::server
