"""When the database cannot be written, kinesim says so clearly and writes nothing partial.

- A full disk (a small tmpfs): writes fail with InternalFailure (HTTP 500), a
  PutRecords batch is stored whole or not at all, reads go on, the failure is
  logged, and writes work again once space is freed.
- A read-only database (a read-only mount; a file mode 0444 for a user that is
  not root), a corrupt or truncated file, and a file another process holds
  locked: start-up exits with status 2 and a message naming the file.
- A lock taken while kinesim runs: a write fails with InternalFailure after the
  busy timeout instead of hanging, reads go on, and writes resume once the lock
  is gone.

Mounting needs root (or a sandbox that allows it); without it the tests that
need a mount skip and say why.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

import boto3
import botocore.config
from botocore.exceptions import ClientError

from kinesim_process import (ACCESS_KEY, REGION, SECRET_KEY, KinesimServer, ServerTestCase,
                             shard_id, unique_name)

START_FAILS_WITHIN = 30  # seconds; the busy timeout (5 s) is the longest wait at start-up


def run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)


class Mount:
    """A small file system of its own at a temporary directory: tmpfs, else an ext2 image on a
    loop device. `reason` says why neither could be mounted."""

    def __init__(self, size_kib):
        self.dir = tempfile.mkdtemp(prefix="kinesim-mount-")
        self.image = None
        self.mounted = False
        self.reason = None
        tmpfs = run("mount", "-t", "tmpfs", "-o", "size=%dk,mode=0755" % size_kib, "tmpfs", self.dir)
        if tmpfs.returncode == 0:
            self.mounted = True
            return
        self.image = self.dir + ".img"
        loop = None
        try:
            with open(self.image, "wb") as f:
                f.truncate(size_kib * 1024)
            mkfs = run("mkfs.ext2", "-q", "-F", "-m", "0", self.image)
            if mkfs.returncode == 0:
                loop = run("mount", "-o", "loop", self.image, self.dir)
        except (OSError, subprocess.SubprocessError) as exc:
            loop = None
            self.reason = "tmpfs: %s; loop: %r" % (tmpfs.stderr.strip(), exc)
        if loop is not None and loop.returncode == 0:
            self.mounted = True
            return
        if self.reason is None:
            self.reason = "tmpfs: %s; loop: %s" % (
                tmpfs.stderr.strip(), (loop.stderr.strip() if loop else mkfs.stderr.strip()))
        self.cleanup()

    def remount_read_only(self):
        result = run("mount", "-o", "remount,ro", self.dir)
        return result.returncode == 0, result.stderr.strip()

    def cleanup(self):
        if self.mounted:
            run("umount", "-l", self.dir)
            self.mounted = False
        shutil.rmtree(self.dir, True)
        if self.image and os.path.exists(self.image):
            os.remove(self.image)


def mount_or_skip(test, size_kib):
    mount = Mount(size_kib)
    if not mount.mounted:
        raise unittest.SkipTest("cannot mount a small file system here (%s)" % mount.reason)
    test.addCleanup(mount.cleanup)
    return mount


def start_fails(db, user=None, timeout=START_FAILS_WITHIN):
    """Starts kinesim on `db` and expects it to exit by itself: (exit status, stderr, seconds)."""
    binary = os.environ["KINESIM_BIN"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINESIM_")}
    preexec = None
    if user is not None:
        def preexec():
            os.setgid(user)
            os.setuid(user)
    began = time.monotonic()
    proc = subprocess.Popen([binary, "--port", "0", "--db", db], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=preexec)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("kinesim did not exit within %d s on %s; stdout: %r stderr: %r"
                             % (timeout, db, out, err))
    return proc.returncode, err.decode("utf-8", "replace"), time.monotonic() - began


class StorageFailureBase(ServerTestCase):
    """No class-wide server: each test starts its own on a database of its own."""

    class_server = False

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kinesim-storage-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.server = None

    def start_server(self, db):
        self.server = KinesimServer(db=db).start()
        self.addCleanup(self._stop_quietly, self.server)
        self.kinesis = self.server.client(read_timeout=60)
        return self.server

    @staticmethod
    def _stop_quietly(server):
        proc = server.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        server._join_stdout()
        server.close()

    def make_database(self, db, records=0):
        """A kinesim database at `db` holding one stream (and `records` records), cleanly
        stopped. Returns the stream's name."""
        server = KinesimServer(db=db).start()
        try:
            client = server.client()
            name = unique_name("made")
            client.create_stream(StreamName=name, ShardCount=2)
            client.get_waiter("stream_exists").wait(StreamName=name,
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 30})
            for start in range(0, records, 500):
                client.put_records(StreamName=name, Records=[
                    {"PartitionKey": "k%d" % i, "Data": os.urandom(200)}
                    for i in range(start, min(records, start + 500))])
            server.stop()
        finally:
            self._stop_quietly(server)
        return name

    def assertStartFails(self, db, message, user=None):
        code, err, _ = start_fails(db, user=user)
        self.assertEqual(code, 2, err)
        self.assertIn(" ERROR server: " + message, err)
        return err


