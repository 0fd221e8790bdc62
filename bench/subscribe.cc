// subscribe_latency: how long an acknowledged record takes to reach a SubscribeToShard
// subscriber.
//
// A consumer is registered on a 1-shard stream and subscribes from LATEST over HTTP/1.1 on a
// socket of its own; a reader thread decodes the chunked body's event-stream messages as they
// arrive and notes when each record appears. The main thread puts one record at a time on
// another connection, each carrying its sequence tag in its data, and waits for it to arrive
// before putting the next. The figure is the time from the moment PutRecord's 200 has been read
// to the moment the record's event has been decoded; records that never arrive are lost, and
// any loss is an error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "bench/event_stream.h"
#include "bench/scenarios.h"

namespace kinesim::bench {
namespace {

using harness::HttpClient;
using harness::HttpError;
using harness::HttpResponse;

// How long one record may take to arrive before the next is put anyway, and how long the
// stragglers get once putting has stopped.
constexpr auto kEventWait = std::chrono::seconds(2);
constexpr auto kStragglerWait = std::chrono::seconds(5);
// Bound on the subscription's response head and on an error body read for the report.
constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr std::string_view kSeqPrefix = "seq=";

// ---- record tags ---------------------------------------------------------------------------

// A 100-byte record whose data starts with "seq=<20 digits>;".
std::string TaggedData(uint64_t seq) {
  char tag[32];
  std::snprintf(tag, sizeof(tag), "seq=%020llu;", static_cast<unsigned long long>(seq));
  std::string data(tag);
  data.resize(RecordSource::kRecordBytes, '.');
  return data;
}

// The tag of a record written by this scenario, or nullopt for any other data.
std::optional<uint64_t> TagOf(std::string_view base64_data) {
  std::optional<std::string> data = Base64Decode(base64_data);
  if (!data || data->size() < kSeqPrefix.size() + 21 || !data->starts_with(kSeqPrefix)) {
    return std::nullopt;
  }
  uint64_t seq = 0;
  for (size_t i = kSeqPrefix.size(); i < kSeqPrefix.size() + 20; ++i) {
    const char c = (*data)[i];
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return seq;
}

// ---- the subscription ----------------------------------------------------------------------

int ConnectTo(const harness::Endpoint& endpoint) {
  sockaddr_storage address{};
  socklen_t length = 0;
  const std::string host = endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(endpoint.port);
    length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(endpoint.port);
    length = sizeof(sockaddr_in6);
  } else {
    throw BenchFailure("SubscribeToShard: cannot use host " + endpoint.host);
  }
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw BenchFailure(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    const int error = errno;
    ::close(fd);
    throw BenchFailure(std::string("SubscribeToShard: connect: ") + std::strerror(error));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Waits until `fd` is readable or `deadline`; reads what is there. Returns 0 at EOF, -1 at the
// deadline (or, with `stop`, when it is set).
ssize_t ReadSome(int fd, char* buffer, size_t size, Clock::time_point deadline,
                 const std::atomic<bool>* stop = nullptr) {
  for (;;) {
    if (stop != nullptr && stop->load()) return -1;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (ready < 0 && errno != EINTR)
      throw BenchFailure(std::string("poll: ") + std::strerror(errno));
    if (ready <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, size, 0);
    if (n >= 0) return n;
    if (errno != EINTR && errno != EAGAIN) {
      throw BenchFailure(std::string("recv: ") + std::strerror(errno));
    }
  }
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw BenchFailure(std::string("SubscribeToShard: send: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// The value of header `name` (lower case) in a raw response head, or "".
std::string HeaderOf(std::string_view head, std::string_view name) {
  size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const size_t begin = at + 2;
    const size_t end = head.find("\r\n", begin);
    std::string_view line = head.substr(begin, end == std::string_view::npos ? end : end - begin);
    const size_t colon = line.find(':');
    if (colon == name.size()) {
      bool same = true;
      for (size_t i = 0; i < colon && same; ++i) {
        same = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
      }
      if (same) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
          value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
          value.remove_suffix(1);
        }
        return std::string(value);
      }
    }
    at = end;
  }
  return "";
}

// One SubscribeToShard call held open, with a thread that decodes its events.
class Subscription {
 public:
  Subscription(const harness::Endpoint& endpoint, const std::string& consumer_arn,
               const std::string& shard_id, bool verbose)
      : fd_(ConnectTo(endpoint)), verbose_(verbose) {
    try {
      Open(endpoint, consumer_arn, shard_id);
    } catch (...) {
      ::close(fd_);
      throw;
    }
    thread_ = std::thread([this] { ReadLoop(); });
  }

  ~Subscription() {
    stop_.store(true);
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }

  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Waits until the subscription is live: Kinesis sends an initial-response event first, but a
  // first SubscribeToShardEvent shows it as well (some endpoints send no initial-response).
  // Throws BenchFailure if neither comes by `deadline`.
  void WaitLive(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline,
                   [this] { return initial_ || events_ > 0 || !failure_.empty() || ended_; });
    if (!failure_.empty()) throw BenchFailure("SubscribeToShard: " + failure_);
    if (!initial_ && events_ == 0) {
      throw BenchFailure(std::string("SubscribeToShard: ") +
                         (ended_ ? "the response ended before any event" : "no event in time"));
    }
  }

  bool initial_response() const {
    std::lock_guard<std::mutex> lock(mu_);
    return initial_;
  }

  // When record `seq` arrived, waiting for it until `deadline`.
  std::optional<Clock::time_point> WaitFor(uint64_t seq, Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline,
                   [&] { return arrivals_.contains(seq) || !failure_.empty() || ended_; });
    auto it = arrivals_.find(seq);
    if (it == arrivals_.end()) return std::nullopt;
    return it->second;
  }

  // Why the subscription stopped delivering, or "" while it is healthy.
  std::string failure() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_.empty()) return failure_;
    return ended_ ? "the server ended the subscription early" : "";
  }

