// Stream and shard metadata: creating and deleting streams, changing their settings, and
// resharding with lineage. Every change is a job of the group-commit writer; the catalog draft is
// published after COMMIT.
#include <algorithm>

#include "storage/lineage.h"
#include "storage/store_internal.h"

namespace kinesim {

using store_internal::internal;
using store_internal::live_stream;

namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

std::string join_times(const std::vector<int64_t>& times) {
  std::string s;
  for (int64_t t : times) {
    if (!s.empty()) s += ',';
    s += std::to_string(t);
  }
  return s;
}

// The end of a transitional state that lasts `delay_ms`; zero delays end at once.
void enter_state(StreamInfo& s, StreamStatus state, int64_t now, int64_t delay_ms) {
  if (delay_ms <= 0 && state != StreamStatus::kDeleting) {
    s.state = StreamStatus::kActive;
    s.state_until_ms = 0;
  } else {
    s.state = state;
    s.state_until_ms = now + std::max<int64_t>(delay_ms, 0);
  }
}

Status write_settings(Transaction& t, const StreamInfo& s) {
  auto& st = t.statement(
      "UPDATE streams SET mode = ?, retention_hours = ?, max_record_size_kib = ?, kms_key_id = ?, "
      "shard_metrics = ?, warm_throughput_mibps = ?, state = ?, state_until_ms = ?, scalings = ?, "
      "mode_switches = ? WHERE id = ?");
  sqlite::ResetOnExit reset(st);
  const std::string scalings = join_times(s.scalings_ms);
  const std::string mode_switches = join_times(s.mode_switches_ms);
  st.bind(1, static_cast<int64_t>(s.mode));
  st.bind(2, int64_t{s.retention_hours});
  st.bind(3, int64_t{s.max_record_size_kib});
  st.bind(4, s.kms_key_id);
  st.bind(5, int64_t{s.shard_metrics});
  st.bind(6, int64_t{s.warm_throughput_mibps});
  st.bind(7, static_cast<int64_t>(s.state));
  st.bind(8, s.state_until_ms);
  st.bind(9, scalings);
  st.bind(10, mode_switches);
  st.bind(11, s.id);
  if (st.step() != SQLITE_DONE) return t.error("update stream");
  return Status::Ok();
}

Status insert_shard(Transaction& t, int64_t stream_id, ShardInfo& shard) {
  auto& st = t.statement(
      "INSERT INTO shards(stream_id, idx, start_hash, end_hash, parent_idx, adjacent_parent_idx, "
      "created_ms, ending_counter, closed_ms, sequence_layout, sequence_created_s) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)");
  sqlite::ResetOnExit reset(st);
  const std::string start = to_decimal(shard.range.start), end = to_decimal(shard.range.end);
  st.bind(1, stream_id);
  st.bind(2, shard.index);
  st.bind(3, start);
  st.bind(4, end);
  if (shard.parent_index) st.bind(5, *shard.parent_index);
  if (shard.adjacent_parent_index) st.bind(6, *shard.adjacent_parent_index);
  st.bind(7, shard.created_ms);
  if (shard.ending_counter) st.bind(8, static_cast<int64_t>(*shard.ending_counter));
  if (shard.closed_ms) st.bind(9, *shard.closed_ms);
  st.bind(10, shard.sequence_format.shard_created_s);
  if (st.step() != SQLITE_DONE) return t.error("insert shard");
  shard.gid = t.last_insert_rowid();
  return Status::Ok();
}

ShardInfo new_shard(int64_t index, HashKeyRange range, int64_t now_ms, int64_t created_s) {
  ShardInfo shard;
  shard.index = index;
  shard.range = range;
  shard.created_ms = now_ms;
  shard.sequence_format.shard_created_s = created_s;
  shard.cursor = std::make_shared<ShardCursor>();
  return shard;
}

}  // namespace

