// The kinesim web console. It calls the Kinesis API of the server that served it, exactly as an
// SDK would (POST / with the JSON 1.1 protocol), so it shows what any client would see.
//
// Requests carry a well-formed SigV4 Authorization header with a fixed placeholder signature:
// kinesim's default --auth presence mode only checks that a request is signed, and reads the
// region from the credential scope. Under --auth verify the server rejects the placeholder and
// the console shows its error; a browser page holds no secret to sign with.
//
// Everything the API returns reaches the page through textContent, never as markup.
"use strict";

const TARGET_PREFIX = "Kinesis_20131202.";
const ACCESS_KEY = "KINESIMCONSOLE";
const PLACEHOLDER_SIGNATURE = "0".repeat(64);
const TAIL_INTERVAL_MS = 1000; // GetRecords once a second per shard, well under 5 reads a second
const TAIL_CATCH_UP_MS = 250; // sooner while a shard still has a backlog
const TAIL_BATCH = 1000;
const MAX_SHOWN_RECORDS = 200;
const MAX_HEX_BYTES = 4096;

const $ = (id) => document.getElementById(id);

const state = {
  summaries: new Map(), // stream name -> DescribeStreamSummary's StreamDescriptionSummary
  stream: null, // the stream on show: its name
  tail: null, // the running Tail, if any
};

// ---------------------------------------------------------------------------------------------
// The Kinesis API

class KinesisError extends Error {
  constructor(operation, status, type, message) {
    super(`${operation} failed (HTTP ${status}): ${type}${message ? ": " + message : ""}`);
    this.type = type;
  }
}