  uint64_t duplicates() const {
    std::lock_guard<std::mutex> lock(mu_);
    return duplicates_;
  }
  uint64_t foreign() const {
    std::lock_guard<std::mutex> lock(mu_);
    return foreign_;
  }
  uint64_t events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  // Sends the request and reads the response head. A status other than 200 is read in full
  // and reported.
  void Open(const harness::Endpoint& endpoint, const std::string& consumer_arn,
            const std::string& shard_id) {
    std::string body = R"({"ConsumerARN":)";
    AppendJsonString(body, consumer_arn);
    body += R"(,"ShardId":)";
    AppendJsonString(body, shard_id);
    body += R"(,"StartingPosition":{"Type":"LATEST"}})";
    AmzAuth auth;
    const bool v6 = endpoint.host.find(':') != std::string::npos;
    std::string request = "POST / HTTP/1.1\r\nHost: ";
    request += v6 ? "[" + endpoint.host + "]" : endpoint.host;
    request += ":" + std::to_string(endpoint.port);
    request += "\r\nX-Amz-Target: Kinesis_20131202.SubscribeToShard";
    request += "\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Date: " + auth.date();
    request += "\r\nAuthorization: " + auth.authorization();
    request += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    request += body;
    SendAll(fd_, request);

    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    std::string raw;
    char chunk[16384];
    size_t head_end = std::string::npos;
    while ((head_end = raw.find("\r\n\r\n")) == std::string::npos) {
      if (raw.size() > kMaxHeadBytes)
        throw BenchFailure("SubscribeToShard: response head too long");
      const ssize_t n = ReadSome(fd_, chunk, sizeof(chunk), deadline);
      if (n == 0) throw BenchFailure("SubscribeToShard: connection closed before a response");
      if (n < 0) throw BenchFailure("SubscribeToShard: no response head in 30 s");
      raw.append(chunk, static_cast<size_t>(n));
    }
    const std::string head = raw.substr(0, head_end + 2);
    std::string rest = raw.substr(head_end + 4);
    int status = 0;
    if (std::sscanf(head.c_str(), "HTTP/1.%*d %d", &status) != 1) {
      throw BenchFailure("SubscribeToShard: not an HTTP/1.x response: " + head.substr(0, 80));
    }
    chunked_ = HeaderOf(head, "transfer-encoding").find("chunked") != std::string::npos;
    if (status != 200) throw BenchFailure(DescribeFailure(head, status, std::move(rest)));
    const std::string type = HeaderOf(head, "content-type");
    if (type != "application/vnd.amazon.eventstream") {
      throw BenchFailure("SubscribeToShard: 200 with Content-Type '" + type +
                         "', not application/vnd.amazon.eventstream");
    }
    leftover_ = std::move(rest);
  }

