"""The kinesim command line: start-up line, flags, environment, signals, exit codes."""

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import unittest

from kinesim_process import KinesimServer, require_managed


def binary():
    return os.environ["KINESIM_BIN"]


def run(args, env=None, timeout=20):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KINESIM_")}
    full_env.update(env or {})
    return subprocess.run([binary()] + args, capture_output=True, text=True, env=full_env,
                          stdin=subprocess.DEVNULL, timeout=timeout)


class CommandLineTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_managed()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kinesim-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assertOneLineError(self, proc):
        self.assertEqual(proc.returncode, 2, "stdout: %r stderr: %r" % (proc.stdout, proc.stderr))
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, "expected one line on stderr, got %r" % proc.stderr)
        self.assertNotIn("listening on", proc.stdout)

    def test_listening_line_and_clean_sigterm(self):
        server = KinesimServer(db=":memory:").start()
        self.addCleanup(server.close)
        self.assertRegex(server.endpoint, r"^http://127\.0\.0\.1:[1-9]\d*$")
        client = server.client()
        self.assertEqual(client.list_streams()["StreamNames"], [])
        self.assertEqual(server.stop(signal.SIGTERM), 0)

    def test_clean_sigint(self):
        server = KinesimServer(db=os.path.join(self.tmp, "k.db")).start()
        self.addCleanup(server.close)
        server.client().create_stream(StreamName="s", ShardCount=1)
        self.assertEqual(server.stop(signal.SIGINT), 0)

    def test_help(self):
        proc = run(["--help"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for flag in ("--host", "--port", "--db"):
            self.assertIn(flag, proc.stdout + proc.stderr)

    def test_bad_flag(self):
        self.assertOneLineError(run(["--no-such-flag"]))

    def test_bad_port_value(self):
        self.assertOneLineError(run(["--port", "not-a-port", "--db", ":memory:"]))

    def test_port_in_use(self):
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        self.assertOneLineError(run(["--port", str(port), "--db", ":memory:"]))

    def test_unwritable_db_path(self):
        if os.geteuid() == 0:
            # root writes anywhere; a path under a regular file can never be created.
            blocker = os.path.join(self.tmp, "file")
            open(blocker, "w").close()
            path = os.path.join(blocker, "sub", "kinesim.db")
        else:
            locked = os.path.join(self.tmp, "locked")
            os.mkdir(locked)
            os.chmod(locked, stat.S_IRUSR | stat.S_IXUSR)
            path = os.path.join(locked, "kinesim.db")
        self.assertOneLineError(run(["--port", "0", "--db", path]))

    def test_environment_variables(self):
        db = os.path.join(self.tmp, "env.db")
        server = KinesimServer(db=db)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KINESIM_")}
        env.update({"KINESIM_HOST": "127.0.0.1", "KINESIM_PORT": "0", "KINESIM_DB": db})
        proc = subprocess.Popen([binary()], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env)
        try:
            line = proc.stdout.readline().decode().strip()
            match = re.match(r"^kinesim listening on http://127\.0\.0\.1:(\d+)$", line)
            self.assertTrue(match, "unexpected first line %r" % line)
            self.assertNotEqual(match.group(1), "4566", "KINESIM_PORT=0 must pick a free port")
            server.endpoint = "http://127.0.0.1:%s" % match.group(1)
            server.client().create_stream(StreamName="from-env", ShardCount=1)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(20)
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual(code, 0)
        self.assertTrue(os.path.exists(db), "KINESIM_DB was not used")
        # The stream went into that database.
        with KinesimServer(db=db) as again:
            self.assertIn("from-env", again.client().list_streams()["StreamNames"])

    def test_bad_delay_and_account_values(self):
        for args in (["--delays", "slow"], ["--create-delay-ms", "-1"], ["--update-delay-ms", "x"],
                     ["--account", "12345"], ["--account", "abcdefghijkl"]):
            with self.subTest(args=args):
                self.assertOneLineError(run(["--port", "0", "--db", ":memory:"] + args))

    def test_aws_like_delays_show_the_transitional_states(self):
        # CREATING and DELETING last half a second each with --delays aws-like, and the stream
        # waiters see them through.
        with KinesimServer(extra_args=["--delays", "aws-like"]) as server:
            kinesis = server.client()
            kinesis.create_stream(StreamName="slow", ShardCount=1)
            status = kinesis.describe_stream_summary(StreamName="slow")
            self.assertEqual(status["StreamDescriptionSummary"]["StreamStatus"], "CREATING")
            kinesis.get_waiter("stream_exists").wait(
                StreamName="slow", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
            kinesis.delete_stream(StreamName="slow")
            status = kinesis.describe_stream_summary(StreamName="slow")
            self.assertEqual(status["StreamDescriptionSummary"]["StreamStatus"], "DELETING")
            kinesis.get_waiter("stream_not_exists").wait(
                StreamName="slow", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})

    def test_account_flag_and_environment(self):
        for extra_args, env in ((["--account", "123412341234"], {}),
                                ([], {"KINESIM_ACCOUNT": "123412341234"})):
            with self.subTest(extra_args=extra_args, env=env):
                with KinesimServer(extra_args=extra_args, env=env) as server:
                    kinesis = server.client()
                    kinesis.create_stream(StreamName="mine", ShardCount=1)
                    arn = kinesis.describe_stream_summary(
                        StreamName="mine")["StreamDescriptionSummary"]["StreamARN"]
                    self.assertEqual(arn, "arn:aws:kinesis:us-east-1:123412341234:stream/mine")


if __name__ == "__main__":
    unittest.main()
