// What hangs off a stream besides its shards: consumers (with their own lifecycle), tags and
// resource policies (on streams and consumers), and per-account settings. These live in SQLite
// only; reads go through the readers' connections and so see committed data only.
#include <algorithm>
#include <set>

#include "storage/store_internal.h"

namespace kinesim {

using store_internal::internal;

ConsumerStatus ConsumerInfo::status_at(int64_t now_ms) const {
  if (state == ConsumerStatus::kActive || now_ms < state_until_ms) return state;
  return state == ConsumerStatus::kDeleting ? ConsumerStatus::kGone : ConsumerStatus::kActive;
}

namespace {

constexpr int64_t kStreamKind = 0;
constexpr int64_t kConsumerKind = 1;

constexpr const char* kSelectConsumer =
    "SELECT id, stream_id, name, created_ms, state, state_until_ms FROM consumers "
    "WHERE stream_id = ? AND name = ?";

ConsumerInfo read_consumer(const sqlite::Statement& st) {
  ConsumerInfo c;
  c.id = st.column_int(0);
  c.stream_id = st.column_int(1);
  c.name = std::string(st.column_text(2));
  c.created_ms = st.column_int(3);
  c.state = static_cast<ConsumerStatus>(st.column_int(4));
  c.state_until_ms = st.column_int(5);
  return c;
}

// The consumer row, or nullopt; kInternal on a read error.
Result<std::optional<ConsumerInfo>> select_consumer(sqlite::Statement& st, int64_t stream_id,
                                                    std::string_view name) {
  sqlite::ResetOnExit reset(st);
  st.bind(1, stream_id);
  st.bind(2, name);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<ConsumerInfo>(read_consumer(st));
  if (rc == SQLITE_DONE) return std::optional<ConsumerInfo>();
  return internal(std::string("read consumer: ") + sqlite3_errstr(rc));
}

// What tags and policies are keyed by.
struct Owner {
  int64_t kind = kStreamKind;
  int64_t id = 0;
};

Status not_found(int what) {
  Status s = Status::Error(StatusCode::kNotFound);
  s.detail = what;  // 0: the stream, 1: the consumer
  return s;
}

// Finds the owner `ref` names at `now`, among the streams of `catalog` (the published one, or a
// transaction's draft) and the consumers `select` (kSelectConsumer) reads.
template <class Streams>
Result<Owner> resolve(const ResourceRef& ref, int64_t now, const Streams& catalog,
                      sqlite::Statement& select) {
  std::shared_ptr<const StreamInfo> stream = catalog.find(ref.stream);
  if (!stream || stream->status_at(now) == StreamStatus::kGone) return not_found(0);
  if (ref.consumer.empty()) return Owner{kStreamKind, stream->id};
  Result<std::optional<ConsumerInfo>> c = select_consumer(select, stream->id, ref.consumer);
  if (!c.ok()) return c.status();
  if (!c.value() || c.value()->status_at(now) == ConsumerStatus::kGone ||
      (ref.consumer_created_s != 0 && c.value()->created_ms / 1000 != ref.consumer_created_s)) {
    return not_found(1);
  }
  return Owner{kConsumerKind, c.value()->id};
}

Result<Owner> resolve_in(Transaction& t, const ResourceRef& ref) {
  return resolve(ref, t.now_ms(), t.catalog(), t.statement(kSelectConsumer));
}

Status run_owner_statement(Transaction& t, const char* sql, const Owner& owner) {
  auto& st = t.statement(sql);
  sqlite::ResetOnExit reset(st);
  st.bind(1, owner.kind);
  st.bind(2, owner.id);
  if (st.step() != SQLITE_DONE) return t.error("delete resource");
  return Status::Ok();
}

// Removes an owner's tags and policy.
Status purge_owner(Transaction& t, const Owner& owner) {
  for (const char* sql : {"DELETE FROM tags WHERE kind = ? AND owner = ?",
                          "DELETE FROM policies WHERE kind = ? AND owner = ?"}) {
    if (Status s = run_owner_statement(t, sql, owner); !s.ok()) return s;
  }
  return Status::Ok();
}

Status delete_consumer(Transaction& t, int64_t consumer_id) {
  if (Status s = purge_owner(t, Owner{kConsumerKind, consumer_id}); !s.ok()) return s;
  auto& st = t.statement("DELETE FROM consumers WHERE id = ?");
  sqlite::ResetOnExit reset(st);
  st.bind(1, consumer_id);
  if (st.step() != SQLITE_DONE) return t.error("delete consumer");
  return Status::Ok();
}

Status insert_tags(Transaction& t, const Owner& owner, const std::vector<Tag>& tags) {
  auto& st = t.statement("INSERT OR REPLACE INTO tags(kind, owner, key, value) VALUES(?, ?, ?, ?)");
  for (const Tag& tag : tags) {
    sqlite::ResetOnExit reset(st);
    st.bind(1, owner.kind);
    st.bind(2, owner.id);
    st.bind(3, tag.key);
    st.bind(4, tag.value);
    if (st.step() != SQLITE_DONE) return t.error("insert tag");
  }
  return Status::Ok();
}

// Consumers of a stream that have not finished deleting at `now`.
constexpr const char* kCountConsumers =
    "SELECT count(*) FROM consumers WHERE stream_id = ? AND NOT (state = 3 AND "
    "state_until_ms <= ?)";

}  // namespace

namespace store_internal {

Status purge_stream_resources(Transaction& t, int64_t stream_id) {
  std::vector<int64_t> consumers;
  {
    auto& st = t.statement("SELECT id FROM consumers WHERE stream_id = ?");
    sqlite::ResetOnExit reset(st);
    st.bind(1, stream_id);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) consumers.push_back(st.column_int(0));
    if (rc != SQLITE_DONE) return t.error("list consumers");
  }
  for (int64_t id : consumers) {
    if (Status s = delete_consumer(t, id); !s.ok()) return s;
  }
  return purge_owner(t, Owner{kStreamKind, stream_id});
}

Status purge_deleted_consumers(Transaction& t) {
  std::vector<int64_t> done;
  {
    auto& st = t.statement("SELECT id FROM consumers WHERE state = 3 AND state_until_ms <= ?");
    sqlite::ResetOnExit reset(st);
    st.bind(1, t.now_ms());
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) done.push_back(st.column_int(0));
    if (rc != SQLITE_DONE) return t.error("list deleted consumers");
  }
  for (int64_t id : done) {
    if (Status s = delete_consumer(t, id); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace store_internal

// ---------------------------------------------------------------------------------------------
// Consumers

void Store::register_consumer(StreamKey stream_key, std::string name, std::vector<Tag> tags,
                              int64_t max_consumers, int64_t max_creating,
                              std::function<void(Result<ConsumerInfo>)> done) {
  submit(make_result_job<ConsumerInfo>(
      [this, stream_key = std::move(stream_key), name = std::move(name), tags = std::move(tags),
       max_consumers, max_creating](Transaction& t) -> Result<ConsumerInfo> {
        auto stream = store_internal::live_stream(t, stream_key);
        if (!stream) return not_found(0);
        const int64_t now = t.now_ms();
        {
          auto& st = t.statement(
              "SELECT count(*) FROM consumers WHERE stream_id = ? AND state = 0 AND "
              "state_until_ms > ?");
          sqlite::ResetOnExit reset(st);
          st.bind(1, stream->id);
          st.bind(2, now);
          if (st.step() != SQLITE_ROW) return t.error("count creating consumers");
          if (st.column_int(0) >= max_creating) {
            Status s = Status::Error(StatusCode::kLimitExceeded);
            s.current = st.column_int(0);
            s.limit = max_creating;
            s.detail = 1;  // the CREATING limit
            return s;
          }
        }
        const StreamStatus status = stream->status_at(now);
        if (status != StreamStatus::kActive && status != StreamStatus::kUpdating) {
          Status s = Status::Error(StatusCode::kInUse);
          s.detail = static_cast<int>(status);
          return s;
        }
        auto existing = select_consumer(t.statement(kSelectConsumer), stream->id, name);
        if (!existing.ok()) return existing.status();
        if (existing.value() && existing.value()->status_at(now) != ConsumerStatus::kGone) {
          return Status::Error(StatusCode::kAlreadyExists);
        }
        {
          auto& st = t.statement(kCountConsumers);
          sqlite::ResetOnExit reset(st);
          st.bind(1, stream->id);
          st.bind(2, now);
          if (st.step() != SQLITE_ROW) return t.error("count consumers");
          if (st.column_int(0) >= max_consumers) {
            Status s = Status::Error(StatusCode::kLimitExceeded);
            s.current = st.column_int(0);
            s.limit = max_consumers;
            return s;
          }
        }
        if (existing.value()) {
          if (Status s = delete_consumer(t, existing.value()->id); !s.ok()) return s;
        }
        ConsumerInfo c;
        c.stream_id = stream->id;
        c.name = name;
        c.created_ms = now;
        const int64_t delay = options_.delays.consumer_ms;
        c.state = delay > 0 ? ConsumerStatus::kCreating : ConsumerStatus::kActive;
        c.state_until_ms = delay > 0 ? now + delay : 0;
        {
          auto& st = t.statement(
              "INSERT INTO consumers(stream_id, name, created_ms, state, state_until_ms) "
              "VALUES(?, ?, ?, ?, ?)");
          sqlite::ResetOnExit reset(st);
          st.bind(1, c.stream_id);
          st.bind(2, c.name);
          st.bind(3, c.created_ms);
          st.bind(4, static_cast<int64_t>(c.state));
          st.bind(5, c.state_until_ms);
          if (st.step() != SQLITE_DONE) return t.error("insert consumer");
          c.id = t.last_insert_rowid();
        }
        if (Status s = insert_tags(t, Owner{kConsumerKind, c.id}, tags); !s.ok()) return s;
        return c;
      },
      std::move(done)));
}

void Store::deregister_consumer(ResourceRef ref, std::function<void(Status)> done) {
  submit(make_job(
      [this, ref = std::move(ref)](Transaction& t) -> Status {
        auto owner = resolve_in(t, ref);
        if (!owner.ok()) return owner.status();
        const int64_t delay = options_.delays.consumer_ms;
        if (delay <= 0) return delete_consumer(t, owner->id);
        auto& st = t.statement(
            "UPDATE consumers SET state = 3, state_until_ms = ? WHERE id = ? AND state != 3");
        sqlite::ResetOnExit reset(st);
        st.bind(1, t.now_ms() + delay);
        st.bind(2, owner->id);
        if (st.step() != SQLITE_DONE) return t.error("deregister consumer");
        return Status::Ok();
      },
      std::move(done)));
}

Result<std::optional<ConsumerInfo>> Store::find_consumer(int64_t stream_id, std::string_view name) {
  Result<std::optional<ConsumerInfo>> out = std::optional<ConsumerInfo>();
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    out = select_consumer(conn.statement(kSelectConsumer), stream_id, name);
    return out.ok() ? Status::Ok() : out.status();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ConsumerInfo>> Store::list_consumers(int64_t stream_id, std::string_view after,
                                                        size_t limit) {
  std::vector<ConsumerInfo> out;
  const int64_t now = clock_.now_ms();
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    auto& st = conn.statement(
        "SELECT id, stream_id, name, created_ms, state, state_until_ms FROM consumers "
        "WHERE stream_id = ? AND name > ? AND NOT (state = 3 AND state_until_ms <= ?) "
        "ORDER BY name LIMIT ?");
    sqlite::ResetOnExit reset(st);
    st.bind(1, stream_id);
    st.bind(2, after);
    st.bind(3, now);
    st.bind(4, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_consumer(st));
    if (rc != SQLITE_DONE) return internal(std::string("list consumers: ") + sqlite3_errstr(rc));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<int64_t> Store::consumer_count(int64_t stream_id) {
  int64_t n = 0;
  const int64_t now = clock_.now_ms();
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    auto& st = conn.statement(kCountConsumers);
    sqlite::ResetOnExit reset(st);
    st.bind(1, stream_id);
    st.bind(2, now);
    if (st.step() != SQLITE_ROW) return internal("count consumers");
    n = st.column_int(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Tags

void Store::add_tags(ResourceRef ref, std::vector<Tag> tags, size_t max_tags,
                     std::function<void(Status)> done) {
  submit(make_job(
      [ref = std::move(ref), tags = std::move(tags), max_tags](Transaction& t) -> Status {
        auto owner = resolve_in(t, ref);
        if (!owner.ok()) return owner.status();
        std::set<std::string, std::less<>> keys;
        {
          auto& st = t.statement("SELECT key FROM tags WHERE kind = ? AND owner = ?");
          sqlite::ResetOnExit reset(st);
          st.bind(1, owner->kind);
          st.bind(2, owner->id);
          int rc;
          while ((rc = st.step()) == SQLITE_ROW) keys.emplace(st.column_text(0));
          if (rc != SQLITE_DONE) return t.error("read tags");
        }
        const int64_t current = static_cast<int64_t>(keys.size());
        for (const Tag& tag : tags) keys.insert(tag.key);
        if (keys.size() > max_tags) {
          Status s = Status::Error(StatusCode::kLimitExceeded);
          s.current = current;
          s.limit = static_cast<int64_t>(max_tags);
          return s;
        }
        return insert_tags(t, owner.value(), tags);
      },
      std::move(done)));
}

void Store::remove_tags(ResourceRef ref, std::vector<std::string> keys,
                        std::function<void(Status)> done) {
  submit(make_job(
      [ref = std::move(ref), keys = std::move(keys)](Transaction& t) -> Status {
        auto owner = resolve_in(t, ref);
        if (!owner.ok()) return owner.status();
        auto& st = t.statement("DELETE FROM tags WHERE kind = ? AND owner = ? AND key = ?");
        for (const auto& key : keys) {
          sqlite::ResetOnExit reset(st);
          st.bind(1, owner->kind);
          st.bind(2, owner->id);
          st.bind(3, key);
          if (st.step() != SQLITE_DONE) return t.error("remove tag");
        }
        return Status::Ok();
      },
      std::move(done)));
}

Result<std::vector<Tag>> Store::list_tags(const ResourceRef& ref) {
  std::vector<Tag> out;
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    auto owner = resolve(ref, clock_.now_ms(), catalog_, conn.statement(kSelectConsumer));
    if (!owner.ok()) return owner.status();
    auto& st =
        conn.statement("SELECT key, value FROM tags WHERE kind = ? AND owner = ? ORDER BY key");
    sqlite::ResetOnExit reset(st);
    st.bind(1, owner->kind);
    st.bind(2, owner->id);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      out.push_back(Tag{std::string(st.column_text(0)), std::string(st.column_text(1))});
    }
    if (rc != SQLITE_DONE) return internal(std::string("list tags: ") + sqlite3_errstr(rc));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resource policies

void Store::put_policy(ResourceRef ref, std::string policy, std::function<void(Status)> done) {
  submit(make_job(
      [ref = std::move(ref), policy = std::move(policy)](Transaction& t) -> Status {
        auto owner = resolve_in(t, ref);
        if (!owner.ok()) return owner.status();
        auto& st =
            t.statement("INSERT OR REPLACE INTO policies(kind, owner, policy) VALUES(?, ?, ?)");
        sqlite::ResetOnExit reset(st);
        st.bind(1, owner->kind);
        st.bind(2, owner->id);
        st.bind(3, policy);
        if (st.step() != SQLITE_DONE) return t.error("put policy");
        return Status::Ok();
      },
      std::move(done)));
}

void Store::delete_policy(ResourceRef ref, std::function<void(Status)> done) {
  submit(make_job(
      [ref = std::move(ref)](Transaction& t) -> Status {
        auto owner = resolve_in(t, ref);
        if (!owner.ok()) return owner.status();
        return run_owner_statement(t, "DELETE FROM policies WHERE kind = ? AND owner = ?",
                                   owner.value());
      },
      std::move(done)));
}

Result<std::optional<std::string>> Store::get_policy(const ResourceRef& ref) {
  std::optional<std::string> out;
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    auto owner = resolve(ref, clock_.now_ms(), catalog_, conn.statement(kSelectConsumer));
    if (!owner.ok()) return owner.status();
    auto& st = conn.statement("SELECT policy FROM policies WHERE kind = ? AND owner = ?");
    sqlite::ResetOnExit reset(st);
    st.bind(1, owner->kind);
    st.bind(2, owner->id);
    const int rc = st.step();
    if (rc == SQLITE_ROW) out = std::string(st.column_text(0));
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return internal(std::string("read policy: ") + sqlite3_errstr(rc));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Account settings

namespace {

constexpr const char* kSelectAccountSettings =
    "SELECT commitment, started_ms, ended_ms, earliest_end_ms FROM account_settings "
    "WHERE account = ? AND region = ?";

// An account's settings through `select` (kSelectAccountSettings); the defaults when it has none.
Result<AccountSettings> select_account_settings(sqlite::Statement& select,
                                                const std::string& account,
                                                const std::string& region) {
  AccountSettings out;
  sqlite::ResetOnExit reset(select);
  select.bind(1, account);
  select.bind(2, region);
  const int rc = select.step();
  if (rc == SQLITE_ROW) {
    out.commitment = static_cast<BillingCommitment>(select.column_int(0));
    out.started_ms = select.column_int(1);
    out.ended_ms = select.column_int(2);
    out.earliest_end_ms = select.column_int(3);
  } else if (rc != SQLITE_DONE) {
    return internal(std::string("read account settings: ") + sqlite3_errstr(rc));
  }
  return out;
}

}  // namespace

Result<AccountSettings> Store::account_settings(const std::string& account,
                                                const std::string& region) {
  Result<AccountSettings> out = AccountSettings{};
  Status s = with_reader([&](ReadConnection& conn) -> Status {
    out = select_account_settings(conn.statement(kSelectAccountSettings), account, region);
    return out.ok() ? Status::Ok() : out.status();
  });
  if (!s.ok()) return s;
  return out;
}

namespace {

Status write_account_settings(Transaction& t, const std::string& account, const std::string& region,
                              const AccountSettings& settings) {
  auto& st = t.statement(
      "INSERT OR REPLACE INTO account_settings(account, region, commitment, started_ms, "
      "ended_ms, earliest_end_ms) VALUES(?, ?, ?, ?, ?, ?)");
  sqlite::ResetOnExit reset(st);
  st.bind(1, account);
  st.bind(2, region);
  st.bind(3, static_cast<int64_t>(settings.commitment));
  st.bind(4, settings.started_ms);
  st.bind(5, settings.ended_ms);
  st.bind(6, settings.earliest_end_ms);
  if (st.step() != SQLITE_DONE) return t.error("write account settings");
  return Status::Ok();
}

}  // namespace

void Store::change_account_settings(std::string account, std::string region,
                                    AccountSettingsChange change,
                                    std::function<void(Result<AccountSettings>)> done) {
  submit(make_result_job<AccountSettings>(
      [account = std::move(account), region = std::move(region),
       change = std::move(change)](Transaction& t) -> Result<AccountSettings> {
        auto read = select_account_settings(t.statement(kSelectAccountSettings), account, region);
        if (!read.ok()) return read.status();
        AccountSettings settings = read.value();
        if (Status s = change(settings, t.now_ms()); !s.ok()) return s;
        if (Status s = write_account_settings(t, account, region, settings); !s.ok()) return s;
        return settings;
      },
      std::move(done)));
}

}  // namespace kinesim