  // Reads what there is of an error response's body (bounded) and describes it.
  std::string DescribeFailure(const std::string& head, int status, std::string rest) {
    const std::string length = HeaderOf(head, "content-length");
    const size_t want =
        length.empty()
            ? kMaxErrorBody
            : std::min<size_t>(std::strtoull(length.c_str(), nullptr, 10), kMaxErrorBody);
    std::string body;
    ChunkedDecoder chunks;
    auto take = [&](std::string_view bytes) {
      if (chunked_) {
        chunks.Feed(bytes, body);
      } else {
        body.append(bytes);
      }
    };
    take(rest);
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(5);
    char chunk[4096];
    while (body.size() < want && !chunks.done()) {
      const ssize_t n = ReadSome(fd_, chunk, sizeof(chunk), deadline);
      if (n <= 0) break;
      take(std::string_view(chunk, static_cast<size_t>(n)));
    }
    if (body.size() > 300) body.resize(300);
    std::string text = "SubscribeToShard: HTTP " + std::to_string(status) + " " + body;
    if (status == 501) text += " (this endpoint does not serve SubscribeToShard)";
    return text;
  }

  void ReadLoop() {
    try {
      Consume(leftover_);
      char chunk[65536];
      for (;;) {
        const ssize_t n = ReadSome(fd_, chunk, sizeof(chunk), Clock::time_point::max(), &stop_);
        if (n < 0) return;  // stopping
        if (n == 0) {
          std::lock_guard<std::mutex> lock(mu_);
          if (!stop_.load()) ended_ = true;
          cv_.notify_all();
          return;
        }
        Consume(std::string_view(chunk, static_cast<size_t>(n)));
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stop_.load()) failure_ = e.what();
      cv_.notify_all();
    }
  }

  void Consume(std::string_view bytes) {
    std::string_view body = bytes;
    if (chunked_) {
      body_scratch_.clear();
      chunks_.Feed(bytes, body_scratch_);
      body = body_scratch_;
    }
    events_decoder_.Feed(body, [this](const EventMessage& message) { OnMessage(message); });
  }

