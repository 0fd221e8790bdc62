#include "harness/kpl.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "kpl.pb.h"

namespace kinesim::harness::kpl {
namespace {

// PutRecords' own limits on one request.
constexpr size_t kMaxEntriesPerPut = 500;
constexpr size_t kMaxBytesPerPut = 5 * 1024 * 1024;

std::string Md5(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr) != 1 ||
      length != kDigestBytes) {
    throw std::runtime_error("kpl: MD5 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Bytes of `v` as a protobuf varint (7 bits a byte).
size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Bytes of a length-delimited field of `length` bytes with a one-byte tag (fields 1 to 15).
size_t DelimitedBytes(size_t length) { return 1 + VarintBytes(length) + length; }

// Index of `key` in a table being built, adding it when new; `added` says whether it was.
size_t IndexOf(std::unordered_map<std::string, size_t>& table, const std::string& key,
               bool& added) {
  auto [it, inserted] = table.try_emplace(key, table.size());
  added = inserted;
  return it->second;
}

}  // namespace

std::string aggregate(const std::vector<UserRecord>& records) {
  wire::AggregatedRecord message;
  std::unordered_map<std::string, size_t> partition_keys, hash_keys;
  for (const UserRecord& r : records) {
    wire::Record* out = message.add_records();
    bool added = false;
    out->set_partition_key_index(IndexOf(partition_keys, r.partition_key, added));
    if (added) message.add_partition_key_table(r.partition_key);
    if (!r.explicit_hash_key.empty()) {
      out->set_explicit_hash_key_index(IndexOf(hash_keys, r.explicit_hash_key, added));
      if (added) message.add_explicit_hash_key_table(r.explicit_hash_key);
    }
    out->set_data(r.data);
  }
  std::string body;
  if (!message.SerializeToString(&body)) throw std::runtime_error("kpl: cannot serialize");
  std::string data;
  data.reserve(kMagic.size() + body.size() + kDigestBytes);
  data.append(kMagic);
  data.append(body);
  data.append(Md5(body));
  return data;
}

bool is_aggregated(std::string_view data) { return data.starts_with(kMagic); }

std::optional<std::vector<UserRecord>> deaggregate(std::string_view data) {
  if (!is_aggregated(data) || data.size() < kMagic.size() + kDigestBytes) return std::nullopt;
  const std::string_view body =
      data.substr(kMagic.size(), data.size() - kMagic.size() - kDigestBytes);
  if (Md5(body) != data.substr(data.size() - kDigestBytes)) return std::nullopt;
  wire::AggregatedRecord message;
  // A message that lacks a required field is refused too (checked apart from parsing, which
  // would log it).
  if (body.size() > static_cast<size_t>(INT32_MAX) ||
      !message.ParsePartialFromArray(body.data(), static_cast<int>(body.size())) ||
      !message.IsInitialized()) {
    return std::nullopt;
  }
  std::vector<UserRecord> out;
  out.reserve(static_cast<size_t>(message.records_size()));
  for (const wire::Record& r : message.records()) {
    UserRecord user;
    if (r.partition_key_index() >= static_cast<uint64_t>(message.partition_key_table_size())) {
      return std::nullopt;
    }
    user.partition_key = message.partition_key_table(static_cast<int>(r.partition_key_index()));
    if (r.has_explicit_hash_key_index()) {
      if (r.explicit_hash_key_index() >=
          static_cast<uint64_t>(message.explicit_hash_key_table_size())) {
        return std::nullopt;
      }
      user.explicit_hash_key =
          message.explicit_hash_key_table(static_cast<int>(r.explicit_hash_key_index()));
    }
    user.data = r.data();
    out.push_back(std::move(user));
  }
  return out;
}

// --- Aggregator -------------------------------------------------------------------------------

size_t Aggregator::size_with(const UserRecord& record) const {
  // The protobuf bytes the record adds: its table entries when its keys are new, and the
  // Record message itself (keys by index, data).
  size_t added = 0;
  auto pk = partition_keys_.find(record.partition_key);
  const size_t pk_index = pk != partition_keys_.end() ? pk->second : partition_keys_.size();
  if (pk == partition_keys_.end()) added += DelimitedBytes(record.partition_key.size());
  size_t inner = 1 + VarintBytes(pk_index) + DelimitedBytes(record.data.size());
  if (!record.explicit_hash_key.empty()) {
    auto ehk = hash_keys_.find(record.explicit_hash_key);
    const size_t ehk_index = ehk != hash_keys_.end() ? ehk->second : hash_keys_.size();
    if (ehk == hash_keys_.end()) added += DelimitedBytes(record.explicit_hash_key.size());
    inner += 1 + VarintBytes(ehk_index);
  }
  added += DelimitedBytes(inner);
  const size_t outer_key =
      records_.empty() ? record.partition_key.size() : records_.front().partition_key.size();
  return kFixedBytes + body_ + added + outer_key;
}

bool Aggregator::add(UserRecord record) {
  const size_t size = size_with(record);
  if (size > max_) return false;
  bool added = false;
  IndexOf(partition_keys_, record.partition_key, added);
  if (!record.explicit_hash_key.empty()) IndexOf(hash_keys_, record.explicit_hash_key, added);
  records_.push_back(std::move(record));
  body_ = size - kFixedBytes - outer_key();
  return true;
}

PutRecordsEntry Aggregator::entry() const {
  if (records_.empty()) throw std::logic_error("kpl::Aggregator::entry: nothing gathered");
  return PutRecordsEntry{records_.front().partition_key, aggregate(records_),
                         records_.front().explicit_hash_key};
}

void Aggregator::clear() {
  records_.clear();
  partition_keys_.clear();
  hash_keys_.clear();
  body_ = 0;
}

// --- put_aggregated ---------------------------------------------------------------------------

namespace {

// Appends one PutRecords answer to the answers so far.
void Merge(PutRecordsResult& into, PutRecordsResult part) {
  into.failed_record_count += part.failed_record_count;
  for (auto& e : part.records) into.records.push_back(std::move(e));
}

}  // namespace

Result<PutRecordsResult> put_aggregated(KinesisClient& client, std::string_view stream,
                                        const std::vector<UserRecord>& records) {
  std::vector<PutRecordsEntry> entries;
  Aggregator aggregator;
  for (const UserRecord& r : records) {
    if (aggregator.add(r)) continue;
    if (!aggregator.empty()) {
      entries.push_back(aggregator.entry());
      aggregator.clear();
      if (aggregator.add(r)) continue;
    }
    return KinesisError{"ClientError",
                        "a user record of " + std::to_string(r.data.size()) +
                            " bytes cannot fit an aggregated record of at most " +
                            std::to_string(kMaxRecordBytes) + " bytes",
                        0};
  }
  if (!aggregator.empty()) entries.push_back(aggregator.entry());

  // One PutRecords call per 500 entries or 5 MiB, whichever comes first.
  PutRecordsResult result;
  std::vector<PutRecordsEntry> batch;
  size_t batch_bytes = 0;
  auto flush = [&]() -> std::optional<KinesisError> {
    if (batch.empty()) return std::nullopt;
    auto put = client.put_records(stream, batch);
    if (!put.ok()) return put.error();
    Merge(result, std::move(put).value());
    batch.clear();
    batch_bytes = 0;
    return std::nullopt;
  };
  for (auto& e : entries) {
    const size_t bytes = e.data.size() + e.partition_key.size();
    if (batch.size() == kMaxEntriesPerPut || batch_bytes + bytes > kMaxBytesPerPut) {
      if (auto error = flush()) return *error;
    }
    batch_bytes += bytes;
    batch.push_back(std::move(e));
  }
  if (auto error = flush()) return *error;
  return result;
}

std::vector<Record> expand(const Record& record) {
  auto users = deaggregate(record.data);
  if (!users) return {record};
  std::vector<Record> out;
  out.reserve(users->size());
  for (UserRecord& user : *users) {
    Record r = record;
    r.partition_key = std::move(user.partition_key);
    r.data = std::move(user.data);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kinesim::harness::kpl