namespace store_internal {

std::shared_ptr<const StreamInfo> live_stream(Transaction& t, const StreamKey& key) {
  auto s = t.catalog().find(key);
  if (!s || s->status_at(t.now_ms()) == StreamStatus::kGone) return nullptr;
  return s;
}

Status purge_stream(Transaction& t, const StreamInfo& stream) {
  for (const auto& shard : stream.shards->all()) {
    if (Status s = delete_records(t, shard.gid, 0, kMaxRecordCounter); !s.ok()) return s;
  }
  for (const char* sql :
       {"DELETE FROM shards WHERE stream_id = ?", "DELETE FROM streams WHERE id = ?"}) {
    auto& st = t.statement(sql);
    sqlite::ResetOnExit reset(st);
    st.bind(1, stream.id);
    if (st.step() != SQLITE_DONE) return t.error("delete stream");
  }
  if (Status s = purge_stream_resources(t, stream.id); !s.ok()) return s;
  t.catalog().erase(stream.key);
  return Status::Ok();
}

}  // namespace store_internal

void Store::create_stream(NewStream spec, std::function<void(Status)> done) {
  submit(make_job(
      [this, spec = std::move(spec)](Transaction& t) -> Status {
        const int64_t now = t.now_ms();
        if (auto old = t.catalog().find(spec.key)) {
          const StreamStatus status = old->status_at(now);
          if (status != StreamStatus::kGone) {
            Status s = Status::Error(StatusCode::kAlreadyExists);
            s.detail = static_cast<int>(status);
            return s;
          }
        }
        const AccountTotals totals = t.catalog().totals(spec.key.account, spec.key.region);
        // Subtracting keeps any shard count, however large, from overflowing the sum.
        if (spec.shard_count > options_.shard_limit - totals.open_shards) {
          Status s = Status::Error(StatusCode::kLimitExceeded);
          s.current = totals.open_shards;
          s.limit = options_.shard_limit;
          return s;
        }
        if (spec.mode == StreamMode::kOnDemand &&
            totals.on_demand_streams >= options_.on_demand_stream_limit) {
          Status s = Status::Error(StatusCode::kLimitExceeded);
          s.current = totals.on_demand_streams;
          s.limit = options_.on_demand_stream_limit;
          s.detail = 1;  // the on-demand stream limit
          return s;
        }
        if (auto old = t.catalog().find(spec.key)) {
          // It finished deleting; the background pass has not removed it yet.
          if (Status s = store_internal::purge_stream(t, *old); !s.ok()) return s;
        }
        auto stream = std::make_shared<StreamInfo>();
        stream->key = spec.key;
        stream->created_ms = now;
        stream->mode = spec.mode;
        stream->max_record_size_kib = spec.max_record_size_kib;
        stream->warm_throughput_mibps = spec.warm_throughput_mibps;
        enter_state(*stream, StreamStatus::kCreating, now, options_.delays.creating_ms);
        {
          auto& st = t.statement(
              "INSERT INTO streams(account, region, name, created_ms, mode, retention_hours, "
              "max_record_size_kib) VALUES(?, ?, ?, ?, ?, ?, ?)");
          sqlite::ResetOnExit reset(st);
          st.bind(1, spec.key.account);
          st.bind(2, spec.key.region);
          st.bind(3, spec.key.name);
          st.bind(4, now);
          st.bind(5, static_cast<int64_t>(spec.mode));
          st.bind(6, int64_t{stream->retention_hours});
          st.bind(7, int64_t{stream->max_record_size_kib});
          if (st.step() != SQLITE_DONE) return t.error("insert stream");
          stream->id = t.last_insert_rowid();
        }
        if (Status s = write_settings(t, *stream); !s.ok()) return s;
        const auto ranges = split_evenly(static_cast<int>(spec.shard_count));
        std::vector<ShardInfo> shards;
        shards.reserve(ranges.size());
        for (int64_t i = 0; i < spec.shard_count; ++i) {
          ShardInfo shard = new_shard(i, ranges[static_cast<size_t>(i)], now, now / 1000);
          if (Status s = insert_shard(t, stream->id, shard); !s.ok()) return s;
          shards.push_back(std::move(shard));
        }
        stream->shards = std::make_shared<ShardMap>(std::move(shards));
        for (const Tag& tag : spec.tags) {
          auto& st = t.statement(
              "INSERT OR REPLACE INTO tags(kind, owner, key, value) VALUES(0, ?, ?, ?)");
          sqlite::ResetOnExit reset(st);
          st.bind(1, stream->id);
          st.bind(2, tag.key);
          st.bind(3, tag.value);
          if (st.step() != SQLITE_DONE) return t.error("insert tag");
        }
        t.catalog().put(std::move(stream));
        return Status::Ok();
      },
      std::move(done)));
}