  void OnMessage(const EventMessage& message) {
    const Clock::time_point now = Clock::now();
    if (message.message_type != "event") {
      throw BenchFailure("SubscribeToShard " + message.message_type + " message: " + message.error +
                         " " + message.payload.substr(0, 300));
    }
    if (message.event_type == "initial-response") {
      std::lock_guard<std::mutex> lock(mu_);
      initial_ = true;
      cv_.notify_all();
      return;
    }
    if (message.event_type != "SubscribeToShardEvent") {
      throw BenchFailure("SubscribeToShard: unexpected event type " + message.event_type);
    }
    rapidjson::Document doc;  // one per event: a reused document's pool only grows
    doc.Parse(message.payload.data(), message.payload.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("Records") ||
        !doc["Records"].IsArray() || !doc.HasMember("ContinuationSequenceNumber")) {
      throw BenchFailure("SubscribeToShardEvent: unexpected payload: " +
                         message.payload.substr(0, 300));
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++events_;
    for (const auto& record : doc["Records"].GetArray()) {
      std::optional<uint64_t> seq;
      if (record.IsObject() && record.HasMember("Data") && record["Data"].IsString()) {
        seq = TagOf(std::string_view(record["Data"].GetString(), record["Data"].GetStringLength()));
      }
      if (!seq) {
        ++foreign_;
      } else if (!arrivals_.emplace(*seq, now).second) {
        ++duplicates_;
      }
    }
    if (verbose_) {
      std::fprintf(stderr, "subscribe_latency: event with %u records\n",
                   doc["Records"].GetArray().Size());
    }
    cv_.notify_all();
  }

  const int fd_;
  const bool verbose_;
  bool chunked_ = false;
  std::string leftover_;  // body bytes that came with the response head
  ChunkedDecoder chunks_;
  EventStreamDecoder events_decoder_;
  std::string body_scratch_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool initial_ = false;
  bool ended_ = false;
  std::string failure_;
  std::unordered_map<uint64_t, Clock::time_point> arrivals_;
  uint64_t duplicates_ = 0;
  uint64_t foreign_ = 0;
  uint64_t events_ = 0;
};

// ---- setup calls ---------------------------------------------------------------------------

std::string StringAt(const rapidjson::Value& object, const char* outer, const char* inner) {
  if (!object.IsObject() || !object.HasMember(outer) || !object[outer].IsObject() ||
      !object[outer].HasMember(inner) || !object[outer][inner].IsString()) {
    return "";
  }
  return object[outer][inner].GetString();
}

std::string StreamArn(HttpClient& client, const std::string& stream) {
  const HttpResponse& response =
      CallOk(client, "DescribeStreamSummary", R"({"StreamName":")" + stream + R"("})");
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  std::string arn = StringAt(doc, "StreamDescriptionSummary", "StreamARN");
  if (arn.empty()) throw BenchFailure("DescribeStreamSummary: no StreamARN");
  return arn;
}

std::string RegisterConsumer(HttpClient& client, const std::string& stream_arn,
                             const std::string& name) {
  std::string body = R"({"StreamARN":)";
  AppendJsonString(body, stream_arn);
  body += R"(,"ConsumerName":)";
  AppendJsonString(body, name);
  body += '}';
  const HttpResponse& response = CallOk(client, "RegisterStreamConsumer", body);
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  std::string arn = StringAt(doc, "Consumer", "ConsumerARN");
  if (arn.empty()) throw BenchFailure("RegisterStreamConsumer: no ConsumerARN");
  return arn;
}

void WaitConsumerActive(HttpClient& client, const std::string& consumer_arn,
                        Clock::time_point deadline) {
  std::string body = R"({"ConsumerARN":)";
  AppendJsonString(body, consumer_arn);
  body += '}';
  std::string status;
  for (;;) {
    const HttpResponse& response = CallOk(client, "DescribeStreamConsumer", body);
    rapidjson::Document doc;
    doc.Parse(response.body.data(), response.body.size());
    status = StringAt(doc, "ConsumerDescription", "ConsumerStatus");
    if (status == "ACTIVE") return;
    if (Clock::now() >= deadline) {
      throw BenchFailure("consumer not ACTIVE before the deadline (status " + status + ")");
    }
    std::this_thread::sleep_for(kSetupPoll);
  }
}

// Deregisters the consumer when the scenario ends (best effort), so a kept stream is left as
// it was found.
class ConsumerGuard {
 public:
  ConsumerGuard(HttpClient& client, std::string arn) : client_(client), arn_(std::move(arn)) {}
  ~ConsumerGuard() {
    std::string body = R"({"ConsumerARN":)";
    AppendJsonString(body, arn_);
    body += '}';
    try {
      const HttpResponse& response = client_.call("DeregisterStreamConsumer", body);
      if (response.status != 200) {
        std::fprintf(stderr, "DeregisterStreamConsumer: %s\n", DescribeResponse(response).c_str());
      }
    } catch (const HttpError& e) {
      std::fprintf(stderr, "DeregisterStreamConsumer: %s\n", e.what());
    }
  }
  ConsumerGuard(const ConsumerGuard&) = delete;
  ConsumerGuard& operator=(const ConsumerGuard&) = delete;

 private:
  HttpClient& client_;
  std::string arn_;
};

// A record put and acknowledged whose event had not arrived when the next was put.
struct Pending {
  uint64_t seq;
  Clock::time_point acknowledged;
  bool measured;
};

// Latency of one record. An event can be decoded before the PutRecord response is read (the
// server pushes as it commits); that counts as 0 and is tallied in `early`.
uint64_t NsBetween(Clock::time_point acked, Clock::time_point arrived, uint64_t& early) {
  if (arrived > acked) return static_cast<uint64_t>((arrived - acked).count());
  ++early;
  return 0;
}

}  // namespace

