// GetShardIterator: a position in one shard, by sequence number, time, or the shard's ends.
#include <algorithm>
#include <variant>

#include "api/ops/ops.h"
#include "api/shard_iterator.h"
#include "api/streams.h"

namespace kinesim::api::ops {
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

void GetShardIterator(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const std::string_view shard_text = *call.in["ShardId"].str();
  const std::string_view type = *call.in["ShardIteratorType"].str();
  auto starting = call.in["StartingSequenceNumber"].str();
  const int64_t now = call.now_ms();

  // An id that does not parse is named as given; otherwise a missing stream reads as a missing
  // shard of it, and a stream not yet ACTIVE has no shards to read.
  auto index = parse_shard_id(shard_text);
  if (!index) return call.reply.fail(could_not_find_shard(key, shard_text));
  const std::string sid = shard_id(*index);
  auto stream = call.store().catalog().find(key);
  const StreamStatus status = stream ? stream->status_at(now) : StreamStatus::kGone;
  const ShardInfo* shard = stream ? stream->shard(*index) : nullptr;
  if (!shard || status == StreamStatus::kGone || status == StreamStatus::kCreating) {
    return call.reply.fail(shard_not_found(key, sid));
  }
  const uint64_t last = shard->cursor->last_counter.load(std::memory_order_acquire);

  uint64_t after = 0;
  if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    if (!starting) return call.reply.fail(position_mismatch(type, false));
    auto counter = counter_of(*starting, key, *shard, now);
    if (auto* e = std::get_if<Error>(&counter)) return call.reply.fail(*e);
    const uint64_t c = std::get<uint64_t>(counter);
    after = type == "AT_SEQUENCE_NUMBER" ? (c > 0 ? c - 1 : 0) : c;
    after = std::min(after, last);
  } else if (type == "TRIM_HORIZON" || type == "LATEST") {
    if (starting) return call.reply.fail(position_mismatch(type, true));
    if (type == "LATEST") {
      after = last;
    } else {
      auto horizon = call.store().trim_horizon(*stream, *shard, now);
      if (!horizon.ok()) return call.reply.fail(storage_error(horizon.status(), key));
      after = horizon.value();
    }
  } else {  // AT_TIMESTAMP
    auto ts = call.in["Timestamp"].timestamp_ms();
    if (!ts) {
      return call.reply.fail(errors::invalid_argument(
          "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
          "request has no timestamp parameter."));
    }
    const int64_t at_ms = *ts;
    if (at_ms > now) {
      return call.reply.fail(errors::invalid_argument(
          "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
          "timestampInMillis: " +
          std::to_string(at_ms) + ", currentTimestampInMillis: " + std::to_string(now)));
    }
    auto found = call.store().counter_before_time(shard->gid, last, at_ms);
    if (!found.ok()) return call.reply.fail(storage_error(found.status(), key));
    after = found.value();
  }

  ShardIterator it;
  it.issued_ms = now;
  it.stream_id = stream->id;
  it.shard_gid = shard->gid;
  it.shard_index = shard->index;
  it.after_counter = after;
  it.account = key.account;
  it.region = key.region;
  it.stream_name = key.name;
  const std::string token = it.seal(call.services.sealer);
  call.reply.ok([&](Output& out) {
    out.begin_object();
    out.field("ShardIterator", token);
    out.end_object();
  });
}

}  // namespace kinesim::api::ops
