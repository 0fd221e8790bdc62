"""SplitShard, MergeShards, UpdateShardCount and the retention operations through
boto3 and the AWS CLI, against the real kinesim binary.

Expected values are what Amazon Kinesis Data Streams returns: empty bodies for
the operations without output, UpdateShardCount's four members, and error names
and messages as the service words them.
"""

import shutil
import unittest

from kinesim_process import (ACCOUNT_ID, MAX_HASH_KEY, KinesimServer, ServerTestCase,
                             not_found, shard_id, stream_arn, unique_name)

HALF = 2 ** 127


def could_not_find(shard, name):
    return "Could not find shard %s in stream %s under account %s." % (shard, name, ACCOUNT_ID)


def not_adjacent(first, second, name):
    return ("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards "
            "eligible for merging" % (first, second, name, ACCOUNT_ID))


def already_closed(shard, name):
    return ("Shard %s in stream %s under account %s has already been merged or split, and thus is "
            "not eligible for merging or splitting." % (shard, name, ACCOUNT_ID))


def on_demand(name):
    return "Request is invalid. Stream %s under account %s is in On-Demand mode." % (name, ACCOUNT_ID)


def not_active(name, state):
    return "Stream %s under account %s not ACTIVE, instead in state %s" % (name, ACCOUNT_ID, state)


class ReshardingBase(ServerTestCase):

    def assertEmptyAnswer(self, response):
        """An operation without output members: HTTP 200 and nothing but the metadata."""
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(set(response), {"ResponseMetadata"})

    def shards(self, name, **kwargs):
        return self.kinesis.list_shards(StreamName=name, **kwargs)["Shards"]

    def open_shards(self, name):
        shards = self.shards(name, ShardFilter={"Type": "AT_LATEST"})
        return sorted(shards, key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))

    def wait_active(self, name):
        self.kinesis.get_waiter("stream_exists").wait(StreamName=name,
                                                      WaiterConfig={"Delay": 1, "MaxAttempts": 30})

    def read_to_end(self, name, shard):
        """Records of a closed shard from TRIM_HORIZON, and the ChildShards at its end."""
        iterator = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        for _ in range(100):
            response = self.kinesis.get_records(ShardIterator=iterator)
            records.extend(response["Records"])
            if "NextShardIterator" not in response:
                return records, response.get("ChildShards")
            iterator = response["NextShardIterator"]
        self.fail("closed shard %s of %s never ended" % (shard, name))


