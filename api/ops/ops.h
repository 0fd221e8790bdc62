// Every operation handler, one per file in this folder. The dispatcher's table lists them.
#pragma once

#include "api/call.h"

namespace kinesim::api::ops {

void AddTagsToStream(Call& call);
void CreateStream(Call& call);
void DecreaseStreamRetentionPeriod(Call& call);
void DeleteResourcePolicy(Call& call);
void DeleteStream(Call& call);
void DeregisterStreamConsumer(Call& call);
void DescribeAccountSettings(Call& call);
void DescribeLimits(Call& call);
void DescribeStream(Call& call);
void DescribeStreamConsumer(Call& call);
void DescribeStreamSummary(Call& call);
void DisableEnhancedMonitoring(Call& call);
void EnableEnhancedMonitoring(Call& call);
void GetRecords(Call& call);
void GetResourcePolicy(Call& call);
void GetShardIterator(Call& call);
void IncreaseStreamRetentionPeriod(Call& call);
void ListShards(Call& call);
void ListStreamConsumers(Call& call);
void ListStreams(Call& call);
void ListTagsForResource(Call& call);
void ListTagsForStream(Call& call);
void MergeShards(Call& call);
void PutRecord(Call& call);
void PutRecords(Call& call);
void PutResourcePolicy(Call& call);
void RegisterStreamConsumer(Call& call);
void RemoveTagsFromStream(Call& call);
void SplitShard(Call& call);
void StartStreamEncryption(Call& call);
void StopStreamEncryption(Call& call);
void SubscribeToShard(Call& call);
void TagResource(Call& call);
void UntagResource(Call& call);
void UpdateAccountSettings(Call& call);
void UpdateMaxRecordSize(Call& call);
void UpdateShardCount(Call& call);
void UpdateStreamMode(Call& call);
void UpdateStreamWarmThroughput(Call& call);

}  // namespace kinesim::api::ops
