// SubscribeToShard through the JavaScript SDK v3: an enhanced fan-out consumer receives records
// as they are put, over an HTTP/2 event stream (h2c and TLS).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  ListShardsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { everyByte, kinesisClient, shardId, startKinesim, streamArn, uniqueName } from "./kinesim.mjs";

const ARRIVAL_TIMEOUT_MS = 5_000;

for (const transport of ["h2c", "tls"]) {
  describe(`SubscribeToShard over ${transport}`, () => {
    let server;
    let kinesis;

    before(async () => {
      server = await startKinesim();
      kinesis =
        transport === "tls"
          ? kinesisClient(server.tlsEndpoint, { ca: server.certificate })
          : kinesisClient(server.endpoint);
    });

    after(async () => {
      kinesis?.destroy();
      await server?.stop();
    });

    async function activeConsumer(shardCount) {
      const name = uniqueName(transport);
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
      await waitUntilStreamExists({ client: kinesis, minDelay: 1, maxDelay: 1, maxWaitTime: 30 }, { StreamName: name });
      const { Consumer } = await kinesis.send(
        new RegisterStreamConsumerCommand({ StreamARN: streamArn(name), ConsumerName: "fan-out" }),
      );
      for (let i = 0; i < 100; i++) {
        const { ConsumerDescription } = await kinesis.send(
          new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }),
        );
        if (ConsumerDescription.ConsumerStatus === "ACTIVE") return { name, consumerArn: Consumer.ConsumerARN };
        await sleep(100);
      }
      assert.fail(`consumer of ${name} never became ACTIVE`);
    }

    // Subscribes at LATEST, puts `data` once the subscription is open (its response has
    // arrived), and returns the record it delivers and the events seen until then. Leaves the
    // subscription by `break`ing out of the event stream.
    async function subscribeAndPut(name, consumerArn, shard, put) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 2 * ARRIVAL_TIMEOUT_MS);
      try {
        const response = await kinesis.send(
          new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shard, StartingPosition: { Type: "LATEST" } }),
          { abortSignal: abort.signal },
        );
        assert.equal(response.$metadata.httpStatusCode, 200);
        const putAt = Date.now();
        const written = await kinesis.send(new PutRecordCommand({ StreamName: name, ...put }));
        assert.equal(written.ShardId, shard);
        const events = [];
        let delivered;
        for await (const event of response.EventStream) {
          assert.ok(event.SubscribeToShardEvent, `unexpected event ${JSON.stringify(Object.keys(event))}`);
          const body = event.SubscribeToShardEvent;
          events.push(body);
          assert.ok(Array.isArray(body.Records));
          assert.equal(typeof body.MillisBehindLatest, "number");
          assert.match(body.ContinuationSequenceNumber, /^(0|[1-9]\d{0,128})$/);
          assert.ok(Date.now() - putAt < ARRIVAL_TIMEOUT_MS, "the record arrives within a few seconds");
          if (body.Records.length > 0) {
            delivered = body.Records;
            break;  // leaves the subscription: the SDK closes its HTTP/2 stream
          }
        }
        assert.ok(delivered, "the event stream ended before the record arrived");
        return { records: delivered, written, events };
      } finally {
        clearTimeout(timer);
      }
    }

    test("a record put after subscribing arrives with its data", async () => {
      const { name, consumerArn } = await activeConsumer(1);
      const data = everyByte();
      const { records, written, events } = await subscribeAndPut(name, consumerArn, shardId(0), {
        PartitionKey: "fan",
        Data: data,
      });
      assert.equal(records.length, 1);
      const [record] = records;
      assert.equal(record.SequenceNumber, written.SequenceNumber);
      assert.equal(record.PartitionKey, "fan");
      assert.ok(record.Data instanceof Uint8Array);
      assert.deepEqual(Buffer.from(record.Data), Buffer.from(data));
      assert.ok(record.ApproximateArrivalTimestamp instanceof Date);
      assert.ok(Math.abs(Date.now() - record.ApproximateArrivalTimestamp.getTime()) < 60_000);
      // Resuming AFTER_SEQUENCE_NUMBER the continuation must not deliver the record again.
      const last = events.at(-1);
      assert.ok(BigInt(last.ContinuationSequenceNumber) >= BigInt(written.SequenceNumber));
      assert.equal(last.MillisBehindLatest, 0);
    });

    test("the client keeps working after leaving a subscription", async () => {
      const { name, consumerArn } = await activeConsumer(2);
      const first = await subscribeAndPut(name, consumerArn, shardId(0), {
        PartitionKey: "a",
        ExplicitHashKey: "0",
        Data: Uint8Array.of(1),
      });
      assert.deepEqual([...first.records[0].Data], [1]);
      // Ordinary calls on the same client still work, and so does a new subscription (to the
      // other shard: AWS refuses a second one to the same consumer and shard within 5 seconds).
      const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: name }));
      assert.equal(Shards.length, 2);
      const second = await subscribeAndPut(name, consumerArn, shardId(1), {
        PartitionKey: "b",
        ExplicitHashKey: Shards[1].HashKeyRange.StartingHashKey,
        Data: Uint8Array.of(2),
      });
      assert.equal(second.records[0].SequenceNumber, second.written.SequenceNumber);
      assert.deepEqual([...second.records[0].Data], [2]);
    });
  });
}
