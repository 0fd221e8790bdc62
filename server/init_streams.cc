#include "server/init_streams.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "api/auth.h"
#include "api/resources.h"
#include "storage/store.h"

namespace kinesim {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr int64_t kOnDemandShards = 4;  // as CreateStream starts an ON_DEMAND stream

// Kinesis' pattern for stream and consumer names: [a-zA-Z0-9_.-]{1,128}.
bool is_resource_name(std::string_view s) {
  return !s.empty() && s.size() <= kMaxNameLength && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// The shard count of an entry: digits within 1..shard_limit, or ON_DEMAND.
std::optional<std::string> read_capacity(std::string_view text, int64_t shard_limit,
                                         InitStream& out) {
  if (text == "ON_DEMAND") {
    out.mode = StreamMode::kOnDemand;
    out.shard_count = kOnDemandShards;
    return std::nullopt;
  }
  int64_t n = 0;
  bool fits = !text.empty() && text.size() <= 18;
  for (char c : text) {
    fits = fits && c >= '0' && c <= '9';
    if (fits) n = n * 10 + (c - '0');
  }
  if (!fits || n < 1 || n > shard_limit) {
    return "the shard count must be 1.." + std::to_string(shard_limit) +
           " (the shard limit) or ON_DEMAND, not '" + std::string(text) + "'";
  }
  out.shard_count = n;
  return std::nullopt;
}

// One entry, NAME[:SHARDS|:ON_DEMAND][@REGION][/CONSUMER]...; the error says what is wrong.
std::optional<std::string> read_entry(std::string_view entry, int64_t shard_limit,
                                      InitStream& out) {
  out.region = std::string(api::kDefaultRegion);
  std::vector<std::string_view> parts = split(entry, '/');
  std::string_view head = parts.front();
  if (const size_t at = head.find('@'); at != std::string_view::npos) {
    out.region = std::string(head.substr(at + 1));
    head = head.substr(0, at);
    if (!api::is_region_name(out.region)) {
      return "'" + out.region + "' is not a region name (like us-east-1)";
    }
  }
  if (const size_t colon = head.find(':'); colon != std::string_view::npos) {
    if (auto e = read_capacity(head.substr(colon + 1), shard_limit, out)) return e;
    head = head.substr(0, colon);
  }
  out.name = std::string(head);
  if (!is_resource_name(out.name)) {
    return "the stream name '" + out.name + "' must be 1 to 128 letters, digits, '_', '.' or '-'";
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string consumer(parts[i]);
    if (!is_resource_name(consumer)) {
      return "the consumer name '" + consumer +
             "' must be 1 to 128 letters, digits, '_', '.' or '-'";
    }
    if (std::find(out.consumers.begin(), out.consumers.end(), consumer) != out.consumers.end()) {
      return "the consumer " + consumer + " is listed twice";
    }
    out.consumers.push_back(std::move(consumer));
  }
  if (static_cast<int64_t>(out.consumers.size()) > api::kMaxConsumersPerStream) {
    return "a stream has at most " + std::to_string(api::kMaxConsumersPerStream) +
           " consumers, not " + std::to_string(out.consumers.size());
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Making them

using SteadyTime = std::chrono::steady_clock::time_point;

// The store answers through callbacks on its writer thread; start-up simply waits for them.
template <class T, class Start>
T await(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto answer = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  return answer.get();
}

// How long a wait for a state to end may take, in real time: the longest delay on a running
// clock, plus slack. Past it the clock is probably stopped (a test's fake clock), and start-up
// fails instead of hanging.
SteadyTime deadline(const Store& store) {
  const StateDelays& d = store.options().delays;
  const int64_t longest = std::max({d.creating_ms, d.updating_ms, d.deleting_ms, d.consumer_ms});
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(longest + 10'000);
}

// Polls `done` until it holds; false when `until` passes first.
bool wait_for(const std::function<bool()>& done, SteadyTime until) {
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

Status failure(const StreamKey& key, const std::string& why) {
  return Status::Error(StatusCode::kInvalid,
                       "--init-streams: stream " + key.name + " in " + key.region + ": " + why);
}

std::string_view mode_name(StreamMode mode) {
  return mode == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

StreamStatus status_of(const Store& store, const StreamKey& key) {
  auto stream = store.catalog().find(key);
  return stream ? stream->status_at(store.clock().now_ms()) : StreamStatus::kGone;
}

std::string create_failure(const Status& s, const StreamKey& key, const InitStream& entry) {
  if (s.code == StatusCode::kLimitExceeded && s.detail == 1) {
    return "the account already has " + std::to_string(s.current) + " ON_DEMAND streams in " +
           key.region + ", the --on-demand-stream-limit";
  }
  if (s.code == StatusCode::kLimitExceeded) {
    return std::to_string(entry.shard_count) + " more shards would take the account's " +
           std::to_string(s.current) + " open shards in " + key.region +
           " over the --shard-limit of " + std::to_string(s.limit);
  }
  return "cannot create it: " + s.message;
}

// Creates the stream unless it exists; answers a note when an existing one differs from `entry`.
Result<std::string> ensure_stream(Store& store, const StreamKey& key, const InitStream& entry) {
  for (;;) {
    NewStream spec;
    spec.key = key;
    spec.shard_count = entry.shard_count;
    spec.mode = entry.mode;
    const Status s = await<Status>([&](auto done) { store.create_stream(spec, done); });
    if (s.ok()) return std::string();
    if (s.code != StatusCode::kAlreadyExists) return failure(key, create_failure(s, key, entry));
    if (s.detail != static_cast<int>(StreamStatus::kDeleting)) break;
    // Deleted before a restart and not gone yet: it is made anew once it is.
    if (!wait_for([&] { return status_of(store, key) == StreamStatus::kGone; }, deadline(store))) {
      return failure(key, "it is still DELETING; is the server's clock stopped?");
    }
  }
  auto stream = store.catalog().find(key);
  const int64_t open = stream->shards->open_count();
  if (stream->mode == entry.mode &&
      (entry.mode == StreamMode::kOnDemand || open == entry.shard_count)) {
    return std::string();
  }
  return "--init-streams: stream " + key.name + " in " + key.region + " exists as " +
         std::string(mode_name(stream->mode)) + " with " + std::to_string(open) +
         " open shards, not " + std::string(mode_name(entry.mode)) +
         (entry.mode == StreamMode::kOnDemand ? "" : " with " + std::to_string(entry.shard_count)) +
         "; it is left as it is";
}

Status await_active(Store& store, const StreamKey& key) {
  if (wait_for([&] { return status_of(store, key) == StreamStatus::kActive; }, deadline(store))) {
    return Status::Ok();
  }
  return failure(key, "it did not become ACTIVE; is the server's clock stopped?");
}

std::optional<ConsumerStatus> consumer_status(Store& store, int64_t stream_id,
                                              const std::string& name) {
  auto found = store.find_consumer(stream_id, name);
  if (!found.ok() || !found.value()) return std::nullopt;
  return found.value()->status_at(store.clock().now_ms());
}

// Registers the consumer unless it exists (in any state but DELETING, which it waits out).
Status ensure_consumer(Store& store, const StreamKey& key, int64_t stream_id,
                       const std::string& name) {
  const SteadyTime until = deadline(store);
  for (;;) {
    const auto state = consumer_status(store, stream_id, name);
    if (state == ConsumerStatus::kCreating || state == ConsumerStatus::kActive) {
      return Status::Ok();
    }
    if (state != ConsumerStatus::kDeleting) {
      auto r = await<Result<ConsumerInfo>>([&](auto done) {
        store.register_consumer(key, name, {}, api::kMaxConsumersPerStream,
                                api::kMaxCreatingConsumers, done);
      });
      if (r.ok()) return Status::Ok();
      const Status& s = r.status();
      if (s.code == StatusCode::kLimitExceeded && s.detail == 0) {
        return failure(key, "cannot register consumer " + name + ": the stream already has " +
                                std::to_string(s.current) + " consumers");
      }
      // Too many consumers CREATING at once: wait for some to finish.
      if (s.code != StatusCode::kLimitExceeded && s.code != StatusCode::kAlreadyExists) {
        return failure(key, "cannot register consumer " + name + ": " + s.message);
      }
    }
    if (std::chrono::steady_clock::now() > until) {
      return failure(key, "consumer " + name + " could not be registered in time; is the " +
                              "server's clock stopped?");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

Result<std::vector<InitStream>> parse_init_streams(std::string_view spec, int64_t shard_limit) {
  std::vector<InitStream> streams;
  if (trim(spec).empty()) return streams;
  std::set<std::pair<std::string, std::string>> seen;  // region, name
  for (std::string_view raw : split(spec, ',')) {
    const std::string_view entry = trim(raw);
    if (entry.empty()) return Status::Error(StatusCode::kInvalid, "has an empty entry");
    InitStream stream;
    auto error = read_entry(entry, shard_limit, stream);
    if (!error && !seen.emplace(stream.region, stream.name).second) {
      error = "the stream " + stream.name + " in " + stream.region + " is listed twice";
    }
    if (error) {
      return Status::Error(StatusCode::kInvalid, "entry '" + std::string(entry) + "': " + *error);
    }
    streams.push_back(std::move(stream));
  }
  return streams;
}

std::string format_init_streams(const std::vector<InitStream>& streams) {
  std::string out;
  for (const InitStream& s : streams) {
    if (!out.empty()) out += ',';
    out += s.name + ":" +
           (s.mode == StreamMode::kOnDemand ? "ON_DEMAND" : std::to_string(s.shard_count)) + "@" +
           s.region;
    for (const std::string& c : s.consumers) out += "/" + c;
  }
  return out;
}

Result<std::vector<std::string>> create_init_streams(Store& store, const std::string& account,
                                                     const std::vector<InitStream>& streams) {
  std::vector<std::string> notes;
  for (const InitStream& entry : streams) {
    auto note = ensure_stream(store, StreamKey{account, entry.region, entry.name}, entry);
    if (!note.ok()) return note.status();
    if (!note->empty()) notes.push_back(*note);
  }
  // Consumers need an ACTIVE (or UPDATING) stream; every stream must be ACTIVE anyway.
  for (const InitStream& entry : streams) {
    const StreamKey key{account, entry.region, entry.name};
    if (Status s = await_active(store, key); !s.ok()) return s;
    const int64_t id = store.catalog().find(key)->id;
    for (const std::string& consumer : entry.consumers) {
      if (Status s = ensure_consumer(store, key, id, consumer); !s.ok()) return s;
    }
  }
  for (const InitStream& entry : streams) {
    const StreamKey key{account, entry.region, entry.name};
    const int64_t id = store.catalog().find(key)->id;
    for (const std::string& consumer : entry.consumers) {
      if (!wait_for([&] { return consumer_status(store, id, consumer) == ConsumerStatus::kActive; },
                    deadline(store))) {
        return failure(
            key, "consumer " + consumer + " did not become ACTIVE; is the server's clock stopped?");
      }
    }
  }
  return notes;
}

}  // namespace kinesim
