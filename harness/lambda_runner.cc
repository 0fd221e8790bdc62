#include "harness/lambda_runner.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "api/base64.h"
#include "harness/kpl.h"
#include "harness/streams.h"
#include "storage/clock.h"

namespace kinesim::harness {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Lambda's limits for a Kinesis event source mapping (CreateEventSourceMapping).
constexpr int kMaxBatchSize = 10000;
constexpr int kMaxBatchingWindowSeconds = 300;
constexpr int kMaxRetryAttempts = 10000;
constexpr int kMinRecordAgeSeconds = 60;
constexpr int kMaxRecordAgeSeconds = 604800;
// A synchronous invocation's payload limit; a batch stops growing before its event passes it.
constexpr size_t kMaxPayloadBytes = 6 * 1024 * 1024;
// The bytes of one event record besides its data, key, sequence number and ARNs (field names,
// constants and punctuation), rounded up.
constexpr size_t kRecordJsonOverhead = 320;
constexpr int kMaxGetRecordsLimit = 10000;

void Key(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void String(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Member(JsonWriter& w, std::string_view key, std::string_view value) {
  Key(w, key);
  String(w, value);
}

std::string Base64(std::string_view bytes) {
  std::string out;
  api::base64_encode(bytes, out);
  return out;
}

// Epoch milliseconds as the seconds-with-fraction number Lambda puts in the event
// (1545084650.987).
void EpochSeconds(JsonWriter& w, int64_t ms) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
  w.RawValue(buf, static_cast<size_t>(n), rapidjson::kNumberType);
}

// "2019-11-14T00:38:06.021Z", as in the invocation record.
std::string Iso8601(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char date[24];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[32];
  std::snprintf(out, sizeof out, "%s.%03dZ", date, static_cast<int>(ms % 1000));
  return out;
}

void WriteRecord(JsonWriter& w, const KinesisEventRecord& r) {
  w.StartObject();
  Key(w, "kinesis");
  w.StartObject();
  Member(w, "kinesisSchemaVersion", r.kinesis_schema_version);
  Member(w, "partitionKey", r.partition_key);
  Member(w, "sequenceNumber", r.sequence_number);
  Member(w, "data", r.data_base64());
  Key(w, "approximateArrivalTimestamp");
  EpochSeconds(w, r.approximate_arrival_ms);
  w.EndObject();
  Member(w, "eventSource", r.event_source);
  Member(w, "eventVersion", r.event_version);
  Member(w, "eventID", r.event_id);
  Member(w, "eventName", r.event_name);
  Member(w, "invokeIdentityArn", r.invoke_identity_arn);
  Member(w, "awsRegion", r.aws_region);
  Member(w, "eventSourceARN", r.event_source_arn);
  w.EndObject();
}

std::string Text(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// "00000000-0000-4000-8000-00000000002a": unique per runner, shaped like Lambda's request ids.
std::string RequestId(int64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012" PRIx64, static_cast<uint64_t>(n));
  return buf;
}

void Require(bool ok, const char* message) {
  if (!ok) throw std::invalid_argument(message);
}

void Validate(const LambdaRunner::Config& c) {
  Require(c.batch_size >= 1 && c.batch_size <= kMaxBatchSize,
          "BatchSize must be between 1 and 10000");
  Require(c.batching_window_seconds >= 0 && c.batching_window_seconds <= kMaxBatchingWindowSeconds,
          "MaximumBatchingWindowInSeconds must be between 0 and 300");
  Require(c.maximum_retry_attempts >= -1 && c.maximum_retry_attempts <= kMaxRetryAttempts,
          "MaximumRetryAttempts must be -1 or between 0 and 10000");
  Require(
      c.maximum_record_age_seconds == -1 || (c.maximum_record_age_seconds >= kMinRecordAgeSeconds &&
                                             c.maximum_record_age_seconds <= kMaxRecordAgeSeconds),
      "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800");
  const auto& type = c.starting_position.type;
  Require(type == "TRIM_HORIZON" || type == "LATEST" || type == "AT_TIMESTAMP",
          "StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP");
}

}  // namespace

// --- Event, response and invocation record ---------------------------------------------------

std::string KinesisEventRecord::data_base64() const { return Base64(data); }

std::string KinesisEventRecord::to_json() const {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  WriteRecord(w, *this);
  return Text(buffer);
}

std::string KinesisEvent::to_json() const {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  Key(w, "Records");
  w.StartArray();
  for (const auto& r : records) WriteRecord(w, r);
  w.EndArray();
  w.EndObject();
  return Text(buffer);
}

BatchResponse BatchResponse::FromJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  BatchResponse out;
  if (doc.HasParseError() || !doc.IsObject()) return out;
  auto list = doc.FindMember("batchItemFailures");
  if (list == doc.MemberEnd() || list->value.IsNull()) return out;
  if (!list->value.IsArray()) return FailFrom("");
  for (const auto& item : list->value.GetArray()) {
    ItemFailure failure;
    if (item.IsObject()) {
      auto id = item.FindMember("itemIdentifier");
      if (id != item.MemberEnd() && id->value.IsString())
        failure.item_identifier = id->value.GetString();
    }
    out.batch_item_failures.push_back(std::move(failure));
  }
  return out;
}

std::string OnFailureRecord::to_json() const {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  Key(w, "requestContext");
  w.StartObject();
  Member(w, "requestId", request_id);
  Member(w, "functionArn", function_arn);
  Member(w, "condition", condition);
  Key(w, "approximateInvokeCount");
  w.Int64(approximate_invoke_count);
  w.EndObject();
  Key(w, "responseContext");
  w.StartObject();
  Key(w, "statusCode");
  w.Int(status_code);
  Member(w, "executedVersion", executed_version);
  if (!function_error.empty()) Member(w, "functionError", function_error);
  w.EndObject();
  Member(w, "version", version);
  Member(w, "timestamp", Iso8601(timestamp_ms));
  Key(w, "KinesisBatchInfo");
  w.StartObject();
  Member(w, "shardId", shard_id);
  Member(w, "startSequenceNumber", start_sequence_number);
  Member(w, "endSequenceNumber", end_sequence_number);
  Member(w, "approximateArrivalOfFirstRecord", Iso8601(approximate_arrival_of_first_record_ms));
  Member(w, "approximateArrivalOfLastRecord", Iso8601(approximate_arrival_of_last_record_ms));
  Key(w, "batchSize");
  w.Int64(batch_size);
  Member(w, "streamArn", stream_arn);
  w.EndObject();
  w.EndObject();
  return Text(buffer);
}

// --- Checkpoint stores -------------------------------------------------------------------------

std::optional<Checkpoint> InMemoryCheckpointStore::load(std::string_view stream,
                                                        std::string_view shard) {
  std::lock_guard lock(mutex_);
  auto it = checkpoints_.find({std::string(stream), std::string(shard)});
  if (it == checkpoints_.end()) return std::nullopt;
  return it->second;
}

void InMemoryCheckpointStore::save(std::string_view stream, std::string_view shard,
                                   const Checkpoint& c) {
  std::lock_guard lock(mutex_);
  checkpoints_[{std::string(stream), std::string(shard)}] = c;
}

FileCheckpointStore::FileCheckpointStore(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return;  // no file yet: no checkpoints
  std::ifstream in(path_);
  if (!in) throw std::runtime_error("FileCheckpointStore: cannot read " + path_);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    std::string field;
    while (std::getline(split, field, '\t')) fields.push_back(field);
    if (fields.size() == 3) fields.emplace_back();  // a trailing empty field
    if (fields.size() != 4) continue;
    checkpoints_[{fields[0], fields[1]}] = Checkpoint{fields[2], fields[3] == "1"};
  }
}

