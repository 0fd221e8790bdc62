"""Start-up configuration of the real binary: a config file, KINESIM_INIT_STREAMS, the
effective settings it logs, and streams made before it serves, checked with the AWS CLI."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from kinesim_process import KinesimServer, client_env, require_managed

ACCOUNT = "111122223333"
INIT_STREAMS = "orders:4,user-events:ON_DEMAND,payments:2@us-west-2,orders-fanout:2/analytics/billing"


def run(args, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KINESIM_")}
    full_env.update(env or {})
    return subprocess.run([os.environ["KINESIM_BIN"], "--port", "0", "--db", ":memory:"] + args,
                          capture_output=True, text=True, env=full_env, stdin=subprocess.DEVNULL,
                          timeout=20)


class StartupConfigTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_managed()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kinesim-startup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        # The file's init-streams loses to the environment's; its account and limit count.
        self.config = os.path.join(self.tmp, "kinesim.toml")
        with open(self.config, "w") as f:
            f.write("# kinesim settings\n"
                    "account = \"%s\"\n"
                    "shard-limit = 40\n"
                    "init-streams = [\"from-file:1\"]\n" % ACCOUNT)
        self.server = None

    def start(self, init_streams):
        self.server = KinesimServer(db=os.path.join(self.tmp, "k.db"),
                                    extra_args=["--config", self.config],
                                    env={"KINESIM_INIT_STREAMS": init_streams})
        self.server.start()
        self.addCleanup(self.server.close)
        return self.server

    def aws(self, *args, region="us-east-1"):
        cmd = ["aws", "--endpoint-url=" + self.server.endpoint, "--output", "json",
               "kinesis"] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=client_env(region),
                              timeout=120)
        self.assertEqual(proc.returncode, 0, "%s\n%s" % (cmd, proc.stderr))
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    def summary(self, name, region="us-east-1"):
        return self.aws("describe-stream-summary", "--stream-name", name,
                        region=region)["StreamDescriptionSummary"]

    def assertStream(self, name, shards, mode, region="us-east-1"):
        s = self.summary(name, region)
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["OpenShardCount"], shards)
        self.assertEqual(s["StreamModeDetails"]["StreamMode"], mode)
        self.assertEqual(s["StreamARN"], "arn:aws:kinesis:%s:%s:stream/%s" % (region, ACCOUNT, name))
        return s

    def consumers(self, name):
        arn = "arn:aws:kinesis:us-east-1:%s:stream/%s" % (ACCOUNT, name)
        listed = self.aws("list-stream-consumers", "--stream-arn", arn)["Consumers"]
        self.assertTrue(all(c["ConsumerStatus"] == "ACTIVE" for c in listed), listed)
        return sorted(c["ConsumerName"] for c in listed)

    def test_init_streams_from_the_environment_with_a_config_file(self):
        self.start(INIT_STREAMS)
        self.assertStream("orders", 4, "PROVISIONED")
        self.assertStream("user-events", 4, "ON_DEMAND")
        self.assertStream("payments", 2, "PROVISIONED", region="us-west-2")
        self.assertStream("orders-fanout", 2, "PROVISIONED")
        self.assertEqual(self.consumers("orders-fanout"), ["analytics", "billing"])
        self.assertEqual(sorted(self.aws("list-streams")["StreamNames"]),
                         ["orders", "orders-fanout", "user-events"])
        self.assertEqual(self.aws("list-streams", region="us-west-2")["StreamNames"], ["payments"])
        # The effective configuration, once, with where it came from.
        effective = [m.group(1) for m in re.finditer(
            r' INFO server: configuration settings="(.*)"$', self.server.stderr(), re.MULTILINE)]
        self.assertEqual(len(effective), 1, self.server.stderr())
        self.assertTrue(effective[0].startswith("config=%s host=127.0.0.1 port=0 " % self.config),
                        effective[0])
        self.assertIn(" shard-limit=40 ", effective[0])
        self.assertIn(" account=%s " % ACCOUNT, effective[0])
        self.assertTrue(effective[0].endswith(
            " init-streams=orders:4@us-east-1,user-events:ON_DEMAND@us-east-1,payments:2@us-west-2,"
            "orders-fanout:2@us-east-1/analytics/billing"), effective[0])

        # A restart on the same database with other entries: existing streams stay as they are
        # (records included), a missing consumer is registered, a difference is reported.
        self.server.client().put_record(StreamName="orders", PartitionKey="k", Data=b"hello")
        self.assertEqual(self.server.stop(), 0)
        self.server.close()
        self.start("orders:2,orders-fanout:2/analytics/billing/audit,user-events:ON_DEMAND")
        self.assertStream("orders", 4, "PROVISIONED")
        self.assertStream("user-events", 4, "ON_DEMAND")
        self.assertStream("payments", 2, "PROVISIONED", region="us-west-2")
        self.assertEqual(self.consumers("orders-fanout"), ["analytics", "audit", "billing"])
        self.assertIn(" WARN init-streams: --init-streams: stream orders in us-east-1 exists as "
                      "PROVISIONED "
                      "with 4 open shards, not PROVISIONED with 2; it is left as it is\n",
                      self.server.stderr())
        # Records are read with boto3: it is much quicker than one AWS CLI process a call.
        kinesis = self.server.client()
        records = []
        for shard in kinesis.list_shards(StreamName="orders")["Shards"]:
            iterator = kinesis.get_shard_iterator(StreamName="orders", ShardId=shard["ShardId"],
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records += [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]
        self.assertEqual(records, [b"hello"])
        self.assertEqual(self.server.stop(), 0)

    def test_bad_settings_stop_the_start(self):
        cases = [
            (["--init-streams", "orders:0"], {},
             "--init-streams entry 'orders:0': the shard count must be 1..500 (the shard limit) "
             "or ON_DEMAND, not '0'"),
            ([], {"KINESIM_INIT_STREAMS": "ok,bad name"},
             "KINESIM_INIT_STREAMS: --init-streams entry 'bad name': the stream name 'bad name' "
             "must be 1 to 128 letters, digits, '_', '.' or '-'"),
            (["--config", self.config, "--init-streams", "a:20,b:21"], {},
             "--init-streams: stream b in us-east-1: 21 more shards would take the account's 20 "
             "open shards in us-east-1 over the --shard-limit of 40"),
        ]
        bad = os.path.join(self.tmp, "bad.toml")
        with open(bad, "w") as f:
            f.write("port = 0\nshard-limt = 3\n")
        cases.append((["--config", bad], {}, "%s: unknown key 'shard-limt' (keys are the flags' "
                                            "names; see --help)" % bad))
        cases.append(([], {"KINESIM_CONFIG": os.path.join(self.tmp, "missing.toml")},
                      "cannot read config file %s: No such file or directory"
                      % os.path.join(self.tmp, "missing.toml")))
        for args, env, message in cases:
            with self.subTest(args=args, env=env):
                proc = run(args, env)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                # Flag errors come before logging starts; start-up errors are log lines.
                self.assertRegex(proc.stderr,
                                 r"^(kinesim: |\S+ ERROR server: )%s\n$" % re.escape(message))
                self.assertNotIn("listening on", proc.stdout)

    def test_help_describes_the_sources(self):
        proc = run(["--help"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for text in ("--config FILE", "--init-streams LIST", "KINESIM_SHARD_LIMIT",
                     "A flag wins over the environment, the environment over the file, the file "
                     "over the default."):
            self.assertIn(text, proc.stdout)


if __name__ == "__main__":
    unittest.main()
