// kinesim_soak: a bounded soak test of the real kinesim binary (issue 8, "Hardening").
//
// For --seconds (60 by default) 64 producers put numbered records to 256 partition keys while
// 8 consumers each read the whole stream, through a SplitShard, a MergeShards and a retention
// trim, with throttles, failed PutRecords entries and held-back answers injected. At the end it
// checks that no acknowledged record was lost, that no record was read twice except where its
// producer's retry explains it, that every key's records were read in order, and that the
// server's resident memory stayed flat after the warm-up. It prints a summary and exits 0 only
// when every check held.
//
// The trim. Kinesis keeps records at least 24 hours, so the soak moves the server's clock
// (/_kinesim/clock) instead of waiting:
//   1. phase switch: freeze the clock at F, advance it an hour and let it run again. Records put
//      before arrived at or before F; every later one at or after F + 1 h.
//   2. gate: wait until every consumer, on every shard, has read a record that arrived after the
//      switch, or read the shard to its end. Arrival times never decrease within a shard, so by
//      then every consumer has read every record of the first phase.
//   3. trim: freeze, advance to F + 24 h 45 min and run again. The first phase is now past
//      retention, the second (from F + 1 h) is not. The test checks that the server's
//      maintenance pass deletes the old records from the database within a few seconds, that
//      GetRecords from TRIM_HORIZON no longer returns them, that ListShards no longer lists the
//      shard the split closed in the first phase, and that no consumer read an old record after
//      the trim. Every iterator is then past its five minutes; consumers get new ones
//      AFTER_SEQUENCE_NUMBER of their last record.
// Producers never pause, so the trim happens under load.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/admin_client.h"
#include "harness/kinesis_client.h"
#include "harness/process_server.h"
#include "storage/hash_key.h"
#include "storage/sqlite.h"
#include "tests/soak/consumer.h"
#include "tests/soak/ledger.h"
#include "tests/soak/producer.h"
#include "tests/soak/rss.h"

namespace kinesim::soak {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kHourMs = 3600 * 1000;
constexpr double kRssTolerance = 0.10;
constexpr double kMaxWarmupS = 15;
constexpr auto kGateTimeout = seconds(15);
constexpr auto kTrimTimeout = seconds(10);
constexpr auto kDrainTimeout = seconds(15);

struct Options {
  int seconds = 60;
  int producers = 64;
  int consumers = 8;
  uint32_t keys_per_producer = 4;
  int shards = 4;
  int pause_ms = 40;
  uint64_t seed = 1;
  std::string kinesim = KINESIM_BIN;
  // Breaks the run on purpose, to show that the checks catch it: "drop", "duplicate" or
  // "reorder" one of consumer 0's reads after the run, or "no-gate": trim without waiting for
  // the consumers to read the first phase.
  std::string sabotage;
  bool keep = false;  // keep the temporary directory (database, server log)
};

const char* kUsage =
    "usage: kinesim_soak [--seconds N] [--producers N] [--consumers N] [--pause-ms N] [--seed N]\n"
    "                    [--kinesim PATH] [--keep] [--sabotage drop|duplicate|reorder|no-gate]\n";

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--keep") {
      o.keep = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (flag == "--seconds") {
      o.seconds = std::stoi(value);
    } else if (flag == "--producers") {
      o.producers = std::stoi(value);
    } else if (flag == "--consumers") {
      o.consumers = std::stoi(value);
    } else if (flag == "--pause-ms") {
      o.pause_ms = std::stoi(value);
    } else if (flag == "--seed") {
      o.seed = std::stoull(value);
    } else if (flag == "--kinesim") {
      o.kinesim = value;
    } else if (flag == "--sabotage") {
      o.sabotage = value;
    } else {
      return false;
    }
  }
  return o.seconds >= 8 && o.producers > 0 && o.consumers > 0 && o.pause_ms >= 0;
}