std::optional<Checkpoint> FileCheckpointStore::load(std::string_view stream,
                                                    std::string_view shard) {
  std::lock_guard lock(mutex_);
  auto it = checkpoints_.find({std::string(stream), std::string(shard)});
  if (it == checkpoints_.end()) return std::nullopt;
  return it->second;
}

void FileCheckpointStore::save(std::string_view stream, std::string_view shard,
                               const Checkpoint& c) {
  std::lock_guard lock(mutex_);
  checkpoints_[{std::string(stream), std::string(shard)}] = c;
  write_locked();
}

void FileCheckpointStore::write_locked() {
  // Written aside and renamed over, so a crash mid-write leaves the old file whole.
  const std::string temp = path_ + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    for (const auto& [key, c] : checkpoints_) {
      out << key.first << '\t' << key.second << '\t' << c.sequence_number << '\t'
          << (c.finished ? "1" : "0") << '\n';
    }
    out.flush();
    if (!out) throw std::runtime_error("FileCheckpointStore: cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error("FileCheckpointStore: cannot rename " + temp + " to " + path_);
  }
}

// --- The runner's state --------------------------------------------------------------------

// One Kinesis record as read, with the records the function sees for it (`expand`'s answer).
struct LambdaRunner::Group {
  std::string sequence_number;
  int64_t arrival_ms = 0;
  std::vector<Record> records;
  size_t payload_bytes = 0;  // an estimate of its records' share of the event JSON
};

