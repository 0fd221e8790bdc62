#include "api/metrics.h"

#include <cstdio>

#include "api/streams.h"

namespace kinesim::api {
namespace {

void append_label_value(std::string& out, std::string_view v) {
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// One family: its HELP and TYPE lines, then samples appended by the caller.
struct Family {
  const char* name;
  const char* type;
  const char* help;
};

void header(std::string& out, const Family& f) {
  out += "# HELP ";
  out += f.name;
  out += ' ';
  out += f.help;
  out += "\n# TYPE ";
  out += f.name;
  out += ' ';
  out += f.type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  out += '{';
  out += labels;
  out += "} ";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  out += buf;
  out += '\n';
}

std::string stream_labels(const StreamKey& key) {
  std::string out = "account=\"";
  append_label_value(out, key.account);
  out += "\",region=\"";
  append_label_value(out, key.region);
  out += "\",stream=\"";
  append_label_value(out, key.name);
  out += '"';
  return out;
}

double load(const std::atomic<uint64_t>& v) {
  return static_cast<double>(v.load(std::memory_order_relaxed));
}

// The metrics a stream and (by enhanced monitoring) its shards report. `shard_bit` is the
// metric's position in the shard-level list (api/streams.h), -1 for stream-only metrics.
struct Metric {
  Family stream;
  const char* shard_name;  // nullptr: not a shard-level metric
  int shard_bit;
  double (*value)(const Metrics::Counters&);
};

const Metric kMetrics[] = {
    {{"kinesis_IncomingRecords", "counter", "Records put successfully (PutRecord, PutRecords)."},
     "kinesis_shard_IncomingRecords",
     1,
     [](const Metrics::Counters& c) { return load(c.incoming_records); }},
    {{"kinesis_IncomingBytes", "counter", "Bytes put successfully (data and partition keys)."},
     "kinesis_shard_IncomingBytes",
     0,
     [](const Metrics::Counters& c) { return load(c.incoming_bytes); }},
    {{"kinesis_GetRecords_Records", "counter", "Records returned by GetRecords."},
     "kinesis_shard_OutgoingRecords",
     3,
     [](const Metrics::Counters& c) { return load(c.outgoing_records); }},
    {{"kinesis_GetRecords_Bytes", "counter", "Bytes returned by GetRecords."},
     "kinesis_shard_OutgoingBytes",
     2,
     [](const Metrics::Counters& c) { return load(c.outgoing_bytes); }},
    {{"kinesis_GetRecords_IteratorAgeMilliseconds", "gauge",
      "How far behind the newest record the last GetRecords was, in milliseconds."},
     "kinesis_shard_IteratorAgeMilliseconds",
     6,
     [](const Metrics::Counters& c) {
       return static_cast<double>(std::max<int64_t>(0, c.iterator_age_ms.load()));
     }},
    {{"kinesis_WriteProvisionedThroughputExceeded", "counter",
      "Records refused with ProvisionedThroughputExceededException on PutRecord and PutRecords."},
     "kinesis_shard_WriteProvisionedThroughputExceeded",
     4,
     [](const Metrics::Counters& c) { return load(c.write_throttled); }},
    {{"kinesis_ReadProvisionedThroughputExceeded", "counter",
      "GetRecords calls refused with ProvisionedThroughputExceededException."},
     "kinesis_shard_ReadProvisionedThroughputExceeded",
     5,
     [](const Metrics::Counters& c) { return load(c.read_throttled); }},
};

struct Latency {
  const char* name;
  const char* help;
  const std::atomic<uint64_t> Metrics::Counters::*count;
  const std::atomic<uint64_t> Metrics::Counters::*micros;
};

const Latency kLatencies[] = {
    {"kinesis_PutRecord_Latency", "Time from request to acknowledgement of PutRecord, in ms.",
     &Metrics::Counters::put_record_count, &Metrics::Counters::put_record_micros},
    {"kinesis_PutRecords_Latency", "Time from request to acknowledgement of PutRecords, in ms.",
     &Metrics::Counters::put_records_count, &Metrics::Counters::put_records_micros},
};

}  // namespace

Metrics::Metrics(std::vector<std::string> operations, const Catalog& catalog)
    : catalog_(catalog),
      operations_(std::move(operations)),
      requests_(std::make_unique<std::atomic<uint64_t>[]>(operations_.size() + 1)) {}

std::shared_ptr<Metrics::StreamEntry> Metrics::entry(const StreamInfo& stream) {
  {
    std::shared_lock lock(streams_mutex_);
    if (auto it = streams_.find(stream.id); it != streams_.end()) return it->second;
  }
  std::unique_lock lock(streams_mutex_);
  auto& slot = streams_[stream.id];
  if (slot) return slot;  // another thread made it meanwhile
  slot = std::make_shared<StreamEntry>();
  slot->key = stream.key;
  auto made = slot;
  // A stream counted for the first time: free the entries of streams no longer in the catalog
  // (one scan per new stream, so entries never outnumber the streams alive since the last one).
  std::erase_if(streams_, [&](const auto& item) {
    if (item.first == stream.id) return false;
    const auto live = catalog_.find(item.second->key);
    return !live || live->id != item.first;
  });
  return made;
}

Metrics::Counters& Metrics::StreamEntry::shard(int64_t shard_index) {
  std::lock_guard lock(shards_mutex);
  auto& slot = shards[shard_index];
  if (!slot) slot = std::make_unique<Counters>();
  return *slot;
}

size_t Metrics::streams_counted() const {
  std::shared_lock lock(streams_mutex_);
  return streams_.size();
}

void Metrics::put(const StreamInfo& stream, bool batch, std::chrono::steady_clock::duration latency,
                  uint64_t stored, uint64_t bytes,
                  const std::vector<std::pair<int64_t, uint64_t>>& shard_bytes) {
  const auto e = entry(stream);
  Counters& c = e->totals;
  c.incoming_records.fetch_add(stored, std::memory_order_relaxed);
  c.incoming_bytes.fetch_add(bytes, std::memory_order_relaxed);
  const auto micros =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
  (batch ? c.put_records_count : c.put_record_count).fetch_add(1, std::memory_order_relaxed);
  (batch ? c.put_records_micros : c.put_record_micros).fetch_add(micros, std::memory_order_relaxed);
  if (stream.shard_metrics == 0) return;
  for (const auto& [index, size] : shard_bytes) {
    Counters& s = e->shard(index);
    s.incoming_records.fetch_add(1, std::memory_order_relaxed);
    s.incoming_bytes.fetch_add(size, std::memory_order_relaxed);
  }
}

void Metrics::write_throttled(const StreamInfo& stream, int64_t shard_index, uint64_t records) {
  const auto e = entry(stream);
  e->totals.write_throttled.fetch_add(records, std::memory_order_relaxed);
  if (stream.shard_metrics != 0) {
    e->shard(shard_index).write_throttled.fetch_add(records, std::memory_order_relaxed);
  }
}

void Metrics::read(const StreamInfo& stream, int64_t shard_index, uint64_t records, uint64_t bytes,
                   int64_t age_ms) {
  auto count = [&](Counters& c) {
    c.outgoing_records.fetch_add(records, std::memory_order_relaxed);
    c.outgoing_bytes.fetch_add(bytes, std::memory_order_relaxed);
    c.iterator_age_ms.store(age_ms, std::memory_order_relaxed);
  };
  const auto e = entry(stream);
  count(e->totals);
  if (stream.shard_metrics != 0) count(e->shard(shard_index));
}

void Metrics::read_throttled(const StreamInfo& stream, int64_t shard_index) {
  const auto e = entry(stream);
  e->totals.read_throttled.fetch_add(1, std::memory_order_relaxed);
  if (stream.shard_metrics != 0) {
    e->shard(shard_index).read_throttled.fetch_add(1, std::memory_order_relaxed);
  }
}

void Metrics::request(size_t op, std::string_view error_type) {
  const size_t i = op < operations_.size() ? op : operations_.size();
  requests_[i].fetch_add(1, std::memory_order_relaxed);
  if (error_type.empty()) return;
  std::lock_guard lock(errors_mutex_);
  ++errors_[{i < operations_.size() ? operations_[i] : "unknown", std::string(error_type)}];
}

std::string Metrics::render(int64_t now_ms) const {
  struct Row {
    std::shared_ptr<const StreamInfo> info;
    const StreamEntry* entry;
  };
  std::vector<Row> rows;
  catalog_.for_each([&](const std::shared_ptr<const StreamInfo>& s) {
    if (s->status_at(now_ms) != StreamStatus::kGone) rows.push_back({s, nullptr});
  });
  std::shared_lock lock(streams_mutex_);
  for (Row& row : rows) {
    auto it = streams_.find(row.info->id);
    if (it != streams_.end()) row.entry = it->second.get();
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.info->key.account, a.info->key.region, a.info->key.name) <
           std::tie(b.info->key.account, b.info->key.region, b.info->key.name);
  });
  static const Counters kZero;
  std::string out;
  for (const Metric& m : kMetrics) {
    header(out, m.stream);
    for (const Row& row : rows) {
      sample(out, m.stream.name, stream_labels(row.info->key),
             m.value(row.entry ? row.entry->totals : kZero));
    }
  }
  for (const Latency& l : kLatencies) {
    header(out, Family{l.name, "summary", l.help});
    for (const Row& row : rows) {
      const Counters& c = row.entry ? row.entry->totals : kZero;
      const std::string labels = stream_labels(row.info->key);
      sample(out, std::string(l.name) + "_sum", labels, load(c.*l.micros) / 1000.0);
      sample(out, std::string(l.name) + "_count", labels, load(c.*l.count));
    }
  }
  // Shard-level metrics, for the metrics each stream's enhanced monitoring lists.
  for (const Metric& m : kMetrics) {
    bool headed = false;
    for (const Row& row : rows) {
      if (!(row.info->shard_metrics & (1u << m.shard_bit))) continue;
      if (!headed) {
        header(out, Family{m.shard_name, m.stream.type, m.stream.help});
        headed = true;
      }
      std::unique_lock<std::mutex> shards_lock;
      if (row.entry) shards_lock = std::unique_lock(row.entry->shards_mutex);
      for (const ShardInfo& shard : row.info->shards->all()) {
        const Counters* c = &kZero;
        if (row.entry) {
          auto it = row.entry->shards.find(shard.index);
          if (it != row.entry->shards.end()) c = it->second.get();
        }
        sample(out, m.shard_name,
               stream_labels(row.info->key) + ",shard=\"" + shard_id(shard.index) + "\"",
               m.value(*c));
      }
    }
  }
  {
    header(out,
           Family{"kinesim_requests_total", "counter", "Kinesis calls received, by operation."});
    for (size_t i = 0; i <= operations_.size(); ++i) {
      const uint64_t n = requests_[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string labels = "operation=\"";
      labels += i < operations_.size() ? operations_[i] : "unknown";
      labels += '"';
      sample(out, "kinesim_requests_total", labels, static_cast<double>(n));
    }
  }
  header(out, Family{"kinesim_errors_total", "counter",
                     "Kinesis calls answered with an error, by operation and error type."});
  std::lock_guard errors_lock(errors_mutex_);
  for (const auto& [key, n] : errors_) {
    std::string labels = "operation=\"" + key.first + "\",error=\"";
    append_label_value(labels, key.second);
    labels += '"';
    sample(out, "kinesim_errors_total", labels, static_cast<double>(n));
  }
  return out;
}

}  // namespace kinesim::api