// Problems found; the run passes when there are none.
class Failures {
 public:
  void add(const std::string& what) {
    std::cout << "FAIL: " << what << "\n" << std::flush;
    list_.push_back(what);
  }
  void check(bool ok, const std::string& what) {
    if (!ok) add(what);
  }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }

 private:
  std::vector<std::string> list_;
};

void log(const std::string& line) { std::cout << line << "\n" << std::flush; }

double since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::string errors_text(const std::map<std::string, int64_t>& errors) {
  std::string out;
  for (const auto& [type, n] : errors)
    out += (out.empty() ? "" : ", ") + type + " " + std::to_string(n);
  return out.empty() ? "none" : out;
}

// Records in the server's database that arrived before `before_ms`, read straight from the
// records table: the only way to see that the maintenance pass deleted them, as reads skip
// records past retention whether or not they were deleted.
std::optional<int64_t> stored_before(const std::string& db_path, int64_t before_ms) {
  sqlite::Connection db;
  if (!db.open(db_path, false).ok() || !db.exec("PRAGMA busy_timeout=5000;").ok()) {
    return std::nullopt;
  }
  sqlite::Statement count;
  if (!db.prepare("SELECT count(*) FROM records WHERE ts < ?", &count).ok()) return std::nullopt;
  count.bind(1, before_ms);
  if (count.step() != SQLITE_ROW) return std::nullopt;
  return count.column_int(0);
}

// The arrival time of the first record GetRecords returns from TRIM_HORIZON on `shard`
// (0 when the shard has none), following pages until a record, the shard's end or its tip.
// The soak's own fault rules throttle 1% of reads, these included: a throttled call is made
// again, as any consumer would.
template <class Call>
auto unthrottled(Call call) {
  auto answer = call();
  for (int attempt = 0; attempt < 20 && !answer.ok() &&
                        answer.error().type == "ProvisionedThroughputExceededException";
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    answer = call();
  }
  return answer;
}

harness::Result<int64_t> first_arrival(harness::KinesisClient& client, const std::string& stream,
                                       const std::string& shard) {
  auto iterator = unthrottled([&] { return client.get_shard_iterator(stream, shard); });
  if (!iterator.ok()) return iterator.error();
  std::optional<std::string> next = *iterator;
  for (int page = 0; page < 100 && next; ++page) {
    auto got = unthrottled([&] { return client.get_records(*next, 1); });
    if (!got.ok()) return got.error();
    if (!got->records.empty()) return got->records.front().approximate_arrival_ms;
    if (got->millis_behind_latest == 0) break;
    next = got->next_shard_iterator;
  }
  return int64_t{0};
}

// The running soak: server, clients, threads and what they found.
class Soak {
 public:
  explicit Soak(Options o) : o_(std::move(o)) {}
  ~Soak() { stop_threads(); }

  int run() {
    try {
      start();
      timeline();
    } catch (const std::exception& e) {
      failures_.add(std::string("the run stopped: ") + e.what());
    }
    stop_threads();
    report();
    cleanup();
    return failures_.empty() ? 0 : 1;
  }

