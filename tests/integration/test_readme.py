"""Runs the README: every fenced block is run against a fresh kinesim, or says why not.

Each block in README.md is preceded by a marker line, `<!-- readme-test: KIND ... -->`:

  session      sh, run in order as one bash script (so variables carry over)
  python       run with python3
  node         run as an ES module with Node.js, beside tests/js's locked AWS SDK
  go           the body of a Go main() (with `ctx`, and `err` to check), built against Debian's
               AWS SDK for Go v2 and run; the record it puts must arrive
  flags        the usage block: names every flag `kinesim --help` prints
  credentials  a credentials file that `--auth verify --credentials` must accept
  config       a config file kinesim must start with (its init-streams are then checked)
  init-streams a `kinesim --init-streams ...` command; the streams it names must be there
  file PATH    must equal PATH in this repository (which other tests build and run)
  skip REASON  not run; the reason is printed

Before running, `localhost:4566` becomes the test server's port and `./data/` its database
directory, so the commands run exactly as a reader types them against `./run`. A block without
a marker fails the test, so nothing new in the README goes unrun by accident.
"""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

from kinesim_process import KinesimServer, client_env, require_managed

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(ROOT, "README.md")
_MARKER = re.compile(r"^<!-- readme-test: (\S+)\s*(.*?)\s*-->$")
_FENCE = re.compile(r"^```(\S*)$")


def readme_blocks(path=README):
    """[(line number, kind, argument, language, text)] for every fenced block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start = i
        marker = _MARKER.match(lines[i - 1]) if i > 0 else None
        i += 1
        body = []
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        i += 1
        kind, arg = (marker.group(1), marker.group(2)) if marker else (None, "")
        blocks.append((start + 1, kind, arg, fence.group(1), "\n".join(body) + "\n"))
    return blocks


class ReadmeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_managed()
        cls.blocks = readme_blocks()
        cls.dir = tempfile.mkdtemp(prefix="kinesim-readme-")
        cls.server = KinesimServer(db=os.path.join(cls.dir, "kinesim.db")).start()
        cls.port = cls.server.endpoint.rsplit(":", 1)[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.close()
        shutil.rmtree(cls.dir, True)

    def localize(self, text):
        return (text.replace("localhost:4566", "localhost:" + self.port)
                .replace("127.0.0.1:4566", "127.0.0.1:" + self.port)
                .replace("./data/", self.dir + "/"))

    def of_kind(self, kind):
        return [b for b in self.blocks if b[1] == kind]

    def run_checked(self, cmd, line, **kwargs):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env=kwargs.pop("env", client_env()), **kwargs)
        self.assertEqual(proc.returncode, 0, "README block at line %d failed:\nstdout: %s\n"
                         "stderr: %s" % (line, proc.stdout, proc.stderr))
        return proc.stdout

    def test_every_block_is_run_or_says_why_not(self):
        known = {"session", "python", "node", "go", "flags", "credentials", "config", "init-streams",
                 "file", "skip"}
        for line, kind, arg, _, _ in self.blocks:
            with self.subTest(line=line):
                self.assertIn(kind, known, "README block at line %d has no readme-test marker"
                              % line)
                if kind in ("skip", "file"):
                    self.assertTrue(arg, "line %d: a %s marker needs an argument" % (line, kind))
        for line, _, reason, _, _ in self.of_kind("skip"):
            print("README block at line %d not run: %s" % (line, reason))

    def test_shell_session(self):
        blocks = self.of_kind("session")
        self.assertGreaterEqual(len(blocks), 4)
        script = "set -euo pipefail\n" + "".join(
            "# README line %d\n%s" % (line, self.localize(text)) for line, _, _, _, text in blocks)
        out = self.run_checked(["bash", "-c", script], blocks[0][0], cwd=self.dir)
        # What the prose around the blocks promises.
        self.assertIn('{"orderId":"o-1","total":42}{"orderId":"o-2","total":7}', out)
        self.assertIn('{"status":"ok","storage":"ok"}', out)
        self.assertRegex(out, r'kinesim_requests_total\{operation="PutRecord"\} [1-9]')

    def test_python_snippets(self):
        blocks = self.of_kind("python")
        self.assertTrue(blocks)
        for line, _, _, _, text in blocks:
            with self.subTest(line=line):
                self.run_checked(["python3", "-c", self.localize(text)], line)

    def test_node_snippets(self):
        blocks = self.of_kind("node")
        if not blocks:
            return
        if not shutil.which("node") or not shutil.which("npm"):
            self.skipTest("node or npm is not installed")
        js_dir = os.path.join(ROOT, "tests", "js")
        # The same locked SDK the js.sdk test uses (CTest keeps the two from installing at once).
        self.run_checked(["bash", "-c", "source ./prepare_node.sh && prepare_node_project readme"],
                         0, cwd=js_dir, env=dict(client_env(),
                                                 KINESIM_BIN=os.environ["KINESIM_BIN"]))
        for line, _, _, _, text in blocks:
            with self.subTest(line=line):
                path = os.path.join(js_dir, ".readme-%d-%d.mjs" % (os.getpid(), line))
                with open(path, "w") as f:
                    f.write(self.localize(text))
                try:
                    self.run_checked(["node", path], line, cwd=js_dir)
                finally:
                    os.unlink(path)

    GO_PATH = "/usr/share/gocode"  # where Debian's Go library packages install their sources
    GO_SDK = GO_PATH + "/src/github.com/aws/aws-sdk-go-v2"
    GO_MAIN = """package main

