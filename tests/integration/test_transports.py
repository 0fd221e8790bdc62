"""The transports of kinesim's one port, driven by curl, openssl, boto3 and raw sockets.

kinesim serves HTTP/1.1, HTTP/2 with prior knowledge (h2c) and TLS (ALPN h2 or http/1.1) on
the same port, with a self-signed certificate for localhost, 127.0.0.1 and ::1 made at start-up
unless --tls-cert/--tls-key name the user's own. Hostile transport input must never stop it from
serving other clients.
"""

import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import boto3
import botocore.config

from kinesim_process import (ACCESS_KEY, REGION, SECRET_KEY, KinesimServer, ServerTestCase,
                             b64, client_env, require_managed, shard_id)

CURL = shutil.which("curl")
OPENSSL = shutil.which("openssl")

# Kinesis insists that a request is signed but does not check the signature here.
AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, "
                 "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)
AMZ_DATE = "20250101T000000Z"
JSON_TYPE = "application/x-amz-json-1.1"
CBOR_TYPE = "application/x-amz-cbor-1.1"
LIST_STREAMS = "Kinesis_20131202.ListStreams"

_TLS_LINE = re.compile(r" INFO server: TLS on the same port endpoint=(https://\S+) "
                       r"certificate=(self-signed|given) pem=(\S+)$",
                       re.MULTILINE)


def tls_line(server):
    """(tls endpoint, generated?, certificate path) from the server's stderr."""
    match = _TLS_LINE.search(server.stderr())
    if not match:
        raise AssertionError("kinesim named no TLS certificate on stderr: %s" % server.stderr())
    return match.group(1), match.group(2) == "self-signed", match.group(3)


def cbor_text(text):
    """A CBOR text string of fewer than 256 bytes."""
    data = text.encode()
    return (bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])) + data


def split_response(raw):
    """(status line, lower-case headers, body bytes) of the final response in curl -i output."""
    while True:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].endswith(" 100 Continue") or not rest:
            break
        raw = rest
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0].strip(), headers, rest


def port_of(server):
    return int(server.endpoint.rsplit(":", 1)[1])


