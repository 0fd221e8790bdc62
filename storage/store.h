// Store: streams, shards, records, consumers, tags and policies on SQLite.
//
// Contract:
// - Every change goes through one group-commit writer (storage/writer.h): a callback runs after
//   the change has committed, on the writing thread, so a caller that acknowledges a write from it
//   never acknowledges something a crash could lose. Callbacks may submit further changes.
// - Reads never wait for the writer when the database is a file: each reading thread borrows a
//   connection of its own and sees committed data only. An in-memory database has one
//   connection, shared under a lock.
// - Streams and shards are also held in memory, in the catalog (storage/catalog.h).
// - Transitional states (CREATING, UPDATING, DELETING) end on the store's clock by themselves
//   (StreamInfo::status_at); a background pass removes what finished deleting and trims records
//   past their stream's retention period. Reads never return a record past retention, trimmed or
//   not.
//
// The implementation is split by concern: store.cc (opening, reads' connections), streams.cc
// (stream and shard metadata, resharding), records.cc, resources.cc (consumers, tags, policies,
// account settings) and maintenance.cc (trimming, purging, checkpoints).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/clock.h"
#include "storage/commit_signal.h"
#include "storage/options.h"
#include "storage/sequence_number.h"
#include "storage/status.h"

namespace kinesim {

struct WriteJob;
struct ReshardPlan;

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct NewStream {
  StreamKey key;
  int64_t shard_count = 1;
  StreamMode mode = StreamMode::kProvisioned;
  int32_t max_record_size_kib = 1024;
  int32_t warm_throughput_mibps = 0;
  std::vector<Tag> tags;
};

struct RecordToPut {
  HashKey hash_key = 0;
  std::string partition_key;
  std::string data;
};

struct PutResult {
  int64_t shard_index = 0;
  SequenceNumber sequence_number;
  bool encrypted = false;
};

// A record as read back; the views are valid only inside the visiting callback.
struct StoredRecord {
  uint64_t counter = 0;
  int64_t arrival_ms = 0;
  std::string_view partition_key;
  std::string_view data;
  bool encrypted = false;
};

enum class ConsumerStatus { kCreating = 0, kActive = 1, kDeleting = 3, kGone = 4 };

struct ConsumerInfo {
  int64_t id = 0;
  int64_t stream_id = 0;
  std::string name;
  int64_t created_ms = 0;
  ConsumerStatus state = ConsumerStatus::kActive;
  int64_t state_until_ms = 0;

  ConsumerStatus status_at(int64_t now_ms) const;
};

// What tags and policies belong to: a stream, or one of its consumers.
struct ResourceRef {
  StreamKey stream;
  std::string consumer;  // empty: the stream itself
  // For a consumer named by ARN: its creation second (the ARN's last part), which must match
  // (0: any).
  int64_t consumer_created_s = 0;
};

enum class BillingCommitment { kDisabled = 0, kEnabled = 1, kEnabledUntilEarliestAllowedEnd = 2 };

// An account's MinimumThroughputBillingCommitment in one region. A commitment lasts at least until
// earliest_end_ms; disabling it earlier schedules its end there (kEnabledUntilEarliestAllowedEnd,
// with ended_ms = earliest_end_ms), and it ends by itself then. All times are 0 until first set.
struct AccountSettings {
  BillingCommitment commitment = BillingCommitment::kDisabled;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  int64_t earliest_end_ms = 0;

  // The commitment's status at `now_ms`: a scheduled end has taken effect once it is due.
  BillingCommitment commitment_at(int64_t now_ms) const {
    if (commitment == BillingCommitment::kEnabledUntilEarliestAllowedEnd &&
        now_ms >= earliest_end_ms) {
      return BillingCommitment::kDisabled;
    }
    return commitment;
  }
  bool committed_at(int64_t now_ms) const {
    return commitment_at(now_ms) != BillingCommitment::kDisabled;
  }
};

// A change to an account's settings, made inside the writer's transaction on the settings as
// stored (with the time of the change). Returning a non-ok status refuses the change.
using AccountSettingsChange = std::function<Status(AccountSettings& settings, int64_t now_ms)>;

// A change to a stream's settings, made on a copy of the stream inside the writer's transaction
// (with the time of the change). Returning a non-ok status refuses the change.
using StreamChange = std::function<Status(StreamInfo& stream, int64_t now_ms)>;

class Store {
 public:
  // Opens or creates the database, upgrading an older schema, and starts background maintenance.
  // Fails (kInternal) when the file cannot be opened or written, or was written by a newer schema.
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options, const Clock& clock);
  ~Store();  // finishes queued writes, then stops
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const Catalog& catalog() const { return catalog_; }
  const StoreOptions& options() const { return options_; }
  const Clock& clock() const { return clock_; }

