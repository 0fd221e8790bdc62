"""A database written by the schema-1 release opens after the upgrade with every record intact.

tests/fixtures/schema_v1.db was written by kinesim before schema 2 (three streams across two
accounts and regions, one stream deleted); schema_v1.expected.json lists every record it
acknowledged. The test copies the fixture, starts the current binary on the copy, and checks
that every record reads back with its data, partition key and the sequence number it was given,
that those numbers still position iterators, and that new records continue each shard's order.
"""

import base64
import json
import os
import shutil
import sqlite3
import tempfile
import unittest

import boto3
import botocore.config

from kinesim_process import KinesimServer

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")


class SchemaUpgrade(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kinesim-migration-")
        self.db = os.path.join(self.dir, "kinesim.db")
        shutil.copy(os.path.join(FIXTURES, "schema_v1.db"), self.db)
        with open(os.path.join(FIXTURES, "schema_v1.expected.json")) as f:
            self.expected = json.load(f)
        self.server = KinesimServer(db=self.db)
        if not self.server.managed:
            self.skipTest("needs to start its own server")
        self.server.start()

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, account, region):
        # A 12-digit access key is the account; any other key acts in 000000000000.
        key = account if account != "000000000000" else "test"
        return boto3.session.Session().client(
            "kinesis", endpoint_url=self.server.endpoint, region_name=region,
            aws_access_key_id=key, aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1}))

    def read_shard(self, client, stream, shard):
        it = client.get_shard_iterator(StreamName=stream, ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        out = []
        while it:
            page = client.get_records(ShardIterator=it, Limit=1000)
            out.extend(page["Records"])
            if not page["Records"] and page["MillisBehindLatest"] == 0:
                break
            it = page.get("NextShardIterator")
        return out

    def test_every_record_reads_back_unchanged(self):
        by_shard = {}
        for r in self.expected["records"]:
            by_shard.setdefault((r["account"], r["region"], r["stream"], r["shard"]), []).append(r)
        self.assertEqual(sum(len(v) for v in by_shard.values()), 94)
        for (account, region, stream, shard), want in by_shard.items():
            client = self.client(account, region)
            got = self.read_shard(client, stream, shard)
            want = sorted(want, key=lambda r: int(r["seq"]))
            self.assertEqual([r["SequenceNumber"] for r in got], [w["seq"] for w in want])
            self.assertEqual([r["PartitionKey"] for r in got], [w["pk"] for w in want])
            self.assertEqual([r["Data"] for r in got],
                             [base64.b64decode(w["data"]) for w in want])

    def test_streams_keep_their_shards_and_the_schema_is_version_2(self):
        client = self.client("000000000000", "us-east-1")
        self.assertEqual(sorted(client.list_streams()["StreamNames"]), ["empty", "events", "orders"])
        for name, want in self.expected["streams"].items():
            d = client.describe_stream(StreamName=name)["StreamDescription"]
            self.assertEqual([s["ShardId"] for s in d["Shards"]], want["shards"])
            self.assertEqual(d["StreamModeDetails"]["StreamMode"], want["mode"])
            self.assertAlmostEqual(d["StreamCreationTimestamp"].timestamp(), want["created"], 2)
        eu = self.client("123456789012", "eu-west-1")
        self.assertEqual(eu.list_streams()["StreamNames"], ["orders"])
        self.server.stop()
        db = sqlite3.connect(self.db)
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        db.close()
        self.assertEqual(version, 2)

    def test_old_sequence_numbers_position_iterators_and_new_records_follow(self):
        client = self.client("000000000000", "us-east-1")
        orders = [r for r in self.expected["records"]
                  if r["stream"] == "orders" and r["region"] == "us-east-1"]
        middle = sorted((r for r in orders if r["shard"] == orders[0]["shard"]),
                        key=lambda r: int(r["seq"]))[3]
        it = client.get_shard_iterator(StreamName="orders", ShardId=middle["shard"],
                                       ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       StartingSequenceNumber=middle["seq"])["ShardIterator"]
        first = client.get_records(ShardIterator=it, Limit=1)["Records"][0]
        self.assertEqual(first["SequenceNumber"], middle["seq"])
        newest = max((r for r in orders if r["shard"] == middle["shard"]),
                     key=lambda r: int(r["seq"]))
        put = client.put_record(StreamName="orders", PartitionKey=middle["pk"], Data=b"after")
        self.assertEqual(put["ShardId"], middle["shard"])
        self.assertGreater(int(put["SequenceNumber"]), int(newest["seq"]))


if __name__ == "__main__":
    unittest.main()
