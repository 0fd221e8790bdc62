"""--auth and --credentials with real clients: boto3, the AWS CLI and botocore's signers.

With --auth verify, kinesim checks every SigV4 signature against the credentials file and each
access key acts in its own account, as in AWS. Error names, statuses and messages are Kinesis'.
"""

import json
import re
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

import boto3
import botocore.config
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from kinesim_process import KinesimServer, client_env, require_managed, unique_name

ALICE = ("AKIDALICEEXAMPLE", "alice/Secret+Key=0123456789", "111111111111")
BOB = ("AKIDBOBEXAMPLE", "bob-secret-key", "222222222222")
TARGET = "Kinesis_20131202."
JSON = "application/x-amz-json-1.1"
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")
UNRECOGNIZED = "The security token included in the request is invalid."


def write_credentials(directory):
    path = os.path.join(directory, "credentials")
    with open(path, "w") as f:
        f.write("# ACCESS_KEY_ID  SECRET_ACCESS_KEY  ACCOUNT_ID\n")
        for key, secret, account in (ALICE, BOB):
            f.write("%s %s %s\n" % (key, secret, account))
    return path


def client(endpoint, key, region="us-east-1"):
    return boto3.session.Session().client(
        "kinesis", endpoint_url=endpoint, region_name=region,
        aws_access_key_id=key[0], aws_secret_access_key=key[1],
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))