  // 32 random bytes made when the database was created; keys the shard iterators and tokens,
  // so they stay valid across restarts of the same database.
  const std::string& secret() const { return secret_; }

  // Raised after each commit that appended records (storage/commit_signal.h). Listeners must be
  // gone before the store is destroyed.
  CommitSignal& records_committed() { return records_committed_; }

  // The storage check behind GET /health: a write transaction that reads the schema, through the
  // same writer as every change, so `done` sees what a write would (a locked, read-only, full or
  // corrupt database fails with kInternal).
  void check(std::function<void(Status)> done);

  // ------------------------------------------------------------------------------------------
  // Streams and shards (streams.cc). Each callback runs once the outcome is durable.
  //
  // Failures: kNotFound (no such stream, or it has finished deleting), kInUse (the stream or one
  // of its shards is not in a state that allows the change; `detail` holds the StreamStatus),
  // kAlreadyExists, kLimitExceeded (`current`/`limit` set), kInvalid (the request contradicts the
  // stored state; `message` says how), kInternal.

  // CREATING for delays.creating_ms (ACTIVE at once by default). kAlreadyExists (detail: the
  // existing stream's StreamStatus), kLimitExceeded (detail 0: open shards; 1: ON_DEMAND streams).
  void create_stream(NewStream spec, std::function<void(Status)> done);
  // DELETING for delays.deleting_ms, then gone with its shards, records, consumers, tags and
  // policy. kInUse when it has consumers and `enforce_consumer_deletion` is false (detail -1).
  void delete_stream(StreamKey key, bool enforce_consumer_deletion,
                     std::function<void(Status)> done);
  // Applies `change` to the stream's settings (the change checks the stream's state itself). With
  // `updating`, the stream is UPDATING for delays.updating_ms afterwards. When the change makes
  // the retention period longer, records already past the old period are deleted with it, so
  // they never become readable again. kLimitExceeded (detail 1, as for create_stream) when the
  // change makes the stream ON_DEMAND and the account already has options.on_demand_stream_limit
  // ON_DEMAND streams.
  void update_stream(StreamKey key, bool updating, StreamChange change,
                     std::function<void(Status)> done);
  // Resharding: `plan` looks at the stream as the writer sees it and returns the plan
  // (storage/lineage.h) or refuses. The stream is UPDATING for delays.updating_ms afterwards;
  // with `scaling`, the change counts as an UpdateShardCount (StreamInfo::scalings_ms). The
  // account's open-shard limit applies (kLimitExceeded). Answers the open shard count before.
  // A plan that changes nothing leaves the stream as it is (ACTIVE, and no scaling counted).
  void reshard(StreamKey key, bool scaling,
               std::function<Result<ReshardPlan>(const StreamInfo& stream, int64_t now_ms)> plan,
               std::function<void(Result<int64_t>)> done);

  // ------------------------------------------------------------------------------------------
  // Records (records.cc).

  // kNotFound, or one PutResult per record in order. All records commit together.
  void put_records(StreamKey key, std::vector<RecordToPut> records,
                   std::function<void(Result<std::vector<PutResult>>)> done);
  // Visits committed records of shard `shard_gid` with after < counter <= upto that arrived at or
  // after `not_before_ms` (older ones are past retention), in order, stopping after
  // `max_records`, or before the record that would take the data bytes over `max_bytes` (the
  // first record is always visited).
  Status read_records(int64_t shard_gid, uint64_t after, uint64_t upto, int64_t not_before_ms,
                      size_t max_records, size_t max_bytes,
                      const std::function<void(const StoredRecord&)>& visit);
  // The largest counter c <= upto such that every record after c arrived at or after `ms`
  // (so reading after c starts at the first record with arrival >= ms).
  Result<uint64_t> counter_before_time(int64_t shard_gid, uint64_t upto, int64_t ms);
  // Where TRIM_HORIZON stands in `shard` at `now_ms`: the counter before its oldest record that
  // is still within the stream's retention period.
  Result<uint64_t> trim_horizon(const StreamInfo& stream, const ShardInfo& shard, int64_t now_ms);