def served_certificate_der(port, host="127.0.0.1"):
    """The certificate the server presents, without verifying it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=10) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def pem_to_der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


# --- a hand-made HTTP/2 client, enough to misbehave on purpose --------------------------------

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
STREAM_CLOSED, CANCEL = 0x5, 0x8
SETTINGS_INITIAL_WINDOW_SIZE = 0x4


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", kind, flags, stream) + payload


def hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value):
    """A header as "literal without indexing, new name", no Huffman: the simplest HPACK."""
    name, value = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value


def request_headers(port, target=LIST_STREAMS, scheme="http"):
    fields = [(":method", "POST"), (":scheme", scheme), (":path", "/"),
              (":authority", "127.0.0.1:%d" % port), ("content-type", JSON_TYPE),
              ("x-amz-target", target), ("x-amz-date", AMZ_DATE), ("authorization", AUTHORIZATION)]
    return b"".join(hpack_literal(n, v) for n, v in fields)


class RawH2:
    """One HTTP/2 connection over a plain socket (or TLS trusting `cafile`, ALPN h2), reading
    frames as they come."""

    def __init__(self, port, timeout=10, cafile=None):
        self.port = port
        self.scheme = "https" if cafile else "http"
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if cafile:
            context = ssl.create_default_context(cafile=cafile)
            context.set_alpn_protocols(["h2"])
            self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
            assert self.sock.selected_alpn_protocol() == "h2"
        self.pending = b""
        self.settled = False

    def send(self, data):
        self.sock.sendall(data)

    def start(self, window=None):
        """The preface; `window` opens the client's receive windows that far."""
        if window is None:
            return self.send(H2_PREFACE + frame(SETTINGS, 0, 0))
        self.send(H2_PREFACE + frame(SETTINGS, 0, 0, struct.pack(">HI", SETTINGS_INITIAL_WINDOW_SIZE, window)) +
                  frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", window - 65535)))

    def settle(self):
        """Waits for the server's SETTINGS and acknowledges them."""
        while True:
            f = self.read_frame()
            if f is None:
                raise AssertionError("connection closed before the server's SETTINGS")
            if f[0] == SETTINGS and not f[1] & ACK:
                self.send(frame(SETTINGS, ACK, 0))
                self.settled = True
                return

    def request(self, stream, body=b"{}", end_stream=True, target=LIST_STREAMS):
        """HEADERS then (when body is not None) one DATA frame that ends the stream."""
        headers = request_headers(self.port, target, self.scheme)
        if body is None:
            return frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), stream, headers)
        return (frame(HEADERS, END_HEADERS, stream, headers) +
                frame(DATA, END_STREAM if end_stream else 0, stream, body))

    def read_frame(self):
        """(type, flags, stream, payload), or None once the server closed the connection."""
        while True:
            if len(self.pending) >= 9:
                length = int.from_bytes(self.pending[:3], "big")
                if len(self.pending) >= 9 + length:
                    kind, flags, stream = struct.unpack(">BBI", self.pending[3:9])
                    payload = self.pending[9:9 + length]
                    self.pending = self.pending[9 + length:]
                    return kind, flags, stream & 0x7FFFFFFF, payload
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.pending += chunk

    def response(self, stream):
        """The response on `stream`: (first byte of its header block, body). Acknowledges the
        server's SETTINGS on the way; fails on GOAWAY, RST_STREAM of it, or a closed connection."""
        block, body = None, b""
        while True:
            f = self.read_frame()
            if f is None:
                raise AssertionError("connection closed before stream %d was answered" % stream)
            kind, flags, sid, payload = f
            if kind == SETTINGS and not flags & ACK and not self.settled:
                self.send(frame(SETTINGS, ACK, 0))
                self.settled = True
            elif kind == GOAWAY:
                raise AssertionError("GOAWAY before stream %d was answered: %r" % (stream, payload))
            elif kind == RST_STREAM and sid == stream:
                raise AssertionError("stream %d was reset: %r" % (stream, payload))
            elif kind == HEADERS and sid == stream:
                block = payload
            elif kind == DATA and sid == stream:
                body += payload
            if sid == stream and kind in (HEADERS, DATA) and flags & END_STREAM:
                return block, body

    def frames_for(self, limit):
        """(frames, closed): every frame until the server closes the connection, or until `limit`
        seconds have passed (closed is then False)."""
        deadline = time.monotonic() + limit
        frames = []
        while True:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                f = self.read_frame()
            except socket.timeout:
                return frames, False
            if f is None:
                return frames, True
            frames.append(f)

    def close(self):
        self.sock.close()


# :status 200 is entry 8 of HPACK's static table, which an encoder sends as the one byte 0x88.
STATUS_200_INDEXED = 0x88


