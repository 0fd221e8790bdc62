// Every operation handler, one per file in this folder. The dispatcher's table lists them.
#pragma once

#include "api/call.h"

namespace kinesim::api::ops {

void CreateStream(Call& call);
void DeleteStream(Call& call);
void DescribeStream(Call& call);
void DescribeStreamSummary(Call& call);
void ListStreams(Call& call);
void ListShards(Call& call);
void PutRecord(Call& call);
void PutRecords(Call& call);
void GetShardIterator(Call& call);
void GetRecords(Call& call);

}  // namespace kinesim::api::ops