  // ------------------------------------------------------------------------------------------
  // Consumers, tags, policies and account settings (resources.cc).

  // CREATING for delays.consumer_ms. kNotFound (stream), kAlreadyExists, kInUse (stream not
  // ACTIVE), kLimitExceeded: detail 1 when `max_creating` consumers are already CREATING (checked
  // first), detail 0 when the stream has `max_consumers`.
  void register_consumer(StreamKey stream, std::string name, std::vector<Tag> tags,
                         int64_t max_consumers, int64_t max_creating,
                         std::function<void(Result<ConsumerInfo>)> done);
  // DELETING for delays.consumer_ms, then gone. kNotFound (stream or consumer).
  void deregister_consumer(ResourceRef consumer, std::function<void(Status)> done);
  // The consumer as committed (whatever its status), or nullopt.
  Result<std::optional<ConsumerInfo>> find_consumer(int64_t stream_id, std::string_view name);
  // Consumers of a stream in name order, after `after`, at most `limit`; gone ones left out.
  Result<std::vector<ConsumerInfo>> list_consumers(int64_t stream_id, std::string_view after,
                                                   size_t limit);
  Result<int64_t> consumer_count(int64_t stream_id);

  // Adds or overwrites tags; kLimitExceeded when the resource would hold more than `max_tags`.
  // kNotFound when the stream or consumer does not exist.
  void add_tags(ResourceRef resource, std::vector<Tag> tags, size_t max_tags,
                std::function<void(Status)> done);
  void remove_tags(ResourceRef resource, std::vector<std::string> keys,
                   std::function<void(Status)> done);
  // The resource's tags in key order (kNotFound when it does not exist).
  Result<std::vector<Tag>> list_tags(const ResourceRef& resource);

  void put_policy(ResourceRef resource, std::string policy, std::function<void(Status)> done);
  // kNotFound when the resource does not exist; Ok whether or not it had a policy.
  void delete_policy(ResourceRef resource, std::function<void(Status)> done);
  // nullopt when the resource has no policy.
  Result<std::optional<std::string>> get_policy(const ResourceRef& resource);

  Result<AccountSettings> account_settings(const std::string& account, const std::string& region);
  // Reads the settings inside the writer, applies `change` and stores the result, so concurrent
  // changes never overwrite each other; answers the settings as stored.
  void change_account_settings(std::string account, std::string region,
                               AccountSettingsChange change,
                               std::function<void(Result<AccountSettings>)> done);

  // ------------------------------------------------------------------------------------------
  // Maintenance (maintenance.cc): trims records past retention and removes streams and
  // consumers that finished deleting. Runs in the background every
  // options.maintenance_interval_ms; tests on a fake clock may run it at once.
  Status run_maintenance();

  // Erases every stream with its shards and records, every consumer, tag and policy, and every
  // account's settings, in one write through the writer (so it is safe while serving: writes
  // queued before it are erased, writes after it start from nothing). The database's secret
  // stays, so it is still the same database.
  void reset(std::function<void(Status)> done);

 private:
  class ReadConnection;
  class Background;
  friend class Background;

  Store(StoreOptions options, const Clock& clock);
  Status start();
  Status load_catalog();
  void submit(std::unique_ptr<WriteJob> job);
  // Runs `read` with a read connection (and, in memory, the database lock).
  Status with_reader(const std::function<Status(ReadConnection&)>& read);

  const StoreOptions options_;
  const Clock& clock_;
  const bool in_memory_;
  std::string secret_;
  Catalog catalog_;
  CommitSignal records_committed_;  // outlives the writer that raises it

  struct Database;
  std::unique_ptr<Database> db_;  // the writer's connection and the group-commit writer
  std::mutex memory_db_mutex_;    // in-memory only: guards the single shared connection
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<ReadConnection>> idle_readers_;
  std::unique_ptr<Background> background_;
};

}  // namespace kinesim
