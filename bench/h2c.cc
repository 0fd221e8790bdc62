// put_record_h2c_32: PutRecord over HTTP/2 with prior knowledge (h2c), many requests in flight
// on one connection, through libcurl's multi interface on one thread.
//
// The closed loop matches RunTimed's: each of the `streams` requests is sent again as soon as
// it completes, for the warm-up and then the measured duration, and a request counts when it
// started inside the measured window. The TCP connections libcurl opens are counted at the
// socket, and anything but exactly one is an error: the figure claims multiplexing.
#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>

#include "bench/scenarios.h"

namespace kinesim::bench {
namespace {

constexpr long kRequestTimeoutMs = 30'000;
constexpr long kConnectTimeoutMs = 5'000;
constexpr int kMaxConsecutiveFailures = 100;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw BenchFailure("curl_global_init failed");
    }
  });
}

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Multi = std::unique_ptr<CURLM, MultiDeleter>;
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// One of the in-flight requests: its handle, its body and what came back.
struct Transfer {
  Easy easy;
  std::string body;
  std::string response;
  Clock::time_point started;
};

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Counts every socket libcurl opens, so the report shows how many connections carried the load.
curl_socket_t OpenCountedSocket(void* user, curlsocktype /*purpose*/, curl_sockaddr* address) {
  curl_socket_t fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd != CURL_SOCKET_BAD) ++*static_cast<uint64_t*>(user);
  return fd;
}

// The request headers, rebuilt when X-Amz-Date's second changes. Lists already handed to a
// transfer stay alive until the scenario ends, since libcurl reads them while it sends.
class Headers {
 public:
  curl_slist* Current() {
    if (auth_.Refresh() || lists_.empty()) {
      const std::string lines[] = {
          "X-Amz-Target: Kinesis_20131202.PutRecord",
          "Content-Type: application/x-amz-json-1.1",
          "X-Amz-Date: " + auth_.date(),
          "Authorization: " + auth_.authorization(),
          "Expect:",  // no 100-continue round trip
      };
      curl_slist* list = nullptr;
      for (const std::string& line : lines) {
        curl_slist* grown = curl_slist_append(list, line.c_str());
        if (grown == nullptr) {
          curl_slist_free_all(list);
          throw BenchFailure("out of memory building request headers");
        }
        list = grown;
      }
      lists_.emplace_back(list);
    }
    return lists_.back().get();
  }

 private:
  AmzAuth auth_;
  std::vector<Slist> lists_;
};

std::string UrlOf(const harness::Endpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" +
         std::to_string(endpoint.port) + "/";
}

template <typename T>
void SetOpt(CURL* easy, CURLoption option, T value) {
  if (CURLcode rc = curl_easy_setopt(easy, option, value); rc != CURLE_OK) {
    throw BenchFailure(std::string("curl_easy_setopt: ") + curl_easy_strerror(rc));
  }
}

template <typename T>
void SetMultiOpt(CURLM* multi, CURLMoption option, T value) {
  if (CURLMcode rc = curl_multi_setopt(multi, option, value); rc != CURLM_OK) {
    throw BenchFailure(std::string("curl_multi_setopt: ") + curl_multi_strerror(rc));
  }
}

