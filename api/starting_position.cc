#include "api/starting_position.h"

#include <algorithm>
#include <string>

#include "api/streams.h"

namespace kinesim::api {
namespace {

Error position_mismatch(std::string_view type, bool has_sequence_number) {
  return errors::invalid_argument(
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
      "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
      "Request specified " +
      std::string(type) +
      (has_sequence_number ? " and also a StartingSequenceNumber."
                           : " and no StartingSequenceNumber."));
}

// The counter a StartingSequenceNumber names in `shard`, or Kinesis' error for it. Kinesis checks
// which shard the number encodes first, then whether it could be one of its numbers at all, then
// whether it came from this shard.
std::variant<uint64_t, Error> counter_of(std::string_view text, const StreamKey& key,
                                         const ShardInfo& shard, int64_t now_ms) {
  if (shard.sequence_format.layout == SequenceNumberFormat::Layout::kLegacy) {
    auto legacy = parse_legacy_sequence_number(text);
    if (legacy && legacy->format.stream_id == shard.sequence_format.stream_id &&
        legacy->shard_index == shard.index) {
      return legacy->counter;
    }
  }
  if (text == "0") return errors::make("InternalFailure", "", 500);
  const std::string sid = shard_id(shard.index);
  auto d = decode_sequence_number(text);
  const std::string where = " used in GetShardIterator on shard " + sid + " in stream " + key.name +
                            " under account " + key.account + " is invalid";
  if (!d || d->version < 0 || d->version > 2) {
    return errors::invalid_argument("StartingSequenceNumber " + (d ? d->echo : std::string(text)) +
                                    where + ".");
  }
  if (d->shard_index != shard.index) {
    return errors::invalid_argument("Invalid StartingSequenceNumber. It encodes " +
                                    shard_id(d->shard_index) +
                                    ", while it was used in a call to a shard with " + sid);
  }
  // The shard's own creation second is never from the future: a shard made by a reshard is
  // numbered from the second after its parents', which may not have come yet.
  const int64_t latest_s = std::max(now_ms / 1000, shard.sequence_format.shard_created_s);
  if (d->shard_created_s > latest_s || !d->counter_in_range) {
    return errors::invalid_argument("StartingSequenceNumber " + d->echo + where + ".");
  }
  if (d->version != 2 || shard.sequence_format.layout != SequenceNumberFormat::Layout::kKinesis ||
      d->shard_created_s != shard.sequence_format.shard_created_s) {
    return errors::invalid_argument("StartingSequenceNumber " + d->echo + where +
                                    " because it did not come from this stream.");
  }
  return d->counter;
}

}  // namespace

std::variant<ReadableShard, Error> find_readable_shard(const Call& call, const StreamKey& key,
                                                       std::string_view shard_text,
                                                       int64_t now_ms) {
  auto index = parse_shard_id(shard_text);
  if (!index) return could_not_find_shard(key, shard_text);
  ReadableShard out;
  out.stream = call.store().catalog().find(key);
  const StreamStatus status = out.stream ? out.stream->status_at(now_ms) : StreamStatus::kGone;
  out.shard = out.stream ? out.stream->shard(*index) : nullptr;
  if (!out.shard || status == StreamStatus::kGone || status == StreamStatus::kCreating) {
    return shard_not_found(key, shard_id(*index));
  }
  return out;
}

std::variant<uint64_t, Error> resolve_starting_position(const Call& call, const StreamKey& key,
                                                        const ReadableShard& target,
                                                        const StartingPosition& position,
                                                        int64_t now_ms) {
  const ShardInfo& shard = *target.shard;
  const std::string_view type = position.type;
  const uint64_t last = shard.cursor->last_counter.load(std::memory_order_acquire);
  if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    if (!position.sequence_number) return position_mismatch(type, false);
    auto counter = counter_of(*position.sequence_number, key, shard, now_ms);
    if (auto* e = std::get_if<Error>(&counter)) return *e;
    const uint64_t c = std::get<uint64_t>(counter);
    const uint64_t after = type == "AT_SEQUENCE_NUMBER" ? (c > 0 ? c - 1 : 0) : c;
    return std::min(after, last);
  }
  if (type == "TRIM_HORIZON" || type == "LATEST") {
    if (position.sequence_number) return position_mismatch(type, true);
    if (type == "LATEST") return last;
    auto horizon = call.store().trim_horizon(*target.stream, shard, now_ms);
    if (!horizon.ok()) return storage_error(horizon.status(), key);
    return horizon.value();
  }
  // AT_TIMESTAMP
  if (!position.timestamp_ms) {
    return errors::invalid_argument(
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
        "request has no timestamp parameter.");
  }
  const int64_t at_ms = *position.timestamp_ms;
  if (at_ms > now_ms) {
    return errors::invalid_argument(
        "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
        "timestampInMillis: " +
        std::to_string(at_ms) + ", currentTimestampInMillis: " + std::to_string(now_ms));
  }
  auto found = call.store().counter_before_time(shard.gid, last, at_ms);
  if (!found.ok()) return storage_error(found.status(), key);
  return found.value();
}

}  // namespace kinesim::api
