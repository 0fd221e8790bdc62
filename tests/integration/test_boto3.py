"""Every data-plane operation of kinesim driven through boto3.

Expected values are what Amazon Kinesis Data Streams returns: response shapes
from the service model, error names and messages as the real service words them.
"""

import datetime
import hashlib
import json
import random
import time
import unittest
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kinesim_process import (ACCOUNT_ID, MAX_HASH_KEY, REGION, ServerTestCase, b64, hash_ranges,
                             not_found, shard_id, shard_not_found, stream_arn, unique_name)

ONE_MIB = 1024 * 1024
SHARD_ITERATOR_TYPES = "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
ITERATOR_ARGS_MESSAGE = (
    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
    "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s.")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def md5_hash_key(partition_key):
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def shard_for(hash_key, shards):
    for shard in shards:
        r = shard["HashKeyRange"]
        if int(r["StartingHashKey"]) <= hash_key <= int(r["EndingHashKey"]):
            return shard["ShardId"]
    raise AssertionError("hash key %d outside every shard" % hash_key)


class StreamLifecycleTest(ServerTestCase):
    """CreateStream, DescribeStream, DescribeStreamSummary, DeleteStream, waiters."""

    def assertRecent(self, timestamp):
        self.assertIsInstance(timestamp, datetime.datetime)
        delta = abs((now_utc() - timestamp).total_seconds())
        self.assertLess(delta, 120, "timestamp %s is not about now" % timestamp)

    def assertShardsFresh(self, shards, count):
        self.assertEqual([s["ShardId"] for s in shards], [shard_id(i) for i in range(count)])
        for shard, (start, end) in zip(shards, hash_ranges(count)):
            self.assertEqual(shard["HashKeyRange"], {"StartingHashKey": str(start), "EndingHashKey": str(end)})
            self.assertNotIn("ParentShardId", shard)
            self.assertNotIn("AdjacentParentShardId", shard)
            seq_range = shard["SequenceNumberRange"]
            self.assertRegex(seq_range["StartingSequenceNumber"], r"^(0|[1-9]\d{0,128})$")
            self.assertNotIn("EndingSequenceNumber", seq_range, "a new shard is open")

    def test_create_provisioned_and_describe(self):
        name = self.create_stream(3)
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamName"], name)
        self.assertEqual(desc["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/" + name)
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual(desc["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertIs(desc["HasMoreShards"], False)
        self.assertEqual(desc["RetentionPeriodHours"], 24)
        self.assertEqual(desc["EncryptionType"], "NONE")
        self.assertNotIn("KeyId", desc)
        self.assertEqual(desc["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
        self.assertRecent(desc["StreamCreationTimestamp"])
        self.assertShardsFresh(desc["Shards"], 3)
        # The exact ranges AWS gives a 3-shard stream.
        self.assertEqual([s["HashKeyRange"]["EndingHashKey"] for s in desc["Shards"]],
                         ["113427455640312821154458202477256070484",
                          "226854911280625642308916404954512140969",
                          "340282366920938463463374607431768211455"])

    def test_create_returns_empty_body(self):
        name = unique_name("empty")
        response = self.kinesis.create_stream(StreamName=name, ShardCount=1)
        self.assertEqual(set(response), {"ResponseMetadata"})
        self.assertTrue(response["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"))

    def test_on_demand_stream_has_four_shards(self):
        name = self.create_stream(StreamModeDetails={"StreamMode": "ON_DEMAND"})
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertShardsFresh(desc["Shards"], 4)
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["OpenShardCount"], 4)
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})

    def test_describe_stream_summary(self):
        name = self.create_stream(2)
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamName"], name)
        self.assertEqual(summary["StreamARN"], stream_arn(name))
        self.assertEqual(summary["StreamStatus"], "ACTIVE")
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(summary["RetentionPeriodHours"], 24)
        self.assertEqual(summary["EncryptionType"], "NONE")
        self.assertEqual(summary["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
        self.assertEqual(summary["OpenShardCount"], 2)
        self.assertEqual(summary["ConsumerCount"], 0)
        self.assertNotIn("Shards", summary)
        self.assertRecent(summary["StreamCreationTimestamp"])
        described = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(summary["StreamCreationTimestamp"], described["StreamCreationTimestamp"])
        by_arn = self.kinesis.describe_stream_summary(StreamARN=stream_arn(name))["StreamDescriptionSummary"]
        self.assertEqual(by_arn, summary)

    def test_describe_stream_limit_and_exclusive_start(self):
        name = self.create_stream(5)
        page = self.kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in page["Shards"]], [shard_id(0), shard_id(1)])
        self.assertIs(page["HasMoreShards"], True)
        page = self.kinesis.describe_stream(StreamName=name, Limit=2,
                                            ExclusiveStartShardId=shard_id(1))["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in page["Shards"]], [shard_id(2), shard_id(3)])
        self.assertIs(page["HasMoreShards"], True)
        page = self.kinesis.describe_stream(StreamName=name, Limit=2,
                                            ExclusiveStartShardId=shard_id(3))["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in page["Shards"]], [shard_id(4)])
        self.assertIs(page["HasMoreShards"], False)
        page = self.kinesis.describe_stream(StreamName=name, Limit=5)["StreamDescription"]
        self.assertEqual(len(page["Shards"]), 5)
        self.assertIs(page["HasMoreShards"], False)

    def test_describe_stream_returns_100_shards_by_default(self):
        name = self.create_stream(101)
        page = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in page["Shards"]], [shard_id(i) for i in range(100)])
        self.assertIs(page["HasMoreShards"], True)
        rest = self.kinesis.describe_stream(StreamName=name, ExclusiveStartShardId=shard_id(99))
        self.assertEqual([s["ShardId"] for s in rest["StreamDescription"]["Shards"]], [shard_id(100)])
        self.assertIs(rest["StreamDescription"]["HasMoreShards"], False)
        self.kinesis.delete_stream(StreamName=name)

    def test_describe_stream_paginator(self):
        name = self.create_stream(5)
        paginator = self.kinesis.get_paginator("describe_stream")
        pages = list(paginator.paginate(StreamName=name, PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        ids = [s["ShardId"] for p in pages for s in p["StreamDescription"]["Shards"]]
        self.assertEqual(ids, [shard_id(i) for i in range(5)])

    def test_describe_stream_by_arn(self):
        name = self.create_stream(1)
        desc = self.kinesis.describe_stream(StreamARN=stream_arn(name))["StreamDescription"]
        self.assertEqual(desc["StreamName"], name)
        self.assertEqual(desc["StreamARN"], stream_arn(name))

    def test_create_duplicate_is_resource_in_use(self):
        name = self.create_stream(1)
        self.assertClientError(lambda: self.kinesis.create_stream(StreamName=name, ShardCount=2),
                               "ResourceInUseException",
                               "Stream %s under account %s already exists." % (name, ACCOUNT_ID))
        # The failed create changed nothing.
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(len(desc["Shards"]), 1)

    def test_create_invalid_name(self):
        self.assertClientError(
            lambda: self.kinesis.create_stream(StreamName="a b", ShardCount=1), "ValidationException",
            "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        long_name = "a" * 129
        self.assertClientError(
            lambda: self.kinesis.create_stream(StreamName=long_name, ShardCount=1), "ValidationException",
            "1 validation error detected: Value '%s' at 'streamName' failed to satisfy constraint: "
            "Member must have length less than or equal to 128" % long_name)
        names = self.kinesis.list_streams()["StreamNames"]
        self.assertNotIn("a b", names)
        self.assertNotIn(long_name, names)

    def test_delete_stream_and_waiter(self):
        name = self.create_stream(2)
        response = self.kinesis.delete_stream(StreamName=name)
        self.assertEqual(set(response), {"ResponseMetadata"})
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=name,
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertClientError(lambda: self.kinesis.describe_stream(StreamName=name),
                               "ResourceNotFoundException", not_found(name))
        self.assertNotIn(name, self.kinesis.list_streams()["StreamNames"])
        # The name is free again.
        self.create_stream(1, name=name)
        self.assertEqual(len(self.kinesis.list_shards(StreamName=name)["Shards"]), 1)

    def test_delete_stream_by_arn(self):
        name = self.create_stream(1)
        self.kinesis.delete_stream(StreamARN=stream_arn(name))
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=name,
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})

    def test_missing_stream_errors(self):
        name = unique_name("missing")
        k = self.kinesis
        for call in (lambda: k.describe_stream(StreamName=name),
                     lambda: k.describe_stream_summary(StreamName=name),
                     lambda: k.delete_stream(StreamName=name),
                     lambda: k.list_shards(StreamName=name),
                     lambda: k.put_record(StreamName=name, PartitionKey="a", Data=b"x"),
                     lambda: k.put_records(StreamName=name, Records=[{"PartitionKey": "a", "Data": b"x"}])):
            self.assertClientError(call, "ResourceNotFoundException", not_found(name))
        self.assertClientError(
            lambda: k.get_shard_iterator(StreamName=name, ShardId=shard_id(0), ShardIteratorType="LATEST"),
            "ResourceNotFoundException", shard_not_found(shard_id(0), name))

    def test_missing_stream_by_arn(self):
        name = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.describe_stream_summary(StreamARN=stream_arn(name)),
                               "ResourceNotFoundException")

    def test_region_comes_from_the_signature(self):
        other = self.server.client(region="eu-west-1")
        name = self.create_stream(1, client=other)
        desc = other.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamARN"], "arn:aws:kinesis:eu-west-1:000000000000:stream/" + name)
        # Regions are separate: us-east-1 does not see the eu-west-1 stream.
        self.assertClientError(lambda: self.kinesis.describe_stream(StreamName=name),
                               "ResourceNotFoundException", not_found(name))
        self.assertNotIn(name, self.kinesis.list_streams()["StreamNames"])


class ListStreamsTest(ServerTestCase):

    def test_paginator_returns_every_stream_once(self):
        prefix = unique_name("ls")
        names = sorted("%s-%02d" % (prefix, i) for i in range(7))
        for name in names:
            self.create_stream(1, name=name)
        paginator = self.kinesis.get_paginator("list_streams")
        pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
        self.assertGreaterEqual(len(pages), 4)
        all_names = [n for p in pages for n in p["StreamNames"]]
        summaries = [s for p in pages for s in p.get("StreamSummaries", [])]
        self.assertEqual(len(all_names), len(set(all_names)), "a stream came back twice")
        for name in names:
            self.assertEqual(all_names.count(name), 1)
        self.assertEqual([s["StreamName"] for s in summaries], all_names)
        for page in pages[:-1]:
            self.assertLessEqual(len(page["StreamNames"]), 2)
            self.assertIs(page["HasMoreStreams"], True)
        self.assertIs(pages[-1]["HasMoreStreams"], False)
        ours = [s for s in summaries if s["StreamName"].startswith(prefix)]
        self.assertEqual(len(ours), 7)
        for summary in ours:
            self.assertEqual(summary["StreamARN"], stream_arn(summary["StreamName"]))
            self.assertEqual(summary["StreamStatus"], "ACTIVE")
            self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
            self.assertIsInstance(summary["StreamCreationTimestamp"], datetime.datetime)

    def test_limit_and_exclusive_start(self):
        prefix = unique_name("lx")
        names = ["%s-%d" % (prefix, i) for i in range(4)]
        for name in names:
            self.create_stream(1, name=name)
        everything = self.kinesis.list_streams(Limit=10000)
        self.assertEqual(everything["StreamNames"], sorted(everything["StreamNames"]),
                         "ListStreams returns names in alphabetical order")
        first = self.kinesis.list_streams(Limit=2)
        self.assertEqual(len(first["StreamNames"]), 2)
        self.assertIs(first["HasMoreStreams"], True)
        self.assertTrue(first.get("NextToken"))
        second = self.kinesis.list_streams(NextToken=first["NextToken"], Limit=2)
        self.assertFalse(set(first["StreamNames"]) & set(second["StreamNames"]))
        after = self.kinesis.list_streams(ExclusiveStartStreamName=names[1])["StreamNames"]
        self.assertNotIn(names[0], after)
        self.assertNotIn(names[1], after)
        self.assertEqual(after[:2], names[2:4])
        self.assertTrue(all(n > names[1] for n in after))

    def test_default_limit_is_100(self):
        prefix = unique_name("many")
        for i in range(101):
            self.kinesis.create_stream(StreamName="%s-%03d" % (prefix, i), ShardCount=1)
        response = self.kinesis.list_streams()
        self.assertEqual(len(response["StreamNames"]), 100)
        self.assertEqual(len(response["StreamSummaries"]), 100)
        self.assertIs(response["HasMoreStreams"], True)
        self.assertTrue(response.get("NextToken"))

    def test_limit_out_of_range(self):
        self.assertClientError(
            lambda: self.kinesis.list_streams(Limit=10001), "ValidationException",
            "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000")


class ListShardsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = unique_name("shards")
        cls.kinesis.create_stream(StreamName=cls.name, ShardCount=7)
        cls.kinesis.get_waiter("stream_exists").wait(StreamName=cls.name,
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        cls.all_ids = [shard_id(i) for i in range(7)]

    def ids(self, response):
        return [s["ShardId"] for s in response["Shards"]]

    def test_all_shards(self):
        response = self.kinesis.list_shards(StreamName=self.name)
        self.assertEqual(self.ids(response), self.all_ids)
        self.assertNotIn("NextToken", response)
        for shard, (start, end) in zip(response["Shards"], hash_ranges(7)):
            self.assertEqual(shard["HashKeyRange"], {"StartingHashKey": str(start), "EndingHashKey": str(end)})
        described = self.kinesis.describe_stream(StreamName=self.name)["StreamDescription"]["Shards"]
        self.assertEqual(response["Shards"], described)

    def test_max_results_and_next_token(self):
        first = self.kinesis.list_shards(StreamName=self.name, MaxResults=3)
        self.assertEqual(self.ids(first), self.all_ids[:3])
        self.assertTrue(first.get("NextToken"))
        second = self.kinesis.list_shards(NextToken=first["NextToken"], MaxResults=3)
        self.assertEqual(self.ids(second), self.all_ids[3:6])
        self.assertTrue(second.get("NextToken"))
        third = self.kinesis.list_shards(NextToken=second["NextToken"], MaxResults=3)
        self.assertEqual(self.ids(third), self.all_ids[6:])
        self.assertNotIn("NextToken", third)

    def test_paginator(self):
        paginator = self.kinesis.get_paginator("list_shards")
        pages = list(paginator.paginate(StreamName=self.name))
        self.assertEqual(len(pages), 1)
        self.assertEqual(self.ids(pages[0]), self.all_ids)

    def test_paginator_with_page_size_repeats_stream_name(self):
        # botocore's ListShards paginator sends StreamName again beside NextToken
        # (boto/botocore#2009); Kinesis refuses that combination.
        pages = self.kinesis.get_paginator("list_shards").paginate(
            StreamName=self.name, PaginationConfig={"PageSize": 2})
        iterator = iter(pages)
        self.assertEqual(self.ids(next(iterator)), self.all_ids[:2])
        self.assertClientError(lambda: next(iterator), "InvalidArgumentException",
                               "NextToken and StreamName cannot be provided together.")

    def test_exclusive_start_shard_id(self):
        response = self.kinesis.list_shards(StreamName=self.name, ExclusiveStartShardId=shard_id(2))
        self.assertEqual(self.ids(response), self.all_ids[3:])
        response = self.kinesis.list_shards(StreamName=self.name, ExclusiveStartShardId=shard_id(6))
        self.assertEqual(self.ids(response), [])

    def test_shard_filters(self):
        for filter_type in ("AT_LATEST", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON"):
            response = self.kinesis.list_shards(StreamName=self.name, ShardFilter={"Type": filter_type})
            self.assertEqual(self.ids(response), self.all_ids, filter_type)
        response = self.kinesis.list_shards(StreamName=self.name,
                                            ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": shard_id(4)})
        self.assertEqual(self.ids(response), self.all_ids[5:])
        # Timestamps go out in whole seconds: pick one safely after the creation.
        created = self.kinesis.describe_stream_summary(
            StreamName=self.name)["StreamDescriptionSummary"]["StreamCreationTimestamp"]
        after_creation = created + datetime.timedelta(seconds=1.5)
        while now_utc() < after_creation:
            time.sleep(0.1)
        for filter_type in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
            response = self.kinesis.list_shards(StreamName=self.name,
                                                ShardFilter={"Type": filter_type, "Timestamp": after_creation})
            self.assertEqual(self.ids(response), self.all_ids, filter_type)

    def test_by_stream_arn(self):
        response = self.kinesis.list_shards(StreamARN=stream_arn(self.name), MaxResults=4)
        self.assertEqual(self.ids(response), self.all_ids[:4])
        rest = self.kinesis.list_shards(NextToken=response["NextToken"])
        self.assertEqual(self.ids(rest), self.all_ids[4:])

    def test_stream_name_and_next_token_together(self):
        token = self.kinesis.list_shards(StreamName=self.name, MaxResults=1)["NextToken"]
        self.assertClientError(lambda: self.kinesis.list_shards(StreamName=self.name, NextToken=token),
                               "InvalidArgumentException",
                               "NextToken and StreamName cannot be provided together.")

    def test_neither_stream_nor_token(self):
        self.assertClientError(lambda: self.kinesis.list_shards(), "InvalidArgumentException")

    def test_max_results_out_of_range(self):
        self.assertClientError(
            lambda: self.kinesis.list_shards(StreamName=self.name, MaxResults=10001), "ValidationException",
            "1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000")


class PutRecordTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = unique_name("put")
        cls.kinesis.create_stream(StreamName=cls.name, ShardCount=4)
        cls.kinesis.get_waiter("stream_exists").wait(StreamName=cls.name,
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        cls.shards = cls.kinesis.list_shards(StreamName=cls.name)["Shards"]

    def test_put_record_response(self):
        response = self.kinesis.put_record(StreamName=self.name, PartitionKey="u1", Data=b"hello")
        self.assertIn(response["ShardId"], [shard_id(i) for i in range(4)])
        self.assertRegex(response["SequenceNumber"], r"^[1-9]\d{0,128}$")
        self.assertTrue(response["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"))

    def test_same_partition_key_same_shard_increasing(self):
        results = [self.kinesis.put_record(StreamName=self.name, PartitionKey="same-key", Data=b"%d" % i)
                   for i in range(10)]
        self.assertEqual(len({r["ShardId"] for r in results}), 1)
        seqs = [int(r["SequenceNumber"]) for r in results]
        self.assertEqual(seqs, sorted(set(seqs)), "sequence numbers must strictly increase")

    def test_md5_partition_key_routing(self):
        rnd = random.Random(7)
        seen = set()
        for i in range(60):
            key = "key-%d-%d" % (i, rnd.randrange(10 ** 9))
            response = self.kinesis.put_record(StreamName=self.name, PartitionKey=key, Data=b"x")
            self.assertEqual(response["ShardId"], shard_for(md5_hash_key(key), self.shards), key)
            seen.add(response["ShardId"])
        self.assertEqual(len(seen), 4, "60 random keys should reach all 4 shards")
        # Unicode keys hash their UTF-8 bytes.
        for key in ("ключ", "键", "clé-é"):
            response = self.kinesis.put_record(StreamName=self.name, PartitionKey=key, Data=b"x")
            self.assertEqual(response["ShardId"], shard_for(md5_hash_key(key), self.shards), key)

    def test_explicit_hash_key_routing(self):
        step = 2 ** 128 // 4
        self.assertEqual(hash_ranges(4)[-1], (3 * step, MAX_HASH_KEY))
        for index, (start, end) in enumerate(hash_ranges(4)):
            for hash_key in (start, (start + end) // 2, end):
                response = self.kinesis.put_record(StreamName=self.name, PartitionKey="ignored",
                                                   Data=b"e", ExplicitHashKey=str(hash_key))
                self.assertEqual(response["ShardId"], shard_id(index), hash_key)

    def test_explicit_hash_key_out_of_range(self):
        too_big = str(2 ** 128)
        self.assertClientError(
            lambda: self.kinesis.put_record(StreamName=self.name, PartitionKey="a", Data=b"",
                                            ExplicitHashKey=too_big),
            "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was " + too_big)

    def test_explicit_hash_key_not_a_number(self):
        self.assertClientError(
            lambda: self.kinesis.put_record(StreamName=self.name, PartitionKey="a", Data=b"",
                                            ExplicitHashKey="12x"),
            "ValidationException",
            "1 validation error detected: Value '12x' at 'explicitHashKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")

    def test_partition_key_too_long(self):
        key = "k" * 257
        self.assertClientError(
            lambda: self.kinesis.put_record(StreamName=self.name, PartitionKey=key, Data=b"x"),
            "ValidationException",
            "1 validation error detected: Value '%s' at 'partitionKey' failed to satisfy constraint: "
            "Member must have length less than or equal to 256" % key)
        # 256 characters is allowed.
        self.kinesis.put_record(StreamName=self.name, PartitionKey="k" * 256, Data=b"x")

    def test_empty_data_is_allowed(self):
        response = self.kinesis.put_record(StreamName=self.name, PartitionKey="a", Data=b"",
                                           ExplicitHashKey="0")
        records = self.read_shard(self.name, response["ShardId"], "AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=response["SequenceNumber"])
        self.assertEqual(records[0]["Data"], b"")

    def test_record_over_one_mib_is_rejected(self):
        data = b"x" * (ONE_MIB + 1)
        self.assertClientError(
            lambda: self.kinesis.put_record(StreamName=self.name, PartitionKey="big", Data=data),
            "ValidationException",
            "1 validation error detected: Value at 'data' failed to satisfy constraint: "
            "Member must have length less than or equal to 1048576")

    def test_data_plus_key_over_one_mib_is_rejected(self):
        # The record size limit covers the data blob plus the partition key.
        data = b"y" * ONE_MIB
        self.assertClientError(
            lambda: self.kinesis.put_record(StreamName=self.name, PartitionKey="kk", Data=data),
            ("ValidationException", "InvalidArgumentException"))
        # Exactly 1 MiB in all is accepted.
        response = self.kinesis.put_record(StreamName=self.name, PartitionKey="k",
                                           Data=b"z" * (ONE_MIB - 1), ExplicitHashKey="0")
        self.assertEqual(response["ShardId"], shard_id(0))

    def test_put_record_by_arn(self):
        response = self.kinesis.put_record(StreamARN=stream_arn(self.name), PartitionKey="arn",
                                           Data=b"by-arn", ExplicitHashKey="0")
        self.assertEqual(response["ShardId"], shard_id(0))
        records = self.read_shard(self.name, shard_id(0), "AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=response["SequenceNumber"])
        self.assertEqual(records[0]["Data"], b"by-arn")
        self.assertEqual(records[0]["PartitionKey"], "arn")

    def test_sequence_numbers_increase_per_shard(self):
        last = {}
        for i in range(40):
            hash_key = str(hash_ranges(4)[i % 2][0])
            response = self.kinesis.put_record(StreamName=self.name, PartitionKey="p%d" % i,
                                               Data=b"%d" % i, ExplicitHashKey=hash_key)
            seq = int(response["SequenceNumber"])
            shard = response["ShardId"]
            if shard in last:
                self.assertGreater(seq, last[shard])
            last[shard] = seq
        self.assertEqual(set(last), {shard_id(0), shard_id(1)})

    def test_sequence_number_for_ordering(self):
        first = self.kinesis.put_record(StreamName=self.name, PartitionKey="ord", Data=b"1")
        second = self.kinesis.put_record(StreamName=self.name, PartitionKey="ord", Data=b"2",
                                         SequenceNumberForOrdering=first["SequenceNumber"])
        self.assertEqual(second["ShardId"], first["ShardId"])
        self.assertGreater(int(second["SequenceNumber"]), int(first["SequenceNumber"]))


class PutRecordsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = unique_name("batch")
        cls.kinesis.create_stream(StreamName=cls.name, ShardCount=4)
        cls.kinesis.get_waiter("stream_exists").wait(StreamName=cls.name,
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        cls.shards = cls.kinesis.list_shards(StreamName=cls.name)["Shards"]

    def test_five_hundred_records(self):
        entries = [{"PartitionKey": "pk-%d" % (i % 37), "Data": ("record-%03d" % i).encode()}
                   for i in range(500)]
        response = self.kinesis.put_records(StreamName=self.name, Records=entries)
        self.assertEqual(response["FailedRecordCount"], 0)
        results = response["Records"]
        self.assertEqual(len(results), 500)
        last_per_shard = {}
        for entry, result in zip(entries, results):
            self.assertNotIn("ErrorCode", result)
            self.assertNotIn("ErrorMessage", result)
            self.assertEqual(result["ShardId"], shard_for(md5_hash_key(entry["PartitionKey"]), self.shards))
            seq = int(result["SequenceNumber"])
            # Within one request, a shard's records keep the request's order.
            self.assertGreater(seq, last_per_shard.get(result["ShardId"], -1))
            last_per_shard[result["ShardId"]] = seq
        self.assertEqual(len({r["SequenceNumber"] for r in results}), 500)
        # Read everything back: each result's sequence number holds its own entry.
        stored = {}
        for shard in self.shards:
            for record in self.read_shard(self.name, shard["ShardId"]):
                stored[record["SequenceNumber"]] = (shard["ShardId"], record)
        for entry, result in zip(entries, results):
            shard, record = stored[result["SequenceNumber"]]
            self.assertEqual(shard, result["ShardId"])
            self.assertEqual(record["Data"], entry["Data"])
            self.assertEqual(record["PartitionKey"], entry["PartitionKey"])

    def test_mixed_routing(self):
        ranges = hash_ranges(4)
        entries = [
            {"PartitionKey": "a", "Data": b"1"},
            {"PartitionKey": "a", "Data": b"2", "ExplicitHashKey": str(MAX_HASH_KEY)},
            {"PartitionKey": "a", "Data": b"3", "ExplicitHashKey": str(ranges[1][1])},
            {"PartitionKey": "a", "Data": b"4", "ExplicitHashKey": str(ranges[2][0])},
            {"PartitionKey": "a", "Data": b"5", "ExplicitHashKey": "0"},
        ]
        results = self.kinesis.put_records(StreamName=self.name, Records=entries)["Records"]
        self.assertEqual([r["ShardId"] for r in results],
                         [shard_for(md5_hash_key("a"), self.shards), shard_id(3), shard_id(1),
                          shard_id(2), shard_id(0)])

    def test_put_records_by_arn(self):
        response = self.kinesis.put_records(StreamARN=stream_arn(self.name),
                                            Records=[{"PartitionKey": "x", "Data": b"arn-batch"}])
        self.assertEqual(response["FailedRecordCount"], 0)
        result = response["Records"][0]
        records = self.read_shard(self.name, result["ShardId"], "AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=result["SequenceNumber"])
        self.assertEqual(records[0]["Data"], b"arn-batch")

    def test_more_than_500_records(self):
        entries = [{"PartitionKey": "a", "Data": b"x"}] * 501
        self.assertClientError(
            lambda: self.kinesis.put_records(StreamName=self.name, Records=entries), "ValidationException",
            message_regex=r"^1 validation error detected: Value at 'records' failed to satisfy "
                          r"constraint: Member must have length less than or equal to 500$")

    def test_out_of_range_explicit_hash_key_fails_the_request(self):
        too_big = str(2 ** 128)
        before = {s["ShardId"]: len(self.read_shard(self.name, s["ShardId"])) for s in self.shards}
        self.assertClientError(
            lambda: self.kinesis.put_records(StreamName=self.name, Records=[
                {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": too_big},
                {"PartitionKey": "a", "Data": b""}]),
            "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was " + too_big)
        after = {s["ShardId"]: len(self.read_shard(self.name, s["ShardId"])) for s in self.shards}
        self.assertEqual(before, after, "a rejected PutRecords must store nothing")

    def test_validation_names_the_entry(self):
        self.assertClientError(
            lambda: self.kinesis.put_records(StreamName=self.name, Records=[
                {"PartitionKey": "a", "Data": b"x"},
                {"PartitionKey": "k" * 257, "Data": b"x"}]),
            "ValidationException",
            "1 validation error detected: Value '%s' at 'records.2.member.partitionKey' failed to "
            "satisfy constraint: Member must have length less than or equal to 256" % ("k" * 257))

    def test_record_over_one_mib_is_rejected(self):
        self.assertClientError(
            lambda: self.kinesis.put_records(StreamName=self.name, Records=[
                {"PartitionKey": "a", "Data": b"small"},
                {"PartitionKey": "b", "Data": b"x" * (ONE_MIB + 1)}]),
            "ValidationException",
            "1 validation error detected: Value at 'records.2.member.data' failed to satisfy "
            "constraint: Member must have length less than or equal to 1048576")

    def test_oversized_record_is_listed_with_other_violations(self):
        self.assertClientError(
            lambda: self.kinesis.put_records(StreamName=self.name, Records=[
                {"PartitionKey": "k" * 257, "Data": b"small"},
                {"PartitionKey": "b", "Data": b"x" * (ONE_MIB + 1)}]),
            "ValidationException",
            "2 validation errors detected: Value '%s' at 'records.1.member.partitionKey' failed to "
            "satisfy constraint: Member must have length less than or equal to 256; Value at "
            "'records.2.member.data' failed to satisfy constraint: Member must have length less "
            "than or equal to 1048576" % ("k" * 257))

    def test_request_over_ten_mib_is_rejected(self):
        records = [{"PartitionKey": "p%d" % i, "Data": b"r" * (ONE_MIB - 16)} for i in range(11)]
        self.assertClientError(lambda: self.kinesis.put_records(StreamName=self.name, Records=records),
                               "InvalidArgumentException", message_regex=r"^Records size exceeds")


class ReadTest(ServerTestCase):
    """GetShardIterator (all five types) and GetRecords."""

    def put_batch(self, name, payloads, shard=0):
        """Put payloads into one shard in order; returns the sequence numbers."""
        hash_key = str(hash_ranges(self.shard_counts[name])[shard][0])
        seqs = []
        for i, payload in enumerate(payloads):
            response = self.kinesis.put_record(StreamName=name, PartitionKey="pk-%d" % i, Data=payload,
                                               ExplicitHashKey=hash_key)
            self.assertEqual(response["ShardId"], shard_id(shard))
            seqs.append(response["SequenceNumber"])
        return seqs

    def setUp(self):
        self.shard_counts = {}

    def new_stream(self, shards=1):
        name = self.create_stream(shards)
        self.shard_counts[name] = shards
        return name

    def iterator(self, name, kind, shard=0, **kwargs):
        return self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id(shard),
                                               ShardIteratorType=kind, **kwargs)["ShardIterator"]

    def test_trim_horizon_returns_everything_in_order(self):
        name = self.new_stream()
        payloads = [bytes([i]) * (i + 1) for i in range(5)] + [bytes(range(256))]
        before = now_utc() - datetime.timedelta(seconds=5)
        seqs = self.put_batch(name, payloads)
        response = self.kinesis.get_records(ShardIterator=self.iterator(name, "TRIM_HORIZON"))
        records = response["Records"]
        self.assertEqual([r["Data"] for r in records], payloads)
        self.assertEqual([r["SequenceNumber"] for r in records], seqs)
        self.assertEqual([r["PartitionKey"] for r in records], ["pk-%d" % i for i in range(6)])
        for record in records:
            self.assertGreaterEqual(record["ApproximateArrivalTimestamp"], before)
            self.assertLessEqual(record["ApproximateArrivalTimestamp"], now_utc() + datetime.timedelta(seconds=5))
        self.assertTrue(response["NextShardIterator"])
        self.assertEqual(response["MillisBehindLatest"], 0)
        # Caught up: the next iterator returns nothing, still 0 behind.
        tail = self.kinesis.get_records(ShardIterator=response["NextShardIterator"])
        self.assertEqual(tail["Records"], [])
        self.assertEqual(tail["MillisBehindLatest"], 0)
        self.assertTrue(tail["NextShardIterator"])

    def test_empty_shard(self):
        name = self.new_stream()
        response = self.kinesis.get_records(ShardIterator=self.iterator(name, "TRIM_HORIZON"))
        self.assertEqual(response["Records"], [])
        self.assertEqual(response["MillisBehindLatest"], 0)
        self.assertTrue(response["NextShardIterator"])

    def test_at_and_after_sequence_number(self):
        name = self.new_stream()
        payloads = [b"r%d" % i for i in range(5)]
        seqs = self.put_batch(name, payloads)
        at = self.kinesis.get_records(ShardIterator=self.iterator(
            name, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]))["Records"]
        self.assertEqual([r["SequenceNumber"] for r in at], seqs[2:])
        self.assertEqual([r["Data"] for r in at], payloads[2:])
        after = self.kinesis.get_records(ShardIterator=self.iterator(
            name, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]))["Records"]
        self.assertEqual([r["SequenceNumber"] for r in after], seqs[3:])
        after_last = self.kinesis.get_records(ShardIterator=self.iterator(
            name, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[-1]))["Records"]
        self.assertEqual(after_last, [])

    def test_latest(self):
        name = self.new_stream()
        self.put_batch(name, [b"old-1", b"old-2"])
        latest = self.iterator(name, "LATEST")
        response = self.kinesis.get_records(ShardIterator=latest)
        self.assertEqual(response["Records"], [])
        self.assertEqual(response["MillisBehindLatest"], 0)
        next_iterator = response["NextShardIterator"]
        seqs = self.put_batch(name, [b"new-1", b"new-2"])
        for iterator in (latest, next_iterator):
            records = self.kinesis.get_records(ShardIterator=iterator)["Records"]
            self.assertEqual([r["Data"] for r in records], [b"new-1", b"new-2"])
            self.assertEqual([r["SequenceNumber"] for r in records], seqs)

    def test_at_timestamp(self):
        name = self.new_stream()
        self.put_batch(name, [b"early-1", b"early-2"])
        # Timestamps go out in whole seconds: keep more than a second each side of the cut.
        time.sleep(1.5)
        cut = now_utc()
        time.sleep(1.1)
        seqs = self.put_batch(name, [b"late-1", b"late-2"])
        records = self.kinesis.get_records(ShardIterator=self.iterator(name, "AT_TIMESTAMP", Timestamp=cut))["Records"]
        self.assertEqual([r["Data"] for r in records], [b"late-1", b"late-2"])
        self.assertEqual([r["SequenceNumber"] for r in records], seqs)
        # A timestamp before the first record reads from the trim horizon.
        old = now_utc() - datetime.timedelta(hours=1)
        records = self.kinesis.get_records(ShardIterator=self.iterator(name, "AT_TIMESTAMP", Timestamp=old))["Records"]
        self.assertEqual([r["Data"] for r in records], [b"early-1", b"early-2", b"late-1", b"late-2"])
        # Timestamps also work as epoch seconds with milliseconds.
        records = self.kinesis.get_records(ShardIterator=self.iterator(
            name, "AT_TIMESTAMP", Timestamp=cut.timestamp()))["Records"]
        self.assertEqual([r["Data"] for r in records], [b"late-1", b"late-2"])

    def test_limit_and_next_shard_iterator_paging(self):
        name = self.new_stream()
        payloads = [b"item-%02d" % i for i in range(10)]
        seqs = self.put_batch(name, payloads)
        iterator = self.iterator(name, "TRIM_HORIZON")
        pages = []
        for _ in range(6):
            response = self.kinesis.get_records(ShardIterator=iterator, Limit=3)
            self.assertIn("MillisBehindLatest", response)
            pages.append([r["SequenceNumber"] for r in response["Records"]])
            iterator = response["NextShardIterator"]
            self.assertTrue(iterator)
        self.assertEqual([len(p) for p in pages], [3, 3, 3, 1, 0, 0])
        self.assertEqual([s for p in pages for s in p], seqs)
        self.assertEqual(response["MillisBehindLatest"], 0)

    def test_iterator_can_be_reused(self):
        name = self.new_stream()
        seqs = self.put_batch(name, [b"a", b"b", b"c"])
        iterator = self.iterator(name, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[1])
        first = self.kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"]
        again = self.kinesis.get_records(ShardIterator=iterator)["Records"]
        self.assertEqual([r["Data"] for r in first], [b"b"])
        self.assertEqual([r["Data"] for r in again], [b"b", b"c"])

    def test_shards_are_separate(self):
        name = self.new_stream(2)
        zero = self.put_batch(name, [b"s0-a", b"s0-b"], shard=0)
        one = self.put_batch(name, [b"s1-a"], shard=1)
        self.assertEqual([r["SequenceNumber"] for r in self.read_shard(name, shard_id(0))], zero)
        self.assertEqual([r["SequenceNumber"] for r in self.read_shard(name, shard_id(1))], one)

    def test_get_shard_iterator_and_records_by_arn(self):
        name = self.new_stream()
        seqs = self.put_batch(name, [b"arn-read"])
        arn = stream_arn(name)
        iterator = self.kinesis.get_shard_iterator(StreamARN=arn, ShardId=shard_id(0),
                                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        response = self.kinesis.get_records(ShardIterator=iterator, StreamARN=arn)
        self.assertEqual([r["SequenceNumber"] for r in response["Records"]], seqs)

    def test_iterator_argument_errors(self):
        name = self.new_stream()
        seq = self.put_batch(name, [b"x"])[0]
        self.assertClientError(lambda: self.iterator(name, "AT_SEQUENCE_NUMBER"), "InvalidArgumentException",
                               ITERATOR_ARGS_MESSAGE % "AT_SEQUENCE_NUMBER and no StartingSequenceNumber")
        self.assertClientError(lambda: self.iterator(name, "AFTER_SEQUENCE_NUMBER"), "InvalidArgumentException",
                               ITERATOR_ARGS_MESSAGE % "AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber")
        self.assertClientError(lambda: self.iterator(name, "TRIM_HORIZON", StartingSequenceNumber=seq),
                               "InvalidArgumentException",
                               ITERATOR_ARGS_MESSAGE % "TRIM_HORIZON and also a StartingSequenceNumber")
        self.assertClientError(lambda: self.iterator(name, "LATEST", StartingSequenceNumber=seq),
                               "InvalidArgumentException",
                               ITERATOR_ARGS_MESSAGE % "LATEST and also a StartingSequenceNumber")
        self.assertClientError(lambda: self.iterator(name, "AT_TIMESTAMP"), "InvalidArgumentException",
                               "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                               "Current request has no timestamp parameter.")

    def test_iterator_type_not_in_enum(self):
        name = self.new_stream()
        self.assertClientError(
            lambda: self.iterator(name, "SOMEWHERE"), "ValidationException",
            "1 validation error detected: Value 'SOMEWHERE' at 'shardIteratorType' failed to satisfy "
            "constraint: Member must satisfy enum value set: " + SHARD_ITERATOR_TYPES)

    def test_unknown_shard(self):
        name = self.new_stream()
        self.assertClientError(lambda: self.iterator(name, "LATEST", shard=5), "ResourceNotFoundException",
                               shard_not_found(shard_id(5), name))

    def test_invalid_iterators(self):
        name = self.new_stream()
        self.assertClientError(lambda: self.kinesis.get_records(ShardIterator="not-an-iterator"),
                               "InvalidArgumentException", "Invalid ShardIterator.")
        good = self.iterator(name, "TRIM_HORIZON")
        middle = len(good) // 2
        tampered = good[:middle] + ("B" if good[middle] == "A" else "A") + good[middle + 1:]
        self.assertNotEqual(tampered, good)
        self.assertClientError(lambda: self.kinesis.get_records(ShardIterator=tampered),
                               "InvalidArgumentException")

    def test_get_records_limit_out_of_range(self):
        name = self.new_stream()
        iterator = self.iterator(name, "LATEST")
        self.assertClientError(lambda: self.kinesis.get_records(ShardIterator=iterator, Limit=10001),
                               ("ValidationException", "InvalidArgumentException"))

    def test_iterator_of_deleted_stream(self):
        name = self.new_stream()
        iterator = self.iterator(name, "TRIM_HORIZON")
        self.kinesis.delete_stream(StreamName=name)
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=name,
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertClientError(lambda: self.kinesis.get_records(ShardIterator=iterator),
                               "ResourceNotFoundException", shard_not_found(shard_id(0), name))


class WireTest(ServerTestCase):
    """Raw HTTP: the protocol errors every SDK relies on."""

    TARGET = "Kinesis_20131202."
    CONTENT_TYPE = "application/x-amz-json-1.1"

    def send(self, body, target="ListStreams", sign=True, content_type=CONTENT_TYPE):
        headers = {"Content-Type": content_type}
        if target is not None:
            headers["X-Amz-Target"] = self.TARGET + target if "." not in target else target
        data = body.encode() if isinstance(body, str) else body
        url = self.server.endpoint + "/"
        if sign:
            request = AWSRequest(method="POST", url=url, data=data, headers=headers)
            SigV4Auth(Credentials("test", "test"), "kinesis", REGION).add_auth(request)
            headers = dict(request.headers.items())
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), err.read()

    def header(self, headers, name):
        for key, value in headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def assertWireError(self, response, error_type, message=None, status=400):
        status_code, headers, body = response
        self.assertEqual(status_code, status, body)
        self.assertTrue(self.header(headers, "x-amzn-RequestId"), headers)
        self.assertEqual(self.header(headers, "Content-Type"), self.CONTENT_TYPE)
        parsed = json.loads(body)
        self.assertEqual(parsed["__type"], error_type, parsed)
        if message is not None:
            self.assertEqual(parsed.get("message"), message, parsed)
        return parsed

    def test_success_has_request_id(self):
        status, headers, body = self.send("{}")
        self.assertEqual(status, 200)
        self.assertTrue(self.header(headers, "x-amzn-RequestId"))
        self.assertEqual(self.header(headers, "Content-Type"), self.CONTENT_TYPE)
        self.assertIn("StreamNames", json.loads(body))

    def test_request_ids_are_unique(self):
        ids = {self.header(self.send("{}")[1], "x-amzn-RequestId") for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_missing_authorization(self):
        self.assertWireError(self.send("{}", sign=False), "MissingAuthenticationTokenException",
                             "Missing Authentication Token")

    def test_unknown_operation(self):
        self.assertWireError(self.send("{}", target="FrobnicateStream"), "UnknownOperationException")

    def test_missing_target(self):
        self.assertWireError(self.send("{}", target=None), "UnknownOperationException")

    def test_malformed_json(self):
        self.assertWireError(self.send("hello"), "SerializationException")
        self.assertWireError(self.send('{"StreamName": '), "SerializationException")

    def test_wrong_member_type(self):
        self.assertWireError(self.send(json.dumps({"StreamName": 23, "ShardCount": 1}), target="CreateStream"),
                             "SerializationException")

    def test_error_json_shape(self):
        name = unique_name("wire")
        parsed = self.assertWireError(self.send(json.dumps({"StreamName": name}), target="DescribeStream"),
                                      "ResourceNotFoundException", not_found(name))
        self.assertEqual(set(parsed), {"__type", "message"})

    def test_multiple_validation_errors(self):
        self.assertWireError(
            self.send(json.dumps({"StreamName": "", "ShardCount": 0}), target="CreateStream"),
            "ValidationException",
            "3 validation errors detected: "
            "Value '0' at 'shardCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1")

    def test_validation_messages(self):
        """Messages exactly as Kinesis words them, errors in Kinesis's order."""
        long_name = "a" * 129
        long_iterator = "a" * 513
        cases = [
            ("GetRecords", {"ShardIterator": "", "Limit": 0},
             "2 validation errors detected: "
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; "
             "Value '' at 'shardIterator' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1"),
            ("GetRecords", {"ShardIterator": long_iterator, "Limit": 100000},
             "2 validation errors detected: "
             "Value '100000' at 'limit' failed to satisfy constraint: "
             "Member must have value less than or equal to 10000; "
             "Value '%s' at 'shardIterator' failed to satisfy constraint: "
             "Member must have length less than or equal to 512" % long_iterator),
            ("PutRecords", {"StreamName": "", "Records": []},
             "3 validation errors detected: "
             "Value at 'records' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1; "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1"),
            ("PutRecords", {"StreamName": "", "Records": [{"PartitionKey": "", "Data": "", "ExplicitHashKey": ""}]},
             "4 validation errors detected: "
             "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1; "
             "Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1"),
            ("PutRecord", {"StreamName": "", "PartitionKey": "", "Data": "", "ExplicitHashKey": "",
                           "SequenceNumberForOrdering": ""},
             "5 validation errors detected: "
             "Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); "
             "Value '' at 'partitionKey' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1; "
             "Value '' at 'explicitHashKey' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1"),
            ("DescribeStream", {"StreamName": "", "Limit": 0, "ExclusiveStartShardId": ""},
             "5 validation errors detected: "
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; "
             "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1; "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value '' at 'streamName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1"),
            ("DescribeStream", {"StreamName": long_name, "Limit": 100000, "ExclusiveStartShardId": long_name},
             "3 validation errors detected: "
             "Value '100000' at 'limit' failed to satisfy constraint: "
             "Member must have value less than or equal to 10000; "
             "Value '%s' at 'exclusiveStartShardId' failed to satisfy constraint: "
             "Member must have length less than or equal to 128; "
             "Value '%s' at 'streamName' failed to satisfy constraint: "
             "Member must have length less than or equal to 128" % (long_name, long_name)),
            ("ListStreams", {"ExclusiveStartStreamName": "", "Limit": 0},
             "3 validation errors detected: "
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; "
             "Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1"),
        ]
        for target, body, message in cases:
            with self.subTest(target=target, body=str(body)[:80]):
                self.assertWireError(self.send(json.dumps(body), target=target), "ValidationException", message)

    def test_validation_messages_any_order(self):
        parsed = self.assertWireError(self.send(json.dumps(
            {"StreamName": "", "ShardIteratorType": "", "ShardId": "", "StartingSequenceNumber": ""}),
            target="GetShardIterator"), "ValidationException")
        prefix = "6 validation errors detected: "
        self.assertTrue(parsed["message"].startswith(prefix), parsed)
        expected = [
            "Value '' at 'shardId' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
            "Value '' at 'shardIteratorType' failed to satisfy constraint: "
            "Member must satisfy enum value set: " + SHARD_ITERATOR_TYPES,
            "Value '' at 'startingSequenceNumber' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ]
        self.assertEqual(sorted(parsed["message"][len(prefix):].split("; ")), sorted(expected))

    def test_blob_that_is_not_base64(self):
        name = unique_name("wire")
        status, headers, body = self.send(json.dumps({"StreamName": name, "PartitionKey": "a", "Data": "23456"}),
                                          target="PutRecord")
        self.assertEqual(status, 400)
        parsed = json.loads(body)
        self.assertEqual(parsed, {"__type": "SerializationException",
                                  "Message": "'23456' can not be converted to a Blob: "
                                             "Base64 encoded length is expected a multiple of 4 bytes but found: 5"})

    def test_base64_data_on_the_wire(self):
        name = self.create_stream(1)
        body = json.dumps({"StreamName": name, "PartitionKey": "w", "Data": b64(b"\x00\xffwire")})
        status, _, raw = self.send(body, target="PutRecord")
        self.assertEqual(status, 200, raw)
        put = json.loads(raw)
        iterator = self.kinesis.get_shard_iterator(StreamName=name, ShardId=put["ShardId"],
                                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        status, _, raw = self.send(json.dumps({"ShardIterator": iterator}), target="GetRecords")
        self.assertEqual(status, 200, raw)
        records = json.loads(raw)["Records"]
        self.assertEqual(records[0]["Data"], b64(b"\x00\xffwire"))
        self.assertEqual(records[0]["SequenceNumber"], put["SequenceNumber"])
        self.assertIsInstance(records[0]["ApproximateArrivalTimestamp"], (int, float))


if __name__ == "__main__":
    unittest.main()