def post(url, headers, body):
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class VerifyTest(unittest.TestCase):
    """One server with --auth verify and two access keys in two accounts."""

    @classmethod
    def setUpClass(cls):
        require_managed("needs a kinesim started with --auth verify")
        cls.tmp = tempfile.mkdtemp(prefix="kinesim-auth-")
        cls.credentials = write_credentials(cls.tmp)
        cls.server = KinesimServer(extra_args=["--auth", "verify",
                                               "--credentials", cls.credentials]).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
            cls.server.close()
        finally:
            shutil.rmtree(cls.tmp, True)

    def assertError(self, call, code, message=None, prefix=None):
        with self.assertRaises(ClientError) as ctx:
            call()
        error = ctx.exception.response["Error"]
        self.assertEqual(error["Code"], code, ctx.exception.response)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(error["Message"], message)
        if prefix is not None:
            self.assertTrue(error["Message"].startswith(prefix), error["Message"])
        return error["Message"]

    # -- boto3 -------------------------------------------------------------------------------

    def test_boto3_with_the_right_keys(self):
        alice = client(self.server.endpoint, ALICE)
        name = unique_name("alice")
        alice.create_stream(StreamName=name, ShardCount=1)
        alice.get_waiter("stream_exists").wait(StreamName=name,
                                              WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        alice.put_record(StreamName=name, Data=b"hello", PartitionKey="k")
        summary = alice.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamARN"],
                         "arn:aws:kinesis:us-east-1:%s:stream/%s" % (ALICE[2], name))

    def test_boto3_with_a_wrong_secret(self):
        wrong = client(self.server.endpoint, (ALICE[0], "not-the-secret"))
        message = self.assertError(wrong.list_streams, "InvalidSignatureException", prefix=MISMATCH)
        self.assertIn("\n\nThe Canonical String for this request should have been\n'POST\n/\n\n",
                      message)
        self.assertIn("\nx-amz-target:Kinesis_20131202.ListStreams\n", message)
        self.assertIn("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n", message)
        self.assertTrue(message.endswith("'\n"), repr(message[-40:]))

    def test_boto3_with_an_unknown_key(self):
        stranger = client(self.server.endpoint, ("AKIDNOBODY", "whatever"))
        self.assertError(stranger.list_streams, "UnrecognizedClientException", UNRECOGNIZED)
        # A 12-digit key no longer names an account when signatures are verified.
        pretender = client(self.server.endpoint, (ALICE[2], "whatever"))
        self.assertError(pretender.list_streams, "UnrecognizedClientException", UNRECOGNIZED)

    def test_boto3_with_a_region_scope(self):
        bob = client(self.server.endpoint, BOB, region="eu-west-1")
        name = unique_name("bob")
        bob.create_stream(StreamName=name, ShardCount=1)
        arn = bob.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertEqual(arn, "arn:aws:kinesis:eu-west-1:%s:stream/%s" % (BOB[2], name))
        self.assertNotIn(name, client(self.server.endpoint, BOB).list_streams()["StreamNames"])

    def test_two_accounts_do_not_see_each_others_streams(self):
        alice = client(self.server.endpoint, ALICE)
        bob = client(self.server.endpoint, BOB)
        name = unique_name("shared")
        alice.create_stream(StreamName=name, ShardCount=1)
        self.assertIn(name, alice.list_streams()["StreamNames"])
        self.assertNotIn(name, bob.list_streams()["StreamNames"])
        self.assertError(lambda: bob.describe_stream_summary(StreamName=name),
                         "ResourceNotFoundException",
                         "Stream %s under account %s not found." % (name, BOB[2]))
        self.assertError(lambda: bob.put_record(StreamName=name, Data=b"x", PartitionKey="k"),
                         "ResourceNotFoundException",
                         "Stream %s under account %s not found." % (name, BOB[2]))
        # The same name is free in Bob's account.
        bob.create_stream(StreamName=name, ShardCount=2)
        self.assertEqual(
            alice.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"], 1)
        self.assertEqual(
            bob.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"], 2)

    # -- the AWS CLI -------------------------------------------------------------------------

    def cli(self, key, *args):
        env = client_env()
        env.update({"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]})
        cmd = ["aws", "--endpoint-url=" + self.server.endpoint, "--output", "json", "kinesis"]
        return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=120)

    def test_cli(self):
        name = unique_name("cli")
        proc = self.cli(BOB, "create-stream", "--stream-name", name, "--shard-count", "1")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = self.cli(BOB, "list-streams")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(name, json.loads(proc.stdout)["StreamNames"])

        proc = self.cli((BOB[0], "wrong"), "list-streams")
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertIn("An error occurred (InvalidSignatureException) when calling the ListStreams "
                      "operation: " + MISMATCH, proc.stderr)
        proc = self.cli(("AKIDNOBODY", "x"), "list-streams")
        self.assertIn(proc.returncode, (254, 255), proc.stderr)
        self.assertIn("An error occurred (UnrecognizedClientException) when calling the "
                      "ListStreams operation: " + UNRECOGNIZED, proc.stderr)

    # -- signed by hand ----------------------------------------------------------------------

    def test_header_signature_by_botocore(self):
        url = self.server.endpoint + "/"
        request = AWSRequest(method="POST", url=url, data=b"{}",
                             headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "ListStreams"})
        SigV4Auth(Credentials(*ALICE[:2]), "kinesis", "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
        status, body = post(url, headers, b"{}")
        self.assertEqual(status, 200, body)
        # The body is signed: another one is refused.
        status, body = post(url, headers, b'{"Limit":1}')
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")
        # So is the service the credential is scoped to.
        request = AWSRequest(method="POST", url=url, data=b"{}",
                             headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "ListStreams"})
        SigV4Auth(Credentials(*ALICE[:2]), "dynamodb", "us-east-1").add_auth(request)
        status, body = post(url, dict(request.headers.items()), b"{}")
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body), {
            "__type": "InvalidSignatureException",
            "message": "Credential should be scoped to correct service: 'kinesis'. "})

    def presigned(self, key, operation="ListStreams", expires=60):
        """A presigned URL from botocore's SigV4QueryAuth, signed over an unsigned payload (as a
        URL made before the body is known must be), and the headers it signed."""
        host = self.server.endpoint.split("://", 1)[1]
        request = AWSRequest(method="POST", url="https://%s/" % host, data=b"",
                             headers={"Content-Type": JSON, "X-Amz-Target": TARGET + operation})
        # Over https botocore may leave the payload unsigned; the scheme is not signed.
        request.context["payload_signing_enabled"] = False
        SigV4QueryAuth(Credentials(*key[:2]), "kinesis", "us-east-1", expires=expires).add_auth(request)
        url = "http://" + request.url.split("://", 1)[1]
        return url, dict(request.headers.items())

    def test_presigned_url(self):
        url, headers = self.presigned(BOB)
        self.assertIn("X-Amz-Signature=", url)
        status, body = post(url, headers, b"{}")
        self.assertEqual(status, 200, body)
        self.assertIn("StreamNames", json.loads(body))

        # Tampered: another operation, or another expiry, than the one signed.
        tampered = dict(headers)
        tampered["X-Amz-Target"] = TARGET + "DescribeLimits"
        status, body = post(url, tampered, b"{}")
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")
        self.assertTrue(json.loads(body)["message"].startswith(MISMATCH))
        status, body = post(url.replace("X-Amz-Expires=60", "X-Amz-Expires=600"), headers, b"{}")
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")

        # A presigned URL of an unknown key.
        url, headers = self.presigned(("AKIDNOBODY", "x"))
        status, body = post(url, headers, b"{}")
        self.assertEqual((status, json.loads(body)),
                         (400, {"__type": "UnrecognizedClientException", "message": UNRECOGNIZED}))

    def test_unsigned_request(self):
        status, body = post(self.server.endpoint + "/",
                            {"Content-Type": JSON, "X-Amz-Target": TARGET + "ListStreams"}, b"{}")
        self.assertEqual((status, json.loads(body)),
                         (400, {"__type": "MissingAuthenticationTokenException",
                                "message": "Missing Authentication Token"}))


