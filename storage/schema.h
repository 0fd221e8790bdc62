// The database schema and its migrations. A new database is made by running every migration
// from an empty file, so a new database and an upgraded one are made by the same statements.
// Opening a database written by a newer kinesim is refused.
#pragma once

#include <cstdint>
#include <string>

#include "storage/sqlite.h"
#include "storage/status.h"

namespace kinesim::schema {

// The version this build writes.
constexpr int64_t kVersion = 2;

// Brings the database on `db` (opened for writing) up to kVersion, creating it when empty, and
// returns its 32-byte secret. Fails (kInternal) for a newer schema or a write error; a failed
// upgrade changes nothing.
Result<std::string> open(sqlite::Connection& db, const std::string& path);

// The version a database is at (0 for an empty one).
Result<int64_t> version(sqlite::Connection& db);

}  // namespace kinesim::schema