Result SubscribeLatencyScenario(const Options& options, std::string name) {
  Result result(std::move(name));
  ScenarioStream stream(options, result.name, 1);
  stream.DeleteWithConsumers();
  HttpClient& control = stream.client();
  const std::vector<std::string> shards = ListShardIds(control, stream.name());
  if (shards.size() != 1) {
    throw BenchFailure("needs a 1-shard stream; " + stream.name() + " has " +
                       std::to_string(shards.size()));
  }
  const std::string consumer_arn = RegisterConsumer(control, StreamArn(control, stream.name()),
                                                    "kinesim-bench-" + std::to_string(::getpid()));
  ConsumerGuard consumer(control, consumer_arn);
  WaitConsumerActive(control, consumer_arn, DeadlineFrom(options));

  Subscription subscription(options.endpoint, consumer_arn, shards[0], options.verbose);
  subscription.WaitLive(Clock::now() + std::chrono::seconds(30));

  HttpClient producer(options.endpoint);
  ErrorLog errors;
  std::string body;
  const auto warmup =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.warmup_s));
  const auto duration = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.duration_s));
  const Clock::time_point measure_begin = Clock::now() + warmup;
  const Clock::time_point measure_end = measure_begin + duration;

  std::vector<uint64_t> latencies;
  std::vector<Pending> pending;
  uint64_t acknowledged = 0;
  uint64_t early = 0;
  int consecutive_failures = 0;
  for (uint64_t seq = 0; seq < options.max_ops; ++seq) {
    const Clock::time_point t1 = Clock::now();
    if (t1 >= measure_end) break;
    std::string data = TaggedData(seq);
    std::string encoded;
    Base64Append(encoded, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    body = R"({"StreamName":)";
    AppendJsonString(body, stream.name());
    body += R"(,"Data":")" + encoded + R"(","PartitionKey":"subscribe"})";
    bool ok = false;
    try {
      const HttpResponse& response = producer.call("PutRecord", body);
      ok = response.status == 200;
      if (!ok) errors.Add("PutRecord: " + DescribeResponse(response));
    } catch (const HttpError& e) {
      errors.Add(std::string("PutRecord: ") + e.what());
    }
    const Clock::time_point acked = Clock::now();
    if (!ok) {
      if (++consecutive_failures >= 20) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    consecutive_failures = 0;
    ++acknowledged;
    const bool measured = t1 >= measure_begin;
    if (auto arrived = subscription.WaitFor(seq, acked + kEventWait)) {
      if (measured) latencies.push_back(NsBetween(acked, *arrived, early));
    } else {
      pending.push_back({seq, acked, measured});
    }
    if (std::string why = subscription.failure(); !why.empty()) {
      throw BenchFailure("SubscribeToShard: " + why);
    }
  }

  // Late arrivals still count, with their true latency; what never comes is lost.
  const Clock::time_point straggler_deadline = Clock::now() + kStragglerWait;
  uint64_t lost = 0;
  for (const Pending& p : pending) {
    if (auto arrived = subscription.WaitFor(p.seq, straggler_deadline)) {
      if (p.measured) latencies.push_back(NsBetween(p.acknowledged, *arrived, early));
    } else {
      ++lost;
    }
  }
  if (uint64_t d = subscription.duplicates(); d > 0) {
    errors.Add(std::to_string(d) + " records arrived more than once");
  }
  if (uint64_t f = subscription.foreign(); f > 0) {
    errors.Add(std::to_string(f) + " records arrived that this scenario did not put");
  }

  const uint64_t n = latencies.size();
  uint64_t max_ns = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  AddLatencies(result, latencies);
  result.Add("max_ms", static_cast<double>(max_ns) / 1e6, 3);
  result.Add("n", n);
  result.Add("lost", lost);
  result.Add("before_ack", early);
  result.Add("events", subscription.events());
  result.Add("initial_response", subscription.initial_response() ? "yes" : "no");
  // Every lost record is an error; the first gets the description.
  if (lost > 0) {
    result.errors += lost;
    result.first_error =
        std::to_string(lost) + " of " + std::to_string(acknowledged) +
        " acknowledged records never arrived on the subscription" +
        (subscription.failure().empty() ? "" : " (" + subscription.failure() + ")");
  }
  errors.MoveInto(result);
  if (n == 0) {
    result.failed = true;
    if (result.first_error.empty()) result.first_error = "no record arrived";
  }
  return result;
}

}  // namespace kinesim::bench
