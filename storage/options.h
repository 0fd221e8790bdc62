// How a Store is set up: where it keeps its data, how durable a commit is, its limits, and how
// long streams and consumers stay in their transitional states.
#pragma once

#include <cstdint>
#include <string>

namespace kinesim {

// How long each transitional state lasts, in milliseconds of the store's clock. Zero (the default,
// for tests) makes a change take effect at once: a stream is ACTIVE as soon as it is created and
// gone as soon as it is deleted.
struct StateDelays {
  int64_t creating_ms = 0;  // CreateStream: CREATING, then ACTIVE
  int64_t deleting_ms = 0;  // DeleteStream: DELETING, then gone
  int64_t updating_ms = 0;  // resharding and settings: UPDATING, then ACTIVE
  int64_t consumer_ms = 0;  // consumers: CREATING, then ACTIVE; DELETING, then gone
};

struct StoreOptions {
  std::string path = "./data/kinesim.db";  // ":memory:" keeps nothing on disk
  bool sync_full = false;                  // fsync every commit (survives power loss)
  // File databases: how long a statement waits for another process's lock before it fails
  // (SQLITE_BUSY, reported as kInternal).
  int64_t busy_timeout_ms = 5000;
  int64_t shard_limit = 500;            // open shards per account and region
  int64_t on_demand_stream_limit = 50;  // ON_DEMAND streams per account and region
  StateDelays delays;
  // How often the background maintenance pass trims expired records and removes what has
  // finished deleting.
  int maintenance_interval_ms = 1000;
  // File databases: how often the WAL is copied back into the database in the background.
  int checkpoint_interval_ms = 250;
  // File databases: once the WAL holds this many pages, the checkpointer briefly holds writes
  // back to copy the rest and let the WAL start over (see Maintenance).
  int wal_reset_pages = 4096;  // 16 MiB of 4 KiB pages
  // The WAL file is trimmed back to this size when it starts over.
  int64_t wal_size_limit_bytes = 64 * 1024 * 1024;
};

}  // namespace kinesim
