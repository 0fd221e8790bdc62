"""Per-shard throughput limits (kinesim --throughput-limits on) as boto3 sees them.

A shard takes 1 MiB (and 1,000 records) per second: a PutRecords carrying more gets the rest
back as per-record ProvisionedThroughputExceededException entries, and retrying just those
later stores them. (Exact per-second accounting is tested on a fake clock in
tests/unit/server_throughput_test.cc.)
"""
import time
import unittest

from kinesim_process import KinesimServer, ServerTestCase, require_managed, shard_id


class ThroughputLimitTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        require_managed("needs its own kinesim started with --throughput-limits on")
        unittest.TestCase.setUpClass()
        cls.server = KinesimServer(extra_args=["--throughput-limits", "on"]).start()
        cls.kinesis = cls.server.client()

    def wait_for_next_second(self):
        # The limits count whole seconds of the server's clock.
        time.sleep(1.05 - (time.time() % 1.0))

    def test_partial_failures_are_reported_per_record_and_can_be_retried(self):
        name = self.create_stream(shards=1)
        message = ("Rate exceeded for shard %s in stream %s under account 000000000000."
                   % (shard_id(0), name))
        # 400 records of 5,000 bytes (about 2 MB) cannot all fit in one second of one shard.
        entries = [{"Data": bytes([i % 256]) * 5000, "PartitionKey": "key-%d" % i}
                   for i in range(400)]
        self.wait_for_next_second()
        response = self.kinesis.put_records(StreamName=name, Records=entries)
        results = response["Records"]
        self.assertEqual(len(results), 400)
        failed = [i for i, r in enumerate(results) if "ErrorCode" in r]
        self.assertEqual(response["FailedRecordCount"], len(failed))
        self.assertGreaterEqual(len(failed), 400 - (1 << 20) // 5007)
        self.assertLess(len(failed), 400)
        for i in failed:
            self.assertEqual(results[i]["ErrorCode"], "ProvisionedThroughputExceededException")
            self.assertEqual(results[i]["ErrorMessage"], message)
            self.assertNotIn("SequenceNumber", results[i])
        stored = [r for r in results if "ErrorCode" not in r]
        for r in stored:
            self.assertEqual(r["ShardId"], shard_id(0))

        # Retrying only the refused records, a second later, stores them all.
        remaining = [entries[i] for i in failed]
        for _ in range(10):
            if not remaining:
                break
            self.wait_for_next_second()
            retry = self.kinesis.put_records(StreamName=name, Records=remaining)
            remaining = [remaining[i] for i, r in enumerate(retry["Records"]) if "ErrorCode" in r]
        self.assertEqual(remaining, [])
        records = self.read_shard(name, shard_id(0))
        self.assertEqual(sorted(r["PartitionKey"] for r in records),
                         sorted(e["PartitionKey"] for e in entries))


if __name__ == "__main__":
    unittest.main()