struct LambdaRunner::Batch {
  std::deque<Group> groups;
  int attempts = 0;             // retries spent (bisecting spends none)
  int64_t invocations = 0;      // handler calls that included these records
  bool function_error = false;  // the last failure was a thrown error

  size_t records() const {
    size_t n = 0;
    for (const auto& g : groups) n += g.records.size();
    return n;
  }
};

struct LambdaRunner::Shard {
  harness::Shard info;
  bool initial = false;  // listed in the runner's first ListShards
  bool started = false;
  bool finished = false;
  bool skipped = false;  // finished without reading (closed before a LATEST runner began)
  Checkpoint checkpoint;
  std::optional<std::string> iterator;  // nullopt once a closed shard was read to its end
  StartingPosition position;            // where to renew an expired iterator from
  std::string last_read;                // the last sequence number read into `buffer`
  std::deque<Group> buffer;             // read, not yet delivered
  size_t buffered_records = 0;
  int64_t window_start_ms = 0;
  std::deque<Batch> retries;  // batches to invoke before reading on
};

struct LambdaRunner::Round {
  size_t delivered = 0;
  bool changed = false;
  bool error = false;
};

LambdaRunner::LambdaRunner(std::string endpoint, std::string stream, LambdaHandler handler,
                           Config config)
    : stream_(std::move(stream)), handler_(std::move(handler)), config_(std::move(config)) {
  Validate(config_);
  if (!handler_) throw std::invalid_argument("LambdaRunner needs a handler");
  client_ = std::make_unique<KinesisClient>(std::move(endpoint), config_.client);
  if (config_.checkpoints) {
    store_ = config_.checkpoints;
  } else {
    own_store_ = std::make_unique<InMemoryCheckpointStore>();
    store_ = own_store_.get();
  }
}

LambdaRunner::~LambdaRunner() { stop(); }

int64_t LambdaRunner::now_ms() const {
  static const SystemClock kSystem;
  return (config_.clock ? config_.clock : &kSystem)->now_ms();
}

void LambdaRunner::note_error(KinesisError error, Round& round) {
  ++kinesis_errors_;
  last_error_ = std::move(error);
  round.error = true;
}

size_t LambdaRunner::poll_once() {
  std::lock_guard lock(mutex_);
  return poll_locked().delivered;
}

size_t LambdaRunner::run_until_idle(int max_polls) {
  size_t delivered = 0;
  for (int i = 0; i < max_polls; ++i) {
    std::lock_guard lock(mutex_);
    Round round = poll_locked();
    delivered += round.delivered;
    if (!round.changed && !round.error) break;
  }
  return delivered;
}

