"""Start and stop the real kinesim binary for the integration tests.

The binary comes from the environment variable KINESIM_BIN (CTest sets it to
the built target). For working on the tests alone, KINESIM_ENDPOINT may name an
endpoint that is already running; the helper then starts nothing and the tests
that need to stop or kill the server skip themselves.

Everything that talks to the server uses fixed fake credentials, region
us-east-1 and no AWS config files, so nothing on the machine leaks in.
"""

import base64
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import boto3
import botocore.config

ACCOUNT_ID = "000000000000"
REGION = "us-east-1"
ACCESS_KEY = "test"
SECRET_KEY = "test"
HASH_SPACE = 2 ** 128
MAX_HASH_KEY = HASH_SPACE - 1

_LISTENING = re.compile(r"^kinesim listening on (http://(\S+):(\d+))$")

# No config or credentials file may influence a client in these tests.
_NULL_CONFIG = tempfile.NamedTemporaryFile(prefix="kinesim-aws-config-", suffix=".ini", delete=False)
_NULL_CONFIG.close()


def client_env(region=REGION):
    """Environment for an AWS CLI subprocess (and for boto3 in this process)."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("AWS_"):
            del env[key]
    env.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": _NULL_CONFIG.name,
        "AWS_SHARED_CREDENTIALS_FILE": _NULL_CONFIG.name,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    })
    return env


def _isolate_this_process():
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in client_env().items() if k.startswith("AWS_")})


_isolate_this_process()


def boto3_client(endpoint, region=REGION, **config):
    """A Kinesis client for endpoint that does not retry, so errors surface."""
    cfg = botocore.config.Config(
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=config.pop("read_timeout", 60),
        **config,
    )
    return boto3.session.Session().client(
        "kinesis",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=cfg,
    )


def unique_name(prefix="s"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def stream_arn(name, region=REGION):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (region, ACCOUNT_ID, name)


def hash_ranges(shard_count):
    """The hash key ranges AWS gives a new stream of shard_count shards."""
    step = HASH_SPACE // shard_count
    ranges = []
    for i in range(shard_count):
        start = i * step
        end = MAX_HASH_KEY if i == shard_count - 1 else (i + 1) * step - 1
        ranges.append((start, end))
    return ranges


def shard_id(index):
    return "shardId-%012d" % index


def b64(data):
    return base64.b64encode(data).decode("ascii")


def external_endpoint():
    return os.environ.get("KINESIM_ENDPOINT") or None


class ServerError(AssertionError):
    pass


class KinesimServer:
    """One kinesim process (or an already running endpoint).

    db: a file path, or ":memory:". A path stays in place across stop(),
    kill9() and start(), so a restart opens the same database.
    """

    START_TIMEOUT = 20.0
    STOP_TIMEOUT = 20.0

    def __init__(self, db=":memory:", extra_args=(), env=None):
        self.db = db
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.external = external_endpoint()
        self.proc = None
        self.endpoint = None
        self._stderr_file = None
        self._stdout_lines = []
        self._stdout_thread = None

    # -- lifecycle -------------------------------------------------------
    @property
    def managed(self):
        return self.external is None

    def start(self):
        if not self.managed:
            self.endpoint = self.external.rstrip("/")
            return self
        binary = os.environ.get("KINESIM_BIN")
        if not binary:
            raise ServerError("KINESIM_BIN is not set: point it at the kinesim executable "
                              "(or set KINESIM_ENDPOINT to use a running server)")
        if not os.access(binary, os.X_OK):
            raise ServerError("KINESIM_BIN=%s is not an executable file" % binary)
        if self.proc is not None and self.proc.poll() is None:
            raise ServerError("server already running")
        self.close()
        self._stderr_file = tempfile.TemporaryFile()
        env = dict(os.environ)
        for key in [k for k in env if k.startswith("KINESIM_")]:
            del env[key]
        env.update(self.extra_env)
        cmd = [binary, "--port", "0", "--db", self.db] + self.extra_args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr_file, env=env)
        self.endpoint = None
        first_line = self._read_first_line(self.START_TIMEOUT)
        match = _LISTENING.match(first_line or "")
        if not match:
            self._abort()
            raise ServerError("kinesim did not print its listening line; got %r; stderr: %s"
                              % (first_line, self.stderr()))
        self.endpoint = match.group(1)
        return self

    def _read_first_line(self, timeout):
        result = {}

        def reader(stream=self.proc.stdout):
            first = stream.readline()
            result["line"] = first.decode("utf-8", "replace").rstrip("\r\n") if first else None
            done.set()
            # Keep draining so the server never blocks on a full pipe.
            for line in iter(stream.readline, b""):
                self._stdout_lines.append(line.decode("utf-8", "replace"))

        done = threading.Event()
        self._stdout_thread = threading.Thread(target=reader, daemon=True)
        self._stdout_thread.start()
        if not done.wait(timeout):
            self._abort()
            raise ServerError("kinesim printed nothing within %.0f s; stderr: %s" % (timeout, self.stderr()))
        return result.get("line")

    def _abort(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self):
        """Release the captured stderr (the process must have ended)."""
        if self.proc is not None and self.proc.poll() is not None:
            self._join_stdout()
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        if self.proc is not None and self.proc.stdout is not None and self.proc.poll() is not None:
            self.proc.stdout.close()

    def stderr(self):
        if self._stderr_file is None:
            return ""
        self._stderr_file.seek(0)
        return self._stderr_file.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        """Stop with SIGTERM (or sig) and insist on a clean exit 0."""
        if not self.managed or self.proc is None:
            return 0
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            code = proc.wait(self.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            raise ServerError("kinesim did not exit within %.0f s of %s; stderr: %s"
                              % (self.STOP_TIMEOUT, signal.Signals(sig).name, self.stderr()))
        finally:
            self._join_stdout()
        if code != 0:
            raise ServerError("kinesim exited with %d after %s (expected 0); stderr: %s"
                              % (code, signal.Signals(sig).name, self.stderr()))
        return code

    def kill9(self):
        if not self.managed or self.proc is None:
            raise unittest.SkipTest("cannot kill an external endpoint")
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._join_stdout()

    def restart(self):
        """Start again on the same database (after stop() or kill9())."""
        return self.start()

    def _join_stdout(self):
        if self._stdout_thread is not None:
            self._stdout_thread.join(5)
            self._stdout_thread = None

    def client(self, region=REGION, **config):
        return boto3_client(self.endpoint, region=region, **config)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            if self.managed and self.proc is not None and self.proc.poll() is None:
                self.stop()
        finally:
            self.close()


def require_managed(reason="needs a kinesim process it can stop (KINESIM_ENDPOINT is set)"):
    if external_endpoint():
        raise unittest.SkipTest(reason)


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


class ServerTestCase(unittest.TestCase):
    """One server per test class (in-memory database) and shared helpers."""

    server = None
    kinesis = None
    db = ":memory:"
    # False: no class-wide server; each test starts (and restarts) its own.
    class_server = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.class_server:
            require_managed()  # each test starts and stops a kinesim of its own
        else:
            cls.server = KinesimServer(db=cls.db).start()
            cls.kinesis = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server is not None:
                cls.server.stop()
                cls.server.close()
        finally:
            super().tearDownClass()

    # -- the AWS CLI -----------------------------------------------------
    def aws(self, *args, expect_ok=True, env=None):
        """Runs `aws kinesis ARGS...` against the server: the parsed JSON output (None for an
        empty one) when it must succeed, else the finished process."""
        cmd = ["aws", "--endpoint-url=" + self.server.endpoint, "--output", "json", "kinesis"] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env or client_env(), timeout=120)
        if expect_ok:
            self.assertEqual(proc.returncode, 0, "%s\nstdout: %s\nstderr: %s" % (cmd, proc.stdout, proc.stderr))
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc

    def assertCliError(self, proc, operation, code, message):
        """The CLI failed with Kinesis' error `code` and exactly `message`."""
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertIn("An error occurred (%s) when calling the %s operation: %s" % (code, operation, message),
                      proc.stderr)

    # -- streams ---------------------------------------------------------
    def create_stream(self, shards=1, name=None, client=None, **kwargs):
        client = client or self.kinesis
        name = name or unique_name(self.__class__.__name__.lower()[:20])
        if "StreamModeDetails" in kwargs:
            response = client.create_stream(StreamName=name, **kwargs)
        else:
            response = client.create_stream(StreamName=name, ShardCount=shards, **kwargs)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        client.get_waiter("stream_exists").wait(StreamName=name,
                                                WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return name

    def read_shard(self, stream, shard, iterator_type="TRIM_HORIZON", client=None, limit=None,
                   max_calls=1000, **kwargs):
        """Every record from an iterator position to the tip of an open shard."""
        client = client or self.kinesis
        iterator = client.get_shard_iterator(StreamName=stream, ShardId=shard,
                                             ShardIteratorType=iterator_type, **kwargs)["ShardIterator"]
        records = []
        for _ in range(max_calls):
            args = {"ShardIterator": iterator}
            if limit:
                args["Limit"] = limit
            response = client.get_records(**args)
            records.extend(response["Records"])
            iterator = response.get("NextShardIterator")
            self.assertIsNotNone(iterator, "an open shard always returns NextShardIterator")
            if not response["Records"] and response.get("MillisBehindLatest", 0) == 0:
                return records
        self.fail("shard %s of %s did not reach its tip in %d GetRecords calls" % (shard, stream, max_calls))

    def read_stream(self, stream, client=None):
        client = client or self.kinesis
        shards = client.list_shards(StreamName=stream)["Shards"]
        return {s["ShardId"]: self.read_shard(stream, s["ShardId"], client=client) for s in shards}

    # -- errors ----------------------------------------------------------
    def assertClientError(self, call, code, message=None, message_regex=None, status=400):
        """call() must fail with AWS error code (and exactly message, when given)."""
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            call()
        error = ctx.exception.response["Error"]
        meta = ctx.exception.response["ResponseMetadata"]
        if isinstance(code, (tuple, list)):
            self.assertIn(error.get("Code"), code, ctx.exception.response)
        else:
            self.assertEqual(error.get("Code"), code, ctx.exception.response)
        self.assertEqual(meta["HTTPStatusCode"], status, ctx.exception.response)
        if message is not None:
            self.assertEqual(error.get("Message"), message)
        if message_regex is not None:
            self.assertRegex(error.get("Message") or "", message_regex)
        self.assertTrue(meta.get("HTTPHeaders", {}).get("x-amzn-requestid"),
                        "error response without x-amzn-RequestId")
        return error


def not_found(name):
    return "Stream %s under account %s not found." % (name, ACCOUNT_ID)


def shard_not_found(shard, name):
    return "Shard %s in stream %s under account %s does not exist" % (shard, name, ACCOUNT_ID)
