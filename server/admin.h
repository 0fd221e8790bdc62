// The admin surface: test controls over HTTP, for suites in any language. Off unless the server
// runs with --admin, because POST /_kinesim/reset erases every stream. JSON in and out:
//
//   POST   /_kinesim/reset                 erase all state, clear faults, back to system time
//   GET    /_kinesim/clock                 {"mode":"system"|"manual","now_ms":N}
//   POST   /_kinesim/clock                 {"mode":"manual","now_ms":N} or {"mode":"system"}
//   POST   /_kinesim/clock/advance         {"ms":N}
//   GET    /_kinesim/faults                {"faults":[rule with "id" and "fired", ...]}
//   POST   /_kinesim/faults                a rule (api/faults.h) -> {"id":N}
//   DELETE /_kinesim/faults                clear all rules
//   DELETE /_kinesim/faults/{id}           clear one rule
//   POST   /_kinesim/throughput-limits     {"enabled":true|false}
#pragma once

#include "api/dispatcher.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace kinesim::server {

struct AdminTargets {
  Store& store;
  api::FaultRegistry& faults;
  ControllableClock& clock;
  bool throughput_limits = false;  // what reset returns the limits to
};

// The handler the Dispatcher runs for requests under api::kAdminPrefix.
api::AdminHandler make_admin_handler(AdminTargets targets);

}  // namespace kinesim::server
