// A Jest suite against kinesim: every test starts from a reset server, and uses its clock and
// its faults (run by CTest as examples.jest).
const {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  PutRecordCommand,
  waitUntilStreamExists,
} = require("@aws-sdk/client-kinesis");
const kinesim = require("./kinesim");

let kinesis;

beforeEach(async () => {
  await kinesim.reset();
  kinesis = kinesim.client();
});

afterEach(() => kinesis.destroy());

async function makeStream(name) {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 10, minDelay: 1 }, { StreamName: name });
}

async function trimHorizon(name) {
  const out = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: name,
      ShardId: "shardId-000000000000",
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  return out.ShardIterator;
}

test("a test leaves a stream behind", async () => {
  await makeStream("orders");
});

test("the next test starts with no streams", async () => {
  const out = await kinesis.send(new ListStreamsCommand({}));
  expect(out.StreamNames).toEqual([]);
});

test("an iterator expires once the clock moves past five minutes", async () => {
  await makeStream("orders");
  await kinesim.freezeClock();
  const iterator = await trimHorizon("orders");
  await kinesim.advanceClock(5 * 60 * 1000 + 1);
  await expect(kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).rejects.toThrow(
    expect.objectContaining({ name: "ExpiredIteratorException" }),
  );
});

test("a throttled put is reported, and counted", async () => {
  await makeStream("orders");
  const put = new PutRecordCommand({
    StreamName: "orders",
    PartitionKey: "u1",
    Data: new TextEncoder().encode("hello"),
  });
  const id = await kinesim.addFault({
    kind: "throttle",
    stream: "orders",
    operation: "PutRecord",
    count: 1,
  });
  await expect(kinesis.send(put)).rejects.toThrow(
    expect.objectContaining({
      name: "ProvisionedThroughputExceededException",
      message:
        "Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000.",
    }),
  );
  await kinesis.send(put); // the rule was for one call
  const rule = (await kinesim.faults()).find((f) => f.id === id);
  expect(rule.fired).toBe(1);
});
