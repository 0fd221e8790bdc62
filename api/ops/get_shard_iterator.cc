// GetShardIterator: a position in one shard, by sequence number, time, or the shard's ends.
#include "api/ops/ops.h"
#include "api/shard_iterator.h"
#include "api/starting_position.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void GetShardIterator(Call& call) {
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  const int64_t now = call.now_ms();
  auto found = find_readable_shard(call, key, *call.in["ShardId"].str(), now);
  if (auto* e = std::get_if<Error>(&found)) return call.reply.fail(*e);
  const ReadableShard& target = std::get<ReadableShard>(found);

  const StartingPosition position{*call.in["ShardIteratorType"].str(),
                                  call.in["StartingSequenceNumber"].str(),
                                  call.in["Timestamp"].timestamp_ms()};
  auto after = resolve_starting_position(call, key, target, position, now);
  if (auto* e = std::get_if<Error>(&after)) return call.reply.fail(*e);

  ShardIterator it;
  it.issued_ms = now;
  it.stream_id = target.stream->id;
  it.shard_gid = target.shard->gid;
  it.shard_index = target.shard->index;
  it.after_counter = std::get<uint64_t>(after);
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
