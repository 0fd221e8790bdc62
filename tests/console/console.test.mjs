// The web console (GET /ui) end to end: the real kinesim binary, Debian's Chromium driven
// headless by playwright-core, and the Kinesis JSON API called from here to set the scene and to
// check what the page did.
//
//   KINESIM_BIN=build/server/kinesim node tests/console/console.test.mjs
//
// CHROMIUM_BIN names the browser (default /usr/bin/chromium); KINESIM_CONSOLE_ARTIFACTS the
// directory for the screenshot (default: the system's temporary directory).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const REGION = "us-east-1";
const OTHER_REGION = "eu-west-1";
const STREAM = "console-orders";
const OTHER_STREAM = "console-elsewhere";
const CONSUMER = "console-reader";
const HALF_HASH = "170141183460469231731687303715884105727";
const MAX_HASH = "340282366920938463463374607431768211455";
const WAIT_MS = 15_000;

// A record that is JSON, under a partition key that would be markup if the page let it.
const JSON_KEY = "<b>json</b>";
const JSON_VALUE = { order: 17, items: ["tea", "cake"], paid: true, note: "<i>hi</i>" };
// A record that is no UTF-8 (0xff, 0xfe): 20 bytes, so the hex dump has a short last line.
const BINARY_KEY = "binary-key";
const BINARY = Uint8Array.from([
  0x00, 0xff, 0x10, 0x80, 0x41, 0x42, 0x43, 0x7f, 0x0a, 0xfe, 0x20, 0x7e, 0x3c, 0x3e, 0x26, 0x22,
  0x01, 0x02, 0x03, 0x04,
]);
const BINARY_BASE64 = "AP8QgEFCQ38K/iB+PD4mIgECAwQ=";
const BINARY_HEX =
  "00000000  00 ff 10 80 41 42 43 7f 0a fe 20 7e 3c 3e 26 22  |....ABC... ~<>&\"|\n" +
  "00000010  01 02 03 04                                      |....|";

let server;
let browser;
let page;
const pageProblems = []; // console errors, uncaught exceptions, refused requests

// ---------------------------------------------------------------------------------------------
// kinesim and its API

function startKinesim(args = []) {
  const binary = process.env.KINESIM_BIN;
  if (!binary) throw new Error("KINESIM_BIN is not set: point it at the kinesim executable");
  const child = spawn(binary, ["--port", "0", "--db", ":memory:", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = { child, stdout: "", stderr: "" };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail("no endpoint within 20 s"), 20_000);
    function fail(why) {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`kinesim: ${why}; stdout: ${started.stdout}; stderr: ${started.stderr}`));
    }
    child.stdout.setEncoding("utf8").on("data", (text) => {
      started.stdout += text;
      const listening = /^kinesim listening on (http:\/\/\S+)$/m.exec(started.stdout);
      if (listening) {
        clearTimeout(timer);
        started.endpoint = listening[1];
        resolve(started);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (text) => (started.stderr += text));
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
  });
}