class SplitShardTest(ReshardingBase):

    def test_split_and_lineage(self):
        name = self.create_stream(1)
        before = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"before",
                                         ExplicitHashKey="5")
        self.assertEmptyAnswer(self.kinesis.split_shard(StreamName=name, ShardToSplit=shard_id(0),
                                                        NewStartingHashKey=str(HALF)))
        self.wait_active(name)
        shards = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
        self.assertEqual([s["ShardId"] for s in shards], [shard_id(0), shard_id(1), shard_id(2)])
        parent, low, high = shards
        self.assertIn("EndingSequenceNumber", parent["SequenceNumberRange"])
        self.assertEqual(low["ParentShardId"], shard_id(0))
        self.assertEqual(high["ParentShardId"], shard_id(0))
        self.assertNotIn("AdjacentParentShardId", low)
        self.assertEqual(low["HashKeyRange"], {"StartingHashKey": "0", "EndingHashKey": str(HALF - 1)})
        self.assertEqual(high["HashKeyRange"], {"StartingHashKey": str(HALF), "EndingHashKey": str(MAX_HASH_KEY)})
        ending = int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
        for child in (low, high):
            self.assertNotIn("EndingSequenceNumber", child["SequenceNumberRange"])
            self.assertGreater(int(child["SequenceNumberRange"]["StartingSequenceNumber"]), ending)
        after = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"after", ExplicitHashKey="5")
        self.assertEqual(after["ShardId"], shard_id(1))
        self.assertGreater(int(after["SequenceNumber"]), int(before["SequenceNumber"]))

        records, children = self.read_to_end(name, shard_id(0))
        self.assertEqual([r["Data"] for r in records], [b"before"])
        self.assertEqual(children, [
            {"ShardId": shard_id(1), "ParentShards": [shard_id(0)], "HashKeyRange": low["HashKeyRange"]},
            {"ShardId": shard_id(2), "ParentShards": [shard_id(0)], "HashKeyRange": high["HashKeyRange"]},
        ])

    def test_split_by_stream_arn(self):
        name = self.create_stream(2)
        self.assertEmptyAnswer(self.kinesis.split_shard(StreamARN=stream_arn(name), ShardToSplit="shard-1",
                                                        NewStartingHashKey=str(HALF + 1000)))
        self.assertEqual(len(self.shards(name)), 4)

    def test_errors(self):
        name = self.create_stream(3)
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=missing, ShardToSplit="shardId-002147483648", NewStartingHashKey="0"),
            "ResourceNotFoundException", could_not_find("shardId-002147483648", missing))
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=missing, ShardToSplit=shard_id(0), NewStartingHashKey="0"),
            "ResourceNotFoundException", not_found(missing))
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=name, ShardToSplit="shardId-5", NewStartingHashKey="0"),
            "ResourceNotFoundException", could_not_find(shard_id(5), name))
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=name, ShardToSplit=shard_id(0), NewStartingHashKey="1"),
            "InvalidArgumentException",
            "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream %s under "
            "account %s is not both greater than one plus the shard's StartingHashKey 0 and less than "
            "the shard's EndingHashKey 113427455640312821154458202477256070484." % (name, ACCOUNT_ID))
        self.kinesis.split_shard(StreamName=name, ShardToSplit=shard_id(0), NewStartingHashKey="1000")
        self.wait_active(name)
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=name, ShardToSplit=shard_id(0), NewStartingHashKey="2000"),
            "InvalidArgumentException", already_closed(shard_id(0), name))
        self.assertEqual(len(self.shards(name)), 5)

        od = self.create_stream(name=unique_name("od"), StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=od, ShardToSplit=shard_id(0), NewStartingHashKey="1000"),
            "ValidationException", on_demand(od))


class MergeShardsTest(ReshardingBase):

    def test_merge_and_lineage(self):
        name = self.create_stream(3)
        self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"zero", ExplicitHashKey="1")
        self.assertEmptyAnswer(self.kinesis.merge_shards(StreamName=name, ShardToMerge=shard_id(1),
                                                         AdjacentShardToMerge=shard_id(2)))
        self.wait_active(name)
        shards = self.shards(name)
        self.assertEqual(len(shards), 4)
        merged = shards[3]
        self.assertEqual(merged["ShardId"], shard_id(3))
        self.assertEqual(merged["ParentShardId"], shard_id(1))
        self.assertEqual(merged["AdjacentParentShardId"], shard_id(2))
        self.assertEqual(merged["HashKeyRange"], {"StartingHashKey": shards[1]["HashKeyRange"]["StartingHashKey"],
                                                  "EndingHashKey": str(MAX_HASH_KEY)})
        for parent in (1, 2):
            records, children = self.read_to_end(name, shard_id(parent))
            self.assertEqual(records, [])
            self.assertEqual(children, [{"ShardId": shard_id(3), "ParentShards": [shard_id(1), shard_id(2)],
                                         "HashKeyRange": merged["HashKeyRange"]}])
        self.assertEqual([s["ShardId"] for s in self.open_shards(name)], [shard_id(0), shard_id(3)])

    def test_errors(self):
        name = self.create_stream(3)
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=name, ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(2)),
            "InvalidArgumentException", not_adjacent(shard_id(0), shard_id(2), name))
        # Kinesis wants ShardToMerge first in the hash key space.
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=name, ShardToMerge=shard_id(1), AdjacentShardToMerge=shard_id(0)),
            "InvalidArgumentException", not_adjacent(shard_id(1), shard_id(0), name))
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=missing, ShardToMerge=shard_id(0), AdjacentShardToMerge="ABKLFD8"),
            "ResourceNotFoundException", could_not_find("ABKLFD8", missing))
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=missing, ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(1)),
            "ResourceNotFoundException", not_found(missing))
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=name, ShardToMerge=shard_id(2), AdjacentShardToMerge="shardId-3"),
            "ResourceNotFoundException", could_not_find(shard_id(3), name))
        self.assertEqual(len(self.shards(name)), 3)
        od = self.create_stream(name=unique_name("od"), StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=od, ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(1)),
            "ValidationException", on_demand(od))


