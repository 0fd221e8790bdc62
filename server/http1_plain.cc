// HTTP/1.1 sessions over plain TCP streams (see server/session_start.h).
#include "server/http1_session.h"
#include "server/session_start.h"

namespace kinesim::server {

void start_http1(PlainStream&& stream, beast::flat_buffer&& buffer, api::Dispatcher& api,
                 const wire::Timeouts& timeouts) {
  std::make_shared<Http1Session<PlainStream>>(std::move(stream), std::move(buffer), api, timeouts)
      ->run();
}

}  // namespace kinesim::server