class FullDiskTest(StorageFailureBase):

    DISK_KIB = 3 * 1024
    SPARE_KIB = 768  # a file taking room that the test frees later
    RECORD_BYTES = 2000
    BATCH = 40

    def batch(self, number):
        return [{"PartitionKey": "b%d-%d" % (number, i),
                 "Data": (b"b%d-%d-" % (number, i)).ljust(self.RECORD_BYTES, b"x")}
                for i in range(self.BATCH)]

    def stored_keys(self, name):
        keys = set()
        for shard in self.kinesis.list_shards(StreamName=name)["Shards"]:
            for record in self.read_shard(name, shard["ShardId"]):
                self.assertTrue(record["Data"].startswith(record["PartitionKey"].encode() + b"-"))
                keys.add(record["PartitionKey"])
        return keys

    def test_a_full_disk_fails_writes_whole_and_recovers(self):
        mount = mount_or_skip(self, self.DISK_KIB)
        spare = os.path.join(mount.dir, "spare")
        with open(spare, "wb") as f:
            f.write(b"\0" * self.SPARE_KIB * 1024)
        self.start_server(os.path.join(mount.dir, "kinesim.db"))
        name = self.create_stream(2)

        acknowledged, failed = [], []
        failure = None
        for number in range(500):
            try:
                response = self.kinesis.put_records(StreamName=name, Records=self.batch(number))
            except ClientError as exc:
                failure = exc.response
                failed.append(number)
                break
            self.assertEqual(response["FailedRecordCount"], 0)
            acknowledged.append(number)
        self.assertIsNotNone(failure, "a %d KiB disk never filled up" % self.DISK_KIB)
        self.assertGreater(len(acknowledged), 5)

        # InternalFailure, as Kinesis reports an internal error: HTTP 500 and a request id.
        self.assertEqual(failure["Error"]["Code"], "InternalFailure", failure)
        self.assertEqual(failure["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.assertTrue(failure["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"))
        self.assertIn("database or disk is full", failure["Error"]["Message"])

        # While the disk stays full, further writes fail the same way (a single large record,
        # and a batch), and nothing of them is stored.
        self.assertClientError(lambda: self.kinesis.put_record(
            StreamName=name, PartitionKey="big", Data=b"x" * 900 * 1024),
            "InternalFailure", status=500)
        for number in range(500, 503):
            try:
                self.kinesis.put_records(StreamName=name, Records=self.batch(number))
                acknowledged.append(number)
            except ClientError as exc:
                self.assertEqual(exc.response["Error"]["Code"], "InternalFailure")
                failed.append(number)

        # Reads go on: every acknowledged batch is there whole, no failed one in part.
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamStatus"], "ACTIVE")
        self.assertIn(name, self.kinesis.list_streams()["StreamNames"])
        keys = self.stored_keys(name)
        for number in acknowledged:
            for entry in self.batch(number):
                self.assertIn(entry["PartitionKey"], keys, "acknowledged batch %d" % number)
        for number in failed:
            partial = [e["PartitionKey"] for e in self.batch(number) if e["PartitionKey"] in keys]
            self.assertEqual(partial, [], "failed batch %d was partly stored" % number)
        self.assertNotIn("big", keys)

        # The failure is in the log, once per distinct error and second rather than per write.
        log = self.server.stderr()
        self.assertRegex(log, r"ERROR storage: commit failed.*database or disk is full")

        # Space freed: writes work again (the background checkpoint first copies the log back
        # into the database, which needs room too, so allow it a moment).
        os.remove(spare)
        deadline = time.monotonic() + 10
        while True:
            try:
                response = self.kinesis.put_records(StreamName=name, Records=self.batch(900))
                break
            except ClientError as exc:
                self.assertEqual(exc.response["Error"]["Code"], "InternalFailure")
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.assertEqual(response["FailedRecordCount"], 0)
        keys = self.stored_keys(name)
        self.assertTrue({e["PartitionKey"] for e in self.batch(900)} <= keys)

        # And the database is whole after a restart.
        self.server.stop()
        self.server.start()
        self.kinesis = self.server.client()
        self.assertEqual(self.stored_keys(name), keys)
        self.server.stop()


class ReadOnlyTest(StorageFailureBase):

    def test_a_read_only_mount_stops_the_start(self):
        mount = mount_or_skip(self, 4 * 1024)
        db = os.path.join(mount.dir, "kinesim.db")
        self.make_database(db)
        ok, why = mount.remount_read_only()
        if not ok:
            self.skipTest("cannot remount read-only: " + why)
        self.assertStartFails(db, "cannot use %s: it is read-only" % db)
        # A database that does not exist yet cannot be made there either.
        missing = os.path.join(mount.dir, "new", "kinesim.db")
        self.assertStartFails(missing, "cannot open %s: " % missing)

    def test_a_read_only_file_stops_the_start(self):
        # Root writes files whatever their mode, so the server runs as nobody here.
        user = None
        if os.geteuid() == 0:
            user = 65534
            os.chmod(self.tmp, 0o777)
        elif os.geteuid() != os.stat(self.tmp).st_uid:
            self.skipTest("the temporary directory is not ours")
        db = os.path.join(self.tmp, "kinesim.db")
        self.make_database(db)
        if user is not None:
            os.chown(db, user, user)
        os.chmod(db, 0o444)
        self.assertStartFails(db, "cannot use %s: it is read-only" % db, user=user)

    def test_a_read_only_directory_stops_the_start(self):
        # The file may be written, but the WAL beside it cannot be made.
        user = None
        if os.geteuid() == 0:
            user = 65534
            os.chmod(self.tmp, 0o755)
        elif os.geteuid() != os.stat(self.tmp).st_uid:
            self.skipTest("the temporary directory is not ours")
        folder = os.path.join(self.tmp, "data")
        os.mkdir(folder)
        db = os.path.join(folder, "kinesim.db")
        self.make_database(db)
        if user is not None:
            os.chown(db, user, user)
        os.chmod(db, 0o644)
        os.chmod(folder, 0o555)
        self.addCleanup(os.chmod, folder, 0o755)
        self.assertStartFails(db, "cannot use %s: cannot create its -wal and -shm files; is its "
                              "directory writable?" % db, user=user)


class CorruptFileTest(StorageFailureBase):

    def test_garbage_stops_the_start(self):
        db = os.path.join(self.tmp, "kinesim.db")
        with open(db, "wb") as f:
            f.write(os.urandom(64 * 1024))
        self.assertStartFails(db, "cannot use %s: it is not a kinesim database or is corrupt" % db)

    def test_an_overwritten_header_stops_the_start(self):
        db = os.path.join(self.tmp, "kinesim.db")
        self.make_database(db, records=200)
        with open(db, "r+b") as f:
            f.write(b"this is no longer a database header" + b"\xff" * 64)
        self.assertStartFails(db, "cannot use %s: it is not a kinesim database or is corrupt" % db)

    def test_a_truncated_file_stops_the_start(self):
        db = os.path.join(self.tmp, "kinesim.db")
        self.make_database(db, records=2000)
        size = os.path.getsize(db)
        self.assertGreater(size, 64 * 1024)
        for keep in (size // 2, 4096, 50):
            with self.subTest(keep=keep):
                with open(db, "r+b") as f:
                    f.truncate(keep)
                self.assertStartFails(
                    db, "cannot use %s: it is not a kinesim database or is corrupt" % db)


class LockedDatabaseTest(StorageFailureBase):

    def hold_write_lock(self, db):
        """Another process's write lock on `db` (this one's sqlite3, in a transaction)."""
        holder = sqlite3.connect(db, isolation_level=None, timeout=5)
        holder.execute("BEGIN EXCLUSIVE")
        self.addCleanup(holder.close)
        return holder

    def test_a_lock_at_start_up_stops_the_start_after_the_busy_timeout(self):
        db = os.path.join(self.tmp, "kinesim.db")
        self.make_database(db)
        holder = self.hold_write_lock(db)
        code, err, seconds = start_fails(db)
        self.assertEqual(code, 2, err)
        self.assertIn(" ERROR server: cannot use %s: it is locked by another process (waited 5000 ms)"
                      % db, err)
        self.assertGreaterEqual(seconds, 4.5)
        holder.execute("ROLLBACK")
        # Once the lock is gone, kinesim starts on the same file.
        self.start_server(db)
        self.assertEqual(len(self.kinesis.list_streams()["StreamNames"]), 1)
        self.server.stop()

    def test_a_lock_taken_while_running_fails_writes_after_the_busy_timeout(self):
        db = os.path.join(self.tmp, "kinesim.db")
        self.start_server(db)
        name = self.create_stream(1)
        before = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"before")
        holder = self.hold_write_lock(db)

        # One attempt only: the usual test client retries an InternalFailure once.
        once = boto3.session.Session().client(
            "kinesis", endpoint_url=self.server.endpoint, region_name=REGION,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=botocore.config.Config(retries={"total_max_attempts": 1}, read_timeout=60))
        began = time.monotonic()
        self.assertClientError(
            lambda: once.put_record(StreamName=name, PartitionKey="a", Data=b"locked"),
            "InternalFailure", message_regex="database is locked", status=500)
        waited = time.monotonic() - began
        # The busy timeout (5 s), once, or twice when a write queued just before this one held
        # the writer's turn.
        self.assertGreaterEqual(waited, 4.5)
        self.assertLess(waited, 12)
        # Reads go on meanwhile.
        records = self.read_shard(name, shard_id(0))
        self.assertEqual([r["Data"] for r in records], [b"before"])

        holder.execute("ROLLBACK")
        after = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"after")
        self.assertGreater(int(after["SequenceNumber"]), int(before["SequenceNumber"]))
        records = self.read_shard(name, shard_id(0))
        self.assertEqual([r["Data"] for r in records], [b"before", b"after"])
        self.assertRegex(self.server.stderr(), r"ERROR storage: commit failed.*database is locked")
        self.server.stop()


if __name__ == "__main__":
    unittest.main()
