// LambdaRunner: what an AWS Lambda event source mapping does for a Kinesis stream, run inside a
// test against kinesim, so a Lambda handler's logic sees exactly the batches, retries and
// discards it would see in production.
//
//   kinesim::harness::TestServer kinesis;
//   LambdaRunner::Config config;
//   config.clock = &kinesis.clock();  // batch window and record age on the server's clock
//   config.batch_size = 10;
//   LambdaRunner runner(kinesis.endpoint(), "orders",
//                       [&](const KinesisEvent& event) -> BatchResponse {
//                         for (const auto& r : event.records) handle(r.data);
//                         return {};  // success
//                       },
//                       config);
//   runner.run_until_idle();  // on this thread, no sleeping
//
// What it follows (AWS Lambda developer guide, "Using Lambda with Kinesis"): every shard is
// polled, a parent shard (ParentShardId, AdjacentParentShardId) is read to its end before its
// children start, and within a shard one batch is in flight at a time, in order. Batches hold up
// to `batch_size` records, gathered for up to `batching_window_seconds`. A handler fails a batch
// by throwing (a function error) or, with ReportBatchItemFailures, by naming failed sequence
// numbers; failed batches are retried (after bisecting when asked) up to MaximumRetryAttempts,
// records older than MaximumRecordAgeInSeconds are given up, and whatever is given up is reported
// to the on-failure destination with the invocation record AWS documents for Kinesis. Progress is
// checkpointed per shard in a CheckpointStore, so a new runner resumes where an old one stopped.
//
// Contract: the step API (poll_once, run_until_idle) runs everything on the caller's thread and
// never sleeps; the clock moves only when the test moves it. start() runs the same steps on a
// thread of the runner's own until stop(). The runner owns its Kinesis client; the handler, the
// callbacks, the clock and the store must outlive the runner. The handler and the callbacks run
// with the runner's lock held: they must not call the runner back.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "harness/kinesis_client.h"

namespace kinesim {
class Clock;
}

namespace kinesim::harness {

// One record of a Lambda Kinesis event (the members of Records[]). `data` is the decoded bytes;
// the JSON carries them base64-encoded.
struct KinesisEventRecord {
  // kinesis: {...}
  std::string kinesis_schema_version = "1.0";
  std::string partition_key;
  std::string sequence_number;
  std::string data;
  int64_t approximate_arrival_ms = 0;  // JSON: epoch seconds with a fraction
  // The rest of the record.
  std::string event_source = "aws:kinesis";
  std::string event_version = "1.0";
  std::string event_id;  // "shardId-000000000000:<sequence number>"
  std::string event_name = "aws:kinesis:record";
  std::string invoke_identity_arn;
  std::string aws_region;
  std::string event_source_arn;  // the stream's ARN
  // Not in the event: the shard the record was read from.
  std::string shard_id;

  std::string data_base64() const;
  std::string to_json() const;
};

// What a handler is invoked with: {"Records":[...]}; every record comes from `shard_id`.
struct KinesisEvent {
  std::string shard_id;
  std::vector<KinesisEventRecord> records;
  std::string to_json() const;
};

// The handler's answer. An empty list is success. With ReportBatchItemFailures on, each entry
// names a failed record by its sequence number; an empty identifier (what a null or misspelled
// one parses to) fails the whole batch.
struct BatchResponse {
  struct ItemFailure {
    std::string item_identifier;
  };
  std::vector<ItemFailure> batch_item_failures;