class UpdateShardCountTest(ReshardingBase):

    def test_scale_up_and_down(self):
        name = self.create_stream(2)
        response = self.kinesis.update_shard_count(StreamName=name, TargetShardCount=4,
                                                   ScalingType="UNIFORM_SCALING")
        self.assertEqual({k: v for k, v in response.items() if k != "ResponseMetadata"}, {
            "StreamName": name, "CurrentShardCount": 2, "TargetShardCount": 4, "StreamARN": stream_arn(name)})
        self.wait_active(name)
        self.assertEqual(len(self.shards(name)), 6)
        self.assertEqual(len(self.open_shards(name)), 4)
        response = self.kinesis.update_shard_count(StreamARN=stream_arn(name), TargetShardCount=3,
                                                   ScalingType="UNIFORM_SCALING")
        self.assertEqual(response["CurrentShardCount"], 4)
        self.wait_active(name)
        open_shards = self.open_shards(name)
        self.assertEqual(len(open_shards), 3)
        widths = [int(s["HashKeyRange"]["EndingHashKey"]) - int(s["HashKeyRange"]["StartingHashKey"])
                  for s in open_shards]
        self.assertLessEqual(max(widths) - min(widths), 10)
        self.assertEqual(int(open_shards[-1]["HashKeyRange"]["EndingHashKey"]), MAX_HASH_KEY)

    def test_errors(self):
        name = self.create_stream(2)
        self.assertClientError(lambda: self.kinesis.update_shard_count(
            StreamName=name, TargetShardCount=5, ScalingType="UNIFORM_SCALING"),
            "LimitExceededException",
            "UpdateShardCount cannot scale up over double your current open shard count. "
            "Current open shard count: 2, Target shard count: 5")
        six = self.create_stream(6)
        self.assertClientError(lambda: self.kinesis.update_shard_count(
            StreamName=six, TargetShardCount=2, ScalingType="UNIFORM_SCALING"),
            "LimitExceededException",
            "UpdateShardCount cannot scale down below half your current open shard count. "
            "Current open shard count: 6, Target shard count: 2")
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.update_shard_count(
            StreamName=missing, TargetShardCount=2, ScalingType="UNIFORM_SCALING"),
            "ResourceNotFoundException", not_found(missing))
        od = self.create_stream(name=unique_name("od"), StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertClientError(lambda: self.kinesis.update_shard_count(
            StreamName=od, TargetShardCount=5, ScalingType="UNIFORM_SCALING"),
            "ValidationException", on_demand(od))
        self.assertEqual(len(self.shards(name)), 2)
        self.assertEqual(len(self.shards(six)), 6)


class RetentionPeriodTest(ReshardingBase):

    def retention(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
            "RetentionPeriodHours"]

    def test_increase_and_decrease(self):
        name = self.create_stream(1)
        self.assertEqual(self.retention(name), 24)
        self.assertEmptyAnswer(self.kinesis.increase_stream_retention_period(StreamName=name,
                                                                             RetentionPeriodHours=168))
        self.assertEqual(self.retention(name), 168)
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
            "StreamStatus"], "ACTIVE")
        self.assertEmptyAnswer(self.kinesis.decrease_stream_retention_period(StreamARN=stream_arn(name),
                                                                             RetentionPeriodHours=48))
        self.assertEqual(self.retention(name), 48)

    def test_errors(self):
        name = self.create_stream(1)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.assertClientError(lambda: self.kinesis.increase_stream_retention_period(
            StreamName=name, RetentionPeriodHours=47), "InvalidArgumentException",
            "Requested retention period (47 hours) for stream %s can not be shorter than existing "
            "retention period (48 hours). Use DecreaseRetentionPeriod API." % name)
        self.assertClientError(lambda: self.kinesis.decrease_stream_retention_period(
            StreamName=name, RetentionPeriodHours=49), "InvalidArgumentException",
            "Requested retention period (49 hours) for stream %s can not be longer than existing "
            "retention period (48 hours). Use IncreaseRetentionPeriod API." % name)
        self.assertClientError(lambda: self.kinesis.decrease_stream_retention_period(
            StreamName=name, RetentionPeriodHours=23), "InvalidArgumentException",
            "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.")
        self.assertClientError(lambda: self.kinesis.increase_stream_retention_period(
            StreamName=name, RetentionPeriodHours=8761), "InvalidArgumentException",
            "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.")
        self.assertClientError(lambda: self.kinesis.increase_stream_retention_period(
            StreamName=name, RetentionPeriodHours=-1), "ValidationException",
            "1 validation error detected: Value '-1' at 'retentionPeriodHours' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1")
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.decrease_stream_retention_period(
            StreamName=missing, RetentionPeriodHours=24), "ResourceNotFoundException", not_found(missing))
        self.assertEqual(self.retention(name), 48)