// One Kinesis call; resolves to { status, body }.
async function call(operation, input, region = REGION) {
  const response = await fetch(server.endpoint + "/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `Kinesis_20131202.${operation}`,
      "X-Amz-Date": "20261130T000000Z",
      Authorization:
        `AWS4-HMAC-SHA256 Credential=test/20261130/${region}/kinesis/aws4_request, ` +
        "SignedHeaders=host;x-amz-date, Signature=0000",
    },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

// One Kinesis call that must succeed.
async function ok(operation, input, region = REGION) {
  const answer = await call(operation, input, region);
  assert.equal(answer.status, 200, `${operation}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function waitFor(what, check) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopKinesim(started) {
  started.child.kill("SIGTERM");
  await new Promise((resolve) => started.child.once("exit", resolve));
}

async function createStream(name, shards, region) {
  await ok("CreateStream", { StreamName: name, ShardCount: shards }, region);
  return waitFor(`${name} to become ACTIVE`, async () => {
    const { StreamDescriptionSummary: s } = await ok("DescribeStreamSummary", { StreamName: name }, region);
    return s.StreamStatus === "ACTIVE" && s;
  });
}

// The record at `sequence` in `shard`, read back with GetRecords.
async function readRecord(shard, sequence) {
  const { ShardIterator } = await ok("GetShardIterator", {
    StreamName: STREAM,
    ShardId: shard,
    ShardIteratorType: "AT_SEQUENCE_NUMBER",
    StartingSequenceNumber: sequence,
  });
  const { Records } = await ok("GetRecords", { ShardIterator, Limit: 1 });
  assert.equal(Records.length, 1);
  return Records[0];
}

// ---------------------------------------------------------------------------------------------
// The page

async function cellTexts(rowSelector) {
  return page.locator(rowSelector).evaluateAll((rows) =>
    rows.map((row) => [...row.cells].map((cell) => cell.textContent)),
  );
}

// The tail's entry for the record with this sequence number.
function tailed(sequence) {
  return page.locator("#records li.record").filter({
    has: page.locator(`dd[data-field="sequence"]`, { hasText: sequence }),
  });
}

async function fieldsOf(record) {
  return record.locator("dd").evaluateAll((dds) =>
    Object.fromEntries(dds.map((dd) => [dd.dataset.field, dd.textContent])),
  );
}

let stream;
let consumer;

before(async () => {
  server = await startKinesim();
  stream = await createStream(STREAM, 2, REGION);
  await createStream(OTHER_STREAM, 1, OTHER_REGION);
  await ok("RegisterStreamConsumer", { StreamARN: stream.StreamARN, ConsumerName: CONSUMER });
  consumer = await waitFor("the consumer to become ACTIVE", async () => {
    const { ConsumerDescription: c } = await ok("DescribeStreamConsumer", {
      StreamARN: stream.StreamARN,
      ConsumerName: CONSUMER,
    });
    return c.ConsumerStatus === "ACTIVE" && c;
  });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(WAIT_MS);
  // Chromium logs every HTTP error answer to the console; those are checked by status instead,
  // and the one the test provokes (a PutRecord refused with 400) is expected.
  page.on("console", (message) => {
    if (message.type() !== "error" || message.text().startsWith("Failed to load resource:")) return;
    pageProblems.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    const expected = response.status() === 400 && response.request().method() === "POST";
    if (response.status() >= 400 && !expected) pageProblems.push(`${response.status()} ${response.url()}`);
  });
  page.on("pageerror", (error) => pageProblems.push(`exception: ${error.message}`));
  page.on("requestfailed", (request) => pageProblems.push(`request failed: ${request.url()}`));
});

after(async () => {
  await browser?.close();
  if (server) await stopKinesim(server);
});

test("the console lists the region's streams with status, mode, shards and retention", async () => {
  const response = await page.goto(`${server.endpoint}/ui`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-security-policy"], /script-src 'self'/);
  await page.locator(`#stream-rows tr[data-stream="${STREAM}"]`).waitFor();
  assert.deepEqual(await cellTexts("#stream-rows tr"), [[STREAM, "ACTIVE", "PROVISIONED", "2", "24"]]);
  assert.equal(await page.locator("#error").isHidden(), true);
});

test("a stream shows its shard map and its consumers", async () => {
  await page.locator(`#stream-rows tr[data-stream="${STREAM}"] button`).click();
  await page.locator("#shard-rows tr").nth(1).waitFor();
  assert.equal(await page.locator("#stream-name").textContent(), STREAM);
  assert.deepEqual(await cellTexts("#shard-rows tr"), [
    ["shardId-000000000000", "0", HALF_HASH, "open", "", ""],
    ["shardId-000000000001", "170141183460469231731687303715884105728", MAX_HASH, "open", "", ""],
  ]);
  await page.locator(`#consumer-rows tr[data-consumer="${CONSUMER}"]`).waitFor();
  const created = new Date(consumer.ConsumerCreationTimestamp * 1000).toISOString();
  assert.deepEqual(await cellTexts("#consumer-rows tr"), [[CONSUMER, "ACTIVE", created]]);
});

test("the live tail shows JSON pretty-printed and binary as base64 and hex", async () => {
  await page.locator("#tail-from").selectOption("LATEST");
  await page.locator("#tail-toggle").click();
  await page.locator("#tail-state", { hasText: "tailing 2 shard(s)" }).waitFor();

  const json = await ok("PutRecord", {
    StreamName: STREAM,
    PartitionKey: JSON_KEY,
    Data: Buffer.from(JSON.stringify(JSON_VALUE)).toString("base64"),
  });
  const binary = await ok("PutRecord", {
    StreamName: STREAM,
    PartitionKey: BINARY_KEY,
    Data: Buffer.from(BINARY).toString("base64"),
    ExplicitHashKey: MAX_HASH,
  });

  const jsonEntry = tailed(json.SequenceNumber);
  await jsonEntry.waitFor();
  const jsonRecord = await readRecord(json.ShardId, json.SequenceNumber);
  assert.deepEqual(await fieldsOf(jsonEntry), {
    shard: json.ShardId,
    sequence: json.SequenceNumber,
    "partition-key": JSON_KEY,
    arrival: new Date(jsonRecord.ApproximateArrivalTimestamp * 1000).toISOString(),
    size: `${JSON.stringify(JSON_VALUE).length} bytes`,
  });
  assert.equal(await jsonEntry.locator("pre.json").textContent(), JSON.stringify(JSON_VALUE, null, 2));
  assert.equal(await jsonEntry.locator("pre.base64, pre.hex").count(), 0);

  const binaryEntry = tailed(binary.SequenceNumber);
  await binaryEntry.waitFor();
  assert.equal(binary.ShardId, "shardId-000000000001");
  assert.equal((await fieldsOf(binaryEntry)).shard, binary.ShardId);
  assert.equal((await fieldsOf(binaryEntry))["partition-key"], BINARY_KEY);
  assert.equal(await binaryEntry.locator("pre.base64").textContent(), BINARY_BASE64);
  assert.equal(await binaryEntry.locator("pre.hex").textContent(), BINARY_HEX);
  assert.equal(await binaryEntry.locator("pre.json, pre.text").count(), 0);

  // What the records held stayed text: no element came out of a partition key or a JSON value.
  assert.equal(await page.locator("#records b, #records i").count(), 0);
});

test("the put form shows the API's error for a bad explicit hash key", async () => {
  await page.locator("#put-key").fill("form-key");
  await page.locator("#put-hash").fill("not-a-number");
  await page.locator("#put-data").fill("console says hi");
  await page.locator("#put-form button[type=submit]").click();
  const refused = await call("PutRecord", {
    StreamName: STREAM,
    PartitionKey: "form-key",
    Data: Buffer.from("console says hi").toString("base64"),
    ExplicitHashKey: "not-a-number",
  });
  assert.equal(refused.status, 400);
  const expected = `PutRecord failed (HTTP 400): ${refused.body.__type}: ${refused.body.message}`;
  await page.locator("#error", { hasText: "PutRecord failed" }).waitFor();
  assert.equal(await page.locator("#error").textContent(), expected);
});

test("the put form puts a record that GetRecords reads back", async () => {
  await page.locator("#put-hash").fill("0");
  await page.locator("#put-form button[type=submit]").click();
  await page.locator("#put-sequence").waitFor();
  assert.equal(await page.locator("#error").isHidden(), true);
  const shard = await page.locator("#put-shard").textContent();
  const sequence = await page.locator("#put-sequence").textContent();
  assert.equal(shard, "shardId-000000000000");
  const record = await readRecord(shard, sequence);
  assert.equal(record.PartitionKey, "form-key");
  assert.equal(Buffer.from(record.Data, "base64").toString(), "console says hi");
  // The tail sees it too, as text with its bytes.
  const entry = tailed(sequence);
  await entry.waitFor();
  assert.equal(await entry.locator("pre.text").textContent(), "console says hi");
  assert.equal(await entry.locator("pre.base64").textContent(), record.Data);

  const screenshot = join(process.env.KINESIM_CONSOLE_ARTIFACTS || tmpdir(), "console.png");
  mkdirSync(join(screenshot, ".."), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
});

test("the region selector scopes the console to another region", async () => {
  await page.locator("#region").selectOption(OTHER_REGION);
  await page.locator(`#stream-rows tr[data-stream="${OTHER_STREAM}"]`).waitFor();
  assert.deepEqual(await cellTexts("#stream-rows tr"), [[OTHER_STREAM, "ACTIVE", "PROVISIONED", "1", "24"]]);
  assert.equal(await page.locator("#stream").isHidden(), true);
  assert.equal(await page.locator("#tail-state").textContent(), "stopped");
});

test("the page ran without errors", () => {
  assert.deepEqual(pageProblems, []);
});

// A page cannot hold a secret to sign with, so under --auth verify the console shows the server's
// refusal of its placeholder signature.
test("under --auth verify the console shows the server's refusal", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kinesim-console-"));
  const credentials = join(dir, "credentials");
  writeFileSync(credentials, "AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY 111122223333\n");
  const verifying = await startKinesim(["--auth", "verify", "--credentials", credentials]);
  try {
    const other = await browser.newPage();
    await other.goto(`${verifying.endpoint}/ui`);
    await other.locator("#error", { hasText: "ListStreams failed" }).waitFor();
    assert.equal(
      await other.locator("#error").textContent(),
      "ListStreams failed (HTTP 400): UnrecognizedClientException: " +
        "The security token included in the request is invalid.",
    );
    await other.close();
  } finally {
    await stopKinesim(verifying);
    rmSync(dir, { recursive: true, force: true });
  }
});
