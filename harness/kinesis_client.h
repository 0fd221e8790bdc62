// KinesisClient: a typed Kinesis Data Streams client for tests, speaking SigV4-signed JSON over
// HTTP (libcurl) to any endpoint, usually a TestServer's. No AWS SDK is needed.
//
//   kinesim::harness::TestServer kinesis;
//   kinesim::harness::KinesisClient client(kinesis.endpoint());
//   client.create_stream("orders", 1).value();
//   auto put = client.put_record("orders", "u1", R"({"type":"ORDER_PLACED"})");
//   if (!put.ok()) std::cerr << put.error().type << ": " << put.error().message;
//
// Errors are values: every call returns a Result<T> holding either the typed answer or a
// KinesisError (the AWS error type, its message and the HTTP status). Tests about failures
// compare the error directly, with no try/catch; tests that only expect success call value(),
// which throws a KinesisException carrying the same KinesisError, so an unexpected failure still
// stops the test with the AWS error in its message.
//
// Contract: one client, one connection reused across calls, one call at a time (not
// thread-safe; use one client per thread). Requests are signed with real SigV4 signatures, so a
// server that verifies signatures (--auth verify) accepts them for a key it knows.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kinesim {
class Clock;
}

namespace kinesim::harness {

// An AWS error answer ("ResourceNotFoundException", its message, 400), or a transport failure
// (type "TransportError", http_status 0, message from libcurl).
struct KinesisError {
  std::string type;
  std::string message;
  int http_status = 0;

  // "Type (HTTP 400): message", for test output.
  std::string describe() const;
};

class KinesisException : public std::runtime_error {
 public:
  explicit KinesisException(KinesisError error)
      : std::runtime_error(error.describe()), error_(std::move(error)) {}
  const KinesisError& error() const { return error_; }