void Store::delete_stream(StreamKey key, bool enforce_consumer_deletion,
                          std::function<void(Status)> done) {
  submit(make_job(
      [this, key = std::move(key), enforce_consumer_deletion](Transaction& t) -> Status {
        auto stream = live_stream(t, key);
        if (!stream) return Status::Error(StatusCode::kNotFound);
        const int64_t now = t.now_ms();
        if (!enforce_consumer_deletion) {
          auto& st = t.statement(
              "SELECT count(*) FROM consumers WHERE stream_id = ? AND NOT (state = 3 AND "
              "state_until_ms <= ?)");
          sqlite::ResetOnExit reset(st);
          st.bind(1, stream->id);
          st.bind(2, now);  // consumers that finished deleting do not count
          if (st.step() != SQLITE_ROW) return t.error("count consumers");
          if (st.column_int(0) > 0) {
            Status s = Status::Error(StatusCode::kInUse, "consumers");
            s.detail = -1;
            return s;
          }
        }
        if (options_.delays.deleting_ms <= 0) return store_internal::purge_stream(t, *stream);
        if (stream->status_at(now) == StreamStatus::kDeleting) return Status::Ok();
        auto next = std::make_shared<StreamInfo>(*stream);
        enter_state(*next, StreamStatus::kDeleting, now, options_.delays.deleting_ms);
        if (Status s = write_settings(t, *next); !s.ok()) return s;
        t.catalog().put(std::move(next));
        return Status::Ok();
      },
      std::move(done)));
}

void Store::update_stream(StreamKey key, bool updating, StreamChange change,
                          std::function<void(Status)> done) {
  submit(make_job(
      [this, key = std::move(key), updating, change = std::move(change)](Transaction& t) -> Status {
        auto stream = live_stream(t, key);
        if (!stream) return Status::Error(StatusCode::kNotFound);
        const int64_t now = t.now_ms();
        auto next = std::make_shared<StreamInfo>(*stream);
        if (Status s = change(*next, now); !s.ok()) return s;
        next->id = stream->id;
        next->key = stream->key;
        next->shards = stream->shards;
        if (next->mode == StreamMode::kOnDemand && stream->mode != StreamMode::kOnDemand) {
          const AccountTotals totals = t.catalog().totals(key.account, key.region);
          if (totals.on_demand_streams >= options_.on_demand_stream_limit) {
            Status s = Status::Error(StatusCode::kLimitExceeded);
            s.current = totals.on_demand_streams;
            s.limit = options_.on_demand_stream_limit;
            s.detail = 1;  // the on-demand stream limit
            return s;
          }
        }
        // Checks are done; writes follow.
        if (next->retention_hours > stream->retention_hours) {
          // A longer retention period does not bring back what had already expired: those
          // records go now rather than at the next maintenance pass.
          const int64_t cutoff = now - stream->retention_ms();
          if (Status s = store_internal::expire_records(t, *stream, cutoff); !s.ok()) return s;
        }
        if (updating) enter_state(*next, StreamStatus::kUpdating, now, options_.delays.updating_ms);
        if (Status s = write_settings(t, *next); !s.ok()) return s;
        t.catalog().put(std::move(next));
        return Status::Ok();
      },
      std::move(done)));
}

