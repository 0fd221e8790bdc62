"""SubscribeToShard through boto3, over HTTP/1.1 with chunked transfer encoding.

boto3 reads the event stream as AWS sends it: an initial-response event first,
then SubscribeToShardEvent events. Records put after subscribing arrive on the
open stream; errors before the stream starts are ordinary error responses with
Kinesis' names and messages.
"""

import time
import unittest

import botocore.exceptions

from kinesim_process import ACCOUNT_ID, ServerTestCase, shard_id, stream_arn


class SubscribeToShardTest(ServerTestCase):

    def register(self, stream, name):
        consumer = self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream),
                                                         ConsumerName=name)["Consumer"]
        return consumer["ConsumerARN"], int(consumer["ConsumerCreationTimestamp"].timestamp())

    def subscribe(self, arn, position=None, shard=0):
        return self.kinesis.subscribe_to_shard(ConsumerARN=arn, ShardId=shard_id(shard),
                                               StartingPosition=position or {"Type": "LATEST"})

    def test_records_put_after_subscribing_arrive_on_the_stream(self):
        stream = self.create_stream()
        arn, _ = self.register(stream, "efo")
        response = self.subscribe(arn)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"]["content-type"],
                         "application/vnd.amazon.eventstream")
        stream_of_events = response["EventStream"]
        try:
            events = iter(stream_of_events)
            # The first event comes at once, with the position to continue from.
            first = next(events)
            self.assertEqual(list(first), ["SubscribeToShardEvent"])
            self.assertEqual(first["SubscribeToShardEvent"]["Records"], [])
            self.assertEqual(first["SubscribeToShardEvent"]["MillisBehindLatest"], 0)
            self.assertTrue(first["SubscribeToShardEvent"]["ContinuationSequenceNumber"].isdigit())

            sent = [self.kinesis.put_record(StreamName=stream, Data=data, PartitionKey="pk-%d" % i)
                    for i, data in enumerate([b"hello", b"\x00\xff binary"])]
            received = []
            for event in events:
                received.extend(event["SubscribeToShardEvent"]["Records"])
                if len(received) >= 2:
                    break
            self.assertEqual([r["Data"] for r in received], [b"hello", b"\x00\xff binary"])
            self.assertEqual([r["PartitionKey"] for r in received], ["pk-0", "pk-1"])
            self.assertEqual([r["SequenceNumber"] for r in received],
                             [s["SequenceNumber"] for s in sent])
            for r in received:
                self.assertEqual(sorted(r), ["ApproximateArrivalTimestamp", "Data", "PartitionKey",
                                             "SequenceNumber"])
        finally:
            stream_of_events.close()

    def test_trim_horizon_sends_what_the_shard_already_holds(self):
        stream = self.create_stream()
        self.kinesis.put_records(StreamName=stream, Records=[
            {"Data": b"r%d" % i, "PartitionKey": "k"} for i in range(3)])
        arn, _ = self.register(stream, "efo")
        response = self.subscribe(arn, {"Type": "TRIM_HORIZON"})
        try:
            received = []
            for event in response["EventStream"]:
                received.extend(event["SubscribeToShardEvent"]["Records"])
                if len(received) >= 3:
                    break
            self.assertEqual([r["Data"] for r in received], [b"r0", b"r1", b"r2"])
        finally:
            response["EventStream"].close()

    def test_errors_before_the_stream_starts(self):
        stream = self.create_stream()
        arn, created = self.register(stream, "efo")
        unknown = "%s/consumer/nope:%d" % (stream_arn(stream), created)
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            self.subscribe(unknown)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "ResourceNotFoundException")
        self.assertEqual(error["Message"],
                         "Consumer nope with creation timestamp %d under stream %s and account %s "
                         "not found." % (created, stream, ACCOUNT_ID))

        # One call per second per consumer and shard: a second at once is throttled. (On a slow
        # machine more than a second may pass between the two; then the one-subscription rule
        # below answers instead.)
        started = time.monotonic()
        response = self.subscribe(arn)
        try:
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                self.subscribe(arn)
            error = caught.exception.response["Error"]
            if time.monotonic() - started < 1.0 or error["Code"] == "LimitExceededException":
                self.assertEqual(error["Code"], "LimitExceededException")
                self.assertEqual(error["Message"],
                                 "Rate exceeded for consumer efo and shard %s in stream %s under "
                                 "account %s." % (shard_id(0), stream, ACCOUNT_ID))
            else:
                self.assertEqual(error["Code"], "ResourceInUseException")

            # One subscription per consumer and shard: a second within five seconds is refused.
            time.sleep(1.1)
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                self.subscribe(arn)
            error = caught.exception.response["Error"]
            self.assertEqual(error["Code"], "ResourceInUseException")
            self.assertEqual(error["Message"],
                             "Another active subscription exists for this consumer: %s:%s:%s:efo"
                             % (ACCOUNT_ID, stream, shard_id(0)))
        finally:
            response["EventStream"].close()


if __name__ == "__main__":
    unittest.main()
