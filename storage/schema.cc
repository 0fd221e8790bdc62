#include "storage/schema.h"

#include <openssl/rand.h>

#include <iterator>
#include <optional>

namespace kinesim::schema {
namespace {

Status internal(std::string message) {
  return Status::Error(StatusCode::kInternal, std::move(message));
}

// Version 1: the data plane. meta holds schema_version and the secret.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE streams(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  retention_hours INTEGER NOT NULL,
  max_record_size_kib INTEGER NOT NULL,
  UNIQUE(account, region, name));
CREATE TABLE shards(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  start_hash TEXT NOT NULL,
  end_hash TEXT NOT NULL,
  parent_idx INTEGER,
  adjacent_parent_idx INTEGER,
  created_ms INTEGER NOT NULL,
  ending_counter INTEGER,
  UNIQUE(stream_id, idx));
-- A record's id is (shard id << 40) | counter, so a shard's records are one contiguous id range
-- in sequence order and every read is a range scan of the table's own b-tree.
CREATE TABLE records(
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  pkey TEXT NOT NULL,
  data BLOB NOT NULL);
)sql";

// Version 2: the control plane.
// - streams: lifecycle state and its deadline, encryption, enhanced monitoring, warm throughput
//   and the times of recent UpdateShardCount calls and capacity-mode switches (comma-separated
//   milliseconds).
// - shards: when a reshard closed them; the counter floor left by retention trimming, so
//   counters are never reused once their records are gone; and the sequence number layout.
//   Shards that exist at the upgrade keep the decimal layout they were made with (1); new ones
//   use Kinesis' (0) with their creation second.
// - records: whether the record was written while the stream was encrypted.
// - consumers, tags and resource policies; tags and policies belong to a stream (kind 0) or a
//   consumer (kind 1).
// - per-account settings.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE streams ADD COLUMN state INTEGER NOT NULL DEFAULT 1;
ALTER TABLE streams ADD COLUMN state_until_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN kms_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE streams ADD COLUMN shard_metrics INTEGER NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN warm_throughput_mibps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN scalings TEXT NOT NULL DEFAULT '';
ALTER TABLE streams ADD COLUMN mode_switches TEXT NOT NULL DEFAULT '';
ALTER TABLE shards ADD COLUMN closed_ms INTEGER;
ALTER TABLE shards ADD COLUMN trimmed_through INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shards ADD COLUMN sequence_layout INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shards ADD COLUMN sequence_created_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;
CREATE TABLE consumers(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  state INTEGER NOT NULL,
  state_until_ms INTEGER NOT NULL,
  UNIQUE(stream_id, name));
CREATE TABLE tags(
  kind INTEGER NOT NULL,
  owner INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(kind, owner, key)) WITHOUT ROWID;
CREATE TABLE policies(
  kind INTEGER NOT NULL,
  owner INTEGER NOT NULL,
  policy TEXT NOT NULL,
  PRIMARY KEY(kind, owner)) WITHOUT ROWID;
CREATE TABLE account_settings(
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  commitment INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER NOT NULL,
  earliest_end_ms INTEGER NOT NULL,
  PRIMARY KEY(account, region)) WITHOUT ROWID;
)sql";

// kMigrations[v] takes a database from version v to v + 1.
constexpr const char* kMigrations[] = {kVersion1, kVersion2};
static_assert(std::size(kMigrations) == kVersion);

Status set_meta(sqlite::Connection& db, std::string_view key, std::string_view blob,
                std::optional<int64_t> number) {
  sqlite::Statement st;
  if (Status s = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", &st); !s.ok()) {
    return s;
  }
  st.bind(1, key);
  if (number) {
    st.bind(2, *number);
  } else {
    st.bind_blob(2, blob);
  }
  return st.run(db);
}

}  // namespace

Result<int64_t> version(sqlite::Connection& db) {
  sqlite::Statement st;
  if (!db.prepare("SELECT value FROM meta WHERE key = 'schema_version'", &st).ok()) {
    return int64_t{0};  // no meta table: an empty database
  }
  if (st.step() != SQLITE_ROW) return internal("the database has no schema version");
  return st.column_int(0);
}

Result<std::string> open(sqlite::Connection& db, const std::string& path) {
  auto current = version(db);
  if (!current.ok()) return internal(path + ": " + current.status().message);
  if (*current > kVersion) {
    return internal(path + " was written by a newer kinesim (schema " + std::to_string(*current) +
                    ")");
  }
  if (*current < kVersion) {
    // One transaction for every step: an upgrade that fails leaves the file as it was.
    if (Status s = db.exec("BEGIN IMMEDIATE;"); !s.ok()) {
      return internal("cannot use " + path + ": " + s.message);
    }
    Status failed;
    for (int64_t v = *current; v < kVersion && failed.ok(); ++v) {
      failed = db.exec(kMigrations[v]);
    }
    if (failed.ok() && *current == 0) {
      unsigned char key[32];
      if (RAND_bytes(key, sizeof key) != 1) {
        failed = internal("no randomness for the store secret");
      } else {
        failed =
            set_meta(db, "secret", std::string_view(reinterpret_cast<char*>(key), sizeof key), {});
      }
    }
    if (failed.ok()) failed = set_meta(db, "schema_version", {}, kVersion);
    if (failed.ok()) failed = db.exec("COMMIT;");
    if (!failed.ok()) {
      (void)db.exec("ROLLBACK;");
      return internal("cannot " + std::string(*current == 0 ? "create" : "upgrade") +
                      " the schema of " + path + ": " + failed.message);
    }
  }
  sqlite::Statement sec;
  if (Status s = db.prepare("SELECT value FROM meta WHERE key = 'secret'", &sec); !s.ok()) {
    return s;
  }
  if (sec.step() != SQLITE_ROW) return internal(path + " has no secret");
  return std::string(sec.column_blob(0));
}

}  // namespace kinesim::schema