class StartupTest(unittest.TestCase):
    """--auth and --credentials at start-up: bad values stop kinesim with one line, exit 2."""

    @classmethod
    def setUpClass(cls):
        require_managed()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kinesim-auth-start-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_kinesim(self, args, env=None):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("KINESIM_")}
        full_env.update(env or {})
        return subprocess.run([os.environ["KINESIM_BIN"], "--port", "0", "--db", ":memory:"] + args,
                              capture_output=True, text=True, env=full_env,
                              stdin=subprocess.DEVNULL, timeout=20)

    def assertRefused(self, proc, message):
        self.assertEqual(proc.returncode, 2, "stdout: %r stderr: %r" % (proc.stdout, proc.stderr))
        # Flag errors come before logging starts; start-up errors are log lines.
        self.assertRegex(proc.stderr, r"^(kinesim: |\S+ ERROR server: )%s\n$" % re.escape(message))
        self.assertNotIn("listening on", proc.stdout)

    def test_bad_values(self):
        self.assertRefused(self.run_kinesim(["--auth", "strict"]),
                           "--auth must be off, presence or verify, not 'strict'")
        self.assertRefused(self.run_kinesim(["--auth", "verify"]),
                           "--auth verify needs --credentials FILE (access keys to check "
                           "signatures against)")
        self.assertRefused(self.run_kinesim([], env={"KINESIM_AUTH": "verify"}),
                           "--auth verify needs --credentials FILE (access keys to check "
                           "signatures against)")
        missing = os.path.join(self.tmp, "missing")
        self.assertRefused(self.run_kinesim(["--auth", "verify", "--credentials", missing]),
                           "cannot read credentials file %s: No such file or directory" % missing)
        bad = os.path.join(self.tmp, "bad")
        with open(bad, "w") as f:
            f.write("# keys\nAKID1 secret 111111111111\nAKID2 secret 1234\n")
        self.assertRefused(self.run_kinesim(["--auth", "verify", "--credentials", bad]),
                           "%s:3: account id '1234' must be 12 digits" % bad)
        self.assertNotIn("secret", self.run_kinesim(["--credentials", bad]).stderr)

    def test_environment(self):
        credentials = write_credentials(self.tmp)
        env = {"KINESIM_AUTH": "verify", "KINESIM_CREDENTIALS": credentials}
        with KinesimServer(env=env) as server:
            self.assertIn("auth=verify", server.stderr())
            self.assertIn("credentials=" + credentials, server.stderr())
            self.assertEqual(client(server.endpoint, ALICE).list_streams()["StreamNames"], [])
            with self.assertRaises(ClientError) as ctx:
                client(server.endpoint, ("test", "test")).list_streams()
            self.assertEqual(ctx.exception.response["Error"]["Code"], "UnrecognizedClientException")

    def test_credentials_map_accounts_without_verify(self):
        # Under the default presence mode a listed key still acts in its account.
        credentials = write_credentials(self.tmp)
        with KinesimServer(extra_args=["--credentials", credentials]) as server:
            bob = client(server.endpoint, (BOB[0], "any secret"))
            bob.create_stream(StreamName="mapped", ShardCount=1)
            arn = bob.describe_stream_summary(StreamName="mapped")["StreamDescriptionSummary"]["StreamARN"]
            self.assertEqual(arn, "arn:aws:kinesis:us-east-1:%s:stream/mapped" % BOB[2])

    def test_auth_off(self):
        with KinesimServer(extra_args=["--auth", "off"]) as server:
            status, body = post(server.endpoint + "/",
                                {"Content-Type": JSON, "X-Amz-Target": TARGET + "ListStreams"}, b"{}")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body)["StreamNames"], [])


if __name__ == "__main__":
    unittest.main()
