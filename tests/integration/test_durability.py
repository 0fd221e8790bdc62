"""Records survive a clean restart and a kill -9 of kinesim.

Every test here runs its own server on a database file in a fresh temporary
directory, and stops, kills and restarts it. The kill -9 test runs once per
--sync mode: both promise that an acknowledged write survives the process
dying (full adds power loss, which a test cannot stage).
"""

import os
import random
import shutil
import tempfile
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

from kinesim_process import (KinesimServer, ServerTestCase, hash_ranges, shard_id,
                             unique_name)


class DurabilityBase(ServerTestCase):
    """No class-wide server: each test starts (and restarts) its own, with --sync SYNC."""

    SYNC = "normal"

    class_server = False

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kinesim-durability-")
        self.db_path = os.path.join(self.tmp, "data", "kinesim.db")
        os.makedirs(os.path.dirname(self.db_path))
        self.server = KinesimServer(db=self.db_path, extra_args=["--sync", self.SYNC]).start()
        self.kinesis = self.server.client()
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.addCleanup(self._stop_quietly)

    def _stop_quietly(self):
        proc = self.server.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        self.server._join_stdout()
        self.server.close()

    def restart(self):
        self.server.restart()
        self.kinesis = self.server.client()

    def snapshot(self, names):
        """Everything a client can see of the streams: descriptions and records."""
        state = {}
        for name in names:
            desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
            summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            records = {}
            for shard in desc["Shards"]:
                records[shard["ShardId"]] = [
                    (r["SequenceNumber"], r["PartitionKey"], r["Data"], r["ApproximateArrivalTimestamp"])
                    for r in self.read_shard(name, shard["ShardId"])]
            state[name] = {"description": desc, "summary": summary, "records": records}
        return state


class RestartTest(DurabilityBase):

    def test_clean_restart_keeps_everything(self):
        provisioned = self.create_stream(3, name=unique_name("keep"))
        on_demand = self.create_stream(name=unique_name("keep-od"),
                                       StreamModeDetails={"StreamMode": "ON_DEMAND"})
        rnd = random.Random(11)
        for i in range(60):
            self.kinesis.put_record(StreamName=provisioned, PartitionKey="k%d" % rnd.randrange(1000),
                                    Data=os.urandom(rnd.randrange(0, 200)))
        self.kinesis.put_records(StreamName=on_demand, Records=[
            {"PartitionKey": "b%d" % i, "Data": b"batch-%d" % i} for i in range(100)])
        names = [provisioned, on_demand]
        before = self.snapshot(names)
        listed_before = self.kinesis.list_streams()["StreamNames"]
        self.assertEqual(sum(len(v) for v in before[provisioned]["records"].values()), 60)
        self.assertEqual(sum(len(v) for v in before[on_demand]["records"].values()), 100)

        self.server.stop()
        self.restart()

        self.assertEqual(self.kinesis.list_streams()["StreamNames"], listed_before)
        after = self.snapshot(names)
        for name in names:
            self.assertEqual(after[name]["description"], before[name]["description"], name)
            self.assertEqual(after[name]["summary"], before[name]["summary"], name)
            self.assertEqual(after[name]["records"], before[name]["records"], name)

        # New records continue each shard's sequence.
        for index, (start, _) in enumerate(hash_ranges(3)):
            shard = shard_id(index)
            earlier = [int(r[0]) for r in before[provisioned]["records"][shard]]
            response = self.kinesis.put_record(StreamName=provisioned, PartitionKey="after",
                                               Data=b"after-restart", ExplicitHashKey=str(start))
            self.assertEqual(response["ShardId"], shard)
            self.assertGreater(int(response["SequenceNumber"]), max(earlier, default=0))

    def test_deleted_stream_stays_deleted(self):
        kept = self.create_stream(1)
        gone = self.create_stream(1)
        self.kinesis.put_record(StreamName=gone, PartitionKey="x", Data=b"x")
        self.kinesis.delete_stream(StreamName=gone)
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=gone,
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.server.stop()
        self.restart()
        names = self.kinesis.list_streams()["StreamNames"]
        self.assertIn(kept, names)
        self.assertNotIn(gone, names)
        self.assertClientError(lambda: self.kinesis.describe_stream(StreamName=gone),
                               "ResourceNotFoundException")

    def test_iterator_survives_restart(self):
        name = self.create_stream(1)
        first = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"one")
        iterator = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id(0),
                                                   ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                   StartingSequenceNumber=first["SequenceNumber"])["ShardIterator"]
        self.server.stop()
        self.restart()
        second = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"two")
        records = self.kinesis.get_records(ShardIterator=iterator)["Records"]
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in records],
                         [(second["SequenceNumber"], b"two")])


