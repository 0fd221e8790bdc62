// The Kinesis calls every transport must carry alike, written once and run by h2c.test.mjs
// (http://, HTTP/2 with prior knowledge) and tls.test.mjs (https://, HTTP/2 chosen by ALPN).
// Expected values are what Amazon Kinesis Data Streams returns.
import assert from "node:assert/strict";
import { connect as netConnect, isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { after, before, describe, test } from "node:test";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import {
  MAX_HASH_KEY,
  everyByte,
  kinesisClient,
  notFound,
  shardId,
  startKinesim,
  streamArn,
  uniqueName,
} from "./kinesim.mjs";

const SEQUENCE_NUMBER = /^(0|[1-9]\d{0,128})$/;
const ONE_MIB = 1024 * 1024;

// `transport`: "h2c" or "tls".
export function kinesisSuite(transport) {
  const tls = transport === "tls";
  describe(`Kinesis over ${tls ? "TLS (https://, ALPN h2)" : "h2c (http://, HTTP/2 prior knowledge)"}`, () => {
    let server;
    let kinesis;
    let endpoint;
    let ca;

    before(async () => {
      server = await startKinesim();
      endpoint = tls ? server.tlsEndpoint : server.endpoint;
      ca = tls ? server.certificate : undefined;
      kinesis = kinesisClient(endpoint, { ca });
    });

    after(async () => {
      kinesis?.destroy();
      await server?.stop();
    });

    async function createStream(shardCount = 1) {
      const name = uniqueName(transport);
      const created = await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
      assert.equal(created.$metadata.httpStatusCode, 200);
      const waited = await waitUntilStreamExists(
        { client: kinesis, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
        { StreamName: name },
      );
      assert.equal(waited.state, "SUCCESS");
      return name;
    }

    // Every record of a one-shard stream from TRIM_HORIZON to its tip.
    async function readShard(name, shard = shardId(0)) {
      let { ShardIterator: iterator } = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: name, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }),
      );
      const records = [];
      for (let calls = 0; calls < 100; calls++) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...page.Records);
        assert.equal(typeof page.NextShardIterator, "string", "an open shard always has a next iterator");
        iterator = page.NextShardIterator;
        if (page.Records.length === 0 && page.MillisBehindLatest === 0) return records;
      }
      assert.fail(`${name} did not reach its tip in 100 GetRecords calls`);
    }

    test("CreateStream, waitUntilStreamExists and DescribeStreamSummary", async () => {
      const name = await createStream(2);
      const { StreamDescriptionSummary: summary, $metadata } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      assert.equal($metadata.httpStatusCode, 200);
      assert.match($metadata.requestId, /\S/, "x-amzn-RequestId reaches the SDK");
      assert.match($metadata.extendedRequestId, /\S/, "x-amz-id-2 reaches the SDK");
      assert.ok(summary.StreamCreationTimestamp instanceof Date);
      assert.ok(Math.abs(Date.now() - summary.StreamCreationTimestamp.getTime()) < 120_000);
      delete summary.StreamCreationTimestamp;
      assert.deepEqual(summary, {
        StreamName: name,
        StreamARN: streamArn(name),
        StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: "PROVISIONED" },
        RetentionPeriodHours: 24,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: "NONE",
        OpenShardCount: 2,
        ConsumerCount: 0,
        MaxRecordSizeInKiB: 1024,
      });
    });

    test("PutRecord answers the shard and a sequence number", async () => {
      const name = await createStream();
      const out = await kinesis.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: "u1", Data: new TextEncoder().encode("hello") }),
      );
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.ShardId, shardId(0));
      assert.match(out.SequenceNumber, SEQUENCE_NUMBER);
    });

    test("PutRecords of binary data reads back byte for byte through GetRecords", async () => {
      const name = await createStream();
      const bytes = everyByte();
      const batch = [
        { PartitionKey: "bin", Data: bytes },
        { PartitionKey: "text", Data: new TextEncoder().encode("zoë ☃") },
        { PartitionKey: "bin", Data: bytes.slice().reverse() },
      ];
      const before = Date.now();
      const put = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: batch }));
      assert.equal(put.FailedRecordCount, 0);
      assert.equal(put.Records.length, 3);
      for (const entry of put.Records) {
        assert.deepEqual(Object.keys(entry).sort(), ["SequenceNumber", "ShardId"]);
        assert.equal(entry.ShardId, shardId(0));
        assert.match(entry.SequenceNumber, SEQUENCE_NUMBER);
      }
      const sequences = put.Records.map((r) => BigInt(r.SequenceNumber));
      assert.ok(sequences[0] < sequences[1] && sequences[1] < sequences[2], "increasing within a shard");

      const records = await readShard(name);
      assert.equal(records.length, 3);
      records.forEach((record, i) => {
        assert.ok(record.Data instanceof Uint8Array);
        assert.deepEqual(Buffer.from(record.Data), Buffer.from(batch[i].Data));
        assert.equal(record.PartitionKey, batch[i].PartitionKey);
        assert.equal(record.SequenceNumber, put.Records[i].SequenceNumber);
        assert.ok(record.ApproximateArrivalTimestamp instanceof Date);
        const at = record.ApproximateArrivalTimestamp.getTime();
        assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `arrival ${at} is about now`);
      });
    });

    test("a 1 MiB record goes in and comes back across many DATA frames", async () => {
      const name = await createStream();
      const data = new Uint8Array(ONE_MIB - 1).map((_, i) => (i * 7) & 0xff);
      const put = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: data }));
      const records = await readShard(name);
      assert.equal(records.length, 1);
      assert.equal(records[0].SequenceNumber, put.SequenceNumber);
      assert.ok(Buffer.from(records[0].Data).equals(Buffer.from(data)));
    });

    test("ListShards, AddTagsToStream and ListTagsForStream", async () => {
      const name = await createStream();
      const { Shards, NextToken } = await kinesis.send(new ListShardsCommand({ StreamName: name }));
      assert.equal(NextToken, undefined);
      assert.equal(Shards.length, 1);
      assert.equal(Shards[0].ShardId, shardId(0));
      assert.deepEqual(Shards[0].HashKeyRange, { StartingHashKey: "0", EndingHashKey: MAX_HASH_KEY });
      assert.match(Shards[0].SequenceNumberRange.StartingSequenceNumber, SEQUENCE_NUMBER);
      assert.equal(Shards[0].SequenceNumberRange.EndingSequenceNumber, undefined);

      const tagged = await kinesis.send(
        new AddTagsToStreamCommand({ StreamName: name, Tags: { team: "data", env: "test" } }),
      );
      assert.equal(tagged.$metadata.httpStatusCode, 200);
      const tags = await kinesis.send(new ListTagsForStreamCommand({ StreamName: name }));
      assert.equal(tags.HasMoreTags, false);
      assert.deepEqual(
        [...tags.Tags].sort((a, b) => a.Key.localeCompare(b.Key)),
        [
          { Key: "env", Value: "test" },
          { Key: "team", Value: "data" },
        ],
      );
    });

    test("a missing stream is ResourceNotFoundException with Kinesis' message", async () => {
      const name = uniqueName("missing");
      await assert.rejects(
        kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: everyByte() })),
        (err) => {
          assert.equal(err.name, "ResourceNotFoundException");
          assert.equal(err.message, notFound(name));
          assert.equal(err.$fault, "client");
          assert.equal(err.$metadata.httpStatusCode, 400);
          assert.match(err.$metadata.requestId, /\S/);
          return true;
        },
      );
    });

    test("a request that breaks the model is ValidationException with Kinesis' message", async () => {
      await assert.rejects(
        kinesis.send(new CreateStreamCommand({ StreamName: "bad name!", ShardCount: 1 })),
        (err) => {
          assert.equal(err.name, "ValidationException");
          assert.equal(
            err.message,
            "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: " +
              "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
          );
          assert.equal(err.$metadata.httpStatusCode, 400);
          return true;
        },
      );
    });

    test("200 concurrent PutRecord calls share one HTTP/2 connection", async () => {
      const name = await createStream(4);
      const sockets = [];
      const url = new URL(endpoint);
      // Counts the connections the client opens (and, over TLS, what ALPN chose).
      const createConnection = () => {
        const options = { host: url.hostname, port: Number(url.port) };
        const socket = tls
          ? tlsConnect({
              ...options,
              ca,
              ALPNProtocols: ["h2"],
              ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
            })
          : netConnect(options);
        sockets.push(socket);
        return socket;
      };
      const shared = kinesisClient(endpoint, { multiplex: true, connectOptions: { createConnection } });
      try {
        const puts = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            shared.send(
              new PutRecordCommand({ StreamName: name, PartitionKey: `key-${i}`, Data: Uint8Array.of(i & 0xff, i >> 8) }),
            ),
          ),
        );
        assert.equal(sockets.length, 1, "every call rode one connection");
        if (tls) assert.equal(sockets[0].alpnProtocol, "h2");
        assert.ok(puts.every((p) => p.$metadata.httpStatusCode === 200));
        const seen = new Set(puts.map((p) => `${p.ShardId}/${p.SequenceNumber}`));
        assert.equal(seen.size, 200, "sequence numbers are unique");
        assert.equal(new Set(puts.map((p) => p.SequenceNumber)).size, 200);
        assert.ok(new Set(puts.map((p) => p.ShardId)).size > 1, "200 keys spread over the 4 shards");
      } finally {
        shared.destroy();
      }
    });
  });
}