// 20261130T095424Z
function amzDate(now) {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

async function kinesis(operation, input) {
  const date = amzDate(new Date());
  const scope = `${ACCESS_KEY}/${date.slice(0, 8)}/${$("region").value}/kinesis/aws4_request`;
  const response = await fetch("/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": TARGET_PREFIX + operation,
      "X-Amz-Date": date,
      Authorization:
        `AWS4-HMAC-SHA256 Credential=${scope}, ` +
        `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${PLACEHOLDER_SIGNATURE}`,
    },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Refusals before the protocol is known come as XML; show them as they are.
  }
  if (response.ok && body) return body;
  if (body && typeof body === "object") {
    const type = String(body.__type ?? "UnknownError").replace(/^.*#/, "");
    throw new KinesisError(operation, response.status, type, body.message ?? body.Message ?? "");
  }
  throw new KinesisError(operation, response.status, "UnreadableResponse", text.trim());
}

// Every page of a paginated operation: `items` picks a page's items, `next` the input for the
// following page (or null after the last).
async function allPages(operation, input, items, next) {
  const all = [];
  for (let request = input; request; ) {
    const page = await kinesis(operation, request);
    all.push(...(items(page) ?? []));
    request = next(page, all);
  }
  return all;
}

function listStreamNames() {
  return allPages(
    "ListStreams",
    {},
    (page) => page.StreamNames,
    (page, names) => {
      if (!page.HasMoreStreams || names.length === 0) return null;
      return page.NextToken ? { NextToken: page.NextToken } : { ExclusiveStartStreamName: names.at(-1) };
    },
  );
}

function listShards(streamName) {
  return allPages(
    "ListShards",
    { StreamName: streamName },
    (page) => page.Shards,
    (page) => (page.NextToken ? { NextToken: page.NextToken } : null),
  );
}

function listConsumers(streamArn) {
  return allPages(
    "ListStreamConsumers",
    { StreamARN: streamArn },
    (page) => page.Consumers,
    (page) => (page.NextToken ? { StreamARN: streamArn, NextToken: page.NextToken } : null),
  );
}

// ---------------------------------------------------------------------------------------------
// Bytes and text

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// The bytes as UTF-8 text, or null when they are not valid UTF-8.
function utf8(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

// `text` parsed as JSON, or undefined when it is not JSON.
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Sixteen bytes a line: offset, hex bytes, and the printable ASCII between bars.
function hexDump(bytes) {
  const lines = [];
  const shown = bytes.subarray(0, MAX_HEX_BYTES);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = [...shown.subarray(offset, offset + 16)];
    const hex = row.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  if (bytes.length > shown.length) lines.push(`... ${bytes.length - shown.length} more bytes`);
  return lines.join("\n");
}

function formatTime(epochSeconds) {
  return epochSeconds === undefined ? "" : new Date(epochSeconds * 1000).toISOString();
}

// ---------------------------------------------------------------------------------------------
// The page

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function tableRow(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = cell instanceof Node ? element("td") : element("td", cell ?? "");
    if (cell instanceof Node) td.append(cell);
    tr.append(td);
  }
  return tr;
}

function showError(error) {
  const box = $("error");
  box.textContent = error instanceof KinesisError ? error.message : `Error: ${error.message ?? error}`;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

async function loadStreams() {
  const names = await listStreamNames();
  const summaries = await Promise.all(
    names.map((name) =>
      kinesis("DescribeStreamSummary", { StreamName: name }).then(
        (answer) => answer.StreamDescriptionSummary,
        (error) => (error.type === "ResourceNotFoundException" ? null : Promise.reject(error)),
      ),
    ),
  );
  state.summaries = new Map();
  const rows = [];
  for (const summary of summaries) {
    if (!summary) continue; // deleted since it was listed
    state.summaries.set(summary.StreamName, summary);
    const open = element("button", summary.StreamName, "link");
    open.type = "button";
    open.addEventListener("click", () => run(() => openStream(summary.StreamName)));
    const tr = tableRow([
      open,
      summary.StreamStatus,
      summary.StreamModeDetails?.StreamMode ?? "",
      summary.OpenShardCount,
      summary.RetentionPeriodHours,
    ]);
    tr.dataset.stream = summary.StreamName;
    tr.cells[3].className = tr.cells[4].className = "num";
    if (summary.StreamName === state.stream) tr.classList.add("selected");
    rows.push(tr);
  }
  $("stream-rows").replaceChildren(...rows);
  $("no-streams").hidden = rows.length > 0;
}

async function openStream(name) {
  if (state.stream !== name) stopTail();
  state.stream = name;
  $("stream-name").textContent = name;
  $("put-result").replaceChildren();
  $("stream").hidden = false;
  for (const tr of $("stream-rows").rows) tr.classList.toggle("selected", tr.dataset.stream === name);
  await Promise.all([loadShards(name), loadConsumers(name)]);
}

async function loadShards(name) {
  const shards = await listShards(name);
  $("shard-rows").replaceChildren(
    ...shards.map((shard) => {
      const tr = tableRow([
        shard.ShardId,
        shard.HashKeyRange.StartingHashKey,
        shard.HashKeyRange.EndingHashKey,
        shard.SequenceNumberRange.EndingSequenceNumber === undefined ? "open" : "closed",
        shard.ParentShardId,
        shard.AdjacentParentShardId,
      ]);
      tr.dataset.shard = shard.ShardId;
      tr.cells[1].className = tr.cells[2].className = "num";
      return tr;
    }),
  );
}

async function loadConsumers(name) {
  let arn = state.summaries.get(name)?.StreamARN;
  if (!arn) {
    const answer = await kinesis("DescribeStreamSummary", { StreamName: name });
    arn = answer.StreamDescriptionSummary.StreamARN;
  }
  const consumers = await listConsumers(arn);
  $("consumer-rows").replaceChildren(
    ...consumers.map((consumer) => {
      const tr = tableRow([
        consumer.ConsumerName,
        consumer.ConsumerStatus,
        formatTime(consumer.ConsumerCreationTimestamp),
      ]);
      tr.dataset.consumer = consumer.ConsumerName;
      return tr;
    }),
  );
  $("no-consumers").hidden = consumers.length > 0;
}

async function putRecord(event) {
  event.preventDefault();
  const input = {
    StreamName: state.stream,
    PartitionKey: $("put-key").value,
    Data: toBase64(new TextEncoder().encode($("put-data").value)),
  };
  const hashKey = $("put-hash").value.trim();
  if (hashKey) input.ExplicitHashKey = hashKey;
  $("put-result").replaceChildren();
  const answer = await kinesis("PutRecord", input);
  const shard = element("span", answer.ShardId);
  shard.id = "put-shard";
  const sequence = element("span", answer.SequenceNumber);
  sequence.id = "put-sequence";
  $("put-result").replaceChildren("Put into ", shard, " at sequence number ", sequence);
}

// ---------------------------------------------------------------------------------------------
// Live tail

function showRecord(shardId, record) {
  const item = element("li", undefined, "record");
  const fields = document.createElement("dl");
  const bytes = fromBase64(record.Data);
  for (const [label, field, value] of [
    ["Shard", "shard", shardId],
    ["Sequence number", "sequence", record.SequenceNumber],
    ["Partition key", "partition-key", record.PartitionKey],
    ["Arrival", "arrival", formatTime(record.ApproximateArrivalTimestamp)],
    ["Size", "size", `${bytes.length} bytes`],
  ]) {
    const dd = element("dd", value);
    dd.dataset.field = field;
    fields.append(element("dt", label), dd);
  }
  item.append(fields);
  const text = utf8(bytes);
  const json = text === null ? undefined : parseJson(text);
  const show = (label, body, className) =>
    item.append(element("div", label, "label"), element("pre", body, className));
  if (json !== undefined) {
    show("JSON", JSON.stringify(json, null, 2), "json");
  } else {
    // Text that is not JSON is shown as text too; the bytes are always there exactly.
    if (text !== null && text !== "") show("Text (UTF-8)", text, "text");
    show("Base64", record.Data, "base64");
    show("Hex", hexDump(bytes), "hex");
  }
  const list = $("records");
  list.prepend(item);
  while (list.children.length > MAX_SHOWN_RECORDS) list.lastElementChild.remove();
}

// Reads every shard of a stream once a second: the open shards from LATEST, or every shard from
// TRIM_HORIZON starting at those whose parents have aged out, and the children of each shard
// that ends.
class Tail {
  constructor(streamName, from) {
    this.streamName = streamName;
    this.from = from;
    this.iterators = new Map(); // shard id -> next shard iterator
    this.followed = new Set(); // shard ids ever read, so a merge's child is read once
    this.stopped = false;
    this.timer = undefined;
  }

  async start() {
    const shards = await listShards(this.streamName);
    const listed = new Set(shards.map((s) => s.ShardId));
    const first =
      this.from === "LATEST"
        ? shards.filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined)
        : shards.filter((s) => !listed.has(s.ParentShardId) && !listed.has(s.AdjacentParentShardId));
    await Promise.all(first.map((s) => this.follow(s.ShardId, this.from)));
    this.schedule(0);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async follow(shardId, from) {
    if (this.followed.has(shardId)) return;
    this.followed.add(shardId);
    const answer = await kinesis("GetShardIterator", {
      StreamName: this.streamName,
      ShardId: shardId,
      ShardIteratorType: from,
    });
    if (answer.ShardIterator) this.iterators.set(shardId, answer.ShardIterator);
  }

  schedule(delay) {
    if (!this.stopped) this.timer = setTimeout(() => this.poll(), delay);
    showTailState(this);
  }

  async poll() {
    let backlog = false;
    try {
      for (const [shardId, iterator] of [...this.iterators]) {
        const answer = await kinesis("GetRecords", { ShardIterator: iterator, Limit: TAIL_BATCH });
        if (this.stopped) return;
        for (const record of answer.Records ?? []) showRecord(shardId, record);
        if (answer.MillisBehindLatest > 0 && (answer.Records ?? []).length > 0) backlog = true;
        if (answer.NextShardIterator) {
          this.iterators.set(shardId, answer.NextShardIterator);
        } else {
          // The shard is closed and read to its end: go on with its children.
          this.iterators.delete(shardId);
          for (const child of answer.ChildShards ?? []) await this.follow(child.ShardId, "TRIM_HORIZON");
        }
      }
    } catch (error) {
      if (this.stopped) return;
      this.stop();
      showTailState(this);
      showError(error);
      return;
    }
    this.schedule(backlog ? TAIL_CATCH_UP_MS : TAIL_INTERVAL_MS);
  }
}

function showTailState(tail) {
  const running = tail && !tail.stopped;
  $("tail-toggle").textContent = running ? "Stop tail" : "Start tail";
  $("tail-state").textContent = running ? `tailing ${tail.iterators.size} shard(s)` : "stopped";
}

async function toggleTail() {
  if (state.tail && !state.tail.stopped) return stopTail();
  const tail = new Tail(state.stream, $("tail-from").value);
  state.tail = tail;
  $("records").replaceChildren();
  showTailState(tail);
  try {
    await tail.start();
  } catch (error) {
    tail.stop();
    showTailState(tail);
    throw error;
  }
}

function stopTail() {
  if (state.tail) state.tail.stop();
  showTailState(state.tail);
}

// ---------------------------------------------------------------------------------------------
// Wiring

// Runs one user action: clears the last error, shows the new one if the action fails.
async function run(action) {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

function refresh() {
  return run(async () => {
    await loadStreams();
    if (state.stream && state.summaries.has(state.stream)) await openStream(state.stream);
  });
}

$("refresh").addEventListener("click", refresh);
$("region").addEventListener("change", () => {
  stopTail();
  state.stream = null;
  $("stream").hidden = true;
  refresh();
});
$("put-form").addEventListener("submit", (event) => run(() => putRecord(event)));
$("tail-toggle").addEventListener("click", () => run(toggleTail));
refresh();