// Options that stay the same for every request of a transfer.
void Configure(Transfer& t, const std::string& url, uint64_t* sockets_opened) {
  CURL* easy = t.easy.get();
  SetOpt(easy, CURLOPT_URL, url.c_str());
  SetOpt(easy, CURLOPT_PIPEWAIT, 1L);  // wait for the one connection rather than open another
  SetOpt(easy, CURLOPT_PROXY, "");     // never through a proxy from the environment
  SetOpt(easy, CURLOPT_NOSIGNAL, 1L);
  SetOpt(easy, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  SetOpt(easy, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  SetOpt(easy, CURLOPT_WRITEFUNCTION, CollectBody);
  SetOpt(easy, CURLOPT_WRITEDATA, &t.response);
  SetOpt(easy, CURLOPT_OPENSOCKETFUNCTION, OpenCountedSocket);
  SetOpt(easy, CURLOPT_OPENSOCKETDATA, sockets_opened);
  SetOpt(easy, CURLOPT_PRIVATE, &t);
}

// Checks a finished transfer; returns true when it was a valid PutRecord answer over HTTP/2.
bool Check(Transfer& t, CURLcode code, ErrorLog& errors) {
  if (code != CURLE_OK) {
    errors.Add(std::string("PutRecord (h2c): ") + curl_easy_strerror(code));
    return false;
  }
  long status = 0;
  long version = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(t.easy.get(), CURLINFO_HTTP_VERSION, &version);
  if (version != CURL_HTTP_VERSION_2_0) {
    errors.Add("PutRecord (h2c): answered over HTTP version code " + std::to_string(version));
    return false;
  }
  if (status != 200) {
    errors.Add("PutRecord (h2c): HTTP " + std::to_string(status) + " " + t.response.substr(0, 300));
    return false;
  }
  if (t.response.find("\"SequenceNumber\"") == std::string::npos) {
    errors.Add("PutRecord (h2c): no SequenceNumber: " + t.response.substr(0, 300));
    return false;
  }
  return true;
}

}  // namespace

Result PutRecordH2cScenario(const Options& options, std::string name, int streams) {
  InitCurlOnce();
  Result result(std::move(name));
  ScenarioStream stream(options, result.name, options.shards);
  ErrorLog errors;
  RecordSource source(0x42C);
  Headers headers;
  const std::string url = UrlOf(options.endpoint);
  uint64_t sockets_opened = 0;
  uint64_t connects_reported = 0;  // CURLINFO_NUM_CONNECTS summed over requests, a cross-check

  Multi multi(curl_multi_init());
  if (!multi) throw BenchFailure("curl_multi_init failed");
  SetMultiOpt(multi.get(), CURLMOPT_PIPELINING, long{CURLPIPE_MULTIPLEX});
  SetMultiOpt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, 1L);

  std::vector<std::unique_ptr<Transfer>> transfers;
  for (int i = 0; i < streams; ++i) {
    auto t = std::make_unique<Transfer>();
    t->easy.reset(curl_easy_init());
    if (!t->easy) throw BenchFailure("curl_easy_init failed");
    Configure(*t, url, &sockets_opened);
    transfers.push_back(std::move(t));
  }

  int in_flight = 0;
  auto issue = [&](Transfer& t) {
    source.PutRecordBody(t.body, stream.name());
    t.response.clear();
    SetOpt(t.easy.get(), CURLOPT_HTTPHEADER, headers.Current());
    SetOpt(t.easy.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(t.body.size()));
    SetOpt(t.easy.get(), CURLOPT_POSTFIELDS, t.body.c_str());
    t.started = Clock::now();
    if (CURLMcode rc = curl_multi_add_handle(multi.get(), t.easy.get()); rc != CURLM_OK) {
      throw BenchFailure(std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
    }
    ++in_flight;
  };
  // Drives the transfers until none is in flight, handing each finished one to `done` (which
  // may issue it again). Returns false if requests were still in flight at `hard_stop`.
  auto drive = [&](Clock::time_point hard_stop, auto&& done) {
    while (in_flight > 0) {
      int running = 0;
      if (CURLMcode rc = curl_multi_perform(multi.get(), &running); rc != CURLM_OK) {
        throw BenchFailure(std::string("curl_multi_perform: ") + curl_multi_strerror(rc));
      }
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        const Clock::time_point end = Clock::now();
        char* private_data = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &private_data);
        Transfer* t = reinterpret_cast<Transfer*>(private_data);
        const CURLcode code = message->data.result;  // `message` is invalid after remove_handle
        curl_multi_remove_handle(multi.get(), message->easy_handle);
        --in_flight;
        long connects = 0;
        curl_easy_getinfo(t->easy.get(), CURLINFO_NUM_CONNECTS, &connects);
        connects_reported += static_cast<uint64_t>(connects);
        done(*t, Check(*t, code, errors), end);
      }
      if (in_flight == 0) break;
      if (Clock::now() >= hard_stop) return false;
      int ready = 0;
      if (CURLMcode rc = curl_multi_poll(multi.get(), nullptr, 0, 100, &ready); rc != CURLM_OK) {
        throw BenchFailure(std::string("curl_multi_poll: ") + curl_multi_strerror(rc));
      }
    }
    return true;
  };

  // One untimed request opens the connection with prior knowledge; every later one asks for
  // HTTP/2 without it and so reuses that connection. libcurl before 8.0 fails a transfer that
  // reuses a prior-knowledge connection while itself asking for prior knowledge ("Error in the
  // HTTP2 framing layer"), and asking for plain HTTP/2 on a live h2c connection is the same
  // wire traffic. Should the connection go, a new one would be HTTP/1.1 with an Upgrade; the
  // HTTP/2 check on every response and the connection count both catch that.
  {
    Transfer& opening = *transfers.front();
    SetOpt(opening.easy.get(), CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE});
    issue(opening);
    bool ok = false;
    const auto opening_stop = Clock::now() + std::chrono::milliseconds(kRequestTimeoutMs);
    if (!drive(opening_stop, [&](Transfer&, bool valid, Clock::time_point) { ok = valid; }) ||
        !ok) {
      errors.MoveInto(result);
      throw BenchFailure("the opening h2c request failed: " +
                         (result.first_error.empty() ? "timed out" : result.first_error));
    }
    for (auto& t : transfers) {
      SetOpt(t->easy.get(), CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_0});
    }
  }

  const auto warmup =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.warmup_s));
  const auto duration = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.duration_s));
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_begin = start + warmup;
  const Clock::time_point measure_end = measure_begin + duration;
  // Requests in flight at measure_end may take up to their own timeout to finish.
  const Clock::time_point hard_stop = measure_end + std::chrono::milliseconds(kRequestTimeoutMs);

  uint64_t attempts = 0, ops = 0;
  int consecutive_failures = 0;
  Clock::time_point last_end = measure_begin;
  std::vector<uint64_t> latencies;
  for (auto& t : transfers) {
    issue(*t);
    ++attempts;
  }
  const bool finished = drive(hard_stop, [&](Transfer& t, bool valid, Clock::time_point end) {
    if (valid) {
      consecutive_failures = 0;
      if (t.started >= measure_begin) {
        ++ops;
        latencies.push_back(static_cast<uint64_t>((end - t.started).count()));
        last_end = std::max(last_end, end);
      }
    } else {
      ++consecutive_failures;
    }
    // The server is likely gone after this many failures in a row; stop rather than spin.
    if (end < measure_end && attempts < options.max_ops &&
        consecutive_failures < kMaxConsecutiveFailures) {
      issue(t);
      ++attempts;
    }
  });
  if (!finished) {
    errors.Add(std::to_string(in_flight) + " requests still in flight past the timeout");
  }
  // Handles still attached (only after the hard stop) are detached before they are freed.
  for (auto& t : transfers) curl_multi_remove_handle(multi.get(), t->easy.get());

  const double seconds = std::chrono::duration<double>(last_end - measure_begin).count();
  result.Add("ops/s", seconds > 0 ? static_cast<double>(ops) / seconds : 0.0, 0);
  AddLatencies(result, latencies);
  result.Add("n", ops);
  result.Add("conns", sockets_opened);
  result.Add("streams", static_cast<uint64_t>(streams));
  result.Add("shards", static_cast<uint64_t>(options.shards));
  if (sockets_opened != 1) {
    errors.Add("the load used " + std::to_string(sockets_opened) +
               " TCP connections instead of 1 (libcurl counted " +
               std::to_string(connects_reported) + ")");
  } else if (options.verbose) {
    std::fprintf(stderr, "%s: 1 TCP connection; libcurl counted %llu new connections\n",
                 result.name.c_str(), static_cast<unsigned long long>(connects_reported));
  }
  errors.MoveInto(result);
  if (ops == 0) {
    result.failed = true;
    if (result.first_error.empty()) result.first_error = "no request succeeded";
  }
  return result;
}

}  // namespace kinesim::bench
