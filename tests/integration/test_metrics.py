"""GET /metrics and GET /health of the real kinesim binary, after real traffic from boto3.

The counters are checked exactly: the test knows every record it put and read, every throttle
it caused (an injected one through the admin surface, and real ones with --throughput-limits)
and every error it provoked. Also checks the request log lines at --log-level debug.
"""

import json
import re
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from kinesim_process import KinesimServer, require_managed, unique_name

_SAMPLE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)\{(.*)\} (\S+)$')
_LABEL = re.compile(r'([a-z]+)="((?:[^"\\]|\\.)*)"')


def scrape(endpoint):
    """{(name, frozenset(labels)): value} and the families' TYPE lines."""
    with urllib.request.urlopen(endpoint + "/metrics", timeout=10) as response:
        content_type = response.headers["Content-Type"]
        text = response.read().decode()
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        match = _SAMPLE.match(line)
        assert match, "not a Prometheus sample: %r" % line
        labels = frozenset(_LABEL.findall(match.group(2)))
        samples[(match.group(1), labels)] = float(match.group(3))
    return content_type, samples, types


def labels(stream, **extra):
    out = {("account", "000000000000"), ("region", "us-east-1"), ("stream", stream)}
    out.update(extra.items())
    return frozenset(out)


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_managed()
        cls.server = KinesimServer(extra_args=("--admin", "--log-level", "debug",
                                               "--log-format", "json")).start()
        cls.client = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.close()

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server.endpoint + "/_kinesim/" + path, data=data,
                                         method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def wait_active(self, name):
        self.client.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})

    def test_health_reports_liveness_and_storage(self):
        with urllib.request.urlopen(self.server.endpoint + "/health", timeout=10) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(json.loads(response.read()), {"status": "ok", "storage": "ok"})

    def test_counters_follow_real_traffic(self):
        name = unique_name("metrics")
        self.client.create_stream(StreamName=name, ShardCount=2)
        self.wait_active(name)
        before_requests = scrape(self.server.endpoint)[1]

        # 1 + 3 records, with known sizes: data plus partition key.
        self.client.put_record(StreamName=name, Data=b"0123456789", PartitionKey="k1")
        self.client.put_records(StreamName=name, Records=[
            {"Data": b"abc", "PartitionKey": "k2"},
            {"Data": b"defgh", "PartitionKey": "k3"},
            {"Data": b"", "PartitionKey": "k4"},
        ])
        incoming_bytes = (10 + 2) + (3 + 2) + (5 + 2) + (0 + 2)
        read_records, read_bytes = 0, 0
        for shard in self.client.list_shards(StreamName=name)["Shards"]:
            iterator = self.client.get_shard_iterator(
                StreamName=name, ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = self.client.get_records(ShardIterator=iterator)["Records"]
            read_records += len(records)
            read_bytes += sum(len(r["Data"]) + len(r["PartitionKey"]) for r in records)
        self.assertEqual(read_records, 4)

        # Injected throttles on PutRecord and GetRecords; the client may retry a throttle, so
        # the rules count how often they fired.
        def throttled(operation, call):
            rule = self.admin("POST", "faults", {"kind": "throttle", "stream": name,
                                                 "operation": operation})["id"]
            with self.assertRaises(ClientError) as caught:
                call()
            self.assertEqual(caught.exception.response["Error"]["Code"],
                             "ProvisionedThroughputExceededException")
            fired = [f["fired"] for f in self.admin("GET", "faults")["faults"] if f["id"] == rule]
            self.admin("DELETE", "faults/%d" % rule)
            return fired[0]
        put_throttles = throttled("PutRecord", lambda: self.client.put_record(
            StreamName=name, Data=b"x", PartitionKey="k1"))
        shard0 = self.client.get_shard_iterator(
            StreamName=name, ShardId="shardId-000000000000",
            ShardIteratorType="LATEST")["ShardIterator"]
        get_throttles = throttled("GetRecords",
                                  lambda: self.client.get_records(ShardIterator=shard0))
        self.assertGreaterEqual(put_throttles, 1)
        # A client error, counted by operation and type.
        with self.assertRaises(ClientError):
            self.client.describe_stream_summary(StreamName=name + "-missing")

        content_type, samples, types = scrape(self.server.endpoint)
        self.assertEqual(content_type, "text/plain; version=0.0.4; charset=utf-8")
        s = labels(name)
        self.assertEqual(samples[("kinesis_IncomingRecords", s)], 4)
        self.assertEqual(samples[("kinesis_IncomingBytes", s)], incoming_bytes)
        self.assertEqual(samples[("kinesis_GetRecords_Records", s)], read_records)
        self.assertEqual(samples[("kinesis_GetRecords_Bytes", s)], read_bytes)
        self.assertEqual(samples[("kinesis_WriteProvisionedThroughputExceeded", s)],
                         put_throttles)
        self.assertEqual(samples[("kinesis_ReadProvisionedThroughputExceeded", s)],
                         get_throttles)
        self.assertEqual(samples[("kinesis_GetRecords_IteratorAgeMilliseconds", s)], 0)
        self.assertEqual(samples[("kinesis_PutRecord_Latency_count", s)], 1)
        self.assertEqual(samples[("kinesis_PutRecords_Latency_count", s)], 1)
        self.assertGreater(samples[("kinesis_PutRecord_Latency_sum", s)], 0)
        self.assertEqual(types["kinesis_IncomingRecords"], "counter")
        self.assertEqual(types["kinesis_GetRecords_IteratorAgeMilliseconds"], "gauge")
        self.assertEqual(types["kinesis_PutRecords_Latency"], "summary")

        def requests(op, source):
            return source.get(("kinesim_requests_total", frozenset({("operation", op)})), 0)
        self.assertEqual(requests("PutRecord", samples) - requests("PutRecord", before_requests),
                         1 + put_throttles)
        self.assertEqual(requests("PutRecords", samples) - requests("PutRecords", before_requests),
                         1)
        self.assertEqual(requests("GetRecords", samples) - requests("GetRecords", before_requests),
                         2 + get_throttles)
        self.assertGreaterEqual(samples[("kinesim_errors_total", frozenset(
            {("operation", "DescribeStreamSummary"), ("error", "ResourceNotFoundException")}))], 1)
        self.assertGreaterEqual(samples[("kinesim_errors_total", frozenset(
            {("operation", "PutRecord"),
             ("error", "ProvisionedThroughputExceededException")}))], put_throttles)
        # No shard-level series while enhanced monitoring is off.
        self.assertFalse([k for k in samples if k[0].startswith("kinesis_shard_")
                          and ("stream", name) in k[1]])

        # Deleted streams leave the exposition.
        self.client.delete_stream(StreamName=name)
        self.client.get_waiter("stream_not_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
        self.assertNotIn(("kinesis_IncomingRecords", s), scrape(self.server.endpoint)[1])

    def test_shard_metrics_follow_enhanced_monitoring(self):
        name = unique_name("shardmetrics")
        self.client.create_stream(StreamName=name, ShardCount=2)
        self.wait_active(name)
        self.client.enable_enhanced_monitoring(
            StreamName=name, ShardLevelMetrics=["IncomingRecords", "IncomingBytes"])
        # Hash key 0 lands in the first shard, the top of the range in the second.
        self.client.put_record(StreamName=name, Data=b"aaaa", PartitionKey="p",
                               ExplicitHashKey="0")
        self.client.put_records(StreamName=name, Records=[
            {"Data": b"bb", "PartitionKey": "p", "ExplicitHashKey": str(2 ** 128 - 1)},
            {"Data": b"c", "PartitionKey": "p", "ExplicitHashKey": "1"},
        ])
        samples = scrape(self.server.endpoint)[1]
        shard0 = labels(name, shard="shardId-000000000000")
        shard1 = labels(name, shard="shardId-000000000001")
        self.assertEqual(samples[("kinesis_shard_IncomingRecords", shard0)], 2)
        self.assertEqual(samples[("kinesis_shard_IncomingRecords", shard1)], 1)
        self.assertEqual(samples[("kinesis_shard_IncomingBytes", shard0)], (4 + 1) + (1 + 1))
        self.assertEqual(samples[("kinesis_shard_IncomingBytes", shard1)], 2 + 1)
        # Only the metrics the stream lists.
        self.assertNotIn(("kinesis_shard_OutgoingRecords", shard0), samples)

    def test_real_throttles_are_counted_per_record(self):
        # With Kinesis' rates a shard takes 1,000 records a second: 1,500 at once overflow it.
        with KinesimServer(extra_args=("--throughput-limits", "on")) as server:
            client = server.client()
            client.create_stream(StreamName="limited", ShardCount=1)
            client.get_waiter("stream_exists").wait(
                StreamName="limited", WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
            failed = stored = 0
            for _ in range(3):
                answer = client.put_records(StreamName="limited", Records=[
                    {"Data": b"x", "PartitionKey": "k%d" % i} for i in range(500)])
                failed += answer["FailedRecordCount"]
                stored += 500 - answer["FailedRecordCount"]
            self.assertGreater(failed, 0)
            samples = scrape(server.endpoint)[1]
            s = labels("limited")
            self.assertEqual(samples[("kinesis_WriteProvisionedThroughputExceeded", s)], failed)
            self.assertEqual(samples[("kinesis_IncomingRecords", s)], stored)

    def test_debug_logs_a_json_line_per_request(self):
        self.client.list_streams()
        lines = [json.loads(line) for line in self.server.stderr().splitlines()
                 if line.startswith("{")]
        requests = [l for l in lines if l.get("msg") == "request" and l.get("op") == "ListStreams"]
        self.assertTrue(requests, self.server.stderr()[-2000:])
        self.assertEqual(requests[-1]["level"], "debug")
        self.assertEqual(requests[-1]["status"], 200)
        self.assertEqual(requests[-1]["component"], "api")
        self.assertRegex(requests[-1]["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_non_get_on_own_pages_is_a_kinesis_refusal(self):
        request = urllib.request.Request(self.server.endpoint + "/metrics", data=b"", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        self.assertGreaterEqual(caught.exception.code, 400)


if __name__ == "__main__":
    unittest.main()