import (
\t"context"
\t"fmt"
\t"os"

\t"github.com/aws/aws-sdk-go-v2/aws"
\t"github.com/aws/aws-sdk-go-v2/config"
\t"github.com/aws/aws-sdk-go-v2/credentials"
\t"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func main() {
\tctx := context.TODO()
%s
\tif err != nil {
\t\tfmt.Fprintln(os.Stderr, err)
\t\tos.Exit(1)
\t}
}
"""

    def records_of(self, client, stream):
        shard = client.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
        iterator = client.get_shard_iterator(StreamName=stream, ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return client.get_records(ShardIterator=iterator)["Records"]

    def test_go_snippets(self):
        blocks = self.of_kind("go")
        if not blocks:
            return
        if not shutil.which("go") or not os.path.isdir(self.GO_SDK + "/service/kinesis"):
            self.skipTest("Go or Debian's AWS SDK for Go v2 is not installed "
                          "(.ci/install-deps --test installs golang-go and "
                          "golang-github-aws-aws-sdk-go-v2-dev)")
        with open(self.GO_SDK + "/service/kinesis/api_client.go", encoding="utf-8") as f:
            has_base_endpoint = "BaseEndpoint" in f.read()
        client = self.server.client()
        env = dict(client_env(), GO111MODULE="off", GOPATH=self.GO_PATH, GOFLAGS="")
        for line, _, _, _, text in blocks:
            with self.subTest(line=line):
                body = self.localize(text)
                if not has_base_endpoint:
                    # Debian 12's SDK (1.17) predates Options.BaseEndpoint; its older spelling
                    # of the same override is the only change made to the block.
                    body, n = re.subn(r'o\.BaseEndpoint = aws\.String\(("[^"]*")\)',
                                      r"o.EndpointResolver = kinesis.EndpointResolverFromURL(\1)",
                                      body)
                    self.assertEqual(n, 1, "README line %d: no BaseEndpoint to adapt" % line)
                    print("README line %d: built with BaseEndpoint as EndpointResolverFromURL "
                          "(the installed SDK predates BaseEndpoint)" % line)
                # The stream the snippet writes to (its own, on this server).
                stream = re.search(r'StreamName: aws\.String\("([^"]+)"\)', body).group(1)
                client.create_stream(StreamName=stream, ShardCount=1)
                client.get_waiter("stream_exists").wait(StreamName=stream,
                                                        WaiterConfig={"Delay": 1})
                work = tempfile.mkdtemp(prefix="kinesim-go-", dir=self.dir)
                with open(os.path.join(work, "main.go"), "w") as f:
                    f.write(self.GO_MAIN % "\n".join("\t" + l for l in body.splitlines()))
                self.run_checked(["go", "build", "-o", "snippet", "main.go"], line, cwd=work,
                                 env=env)
                self.run_checked([os.path.join(work, "snippet")], line, cwd=work)
                self.assertEqual([(r["PartitionKey"], r["Data"])
                                  for r in self.records_of(client, stream)], [("u1", b"hello")])

    def test_flags_block_names_every_flag(self):
        blocks = self.of_kind("flags")
        self.assertEqual(len(blocks), 1)
        usage = subprocess.run([os.environ["KINESIM_BIN"], "--help"], capture_output=True,
                               text=True, timeout=30).stdout
        flags = sorted(set(re.findall(r"^\s+(--[a-z-]+)", usage, re.MULTILINE)))
        self.assertGreater(len(flags), 10)
        with open(README, encoding="utf-8") as f:
            readme = f.read()
        for flag in flags:
            with self.subTest(flag=flag):
                self.assertIn(flag, blocks[0][4])
                if flag != "--help":
                    self.assertRegex(readme, r"\| [^|\n]*`%s`" % re.escape(flag),
                                     "the flag table has no row for " + flag)

    def test_credentials_file_is_accepted(self):
        for line, _, _, _, text in self.of_kind("credentials"):
            path = os.path.join(self.dir, "credentials-%d" % line)
            with open(path, "w") as f:
                f.write(text)
            with KinesimServer(extra_args=("--auth", "verify", "--credentials", path)) as server:
                self.assertIn("credentials=" + path, server.stderr())

    def assert_streams(self, server, expected):
        """expected: {(region, name): (open shards, mode, [consumers])}"""
        for (region, name), (shards, mode, consumers) in expected.items():
            client = server.client(region=region)
            summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            self.assertEqual(summary["StreamStatus"], "ACTIVE")
            self.assertEqual(summary["OpenShardCount"], shards)
            self.assertEqual(summary["StreamModeDetails"]["StreamMode"], mode)
            listed = client.list_stream_consumers(StreamARN=summary["StreamARN"])["Consumers"]
            self.assertEqual(sorted(c["ConsumerName"] for c in listed), consumers)

    def test_config_file_starts_the_server(self):
        blocks = self.of_kind("config")
        self.assertEqual(len(blocks), 1)
        path = os.path.join(self.dir, "kinesim.toml")
        with open(path, "w") as f:
            f.write(blocks[0][4])
        with KinesimServer(extra_args=("--config", path)) as server:
            self.assert_streams(server, {
                ("us-east-1", "orders"): (4, "PROVISIONED", []),
                ("us-west-2", "payments"): (2, "PROVISIONED", []),
                ("us-east-1", "orders-fanout"): (2, "PROVISIONED", ["analytics", "billing"]),
            })
            self.assertIn('"msg":"configuration"', server.stderr())  # log-format = "json"

    def test_init_streams_command(self):
        blocks = self.of_kind("init-streams")
        self.assertEqual(len(blocks), 1)
        args = shlex.split(blocks[0][4])
        self.assertEqual(args[0], "kinesim")
        with KinesimServer(extra_args=args[1:]) as server:
            self.assert_streams(server, {
                ("us-east-1", "orders"): (4, "PROVISIONED", []),
                ("us-east-1", "user-events"): (4, "ON_DEMAND", []),
                ("us-west-2", "payments"): (2, "PROVISIONED", []),
                ("us-east-1", "orders-fanout"): (2, "PROVISIONED", ["analytics", "billing"]),
            })

    def test_files_match_the_repository(self):
        for line, _, path, _, text in self.of_kind("file"):
            with self.subTest(line=line, path=path):
                with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                    self.assertEqual(text, f.read(), "README line %d differs from %s"
                                     % (line, path))


if __name__ == "__main__":
    unittest.main()