// The stream's ARN names the account and region every event and invocation record carries.
bool LambdaRunner::ensure_stream(Round& round) {
  if (!stream_arn_.empty()) return true;
  auto summary = client_->describe_stream_summary(stream_);
  if (!summary.ok()) {
    note_error(summary.error(), round);
    return false;
  }
  stream_arn_ = summary->stream_arn;
  // arn:aws:kinesis:REGION:ACCOUNT:stream/NAME
  std::vector<std::string> parts;
  std::stringstream split(stream_arn_);
  std::string part;
  while (std::getline(split, part, ':')) parts.push_back(part);
  region_ = parts.size() > 3 ? parts[3] : "us-east-1";
  account_ = parts.size() > 4 ? parts[4] : "000000000000";
  function_arn_ =
      "arn:aws:lambda:" + region_ + ":" + account_ + ":function:" + config_.function_name;
  invoke_identity_arn_ = config_.invoke_identity_arn.empty()
                             ? "arn:aws:iam::" + account_ + ":role/lambda-role"
                             : config_.invoke_identity_arn;
  return true;
}

// A parent processed by this mapping (read here, or finished in the checkpoint store), as
// opposed to one passed over under LATEST.
bool LambdaRunner::parent_processed(const Shard& shard) const {
  for (const auto* parent : {&shard.info.parent_shard_id, &shard.info.adjacent_parent_shard_id}) {
    auto it = shards_.find(*parent);
    if (it != shards_.end() && it->second->finished && !it->second->skipped) return true;
  }
  return false;
}

LambdaRunner::Round LambdaRunner::poll_locked() {
  Round round;
  if (!ensure_stream(round)) return round;
  auto listed = client_->list_shards(stream_);
  if (!listed.ok()) {
    note_error(listed.error(), round);
    return round;
  }
  const bool first = !listed_once_;
  listed_once_ = true;
  std::set<std::string> ids;
  for (const auto& info : *listed) {
    ids.insert(info.shard_id);
    auto& slot = shards_[info.shard_id];
    if (!slot) {
      slot = std::make_unique<Shard>();
      slot->initial = first;
      if (auto saved = store_->load(stream_, info.shard_id)) slot->checkpoint = *saved;
      slot->finished = slot->checkpoint.finished;
      round.changed = true;
    }
    slot->info = info;  // a shard closes after it was first listed
  }
  auto done = [&](const std::string& parent) {
    return parent.empty() || !ids.count(parent) || shards_[parent]->finished;
  };
  // Parents come first, so a parent finished in this round lets its children start in it.
  for (const auto& info : ParentsFirst(std::move(listed).value())) {
    Shard& shard = *shards_[info.shard_id];
    if (shard.finished || !done(info.parent_shard_id) || !done(info.adjacent_parent_shard_id)) {
      continue;
    }
    poll_shard(shard, round);
  }
  return round;
}

void LambdaRunner::poll_shard(Shard& shard, Round& round) {
  if (!shard.started && !open_shard(shard, round)) return;
  if (shard.finished) return;
  if (!shard.retries.empty()) {
    Batch batch = std::move(shard.retries.front());
    shard.retries.pop_front();
    process(shard, std::move(batch), round);
  } else {
    if (shard.iterator && shard.buffered_records < static_cast<size_t>(config_.batch_size)) {
      read(shard, round);
    }
    if (batch_ready(shard)) process(shard, cut_batch(shard), round);
  }
  if (!shard.iterator && shard.buffer.empty() && shard.retries.empty()) {
    checkpoint(shard, "", true, round);
  }
}

// Where a shard starts: after its checkpoint; at TRIM_HORIZON when it appeared after the runner
// began; else at the configured position, except that under LATEST a shard whose parent was
// processed starts at TRIM_HORIZON (its records are all new), and a shard already closed holds
// nothing new and is finished without reading.
bool LambdaRunner::open_shard(Shard& shard, Round& round) {
  StartingPosition position = StartingPosition::TrimHorizon();
  if (!shard.checkpoint.sequence_number.empty()) {
    position = StartingPosition::AfterSequenceNumber(shard.checkpoint.sequence_number);
  } else if (shard.initial) {
    const StartingPosition& configured = config_.starting_position;
    if (configured.type != "LATEST") {
      position = configured;  // AT_TIMESTAMP holds for children too
    } else if (!parent_processed(shard)) {
      if (shard.info.closed()) {
        shard.started = true;
        shard.skipped = true;
        checkpoint(shard, "", true, round);
        return true;
      }
      position = configured;
    }
  }
  auto iterator = client_->get_shard_iterator(stream_, shard.info.shard_id, position);
  if (!iterator.ok()) {
    note_error(iterator.error(), round);
    return false;
  }
  shard.iterator = std::move(iterator).value();
  // An expired LATEST iterator must not skip what arrived since it was taken: it is renewed
  // at the time it was taken instead.
  shard.position = position.type == "LATEST" ? StartingPosition::AtTimestamp(now_ms()) : position;
  shard.started = true;
  round.changed = true;
  return true;
}