class TransportTestCase(ServerTestCase):
    """A server on an in-memory database, with curl."""

    @classmethod
    def setUpClass(cls):
        if CURL is None:
            raise unittest.SkipTest("curl is not installed")
        super().setUpClass()
        require_managed("reads the server's certificate from its stderr")
        cls.port = port_of(cls.server)
        cls.tls_endpoint, cls.cert_generated, cls.cert_path = tls_line(cls.server)

    def curl(self, *args, url=None, target=LIST_STREAMS, body="{}", check=True):
        """curl -i (plus args) POSTing a Kinesis call: (status line, lower-case headers, body)."""
        url = url or self.server.endpoint + "/"
        cmd = [CURL, "-sS", "-i", "--max-time", "20", "-X", "POST", "-H", "Content-Type: " + JSON_TYPE,
               "-H", "X-Amz-Target: " + target, "-H", "X-Amz-Date: " + AMZ_DATE,
               "-H", "Authorization: " + AUTHORIZATION, "--data-binary", body] + list(args) + [url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if not check:
            return proc
        self.assertEqual(proc.returncode, 0, "%s\nstdout: %s\nstderr: %s" % (cmd, proc.stdout, proc.stderr))
        head, _, payload = proc.stdout.replace("\r\n", "\n").partition("\n\n")
        lines = head.split("\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return lines[0].strip(), headers, payload

    def assertListStreamsAnswer(self, status_line, headers, body, protocol):
        self.assertEqual(status_line, protocol + (" 200 OK" if protocol == "HTTP/1.1" else " 200"))
        self.assertRegex(headers.get("x-amzn-requestid", ""), r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
        self.assertRegex(headers.get("x-amz-id-2", ""), r"^[A-Za-z0-9+/]+=*$")
        self.assertEqual(headers.get("content-type"), JSON_TYPE)
        self.assertEqual(int(headers.get("content-length")), len(body.encode()))
        parsed = json.loads(body)
        self.assertIsInstance(parsed["StreamNames"], list)
        self.assertIs(parsed["HasMoreStreams"], False)

    def assertServing(self):
        """A normal request on a new connection is answered."""
        self.assertListStreamsAnswer(*self.curl("--http2-prior-knowledge"), "HTTP/2")


class CurlTransportTest(TransportTestCase):

    def test_http1_1(self):
        self.assertListStreamsAnswer(*self.curl("--http1.1"), "HTTP/1.1")

    def test_h2c_prior_knowledge(self):
        self.assertListStreamsAnswer(*self.curl("--http2-prior-knowledge"), "HTTP/2")

    def test_h2c_error_is_aws_shaped(self):
        status, headers, body = self.curl("--http2-prior-knowledge", target="Kinesis_20131202.DescribeStream",
                                          body='{"StreamName":"nope"}')
        self.assertEqual(status, "HTTP/2 400")
        self.assertTrue(headers.get("x-amzn-requestid"))
        self.assertTrue(headers.get("x-amz-id-2"))
        self.assertEqual(json.loads(body), {
            "__type": "ResourceNotFoundException",
            "message": "Stream nope under account 000000000000 not found."})

    def test_an_oversized_body_is_refused_in_the_requests_format_on_both_protocols(self):
        # One byte over the 16 MiB kinesim reads: 413 SerializationException, in CBOR for a CBOR
        # request and in JSON for a JSON one, the same over HTTP/1.1 and h2c. (Kinesis spells
        # this exception's message member "Message".)
        message = "Request body is larger than the 16 MiB kinesim accepts."
        expected = {
            JSON_TYPE: json.dumps({"__type": "SerializationException", "Message": message},
                                  separators=(",", ":")).encode(),
            CBOR_TYPE: (b"\xbf" + cbor_text("__type") + cbor_text("SerializationException")
                        + cbor_text("Message") + cbor_text(message) + b"\xff"),
        }
        with tempfile.NamedTemporaryFile() as body:
            body.write(b"\x00" * (16 * 1024 * 1024 + 1))
            body.flush()
            for protocol, flag in (("HTTP/1.1", "--http1.1"), ("HTTP/2", "--http2-prior-knowledge")):
                for content_type, answer in expected.items():
                    with self.subTest(protocol=protocol, content_type=content_type):
                        cmd = [CURL, "-sS", "-i", "--max-time", "60", "-X", "POST",
                               "-H", "Content-Type: " + content_type,
                               "-H", "X-Amz-Target: Kinesis_20131202.PutRecord",
                               "-H", "X-Amz-Date: " + AMZ_DATE, "-H", "Authorization: " + AUTHORIZATION,
                               "--data-binary", "@" + body.name, flag, self.server.endpoint + "/"]
                        out = subprocess.run(cmd, capture_output=True, timeout=120).stdout
                        status, headers, payload = split_response(out)
                        self.assertEqual(status, protocol + (" 413 Payload Too Large"
                                                             if protocol == "HTTP/1.1" else " 413"))
                        self.assertEqual(headers.get("content-type"), content_type)
                        self.assertTrue(headers.get("x-amzn-requestid"))
                        self.assertEqual(payload, answer)
        self.assertServing()

    def test_tls_alpn_h2_to_localhost(self):
        url = "https://localhost:%d/" % self.port
        self.assertListStreamsAnswer(*self.curl("--http2", "--cacert", self.cert_path, url=url), "HTTP/2")

    def test_tls_http1_1_to_localhost(self):
        url = "https://localhost:%d/" % self.port
        self.assertListStreamsAnswer(*self.curl("--http1.1", "--cacert", self.cert_path, url=url), "HTTP/1.1")

    def test_tls_endpoint_line(self):
        self.assertEqual(self.tls_endpoint, "https://127.0.0.1:%d" % self.port)
        self.assertTrue(self.cert_generated)

    def test_generated_certificate_verifies_for_127_0_0_1_and_localhost(self):
        for host in ("127.0.0.1", "localhost"):
            url = "https://%s:%d/" % (host, self.port)
            for protocol, flag in (("HTTP/2", "--http2"), ("HTTP/1.1", "--http1.1")):
                with self.subTest(host=host, protocol=protocol):
                    self.assertListStreamsAnswer(*self.curl(flag, "--cacert", self.cert_path, url=url), protocol)

    def test_generated_certificate_names_the_loopback_addresses(self):
        if OPENSSL is None:
            self.skipTest("openssl is not installed")
        text = subprocess.run([OPENSSL, "x509", "-noout", "-text", "-in", self.cert_path],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", text)
        self.assertIn("CA:TRUE", text)
        self.assertEqual(pem_to_der(self.cert_path), served_certificate_der(self.port))

    def test_untrusted_certificate_is_refused(self):
        proc = self.curl("--http2", url=self.tls_endpoint + "/", check=False)
        self.assertEqual(proc.returncode, 60, proc.stderr)  # CURLE_PEER_FAILED_VERIFICATION
        self.assertIn("self-signed certificate", proc.stderr)

    def test_a_name_outside_the_certificate_is_refused(self):
        # The certificate is for the loopback names only; any other name must fail verification.
        url = "https://kinesim.invalid:%d/" % self.port
        proc = self.curl("--http2", "--cacert", self.cert_path, "--resolve",
                         "kinesim.invalid:%d:127.0.0.1" % self.port, url=url, check=False)
        self.assertEqual(proc.returncode, 60, proc.stderr)


class Boto3OverTlsTest(TransportTestCase):
    """botocore speaks HTTP/1.1; over TLS it verifies the server against verify=PATH."""

    def client(self, endpoint, verify):
        return boto3.session.Session().client(
            "kinesis", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, verify=verify,
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))

    def test_put_and_get_over_https(self):
        kinesis = self.client(self.tls_endpoint, self.cert_path)
        name = self.create_stream(client=kinesis)
        put = kinesis.put_record(StreamName=name, PartitionKey="k", Data=bytes(range(256)))
        self.assertEqual(put["ShardId"], shard_id(0))
        records = self.read_shard(name, shard_id(0), client=kinesis)
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in records],
                         [(put["SequenceNumber"], bytes(range(256)))])

    def test_localhost_over_https(self):
        kinesis = self.client("https://localhost:%d" % self.port, self.cert_path)
        self.assertEqual(kinesis.list_streams()["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_unverified_certificate_is_refused(self):
        from botocore.exceptions import SSLError
        kinesis = self.client(self.tls_endpoint, True)
        with self.assertRaises(SSLError):
            kinesis.list_streams()


class CliOverTlsTest(TransportTestCase):
    """The AWS CLI trusts the certificate through --ca-bundle or AWS_CA_BUNDLE."""

    def cli(self, *args, env=None):
        cmd = ["aws", "--output", "json"] + list(args) + ["kinesis", "list-streams"]
        return subprocess.run(cmd, capture_output=True, text=True, env=env or client_env(), timeout=120)

    def test_ca_bundle_flag(self):
        proc = self.cli("--endpoint-url", "https://localhost:%d" % self.port, "--ca-bundle", self.cert_path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("StreamNames", json.loads(proc.stdout))

    def test_ca_bundle_environment(self):
        env = dict(client_env(), AWS_CA_BUNDLE=self.cert_path)
        proc = self.cli("--endpoint-url", self.tls_endpoint, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_without_the_bundle_verification_fails(self):
        proc = self.cli("--endpoint-url", self.tls_endpoint)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("CERTIFICATE_VERIFY_FAILED", proc.stderr)


class HostileTransportTest(TransportTestCase):
    """Bad bytes end their own connection (or stream) only; the server keeps serving."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.addCleanup(sock.close)
        return sock

    def read_until_closed(self, sock, limit=10.0):
        sock.settimeout(limit)
        received = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return received
                received += chunk
        except ConnectionResetError:
            return received  # closed with our bytes unread
        except socket.timeout:
            self.fail("the server kept a bad connection open for %.0f s; got %r" % (limit, received[:200]))

    def h2(self, window=None):
        conn = RawH2(self.port)
        self.addCleanup(conn.close)
        conn.start(window)
        return conn

    def test_garbage_bytes(self):
        sock = self.connect()
        sock.sendall(bytes(range(256)) * 4 + b"\r\n\r\n")
        received = self.read_until_closed(sock)
        self.assertTrue(received == b"" or received.startswith(b"HTTP/1.1 400"), received[:200])
        self.assertServing()

    def test_truncated_h2_preface_then_close(self):
        sock = self.connect()
        sock.sendall(H2_PREFACE[:10])
        sock.close()
        sock = self.connect()
        sock.sendall(H2_PREFACE[:20])
        self.assertServing()  # while that one waits for the rest
        sock.shutdown(socket.SHUT_WR)
        self.assertEqual(self.read_until_closed(sock), b"")
        self.assertServing()

    def test_preface_then_garbage_frames(self):
        conn = self.h2()
        conn.send(b"\xff" * 64)
        frames, closed = conn.frames_for(10.0)
        self.assertTrue(closed, "the server closes the connection after GOAWAY")
        goaways = [f for f in frames if f[0] == GOAWAY]
        self.assertEqual(len(goaways), 1, frames)
        error_code = struct.unpack(">I", goaways[0][3][4:8])[0]
        self.assertNotEqual(error_code, 0, "a connection error is not NO_ERROR")
        self.assertServing()

    def test_oversized_frame(self):
        conn = self.h2()
        # A DATA frame longer than SETTINGS_MAX_FRAME_SIZE (16384) on a stream never opened.
        conn.send(frame(DATA, 0, 1, b"x" * 20000))
        frames, closed = conn.frames_for(10.0)
        self.assertTrue(closed, "the server closes the connection after GOAWAY")
        goaways = [f for f in frames if f[0] == GOAWAY]
        self.assertEqual(len(goaways), 1, frames)
        self.assertServing()

    def test_tls_client_hello_then_silence(self):
        # A real ClientHello, then nothing: the handshake waits while other clients are served.
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
        with self.assertRaises(ssl.SSLWantReadError):
            tls.do_handshake()
        hello = outgoing.read()
        self.assertEqual(hello[0], 0x16)
        silent = [self.connect() for _ in range(8)]
        for sock in silent:
            sock.sendall(hello)
        # A ClientHello cut short, too.
        partial = self.connect()
        partial.sendall(hello[:20])
        self.assertServing()
        url = "https://localhost:%d/" % self.port
        self.assertListStreamsAnswer(*self.curl("--http2", "--cacert", self.cert_path, url=url), "HTTP/2")
        # The server did answer each ClientHello (its ServerHello starts with a handshake record).
        silent[0].settimeout(10)
        self.assertEqual(silent[0].recv(1), b"\x16")

    def test_tls_garbage_after_handshake_record_byte(self):
        sock = self.connect()
        sock.sendall(b"\x16" + b"\x00" * 200)
        self.read_until_closed(sock)
        self.assertServing()

    def test_rst_stream_right_after_headers(self):
        conn = self.h2()
        conn.send(conn.request(1, body=None, end_stream=False) + frame(RST_STREAM, 0, 1, struct.pack(">I", CANCEL)))
        # The connection still serves a new stream.
        conn.send(conn.request(3))
        block, body = conn.response(3)
        self.assertEqual(block[0], STATUS_200_INDEXED)
        self.assertIn("StreamNames", json.loads(body))
        self.assertServing()

    def test_rst_stream_after_a_complete_request(self):
        # The answer is being made when the client gives up on it.
        conn = self.h2()
        batch = b"".join(conn.request(s) + frame(RST_STREAM, 0, s, struct.pack(">I", CANCEL))
                         for s in range(1, 40, 2))
        conn.send(batch + conn.request(41))
        block, body = conn.response(41)
        self.assertEqual(block[0], STATUS_200_INDEXED)
        self.assertIn("StreamNames", json.loads(body))
        self.assertServing()

    def test_stream_left_open_does_not_block_others(self):
        # Stream 1 sends its headers and part of a body, then nothing more (open, never
        # half-closed); stream 3 on the same connection is still answered.
        conn = self.h2()
        conn.send(conn.request(1, body=b'{"Limit"', end_stream=False))
        conn.send(conn.request(3))
        block, body = conn.response(3)
        self.assertEqual(block[0], STATUS_200_INDEXED)
        self.assertIn("StreamNames", json.loads(body))

    def test_data_after_end_stream(self):
        # DATA on a stream the client already half-closed is an error of type STREAM_CLOSED: of
        # the stream while it is half-closed, of the connection once the answer closed it.
        conn = self.h2()
        conn.send(conn.request(1) + frame(DATA, END_STREAM, 1, b"more"))
        frames, _ = conn.frames_for(3.0)
        errors = [(kind, struct.unpack(">I", payload[4:8] if kind == GOAWAY else payload[:4])[0])
                  for kind, _, sid, payload in frames
                  if kind == GOAWAY or (kind == RST_STREAM and sid == 1)]
        self.assertIn(errors[:1], ([(GOAWAY, STREAM_CLOSED)], [(RST_STREAM, STREAM_CLOSED)]), frames)
        self.assertServing()

    def test_half_closed_tcp_after_h2_requests(self):
        # The client sends whole requests (CreateStream answers once the store's writer has
        # committed), starts one more, and shuts its sending side, as HTTP/1.1 clients may: every
        # whole request is answered, then the server closes.
        conn = self.h2(window=1 << 30)  # room for every answer: no WINDOW_UPDATE can follow
        conn.settle()
        names = ["halfclosed-%d-%d" % (time.monotonic_ns(), i) for i in range(10)]
        creates = b"".join(
            conn.request(2 * i + 1, target="Kinesis_20131202.CreateStream",
                         body=json.dumps({"StreamName": name, "ShardCount": 1}).encode())
            for i, name in enumerate(names))
        conn.send(creates + conn.request(21) + conn.request(23, body=b'{"Lim', end_stream=False))
        conn.sock.shutdown(socket.SHUT_WR)
        frames, closed = conn.frames_for(10.0)
        self.assertTrue(closed, "the server closes once it has answered")
        ends = {sid for kind, flags, sid, _ in frames if kind in (HEADERS, DATA) and flags & END_STREAM}
        self.assertEqual(ends, set(range(1, 22, 2)), [f[:3] for f in frames])
        heads = {sid: payload for kind, _, sid, payload in frames if kind == HEADERS}
        self.assertTrue(all(heads[sid][0] == STATUS_200_INDEXED for sid in ends), heads)
        listed = self.kinesis.list_streams()["StreamNames"]
        self.assertTrue(set(names) <= set(listed))
        self.assertServing()

    def test_goaway_while_the_answer_is_sent_over_tls(self):
        # A client that says GOAWAY during a long answer (as node:http2 does on its one-request
        # sessions) still gets all of it: the last frames are written before the server closes.
        name = self.create_stream()
        data = bytes(range(256)) * 400  # 100 KiB: more than the client's first stream window
        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=data)
        iterator = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id(0),
                                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(5):
            conn = RawH2(self.port, cafile=self.cert_path)
            conn.start()
            conn.settle()
            conn.send(conn.request(1, target="Kinesis_20131202.GetRecords",
                                   body=json.dumps({"ShardIterator": iterator}).encode()))
            # Read up to the end of the first window (65,535 bytes), then GOAWAY and open the
            # windows in one go, so the rest of the answer leaves at once.
            body = b""
            while len(body) < 65535:
                kind, flags, sid, payload = conn.read_frame()
                if kind == DATA and sid == 1:
                    body += payload
                    self.assertFalse(flags & END_STREAM, "the answer fits no first window")
            window = struct.pack(">I", 1 << 30)
            conn.send(frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)) +
                      frame(WINDOW_UPDATE, 0, 1, window) + frame(WINDOW_UPDATE, 0, 0, window))
            frames, closed = conn.frames_for(10.0)
            conn.close()
            body += b"".join(payload for kind, _, sid, payload in frames if kind == DATA and sid == 1)
            self.assertTrue(any(kind == DATA and flags & END_STREAM for kind, flags, _, _ in frames))
            self.assertEqual(json.loads(body)["Records"][0]["Data"], b64(data))

    def test_half_closed_tcp_after_http1_request(self):
        sock = self.connect()
        body = b"{}"
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + JSON_TYPE.encode() +
                     b"\r\nX-Amz-Target: " + LIST_STREAMS.encode() + b"\r\nX-Amz-Date: " + AMZ_DATE.encode() +
                     b"\r\nAuthorization: " + AUTHORIZATION.encode() +
                     b"\r\nContent-Length: 2\r\n\r\n" + body)
        sock.shutdown(socket.SHUT_WR)
        received = self.read_until_closed(sock)
        self.assertTrue(received.startswith(b"HTTP/1.1 200 OK\r\n"), received[:200])
        self.assertIn(b'"StreamNames"', received)

    def test_many_abandoned_connections(self):
        # Connections that say nothing, or half a preface, while 50 requests are served.
        idle = [self.connect() for _ in range(30)]
        for i, sock in enumerate(idle):
            if i % 3 == 1:
                sock.sendall(H2_PREFACE[:7])
            elif i % 3 == 2:
                sock.sendall(H2_PREFACE + frame(SETTINGS, 0, 0))
        errors = []

        def call():
            try:
                self.assertServing()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=call) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])


class CertificateFilesTest(unittest.TestCase):
    """Where the certificate lives: beside the database, in a temporary directory, or the user's."""

    def setUp(self):
        require_managed("starts its own servers")
        if CURL is None:
            self.skipTest("curl is not installed")
        self.dir = tempfile.mkdtemp(prefix="kinesim-tls-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def start(self, db=":memory:", args=()):
        server = KinesimServer(db=db, extra_args=args).start()

        def stop():
            if server.proc is not None and server.proc.poll() is None:
                server.stop()
            server.close()

        self.addCleanup(stop)
        return server

    def curl_ok(self, *args):
        proc = subprocess.run([CURL, "-sS", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                               "--max-time", "20", "-X", "POST", "-H", "Content-Type: " + JSON_TYPE,
                               "-H", "X-Amz-Target: " + LIST_STREAMS, "-H", "X-Amz-Date: " + AMZ_DATE,
                               "-H", "Authorization: " + AUTHORIZATION, "--data-binary", "{}"] + list(args),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_restart_on_the_same_database_reuses_the_certificate(self):
        db = os.path.join(self.dir, "data", "kinesim.db")
        server = self.start(db)
        _, generated, cert = tls_line(server)
        self.assertTrue(generated)
        self.assertEqual(cert, os.path.join(self.dir, "data", "kinesim-cert.pem"))
        with open(cert, "rb") as f:
            first = f.read()
        key = os.path.join(self.dir, "data", "kinesim-key.pem")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600, "the private key is its owner's only")
        server.stop()
        server.close()
        server = self.start(db)
        self.assertEqual(tls_line(server)[2], cert)
        with open(cert, "rb") as f:
            self.assertEqual(f.read(), first)
        port = port_of(server)
        self.assertEqual(served_certificate_der(port), ssl.PEM_cert_to_DER_cert(first.decode()))
        self.assertEqual(self.curl_ok("--http2", "--cacert", cert, "https://localhost:%d/" % port), "2 200")

    def test_in_memory_certificate_is_temporary(self):
        server = self.start()
        _, generated, cert = tls_line(server)
        self.assertTrue(generated)
        self.assertTrue(os.path.isfile(cert))
        self.assertTrue(os.path.basename(os.path.dirname(cert)).startswith("kinesim-tls-"))
        server.stop()
        self.assertFalse(os.path.exists(cert), "the temporary certificate is removed at exit")
        self.assertFalse(os.path.exists(os.path.dirname(cert)))

    def make_user_pair(self):
        if OPENSSL is None:
            self.skipTest("openssl is not installed")
        cert = os.path.join(self.dir, "user-cert.pem")
        key = os.path.join(self.dir, "user-key.pem")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/O=kinesim test/CN=user-cert",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
        return cert, key

    def test_user_certificate_is_served(self):
        cert, key = self.make_user_pair()
        server = self.start(args=["--tls-cert", cert, "--tls-key", key])
        endpoint, generated, named = tls_line(server)
        self.assertFalse(generated)
        self.assertEqual(named, cert)
        port = port_of(server)
        self.assertEqual(served_certificate_der(port), pem_to_der(cert))
        verbose = subprocess.run([CURL, "-sS", "-v", "-k", "--http2", "-o", "/dev/null", endpoint + "/"],
                                 capture_output=True, text=True, timeout=60)
        self.assertIn("subject: O=kinesim test; CN=user-cert", verbose.stderr)
        self.assertIn("ALPN: server accepted h2", verbose.stderr)
        self.assertEqual(self.curl_ok("-k", "--http2", endpoint + "/"), "2 200")
        self.assertEqual(self.curl_ok("--http2", "--cacert", cert, endpoint + "/"), "2 200")
        # Nothing was generated beside it.
        self.assertEqual(sorted(os.listdir(self.dir)), ["user-cert.pem", "user-key.pem"])

    def test_bad_tls_flags_exit_2(self):
        binary = os.environ["KINESIM_BIN"]
        cert, key = self.make_user_pair()
        cases = [
            (["--tls-cert", cert], "ERROR server: --tls-cert and --tls-key go together"),
            (["--tls-key", key], "ERROR server: --tls-cert and --tls-key go together"),
            (["--tls-cert", os.path.join(self.dir, "missing.pem"), "--tls-key", key],
             "ERROR server: cannot use TLS certificate " + os.path.join(self.dir, "missing.pem")),
            (["--tls-cert", cert, "--tls-key", cert], "ERROR server: cannot use TLS key " + cert),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                proc = subprocess.run([binary, "--port", "0", "--db", ":memory:"] + args,
                                      capture_output=True, text=True, timeout=30)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertRegex(proc.stderr, r"^\S+ " + re.escape(message))


if __name__ == "__main__":
    unittest.main()