  static BatchResponse Success() { return {}; }
  static BatchResponse FailFrom(std::string sequence_number) {
    return {{{std::move(sequence_number)}}};
  }
  // Parses a handler's JSON answer ({"batchItemFailures":[{"itemIdentifier":"..."}]}). A null,
  // empty or non-object answer, or a null/absent list, is success; an entry whose itemIdentifier
  // is missing, null or not a string becomes an empty identifier.
  static BatchResponse FromJson(std::string_view json);
};

// A handler: throw to signal a function error.
using LambdaHandler = std::function<BatchResponse(const KinesisEvent&)>;

// What the runner gave up, shaped as AWS's on-failure invocation record for Kinesis
// (requestContext, responseContext, version, timestamp, KinesisBatchInfo), plus the records
// themselves for the test's convenience (not part of the JSON).
struct OnFailureRecord {
  // requestContext
  std::string request_id;
  std::string function_arn;
  std::string condition;  // "RetryAttemptsExhausted" or "RecordAgeExceeded"
  int64_t approximate_invoke_count = 0;
  // responseContext
  int status_code = 200;
  std::string executed_version = "$LATEST";
  std::string function_error;  // "Unhandled" after a thrown error; "" otherwise (omitted)
  // top level
  std::string version = "1.0";
  int64_t timestamp_ms = 0;  // JSON: ISO 8601 with milliseconds
  // KinesisBatchInfo
  std::string shard_id;
  std::string start_sequence_number;
  std::string end_sequence_number;
  int64_t approximate_arrival_of_first_record_ms = 0;
  int64_t approximate_arrival_of_last_record_ms = 0;
  int64_t batch_size = 0;
  std::string stream_arn;

  std::vector<KinesisEventRecord> records;  // what was given up

  std::string to_json() const;
};

// Per-shard progress: the last sequence number processed (handed to the function and succeeded,
// or given up), and whether the shard was read to its end so its children may start.
struct Checkpoint {
  std::string sequence_number;  // "" when nothing was processed yet
  bool finished = false;
};

// Where checkpoints live, keyed by stream name and shard id. Implementations are thread-safe.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual std::optional<Checkpoint> load(std::string_view stream, std::string_view shard) = 0;
  virtual void save(std::string_view stream, std::string_view shard,
                    const Checkpoint& checkpoint) = 0;
};

class InMemoryCheckpointStore final : public CheckpointStore {
 public:
  std::optional<Checkpoint> load(std::string_view stream, std::string_view shard) override;
  void save(std::string_view stream, std::string_view shard, const Checkpoint& c) override;

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Checkpoint> checkpoints_;
};

// Checkpoints in a text file, one "stream<TAB>shard<TAB>sequence<TAB>0|1" line each, read when
// constructed and rewritten whole (through a temporary file and a rename) on every save.
// Throws std::runtime_error when the file exists but cannot be read, or cannot be written.
class FileCheckpointStore final : public CheckpointStore {
 public:
  explicit FileCheckpointStore(std::string path);
  std::optional<Checkpoint> load(std::string_view stream, std::string_view shard) override;
  void save(std::string_view stream, std::string_view shard, const Checkpoint& c) override;

 private:
  void write_locked();
  std::string path_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Checkpoint> checkpoints_;
};

class LambdaRunner {
 public:
  // One Kinesis record read from the stream, turned into the records the function sees. The
  // default (kpl::expand) de-aggregates KPL-aggregated records into their user records and
  // passes every other record through unchanged. The
  // sub-records of one Kinesis record share its sequence number: batches never split them,
  // checkpoints and batchItemFailures speak of the Kinesis record, so failing one sub-record
  // retries all sub-records of its Kinesis record.
  using Expand = std::function<std::vector<Record>(const Record&)>;

  struct Config {
    int batch_size = 100;                 // BatchSize, 1..10000
    int batching_window_seconds = 0;      // MaximumBatchingWindowInSeconds, 0..300
    StartingPosition starting_position;   // TRIM_HORIZON, LATEST or AT_TIMESTAMP
    int maximum_retry_attempts = -1;      // -1 (infinite) or 0..10000
    int maximum_record_age_seconds = -1;  // -1 (infinite) or 60..604800
    bool bisect_batch_on_function_error = false;
    bool report_batch_item_failures = false;  // FunctionResponseTypes [ReportBatchItemFailures]
    // The on-failure destination; null for none (given-up records are then only skipped).
    std::function<void(const OnFailureRecord&)> on_failure;
    Expand expand;  // null: kpl::expand

    // Times (batch window, record age, the invocation record's timestamp); null: system clock.
    // Pass the TestServer's clock() so a test moves them.
    const Clock* clock = nullptr;
    CheckpointStore* checkpoints = nullptr;  // null: an in-memory store of the runner's own

