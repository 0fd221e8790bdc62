// GetShardIterator: a position in one shard, by sequence number, time, or the shard's ends.
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

}  // namespace

void GetShardIterator(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const std::string_view shard_text = *call.in["ShardId"].str();
  const std::string_view type = *call.in["ShardIteratorType"].str();
  auto starting = call.in["StartingSequenceNumber"].str();

  // A missing stream is reported as a missing shard of it.
  auto stream = call.store().catalog()->find(key);
  if (!stream) return call.reply.fail(shard_not_found(key, shard_text));
  auto index = parse_shard_id(shard_text);
  const ShardInfo* shard = index ? stream->shard(*index) : nullptr;
  if (!shard) return call.reply.fail(shard_not_found(key, shard_text));
  const std::string sid = shard_id(shard->index);
  const uint64_t last = shard->cursor->last_counter.load(std::memory_order_acquire);

  uint64_t after = 0;
  if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    if (!starting) return call.reply.fail(position_mismatch(type, false));
    auto seq = SequenceNumber::parse(*starting);
    const std::string where = " used in GetShardIterator on shard " + sid + " in stream " +
                              key.name + " under account " + key.account + " is invalid";
    if (!seq) {
      return call.reply.fail(errors::invalid_argument("StartingSequenceNumber " +
                                                      std::string(*starting) + where + "."));
    }
    if (seq->shard_index != shard->index) {
      return call.reply.fail(errors::invalid_argument(
          "Invalid StartingSequenceNumber. It encodes " + shard_id(seq->shard_index) +
          ", while it was used in a call to a shard with " + sid));
    }
    if (seq->stream_id != stream->id) {
      return call.reply.fail(
          errors::invalid_argument("StartingSequenceNumber " + std::string(*starting) + where +
                                   " because it did not come from this stream."));
    }
    after = type == "AT_SEQUENCE_NUMBER" ? (seq->counter > 0 ? seq->counter - 1 : 0) : seq->counter;
  } else if (type == "TRIM_HORIZON" || type == "LATEST") {
    if (starting) return call.reply.fail(position_mismatch(type, true));
    after = type == "LATEST" ? last : 0;
  } else {  // AT_TIMESTAMP
    auto ts = call.in["Timestamp"].timestamp();
    if (!ts) {
      return call.reply.fail(errors::invalid_argument(
          "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
          "request has no timestamp parameter."));
    }
    const int64_t at_ms = static_cast<int64_t>(*ts * 1000.0);
    const int64_t now = call.now_ms();
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
  it.issued_ms = call.now_ms();
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