void LambdaRunner::read(Shard& shard, Round& round) {
  const int limit = std::clamp(config_.batch_size - static_cast<int>(shard.buffered_records), 1,
                               kMaxGetRecordsLimit);
  auto page = client_->get_records(*shard.iterator, limit);
  if (!page.ok()) {
    note_error(page.error(), round);
    if (page.error().type == "ExpiredIteratorException") {
      // Carry on from the last record read (or where the old iterator began).
      StartingPosition position = shard.last_read.empty()
                                      ? shard.position
                                      : StartingPosition::AfterSequenceNumber(shard.last_read);
      auto fresh = client_->get_shard_iterator(stream_, shard.info.shard_id, position);
      if (fresh.ok()) {
        shard.iterator = std::move(fresh).value();
        shard.position = position;
      }
    }
    return;
  }
  const size_t arn_bytes = stream_arn_.size() + invoke_identity_arn_.size();
  for (auto& record : page->records) {
    record.shard_id = shard.info.shard_id;
    Group group;
    group.sequence_number = record.sequence_number;
    group.arrival_ms = record.approximate_arrival_ms;
    group.records = config_.expand ? config_.expand(record) : kpl::expand(record);
    for (auto& r : group.records) {
      // Sub-records speak for the Kinesis record they came in.
      r.shard_id = record.shard_id;
      r.sequence_number = record.sequence_number;
      r.approximate_arrival_ms = record.approximate_arrival_ms;
      group.payload_bytes += api::base64_encoded_size(r.data.size()) + r.partition_key.size() +
                             2 * r.sequence_number.size() + r.shard_id.size() + arn_bytes +
                             region_.size() + kRecordJsonOverhead;
    }
    if (shard.buffer.empty()) shard.window_start_ms = now_ms();
    shard.buffered_records += group.records.size();
    shard.last_read = group.sequence_number;
    shard.buffer.push_back(std::move(group));
    round.changed = true;
  }
  shard.iterator = std::move(page->next_shard_iterator);
  if (!shard.iterator) round.changed = true;  // the shard's end
}

// A batch goes out when full, when its window has passed, or when the shard has ended.
bool LambdaRunner::batch_ready(const Shard& shard) const {
  if (shard.buffer.empty()) return false;
  if (shard.buffered_records >= static_cast<size_t>(config_.batch_size)) return true;
  if (!shard.iterator) return true;
  return now_ms() - shard.window_start_ms >=
         static_cast<int64_t>(config_.batching_window_seconds) * 1000;
}

// Whole Kinesis records, up to the batch size and the payload limit (always at least one).
LambdaRunner::Batch LambdaRunner::cut_batch(Shard& shard) const {
  Batch batch;
  size_t records = 0;
  size_t bytes = 0;
  while (!shard.buffer.empty()) {
    const Group& next = shard.buffer.front();
    const bool fits = records + next.records.size() <= static_cast<size_t>(config_.batch_size) &&
                      bytes + next.payload_bytes <= kMaxPayloadBytes;
    if (!batch.groups.empty() && !fits) break;
    records += next.records.size();
    bytes += next.payload_bytes;
    shard.buffered_records -= next.records.size();
    batch.groups.push_back(std::move(shard.buffer.front()));
    shard.buffer.pop_front();
  }
  // What is left was read already; its window starts now.
  if (!shard.buffer.empty()) shard.window_start_ms = now_ms();
  return batch;
}

