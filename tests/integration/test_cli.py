"""The README workflow, verbatim, through the AWS CLI.

The CLI starts slowly (about half a second a call), so this file keeps to the
essentials: the everyday workflow and the shape of a CLI error.
"""

import base64
import re
import shutil
import subprocess
import unittest

from kinesim_process import (ACCOUNT_ID, ServerTestCase, client_env, shard_id, stream_arn, unique_name)


def cli_major_version():
    out = subprocess.run(["aws", "--version"], capture_output=True, text=True, env=client_env(), timeout=60)
    match = re.search(r"aws-cli/(\d+)\.", out.stdout + out.stderr)
    return int(match.group(1)) if match else None


@unittest.skipIf(shutil.which("aws") is None, "the AWS CLI (aws) is not installed")
class CliWorkflowTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli_major = cli_major_version()
        # The README's own names on a fresh server; unique ones on a shared endpoint.
        cls.ts = "test-stream" if cls.server.managed else unique_name("test-stream")
        cls.od = "od" if cls.server.managed else unique_name("od")

    def test_readme_workflow(self):
        self.assertIsNone(self.aws("create-stream", "--stream-name", self.ts, "--shard-count", "1"))
        self.assertIsNone(self.aws("create-stream", "--stream-name", self.od,
                                   "--stream-mode-details", "StreamMode=ON_DEMAND"))

        put = self.aws("put-record", "--stream-name", self.ts, "--partition-key", "u1",
                       "--data", "aGVsbG8=")
        self.assertEqual(put["ShardId"], shard_id(0))
        self.assertRegex(put["SequenceNumber"], r"^[1-9]\d*$")

        iterator = self.aws("get-shard-iterator", "--stream-name", self.ts, "--shard-id",
                            "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
        self.assertTrue(iterator)
        got = self.aws("get-records", "--shard-iterator", iterator)
        self.assertEqual(len(got["Records"]), 1)
        record = got["Records"][0]
        # CLI v1 sends a blob argument's text as raw bytes (it base64-encodes
        # it for the wire); CLI v2 by default takes the argument as base64.
        stored = b"aGVsbG8=" if self.cli_major == 1 else b"hello"
        self.assertEqual(record["Data"], base64.b64encode(stored).decode())
        self.assertEqual(record["PartitionKey"], "u1")
        self.assertEqual(record["SequenceNumber"], put["SequenceNumber"])
        self.assertIn("ApproximateArrivalTimestamp", record)
        self.assertEqual(got["MillisBehindLatest"], 0)
        self.assertTrue(got["NextShardIterator"])

        # boto3 reads the very bytes the CLI stored.
        boto_iterator = self.kinesis.get_shard_iterator(StreamName=self.ts, ShardId=shard_id(0),
                                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = self.kinesis.get_records(ShardIterator=boto_iterator)["Records"]
        self.assertEqual([r["Data"] for r in records], [stored])

        desc = self.aws("describe-stream", "--stream-name", self.ts)["StreamDescription"]
        self.assertEqual(desc["StreamName"], self.ts)
        self.assertEqual(desc["StreamARN"], stream_arn(self.ts))
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual([s["ShardId"] for s in desc["Shards"]], [shard_id(0)])
        self.assertEqual(desc["Shards"][0]["HashKeyRange"],
                         {"StartingHashKey": "0", "EndingHashKey": str(2 ** 128 - 1)})

        od_shards = self.aws("list-shards", "--stream-name", self.od)["Shards"]
        self.assertEqual([s["ShardId"] for s in od_shards], [shard_id(i) for i in range(4)])
        summary = self.aws("describe-stream-summary", "--stream-name", self.od)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(summary["OpenShardCount"], 4)

        listed = self.aws("list-streams")
        self.assertIn(self.ts, listed["StreamNames"])
        self.assertIn(self.od, listed["StreamNames"])
        self.assertEqual(len(listed["StreamNames"]), len(set(listed["StreamNames"])))

        self.assertIsNone(self.aws("delete-stream", "--stream-name", self.od))
        self.assertNotIn(self.od, self.aws("list-streams")["StreamNames"])

    def test_error_exit_code_and_message(self):
        proc = self.aws("describe-stream", "--stream-name", "no-such-stream", expect_ok=False)
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertEqual(proc.stdout.strip(), "")
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the DescribeStream "
                      "operation: Stream no-such-stream under account %s not found." % ACCOUNT_ID, proc.stderr)

        proc = self.aws("create-stream", "--stream-name", "a b", "--shard-count", "1", expect_ok=False)
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertIn("An error occurred (ValidationException) when calling the CreateStream operation: "
                      "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: "
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", proc.stderr)


if __name__ == "__main__":
    unittest.main()
