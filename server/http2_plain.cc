// HTTP/2 sessions over plain TCP streams (see server/session_start.h).
#include "server/http2_session.h"
#include "server/session_start.h"

namespace kinesim::server {

void start_http2(PlainStream&& stream, beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts) {
  std::make_shared<Http2Session<PlainStream>>(std::move(stream), std::move(buffer), api, timeouts)
      ->run();
}

}  // namespace kinesim::server