    // Identity in the event and the invocation record. The account and region default to the
    // stream ARN's.
    std::string function_name = "kinesim-function";
    std::string invoke_identity_arn;  // default "arn:aws:iam::<account>:role/lambda-role"
    KinesisClient::Options client;    // how the runner's own client signs and times out
  };

  // Throws std::invalid_argument when a Config value is outside AWS's range.
  LambdaRunner(std::string endpoint, std::string stream, LambdaHandler handler, Config config);
  LambdaRunner(std::string endpoint, std::string stream, LambdaHandler handler)
      : LambdaRunner(std::move(endpoint), std::move(stream), std::move(handler), Config{}) {}
  ~LambdaRunner();  // stops the background thread
  LambdaRunner(const LambdaRunner&) = delete;
  LambdaRunner& operator=(const LambdaRunner&) = delete;

  // One round: lists the shards, and for every shard whose parents are finished either retries
  // its pending batch, or reads once (GetRecords) and invokes the handler when a batch is ready
  // (full, its window passed, or the shard ended). At most one invocation per shard. Returns
  // how many records the handler was given. Kinesis errors are kept in last_error() and the
  // call is repeated next round; nothing is lost or skipped by them.
  size_t poll_once();
  // Polls until a round changes nothing (nothing read, delivered, given up or checkpointed, and
  // no Kinesis error), or `max_polls` rounds ran. Returns the records delivered in all rounds.
  // Records held back by a batch window that has not passed stay held: advance the clock.
  size_t run_until_idle(int max_polls = 1000);

  // Runs poll_once every `poll_interval` (real time) on a thread of its own until stop().
  void start(std::chrono::milliseconds poll_interval = std::chrono::milliseconds(10));
  void stop();

  struct ShardState {
    std::string shard_id;
    Checkpoint checkpoint;
    bool started = false;        // its parents are finished and it is being read
    int retry_attempts = 0;      // retries spent on the batch now pending (0 when none)
    size_t pending_batches = 0;  // batches waiting to be retried (bisected halves count each)
    size_t buffered = 0;         // records read, not yet delivered
  };
  std::vector<ShardState> shards() const;
  int64_t invocations() const;  // handler calls, failed ones included
  int64_t kinesis_errors() const;
  std::optional<KinesisError> last_error() const;
  std::string stream_arn() const;  // "" until the first poll found the stream

 private:
  struct Group;
  struct Batch;
  struct Shard;
  struct Round;

  bool ensure_stream(Round& round);
  void poll_shard(Shard& shard, Round& round);
  bool open_shard(Shard& shard, Round& round);
  void read(Shard& shard, Round& round);
  bool batch_ready(const Shard& shard) const;
  Batch cut_batch(Shard& shard) const;
  void process(Shard& shard, Batch batch, Round& round);
  size_t give_up_expired(Shard& shard, Batch& batch, Round& round);
  void on_failed(Shard& shard, Batch batch, size_t failed_from, bool function_error, Round& round);
  void give_up(Shard& shard, const Batch& batch, const std::string& condition, bool function_error,
               Round& round);
  void checkpoint(Shard& shard, const std::string& sequence_number, bool finished, Round& round);
  KinesisEvent event_of(const Shard& shard, const Batch& batch) const;
  void note_error(KinesisError error, Round& round);
  int64_t now_ms() const;
  Round poll_locked();
  bool parent_processed(const Shard& shard) const;

  std::string stream_;
  LambdaHandler handler_;
  Config config_;
  std::unique_ptr<KinesisClient> client_;
  std::unique_ptr<CheckpointStore> own_store_;
  CheckpointStore* store_ = nullptr;

  std::string stream_arn_;
  std::string region_;
  std::string account_;
  std::string function_arn_;
  std::string invoke_identity_arn_;
  bool listed_once_ = false;

  mutable std::mutex mutex_;  // one round at a time; guards all state below
  std::map<std::string, std::unique_ptr<Shard>> shards_;
  int64_t invocations_ = 0;
  int64_t kinesis_errors_ = 0;
  std::optional<KinesisError> last_error_;
  int64_t request_counter_ = 0;

  std::thread thread_;
  std::mutex thread_mutex_;
  std::condition_variable thread_cv_;
  bool stopping_ = false;
};

}  // namespace kinesim::harness
