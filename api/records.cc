#include "api/records.h"

namespace kinesim::api {

std::optional<Error> read_record(const StreamInfo& stream, const Input& entry, RecordToPut& out) {
  out.partition_key = std::string(*entry["PartitionKey"].str());
  out.data = entry["Data"].blob().value_or(std::string());
  if (auto explicit_key = entry["ExplicitHashKey"].str()) {
    auto k = parse_hash_key(*explicit_key);
    if (!k) {
      return errors::invalid_argument(
          "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
          "Specified value was " +
          std::string(*explicit_key));
    }
    out.hash_key = *k;
  } else {
    out.hash_key = hash_partition_key(out.partition_key);
  }
  const size_t max_bytes = static_cast<size_t>(stream.max_record_size_kib) * 1024;
  if (out.data.size() + out.partition_key.size() > max_bytes) {
    return errors::invalid_argument(
        "Record size " + std::to_string(out.data.size() + out.partition_key.size()) +
        " bytes (data and partition key) exceeds the maximum record size of " +
        std::to_string(stream.max_record_size_kib) + " KiB of stream " + stream.key.name + ".");
  }
  return std::nullopt;
}

}  // namespace kinesim::api