 private:
  KinesisError error_;
};

// Either a T or a KinesisError.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}             // NOLINT: implicit by design
  Result(KinesisError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The value; throws KinesisException when this holds an error.
  const T& value() const& { return (check(), std::get<0>(v_)); }
  T& value() & { return (check(), std::get<0>(v_)); }
  T&& value() && { return (check(), std::move(std::get<0>(v_))); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; an empty one (type "") when this holds a value.
  const KinesisError& error() const {
    static const KinesisError kNone;
    return ok() ? kNone : std::get<1>(v_);
  }

 private:
  void check() const {
    if (!ok()) throw KinesisException(std::get<1>(v_));
  }
  std::variant<T, KinesisError> v_;
};

// The answer of an operation with no result members.
struct Done {};
using Status = Result<Done>;

struct StreamSummary {
  std::string stream_name;
  std::string stream_arn;
  std::string stream_status;  // CREATING, ACTIVE, UPDATING, DELETING
  std::string stream_mode;    // PROVISIONED or ON_DEMAND
  int64_t open_shard_count = 0;
  int64_t consumer_count = 0;
  int64_t retention_period_hours = 0;
};

struct Shard {
  std::string shard_id;
  std::string parent_shard_id;           // "" when none
  std::string adjacent_parent_shard_id;  // "" when none (only merges have one)
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // "" while the shard is open
  bool closed() const { return !ending_sequence_number.empty(); }
};

struct PutRecordResult {
  std::string shard_id;
  std::string sequence_number;
};

struct PutRecordsEntry {
  std::string partition_key;
  std::string data;               // raw bytes; the client base64-encodes them
  std::string explicit_hash_key;  // "" for none
};

// One entry of a PutRecords answer, in request order: a shard and sequence number, or an error.
struct PutRecordsResultEntry {
  std::string shard_id;
  std::string sequence_number;
  std::string error_code;  // "" when the record was written
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct PutRecordsResult {
  int64_t failed_record_count = 0;
  std::vector<PutRecordsResultEntry> records;
};

// Where GetShardIterator starts reading.
struct StartingPosition {
  std::string type = "TRIM_HORIZON";
  std::string sequence_number;  // AT_/AFTER_SEQUENCE_NUMBER
  int64_t timestamp_ms = 0;     // AT_TIMESTAMP

  static StartingPosition TrimHorizon() { return {}; }
  static StartingPosition Latest() { return {"LATEST", "", 0}; }
  static StartingPosition AtSequenceNumber(std::string s) { return {"AT_SEQUENCE_NUMBER", s, 0}; }
  static StartingPosition AfterSequenceNumber(std::string s) {
    return {"AFTER_SEQUENCE_NUMBER", s, 0};
  }
  static StartingPosition AtTimestamp(int64_t ms) { return {"AT_TIMESTAMP", "", ms}; }
};

struct Record {
  std::string shard_id;  // the shard it was read from (set by the reader, not on the wire)
  std::string sequence_number;
  std::string partition_key;
  std::string data;  // decoded bytes
  int64_t approximate_arrival_ms = 0;
};

struct GetRecordsResult {
  std::vector<Record> records;
  // Absent once a closed shard has been read to its end.
  std::optional<std::string> next_shard_iterator;
  int64_t millis_behind_latest = 0;
  std::vector<std::string> child_shard_ids;  // at a closed shard's end
};

struct UpdateShardCountResult {
  int64_t current_shard_count = 0;
  int64_t target_shard_count = 0;
};

struct Consumer {
  std::string consumer_name;
  std::string consumer_arn;
  std::string consumer_status;
};

// A shard that follows a closed one, as a SubscribeToShardEvent names it at the shard's end.
struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  std::string starting_hash_key;
  std::string ending_hash_key;
};

// One SubscribeToShardEvent of an enhanced fan-out subscription. Records carry the shard
// subscribed to as their shard_id.
struct SubscribeToShardEvent {
  std::vector<Record> records;
  std::string continuation_sequence_number;  // "" in the last event of a closed shard
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;  // only at a closed shard's end
};

// Called once per SubscribeToShardEvent, heartbeats (no records) included; returning false
// cancels the subscription.
using SubscribeCallback = std::function<bool(const SubscribeToShardEvent&)>;

// How a subscription that did not fail ended.
struct SubscriptionEnd {
  int64_t events = 0;    // SubscribeToShardEvents passed to the callback
  bool stopped = false;  // the callback stopped it; otherwise the server ended the stream
};

// Any operation's answer, unparsed into types: the HTTP status, the body and the body as JSON
// (not an object when the body is empty or not JSON).
struct RawResponse {
  int status = 0;
  std::string body;
  rapidjson::Document json;

  bool ok() const { return status == 200; }
  // The error in the answer (from __type and message), or nullopt on success.
  std::optional<KinesisError> error() const;
};

class KinesisClient {
 public:
  struct Options {
    std::string access_key = "test";
    std::string secret_key = "test";
    std::string region = "us-east-1";
    // The time requests are signed at; null for the system clock. Point it at the server's
    // FakeClock when the server verifies signatures on a fake clock.
    const Clock* clock = nullptr;
    long timeout_ms = 30000;  // per call, so no test hangs forever
    // Per SubscribeToShard call: a little over the five minutes a subscription lasts.
    long subscription_timeout_ms = 330000;
  };

  // `endpoint` is "http://HOST:PORT" (or https, which libcurl handles).
  KinesisClient(std::string endpoint, Options options);
  explicit KinesisClient(std::string endpoint) : KinesisClient(std::move(endpoint), Options{}) {}
  ~KinesisClient();
  KinesisClient(KinesisClient&&) noexcept;
  KinesisClient& operator=(KinesisClient&&) noexcept;

  // `shard_count` nullopt creates an ON_DEMAND stream.
  Status create_stream(std::string_view stream, std::optional<int> shard_count = 1);
  Status delete_stream(std::string_view stream, bool enforce_consumer_deletion = false);
  Result<StreamSummary> describe_stream_summary(std::string_view stream);
  // Every shard of the stream, following NextToken across pages of `page_size` shards (the
  // server's default page when nullopt).
  Result<std::vector<Shard>> list_shards(std::string_view stream,
                                         std::optional<int> page_size = std::nullopt);
  // Every stream name, following pagination.
  Result<std::vector<std::string>> list_streams();

  Result<PutRecordResult> put_record(std::string_view stream, std::string_view partition_key,
                                     std::string_view data,
                                     std::string_view explicit_hash_key = {});
  Result<PutRecordsResult> put_records(std::string_view stream,
                                       const std::vector<PutRecordsEntry>& entries);

  Result<std::string> get_shard_iterator(std::string_view stream, std::string_view shard_id,
                                         const StartingPosition& position = {});
  Result<GetRecordsResult> get_records(std::string_view shard_iterator,
                                       std::optional<int> limit = std::nullopt);

  Result<UpdateShardCountResult> update_shard_count(std::string_view stream, int target);
  Result<Consumer> register_stream_consumer(std::string_view stream_arn,
                                            std::string_view consumer_name);

  // SubscribeToShard over HTTP/1.1: blocks while the event stream lasts, calling `on_event`
  // for each SubscribeToShardEvent as it arrives. The subscription ends when the callback
  // returns false (the connection is dropped, which is how a client cancels), when the server
  // ends it (after five minutes on the server's clock, or at a closed shard's end), or on an
  // error. Errors: the error answer when the call is refused (HTTP 400), an exception event
  // inside the stream (its :exception-type and message, with http_status 200, the stream's
  // status), "ClientError" for a stream that is not well-formed, "TransportError" from libcurl.
  // An exception thrown by the callback cancels the subscription and is rethrown. The
  // subscription has a connection of its own; the call waits at most
  // Options::subscription_timeout_ms.
  Result<SubscriptionEnd> subscribe_to_shard(std::string_view consumer_arn,
                                             std::string_view shard_id,
                                             const StartingPosition& position,
                                             const SubscribeCallback& on_event);

  // Any operation with a JSON body, e.g. call("AddTagsToStream", R"({...})"). Transport
  // failures come back as status 0 with the libcurl message in `body`.
  RawResponse call(std::string_view operation, std::string_view json);

  const std::string& endpoint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kinesim::harness