class Kill9Test(DurabilityBase):

    WRITERS = 4
    RUN_SECONDS = 1.5

    def test_no_acknowledged_record_is_lost(self):
        # The server runs in the mode under test (its start-up line names every setting).
        self.assertRegex(self.server.stderr(), r"sync\W{1,3}%s\b" % self.SYNC)
        single = self.create_stream(1)
        multi = self.create_stream(3)
        streams = [single, multi]
        acked = []          # (stream, shard, sequence number, partition key, data)
        acked_lock = threading.Lock()
        errors = []
        stop = threading.Event()
        started = threading.Barrier(self.WRITERS + 1)

        def writer(worker):
            client = self.server.client(read_timeout=10)
            rnd = random.Random(worker)
            counter = 0
            started.wait()
            while not stop.is_set():
                stream = streams[counter % 2]
                try:
                    if counter % 3 == 0:
                        entries = [{"PartitionKey": "w%d-%d-%d" % (worker, counter, j),
                                    "Data": b"w%d-c%d-j%d-%s" % (worker, counter, j, os.urandom(8).hex().encode())}
                                   for j in range(rnd.randrange(1, 40))]
                        response = client.put_records(StreamName=stream, Records=entries)
                        done = [(stream, r["ShardId"], r["SequenceNumber"], e["PartitionKey"], e["Data"])
                                for e, r in zip(entries, response["Records"]) if "SequenceNumber" in r]
                        if len(response["Records"]) != len(entries):
                            errors.append("PutRecords answered %d results for %d records"
                                          % (len(response["Records"]), len(entries)))
                    else:
                        key = "w%d-%d" % (worker, counter)
                        data = b"w%d-c%d-%s" % (worker, counter, os.urandom(8).hex().encode())
                        response = client.put_record(StreamName=stream, PartitionKey=key, Data=data)
                        done = [(stream, response["ShardId"], response["SequenceNumber"], key, data)]
                except (BotoCoreError, ClientError, OSError):
                    # The server went away mid-request: not acknowledged.
                    if stop.is_set():
                        return
                    if self.server.proc.poll() is not None:
                        return
                    raise
                with acked_lock:
                    acked.extend(done)
                counter += 1

        def run(worker):
            try:
                writer(worker)
            except Exception as exc:  # reported by the test thread
                errors.append("writer %d: %r" % (worker, exc))

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(self.WRITERS)]
        for thread in threads:
            thread.start()
        started.wait()
        time.sleep(self.RUN_SECONDS)
        with acked_lock:
            acked_at_kill = len(acked)
        self.server.kill9()          # mid-flight: the writers are still sending
        stop.set()
        for thread in threads:
            thread.join(30)
            self.assertFalse(thread.is_alive(), "a writer thread hung after the kill")
        self.assertEqual(errors, [])
        self.assertGreater(acked_at_kill, 50, "the writers barely wrote anything before the kill")

        self.restart()

        stored = {}
        for stream in streams:
            for shard in self.kinesis.list_shards(StreamName=stream)["Shards"]:
                last = None
                for record in self.read_shard(stream, shard["ShardId"]):
                    seq = int(record["SequenceNumber"])
                    if last is not None:
                        self.assertGreater(seq, last, "sequence numbers must increase within a shard")
                    last = seq
                    key = (stream, shard["ShardId"], record["SequenceNumber"])
                    self.assertNotIn(key, stored, "a sequence number appears twice")
                    stored[key] = (record["PartitionKey"], record["Data"])

        missing = []
        for stream, shard, seq, key, data in acked:
            found = stored.get((stream, shard, seq))
            if found != (key, data):
                missing.append((stream, shard, seq, key, found))
        self.assertEqual(missing[:10], [], "%d of %d acknowledged records lost or changed"
                         % (len(missing), len(acked)))

        # Writes after the restart get sequence numbers above everything before.
        for stream, shards in ((single, 1), (multi, 3)):
            for index, (start, _) in enumerate(hash_ranges(shards)):
                shard = shard_id(index)
                earlier = [int(seq) for (s, sh, seq) in stored if s == stream and sh == shard]
                response = self.kinesis.put_record(StreamName=stream, PartitionKey="after-kill",
                                                   Data=b"after", ExplicitHashKey=str(start))
                self.assertEqual(response["ShardId"], shard)
                self.assertGreater(int(response["SequenceNumber"]), max(earlier, default=0))
        self.server.stop()


class Kill9FullSyncTest(Kill9Test):
    """The same kill -9 test with every commit flushed to the disk (--sync full)."""

    SYNC = "full"


if __name__ == "__main__":
    unittest.main()
