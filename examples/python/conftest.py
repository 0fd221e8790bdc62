"""A pytest fixture for testing code that uses Kinesis against kinesim.

One kinesim process serves the whole session (``kinesim --port 0 --db :memory: --admin``); its
endpoint is read from the line it prints. Before each test the admin surface resets all state,
so every test starts with no streams, no faults and the system clock.

Set KINESIM_BIN to the kinesim executable (CTest does).
"""
import json
import os
import subprocess
import urllib.request

import boto3
import pytest
from botocore.config import Config


class Kinesim:
    """The running server: its endpoint and its admin controls."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + "/_kinesim/" + path, data=data, method=method)
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read() or b"{}")

    def reset(self):
        self.admin("POST", "reset", {})

    def freeze_clock(self, now_ms=None):
        body = {"mode": "manual"}
        if now_ms is not None:
            body["now_ms"] = now_ms
        return self.admin("POST", "clock", body)["now_ms"]

    def advance_clock(self, ms):
        return self.admin("POST", "clock/advance", {"ms": ms})["now_ms"]

    def add_fault(self, **rule):
        return self.admin("POST", "faults", rule)["id"]

    def faults(self):
        return self.admin("GET", "faults")["faults"]

    def client(self):
        # Retries off, so a test sees each injected fault itself.
        return boto3.client(
            "kinesis",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )


@pytest.fixture(scope="session")
def kinesim_server():
    binary = os.environ.get("KINESIM_BIN", "kinesim")
    proc = subprocess.Popen(
        [binary, "--port", "0", "--db", ":memory:", "--admin"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()  # "kinesim listening on http://127.0.0.1:PORT"
    if "listening on " not in line:
        proc.kill()
        raise RuntimeError("kinesim did not start: " + line)
    yield Kinesim(line.rsplit(" ", 1)[1].strip())
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def kinesim(kinesim_server):
    kinesim_server.reset()
    yield kinesim_server