 private:
  void start() {
    dir_ = std::filesystem::temp_directory_path() / ("kinesim-soak-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_path_ = (dir_ / "kinesim.db").string();
    harness::KinesimProcess::Options server_options;
    server_options.extra_args = {"--db", db_path_};
    server_options.stderr_path = (dir_ / "server.log").string();
    server_ = std::make_unique<harness::KinesimProcess>(o_.kinesim, server_options);
    log("kinesim pid " + std::to_string(server_->pid()) + " at " + server_->endpoint() +
        ", database " + db_path_);
    control_ = std::make_unique<harness::KinesisClient>(server_->endpoint());
    admin_ = std::make_unique<harness::AdminClient>(server_->endpoint());
    control_->create_stream(stream_, o_.shards).value();
    inject_faults();

    started_ = SteadyClock::now();
    rss_ = std::make_unique<RssSampler>(server_->pid());
    for (int i = 0; i < o_.consumers; ++i) {
      consumers_.push_back(
          std::make_unique<Consumer>(ConsumerOptions{server_->endpoint(), stream_}));
    }
    for (auto& c : consumers_) {
      consumer_threads_.emplace_back([this, c = c.get()] { c->run(drain_, stop_consumers_); });
    }
    for (int i = 0; i < o_.producers; ++i) {
      ProducerOptions po;
      po.endpoint = server_->endpoint();
      po.stream = stream_;
      po.first_key = static_cast<uint32_t>(i) * o_.keys_per_producer;
      po.keys = o_.keys_per_producer;
      po.pause = milliseconds(o_.pause_ms);
      po.seed = o_.seed * 1000 + static_cast<uint64_t>(i);
      producers_.push_back(std::make_unique<Producer>(po));
    }
    for (auto& p : producers_) {
      producer_threads_.emplace_back([this, p = p.get()] { p->run(stop_producers_); });
    }
  }

  // Retries on purpose: throttled PutRecords, PutRecords entries and GetRecords (nothing
  // written, so no duplicates), and PutRecord answers held back past the producers' timeout
  // (written, so the retry duplicates the record).
  void inject_faults() {
    const std::string s = R"({"stream":")" + stream_ + R"(",)";
    const std::vector<std::string> rules = {
        s + R"("kind":"throttle","operation":"PutRecord","fraction":0.01)",
        s + R"("kind":"fail_records","operation":"PutRecords","fraction":0.01)",
        s + R"("kind":"throttle","operation":"GetRecords","fraction":0.01)",
        s + R"("kind":"latency","operation":"PutRecord","latency_ms":2500,"fraction":0.002)"};
    // A seed of its own for each rule: rules with one seed draw the same numbers, so the rarer
    // would only ever fire together with the commoner.
    for (size_t i = 0; i < rules.size(); ++i) {
      const uint64_t seed = o_.seed * 100 + i;
      admin_->add_fault(rules[i] + R"(,"seed":)" + std::to_string(seed) + "}").value();
    }
  }

  void timeline() {
    const double d = o_.seconds;
    sleep_until(0.2 * d);
    split();
    sleep_until(0.35 * d);
    trim();
    sleep_until(0.6 * d);
    merge();
    sleep_until(d);
    finish();
  }

  void sleep_until(double at_s) {
    const auto until = started_ + std::chrono::duration_cast<SteadyClock::duration>(
                                      std::chrono::duration<double>(at_s));
    std::this_thread::sleep_until(until);
  }

  void wait_active() {
    for (int i = 0; i < 200; ++i) {
      if (control_->describe_stream_summary(stream_)->stream_status == "ACTIVE") return;
      std::this_thread::sleep_for(milliseconds(50));
    }
    throw std::runtime_error("the stream did not become ACTIVE again");
  }

  // Splits the first shard in two halves of its hash-key range.
  void split() {
    const harness::Shard shard = control_->list_shards(stream_).value().front();
    const HashKey start = *parse_hash_key(shard.starting_hash_key);
    const HashKey end = *parse_hash_key(shard.ending_hash_key);
    const std::string middle = to_decimal(start + (end - start) / 2 + 1);
    auto r = control_->call("SplitShard", R"({"StreamName":")" + stream_ + R"(","ShardToSplit":")" +
                                              shard.shard_id + R"(","NewStartingHashKey":")" +
                                              middle + R"("})");
    failures_.check(r.ok(), "SplitShard failed: " + r.body);
    split_shard_ = shard.shard_id;
    wait_active();
    log(stamp() + "split " + split_shard_);
  }

  // Merges the split's two children, which are adjacent by construction.
  void merge() {
    // Held in a variable: a range-for over value() of a temporary Result would dangle.
    const std::vector<harness::Shard> shards = control_->list_shards(stream_).value();
    std::vector<harness::Shard> children;
    for (const harness::Shard& s : shards) {
      if (s.parent_shard_id == split_shard_ && !s.closed()) children.push_back(s);
    }
    if (children.size() != 2) {
      failures_.add("the split did not leave two open children to merge");
      return;
    }
    auto r =
        control_->call("MergeShards", R"({"StreamName":")" + stream_ + R"(","ShardToMerge":")" +
                                          children[0].shard_id + R"(","AdjacentShardToMerge":")" +
                                          children[1].shard_id + R"("})");
    failures_.check(r.ok(), "MergeShards failed: " + r.body);
    wait_active();
    log(stamp() + "merged " + children[0].shard_id + " and " + children[1].shard_id);
  }

  void trim() {
    // 1. Phase switch.
    const int64_t f = admin_->freeze_clock().value().now_ms;
    admin_->advance_clock(kHourMs).value();
    admin_->resume_clock().value();
    // Halfway between the phases, so rounding of arrival times cannot matter.
    const int64_t old_before = f + kHourMs / 2;
    log(stamp() + "clock advanced an hour; records before it are the first phase");

    // 2. Gate.
    if (o_.sabotage != "no-gate" && !consumers_past(old_before)) {
      failures_.add("consumers did not get past the first phase within " +
                    std::to_string(kGateTimeout.count()) + " s");
      return;
    }
    auto stored = stored_before(db_path_, old_before);
    failures_.check(stored.has_value() && *stored > 0,
                    "no first-phase records in the database before the trim");
    trimmed_records_ = stored.value_or(0);
    for (auto& c : consumers_) c->watch_trim(old_before);

    // 3. Trim.
    const int64_t g = admin_->freeze_clock().value().now_ms;
    admin_->advance_clock(f + 24 * kHourMs + 45 * 60 * 1000 - g).value();
    admin_->resume_clock().value();
    log(stamp() + "clock advanced past retention for " + std::to_string(trimmed_records_) +
        " first-phase records");
    verify_trim(old_before);
  }

  // True once every consumer, on every listed shard, read a record that arrived at or after
  // `after_ms` or read the shard to its end.
  bool consumers_past(int64_t after_ms) {
    const auto deadline = SteadyClock::now() + kGateTimeout;
    while (SteadyClock::now() < deadline) {
      auto shards = control_->list_shards(stream_);
      bool past = shards.ok();
      for (const auto& c : consumers_) {
        if (!past) break;
        const auto progress = c->progress();
        for (const harness::Shard& s : *shards) {
          auto it = progress.find(s.shard_id);
          past = past && it != progress.end() &&
                 (it->second.finished || it->second.last_arrival_ms >= after_ms);
        }
      }
      if (past) {
        log(stamp() + "every consumer has read the first phase");
        return true;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  void verify_trim(int64_t old_before) {
    const auto deadline = SteadyClock::now() + kTrimTimeout;
    std::optional<int64_t> left;
    do {
      std::this_thread::sleep_for(milliseconds(200));
      left = stored_before(db_path_, old_before);
    } while ((!left || *left > 0) && SteadyClock::now() < deadline);
    failures_.check(left.has_value() && *left == 0, "the maintenance pass left " +
                                                        std::to_string(left.value_or(-1)) +
                                                        " first-phase records in the database");
    if (left && *left == 0) log(stamp() + "maintenance deleted the first phase from the database");

    auto shards = control_->list_shards(stream_);
    if (!shards.ok()) return failures_.add("ListShards failed: " + shards.error().describe());
    for (const harness::Shard& s : *shards) {
      failures_.check(s.shard_id != split_shard_,
                      "ListShards still lists " + split_shard_ + ", closed before the trim");
      auto first = first_arrival(*control_, stream_, s.shard_id);
      if (!first.ok()) {
        failures_.add("reading " + s.shard_id + " from TRIM_HORIZON: " + first.error().describe());
      } else {
        failures_.check(*first == 0 || *first >= old_before,
                        "GetRecords from TRIM_HORIZON on " + s.shard_id +
                            " still returns a first-phase record");
      }
    }
  }

  void finish() {
    produced_s_ = since(started_);
    stop_producers_.store(true);
    for (auto& t : producer_threads_) t.join();
    producer_threads_.clear();
    log(stamp() + "producers stopped");
    drain_.store(true);
    const auto deadline = SteadyClock::now() + kDrainTimeout;
    auto drained = [&] {
      return std::all_of(consumers_.begin(), consumers_.end(),
                         [](const auto& c) { return c->drained(); });
    };
    while (!drained() && SteadyClock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(50));
    failures_.check(drained(), "consumers did not catch up within " +
                                   std::to_string(kDrainTimeout.count()) + " s of the end");
    log(stamp() + "consumers caught up");
  }

  void stop_threads() {
    stop_producers_.store(true);
    for (auto& t : producer_threads_) t.join();
    producer_threads_.clear();
    stop_consumers_.store(true);
    for (auto& t : consumer_threads_) t.join();
    consumer_threads_.clear();
    if (rss_) rss_->stop();
  }

  void sabotage(std::vector<Read>& reads) {
    if (reads.size() < 3) return;
    const size_t mid = reads.size() / 2;
    if (o_.sabotage == "drop") {
      reads.erase(reads.begin() + static_cast<std::ptrdiff_t>(mid));
    } else if (o_.sabotage == "duplicate") {
      reads.push_back(reads[mid]);
    } else if (o_.sabotage == "reorder") {
      for (size_t j = mid + 1; j < reads.size(); ++j) {
        if (reads[j].key == reads[mid].key) {
          std::swap(reads[mid], reads[j]);
          break;
        }
      }
    }
  }

  void report() {
    if (!server_) return;
    failures_.check(server_->running(), "the kinesim process is not running at the end");
    std::vector<KeyLedger> ledgers;
    ProducerStats produced;
    for (const auto& p : producers_) {
      ledgers.insert(ledgers.end(), p->ledgers().begin(), p->ledgers().end());
      produced.add(p->stats());
    }
    const double secs = produced_s_ > 0 ? produced_s_ : since(started_);
    log("\n== kinesim soak summary (" + std::to_string(o_.producers) + " producers, " +
        std::to_string(o_.consumers) + " consumers, " + std::to_string(ledgers.size()) + " keys, " +
        fixed(secs, 1) + " s) ==");
    log("producers: " + std::to_string(produced.put_record_calls) + " PutRecord + " +
        std::to_string(produced.put_records_calls) + " PutRecords calls (" +
        fixed((produced.put_record_calls + produced.put_records_calls) / secs, 0) + " calls/s); " +
        std::to_string(produced.records_sent) + " records sent, " +
        std::to_string(produced.records_acked) + " acknowledged (" +
        fixed(produced.records_acked / secs, 0) + " records/s), " +
        std::to_string(produced.definite_retries) + " throttled retries, " +
        std::to_string(produced.ambiguous_retries) + " ambiguous retries, " +
        std::to_string(produced.abandoned) + " abandoned at the end");
    log("producer errors: " + errors_text(produced.errors));
    for (const auto& p : producers_) {
      if (p->stats().last_transport_error.empty()) continue;
      log("  e.g. " + p->stats().last_transport_error);
      break;
    }
    if (auto faults = admin_->faults(); faults.ok()) {
      for (const harness::AdminFault& f : *faults) {
        log("fault " + f.kind + " on " + f.operation + " fired " + std::to_string(f.fired));
      }
    }
    failures_.check(produced.unexpected.empty(),
                    "producers got unexpected errors: " + errors_text(produced.unexpected));
    failures_.check(produced.records_acked > 0, "no record was acknowledged");
    log("trim: " + std::to_string(trimmed_records_) + " first-phase records deleted by retention");

    for (size_t i = 0; i < consumers_.size(); ++i) check_consumer(i, ledgers);

    const auto samples = rss_ ? rss_->samples() : std::vector<RssSample>{};
    std::string line;
    for (const RssSample& s : samples) line += " " + std::to_string(s.kib / 1024);
    log("server RSS MiB, one a second:" + line);
    const double warmup = std::min(kMaxWarmupS, o_.seconds / 4.0);
    const RssVerdict rss = judge_rss(samples, warmup, kRssTolerance);
    log("server RSS after " + fixed(warmup, 0) + " s warm-up: min " +
        fixed(rss.min_kib / 1024.0, 1) + " MiB, median " + fixed(rss.median_kib / 1024.0, 1) +
        " MiB, max " + fixed(rss.max_kib / 1024.0, 1) + " MiB over " +
        std::to_string(rss.warm_samples) + " samples; " + std::to_string(rss.outside) +
        " outside +-10% of the median");
    failures_.check(rss.ok(), "server resident memory is not flat after the warm-up");
    log(stamp() +
        (failures_.empty() ? "PASS" : "FAILED: " + std::to_string(failures_.size()) + " problems"));
  }

  void check_consumer(size_t i, const std::vector<KeyLedger>& ledgers) {
    Consumer& c = *consumers_[i];
    std::vector<Read> reads = c.reads();
    if (i == 0) sabotage(reads);
    const ConsumerStats& st = c.stats();
    const Verdict v = check_reads(ledgers, reads, st.corrupt);
    const std::string name = "consumer " + std::to_string(i);
    log(name + ": " + std::to_string(st.get_records_calls) + " GetRecords, " +
        std::to_string(v.reads) + " records read, " + std::to_string(v.acked) + " acknowledged, " +
        std::to_string(v.lost) + " lost, " + std::to_string(v.retry_duplicates) +
        " retry duplicates, " + std::to_string(v.unexpected_duplicates) + " other duplicates, " +
        std::to_string(v.order_violations) + " out of order, " + std::to_string(v.phantoms) +
        " never sent, " + std::to_string(st.expired_iterators) +
        " expired iterators renewed; errors: " + errors_text(st.errors));
    for (const std::string& e : v.examples) log("  " + e);
    failures_.check(v.ok(), name + " broke an invariant");
    failures_.check(st.read_after_trim == 0, name + " read " + std::to_string(st.read_after_trim) +
                                                 " first-phase records after the trim");
    failures_.check(st.unexpected.empty(),
                    name + " got unexpected errors: " + errors_text(st.unexpected));
    failures_.check(st.expired_iterators > 0,
                    name + " never renewed an expired iterator, though the clock jumped");
  }

  void cleanup() {
    server_.reset();
    if (o_.keep || !failures_.empty()) {
      log("kept " + dir_.string());
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  std::string stamp() const { return "[" + fixed(since(started_), 1) + " s] "; }
  static std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
  }

  Options o_;
  const std::string stream_ = "soak";
  std::filesystem::path dir_;
  std::string db_path_;
  std::unique_ptr<harness::KinesimProcess> server_;
  std::unique_ptr<harness::KinesisClient> control_;
  std::unique_ptr<harness::AdminClient> admin_;
  std::unique_ptr<RssSampler> rss_;
  std::vector<std::unique_ptr<Producer>> producers_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<std::thread> producer_threads_;
  std::vector<std::thread> consumer_threads_;
  std::atomic<bool> stop_producers_{false};
  std::atomic<bool> drain_{false};
  std::atomic<bool> stop_consumers_{false};
  SteadyClock::time_point started_;
  double produced_s_ = 0;
  std::string split_shard_;
  int64_t trimmed_records_ = 0;
  Failures failures_;
};

}  // namespace
}  // namespace kinesim::soak

int main(int argc, char** argv) {
  kinesim::soak::Options options;
  bool parsed = false;
  try {
    parsed = kinesim::soak::parse(argc, argv, options);
  } catch (const std::exception&) {  // a number that is not one
  }
  if (!parsed) {
    std::cerr << kinesim::soak::kUsage;
    return 2;
  }
  return kinesim::soak::Soak(std::move(options)).run();
}