KinesisEvent LambdaRunner::event_of(const Shard& shard, const Batch& batch) const {
  KinesisEvent event;
  event.shard_id = shard.info.shard_id;
  for (const auto& group : batch.groups) {
    for (const auto& r : group.records) {
      KinesisEventRecord e;
      e.partition_key = r.partition_key;
      e.sequence_number = r.sequence_number;
      e.data = r.data;
      e.approximate_arrival_ms = r.approximate_arrival_ms;
      e.event_id = shard.info.shard_id + ":" + r.sequence_number;
      e.invoke_identity_arn = invoke_identity_arn_;
      e.aws_region = region_;
      e.event_source_arn = stream_arn_;
      e.shard_id = shard.info.shard_id;
      event.records.push_back(std::move(e));
    }
  }
  return event;
}

// Gives up the leading records older than MaximumRecordAgeInSeconds (arrival times only grow
// along a shard, so the old ones lead). Returns how many Kinesis records it gave up.
size_t LambdaRunner::give_up_expired(Shard& shard, Batch& batch, Round& round) {
  if (config_.maximum_record_age_seconds < 0) return 0;
  const int64_t oldest_allowed =
      now_ms() - static_cast<int64_t>(config_.maximum_record_age_seconds) * 1000;
  Batch expired;
  expired.invocations = batch.invocations;
  expired.function_error = batch.function_error;
  while (!batch.groups.empty() && batch.groups.front().arrival_ms < oldest_allowed) {
    expired.groups.push_back(std::move(batch.groups.front()));
    batch.groups.pop_front();
  }
  if (expired.groups.empty()) return 0;
  give_up(shard, expired, "RecordAgeExceeded", expired.function_error, round);
  return expired.groups.size();
}

void LambdaRunner::process(Shard& shard, Batch batch, Round& round) {
  give_up_expired(shard, batch, round);
  if (batch.groups.empty()) return;
  if (batch.records() == 0) {  // `expand` dropped everything: nothing to invoke
    checkpoint(shard, batch.groups.back().sequence_number, false, round);
    return;
  }
  KinesisEvent event = event_of(shard, batch);
  ++invocations_;
  ++batch.invocations;
  round.delivered += event.records.size();
  round.changed = true;
  BatchResponse response;
  try {
    response = handler_(event);
  } catch (...) {
    on_failed(shard, std::move(batch), 0, true, round);
    return;
  }
  // Without ReportBatchItemFailures Lambda ignores what the function returns.
  if (!config_.report_batch_item_failures || response.batch_item_failures.empty()) {
    checkpoint(shard, batch.groups.back().sequence_number, false, round);
    return;
  }
  // Retry from the lowest failed sequence number; an identifier that is empty or names no
  // record of the batch fails the whole batch.
  size_t failed_from = batch.groups.size();
  for (const auto& failure : response.batch_item_failures) {
    size_t index = 0;
    while (index < batch.groups.size() &&
           batch.groups[index].sequence_number != failure.item_identifier) {
      ++index;
    }
    if (failure.item_identifier.empty() || index == batch.groups.size()) index = 0;
    failed_from = std::min(failed_from, index);
  }
  on_failed(shard, std::move(batch), failed_from, false, round);
}

// The records of `batch` from `failed_from` on failed; those before it succeeded.
void LambdaRunner::on_failed(Shard& shard, Batch batch, size_t failed_from, bool function_error,
                             Round& round) {
  batch.function_error = function_error;
  const bool progressed = failed_from > 0;
  if (progressed) {
    checkpoint(shard, batch.groups[failed_from - 1].sequence_number, false, round);
    batch.groups.erase(batch.groups.begin(),
                       batch.groups.begin() + static_cast<std::ptrdiff_t>(failed_from));
  }
  if (config_.bisect_batch_on_function_error) {
    // Splitting at the reported record, or in halves, spends no retry.
    if (progressed) {
      shard.retries.push_front(std::move(batch));
      return;
    }
    if (batch.groups.size() > 1) {
      Batch second = batch;
      const size_t half = (batch.groups.size() + 1) / 2;
      batch.groups.erase(batch.groups.begin() + static_cast<std::ptrdiff_t>(half),
                         batch.groups.end());
      second.groups.erase(second.groups.begin(),
                          second.groups.begin() + static_cast<std::ptrdiff_t>(half));
      shard.retries.push_front(std::move(second));
      shard.retries.push_front(std::move(batch));
      return;
    }
  }
  ++batch.attempts;
  if (config_.maximum_retry_attempts >= 0 && batch.attempts > config_.maximum_retry_attempts) {
    give_up(shard, batch, "RetryAttemptsExhausted", function_error, round);
    return;
  }
  shard.retries.push_front(std::move(batch));
}