void Store::reshard(
    StreamKey key, bool scaling,
    std::function<Result<ReshardPlan>(const StreamInfo& stream, int64_t now_ms)> plan,
    std::function<void(Result<int64_t>)> done) {
  submit(make_result_job<int64_t>(
      [this, key = std::move(key), scaling,
       plan = std::move(plan)](Transaction& t) -> Result<int64_t> {
        auto stream = live_stream(t, key);
        if (!stream) return Status::Error(StatusCode::kNotFound);
        const int64_t now = t.now_ms();
        auto planned = plan(*stream, now);
        if (!planned.ok()) return planned.status();
        const ReshardPlan& p = planned.value();
        const int64_t before = stream->open_shard_count();
        if (p.close.empty() && p.create.empty()) return before;  // nothing to change
        int64_t opened = 0;
        for (const auto& c : p.create) opened += c.closed ? 0 : 1;
        const int64_t growth = opened - static_cast<int64_t>(p.close.size());
        const AccountTotals totals = t.catalog().totals(key.account, key.region);
        if (growth > 0 && totals.open_shards + growth > options_.shard_limit) {
          Status s = Status::Error(StatusCode::kLimitExceeded);
          s.current = totals.open_shards;
          s.limit = options_.shard_limit;
          return s;
        }

        std::vector<ShardInfo> shards = stream->shards->all();
        for (int64_t index : p.close) {
          ShardInfo& s = shards[static_cast<size_t>(index)];
          if (!s.open()) return internal("reshard plan closes a closed shard");
          s.ending_counter = s.cursor->pending_counter;
          s.closed_ms = now;
          auto& st =
              t.statement("UPDATE shards SET ending_counter = ?, closed_ms = ? WHERE id = ?");
          sqlite::ResetOnExit reset(st);
          st.bind(1, static_cast<int64_t>(*s.ending_counter));
          st.bind(2, now);
          st.bind(3, s.gid);
          if (st.step() != SQLITE_DONE) return t.error("close shard");
        }
        for (const PlannedShard& planned_shard : p.create) {
          // A child's sequence numbers must sort after every one of its parents': it takes a
          // creation second later than theirs.
          int64_t created_s = now / 1000;
          for (auto parent : {planned_shard.parent_index, planned_shard.adjacent_parent_index}) {
            if (!parent) continue;
            const auto& f = shards[static_cast<size_t>(*parent)].sequence_format;
            if (f.layout == SequenceNumberFormat::Layout::kKinesis) {
              created_s = std::max(created_s, f.shard_created_s + 1);
            }
          }
          ShardInfo shard =
              new_shard(static_cast<int64_t>(shards.size()), planned_shard.range, now, created_s);
          shard.parent_index = planned_shard.parent_index;
          shard.adjacent_parent_index = planned_shard.adjacent_parent_index;
          if (planned_shard.closed) {
            shard.ending_counter = 0;
            shard.closed_ms = now;
          }
          if (Status s = insert_shard(t, stream->id, shard); !s.ok()) return s;
          shards.push_back(std::move(shard));
        }
        auto next = std::make_shared<StreamInfo>(*stream);
        next->shards = std::make_shared<ShardMap>(std::move(shards));
        if (scaling) {
          auto& times = next->scalings_ms;
          times.erase(std::remove_if(times.begin(), times.end(),
                                     [now](int64_t at) { return at <= now - kDayMs; }),
                      times.end());
          times.push_back(now);
        }
        enter_state(*next, StreamStatus::kUpdating, now, options_.delays.updating_ms);
        if (Status s = write_settings(t, *next); !s.ok()) return s;
        t.catalog().put(std::move(next));
        return before;
      },
      std::move(done)));
}

}  // namespace kinesim