class LineageReadingTest(ReshardingBase):
    """Records written across splits, merges and scalings, read back parents first."""

    def test_every_record_once_in_order(self):
        name = self.create_stream(2)
        keys = ["key-%d" % i for i in range(16)]
        written = {k: [] for k in keys}
        counter = [0]

        def write(rounds=3):
            for _ in range(rounds):
                entries = []
                for k in keys:
                    counter[0] += 1
                    entries.append({"PartitionKey": k, "Data": ("%s:%d" % (k, counter[0])).encode()})
                response = self.kinesis.put_records(StreamName=name, Records=entries)
                self.assertEqual(response["FailedRecordCount"], 0)
                for entry in entries:
                    written[entry["PartitionKey"]].append(entry["Data"])

        write()
        opened = self.open_shards(name)
        middle = (int(opened[0]["HashKeyRange"]["StartingHashKey"]) +
                  int(opened[0]["HashKeyRange"]["EndingHashKey"])) // 2
        self.kinesis.split_shard(StreamName=name, ShardToSplit=opened[0]["ShardId"], NewStartingHashKey=str(middle))
        self.wait_active(name)
        write()
        opened = self.open_shards(name)
        self.kinesis.merge_shards(StreamName=name, ShardToMerge=opened[1]["ShardId"],
                                  AdjacentShardToMerge=opened[2]["ShardId"])
        self.wait_active(name)
        write()
        for target in (4, 3):
            self.kinesis.update_shard_count(StreamName=name, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
            self.wait_active(name)
            write()

        shards = self.shards(name)
        done, read = set(), {k: [] for k in keys}
        last_sequence = {}
        while len(done) < len(shards):
            ready = [s for s in shards if s["ShardId"] not in done and
                     all(p in done for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p)]
            self.assertTrue(ready, "lineage with a missing parent")
            for shard in ready:
                if "EndingSequenceNumber" in shard["SequenceNumberRange"]:
                    records, children = self.read_to_end(name, shard["ShardId"])
                    expected = sorted(s["ShardId"] for s in shards
                                      if shard["ShardId"] in (s.get("ParentShardId"), s.get("AdjacentParentShardId")))
                    self.assertEqual(sorted(c["ShardId"] for c in children), expected)
                else:
                    records = self.read_shard(name, shard["ShardId"])
                for r in records:
                    key = r["PartitionKey"]
                    read[key].append(r["Data"])
                    sequence = int(r["SequenceNumber"])
                    self.assertGreater(sequence, last_sequence.get(key, -1))
                    last_sequence[key] = sequence
                done.add(shard["ShardId"])
        self.assertEqual(read, written)


class UpdatingStateTest(ReshardingBase):
    """A server whose reshards keep a stream UPDATING for a while, with a small shard limit."""

    @classmethod
    def setUpClass(cls):
        cls.server = KinesimServer(extra_args=["--update-delay-ms", "1500", "--shard-limit", "6"]).start()
        cls.kinesis = cls.server.client()

    def test_updating_refuses_resharding_until_active(self):
        name = self.create_stream(2)
        self.kinesis.split_shard(StreamName=name, ShardToSplit=shard_id(0), NewStartingHashKey="1000")
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamStatus"], "UPDATING")
        self.assertClientError(lambda: self.kinesis.merge_shards(
            StreamName=name, ShardToMerge=shard_id(2), AdjacentShardToMerge=shard_id(3)),
            "ResourceInUseException", not_active(name, "UPDATING"))
        self.assertClientError(lambda: self.kinesis.update_shard_count(
            StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING"),
            "ResourceInUseException", not_active(name, "UPDATING"))
        # Writes go on meanwhile.
        self.assertEqual(self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"x",
                                                 ExplicitHashKey="5")["ShardId"], shard_id(2))
        self.wait_active(name)
        self.assertEmptyAnswer(self.kinesis.merge_shards(StreamName=name, ShardToMerge=shard_id(2),
                                                         AdjacentShardToMerge=shard_id(3)))
        self.wait_active(name)

    def test_shard_limit(self):
        name = self.create_stream(3)
        other = self.create_stream(3)
        self.assertClientError(lambda: self.kinesis.split_shard(
            StreamName=name, ShardToSplit=shard_id(0), NewStartingHashKey="1000"),
            "LimitExceededException", None,
            r"^This request would exceed the shard limit for the account %s in us-east-1\. Current shard "
            r"count for the account: \d+\. Limit: 6\. Number of additional shards that would have resulted "
            r"from this request: 1\. Refer to the AWS Service Limits page" % ACCOUNT_ID)
        self.kinesis.delete_stream(StreamName=other)


@unittest.skipIf(shutil.which("aws") is None, "the AWS CLI (aws) is not installed")
class ReshardingCliTest(ReshardingBase):

    def test_resharding_and_retention(self):
        name = self.create_stream(2)
        self.assertIsNone(self.aws("split-shard", "--stream-name", name, "--shard-to-split", shard_id(0),
                                   "--new-starting-hash-key", str(HALF // 2)))
        self.wait_active(name)
        self.assertIsNone(self.aws("merge-shards", "--stream-name", name, "--shard-to-merge", shard_id(3),
                                   "--adjacent-shard-to-merge", shard_id(1)))
        self.wait_active(name)
        self.assertEqual([s["ShardId"] for s in self.open_shards(name)], [shard_id(2), shard_id(4)])
        scaled = self.aws("update-shard-count", "--stream-name", name, "--target-shard-count", "4",
                          "--scaling-type", "UNIFORM_SCALING")
        self.assertEqual(scaled, {"StreamName": name, "CurrentShardCount": 2, "TargetShardCount": 4,
                                  "StreamARN": stream_arn(name)})
        self.wait_active(name)
        self.assertEqual(len(self.open_shards(name)), 4)

        self.assertIsNone(self.aws("increase-stream-retention-period", "--stream-name", name,
                                   "--retention-period-hours", "72"))
        self.assertIsNone(self.aws("decrease-stream-retention-period", "--stream-name", name,
                                   "--retention-period-hours", "36"))
        summary = self.aws("describe-stream-summary", "--stream-name", name)["StreamDescriptionSummary"]
        self.assertEqual(summary["RetentionPeriodHours"], 36)
        self.assertEqual(summary["OpenShardCount"], 4)

    def test_errors(self):
        name = self.create_stream(3)
        proc = self.aws("merge-shards", "--stream-name", name, "--shard-to-merge", shard_id(0),
                        "--adjacent-shard-to-merge", shard_id(2), expect_ok=False)
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertIn("An error occurred (InvalidArgumentException) when calling the MergeShards operation: "
                      + not_adjacent(shard_id(0), shard_id(2), name), proc.stderr)
        proc = self.aws("decrease-stream-retention-period", "--stream-name", name,
                        "--retention-period-hours", "48", expect_ok=False)
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertIn("An error occurred (InvalidArgumentException) when calling the "
                      "DecreaseStreamRetentionPeriod operation: Requested retention period (48 hours) for "
                      "stream %s can not be longer than existing retention period (24 hours). "
                      "Use IncreaseRetentionPeriod API." % name, proc.stderr)


if __name__ == "__main__":
    unittest.main()