void LambdaRunner::give_up(Shard& shard, const Batch& batch, const std::string& condition,
                           bool function_error, Round& round) {
  OnFailureRecord record;
  record.request_id = RequestId(++request_counter_);
  record.function_arn = function_arn_;
  record.condition = condition;
  record.approximate_invoke_count = batch.invocations;
  if (function_error) record.function_error = "Unhandled";
  record.timestamp_ms = now_ms();
  record.shard_id = shard.info.shard_id;
  record.start_sequence_number = batch.groups.front().sequence_number;
  record.end_sequence_number = batch.groups.back().sequence_number;
  record.approximate_arrival_of_first_record_ms = batch.groups.front().arrival_ms;
  record.approximate_arrival_of_last_record_ms = batch.groups.back().arrival_ms;
  record.batch_size = static_cast<int64_t>(batch.records());
  record.stream_arn = stream_arn_;
  record.records = event_of(shard, batch).records;
  // Given up is processed: the shard moves on past these records.
  checkpoint(shard, record.end_sequence_number, false, round);
  if (config_.on_failure) {
    try {
      config_.on_failure(record);
    } catch (const std::exception& e) {
      note_error(KinesisError{"OnFailureDestinationError", e.what(), 0}, round);
    }
  }
}

void LambdaRunner::checkpoint(Shard& shard, const std::string& sequence_number, bool finished,
                              Round& round) {
  if (!sequence_number.empty()) shard.checkpoint.sequence_number = sequence_number;
  if (finished) {
    shard.checkpoint.finished = true;
    shard.finished = true;
  }
  store_->save(stream_, shard.info.shard_id, shard.checkpoint);
  round.changed = true;
}

// --- Background thread and inspection -------------------------------------------------------

void LambdaRunner::start(std::chrono::milliseconds poll_interval) {
  std::lock_guard lock(thread_mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, poll_interval] {
    std::unique_lock wait(thread_mutex_);
    while (!stopping_) {
      wait.unlock();
      try {
        poll_once();
      } catch (const std::exception& e) {
        std::lock_guard state(mutex_);
        ++kinesis_errors_;
        last_error_ = KinesisError{"RunnerError", e.what(), 0};
      }
      wait.lock();
      thread_cv_.wait_for(wait, poll_interval, [this] { return stopping_; });
    }
  });
}

void LambdaRunner::stop() {
  std::thread thread;
  {
    std::lock_guard lock(thread_mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  thread_cv_.notify_all();
  if (thread.joinable()) thread.join();
}

std::vector<LambdaRunner::ShardState> LambdaRunner::shards() const {
  std::lock_guard lock(mutex_);
  std::vector<ShardState> out;
  for (const auto& [id, shard] : shards_) {
    ShardState s;
    s.shard_id = id;
    s.checkpoint = shard->checkpoint;
    s.started = shard->started;
    s.retry_attempts = shard->retries.empty() ? 0 : shard->retries.front().attempts;
    s.pending_batches = shard->retries.size();
    s.buffered = shard->buffered_records;
    out.push_back(std::move(s));
  }
  return out;
}

int64_t LambdaRunner::invocations() const {
  std::lock_guard lock(mutex_);
  return invocations_;
}

int64_t LambdaRunner::kinesis_errors() const {
  std::lock_guard lock(mutex_);
  return kinesis_errors_;
}

std::string LambdaRunner::stream_arn() const {
  std::lock_guard lock(mutex_);
  return stream_arn_;
}

std::optional<KinesisError> LambdaRunner::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace kinesim::harness
