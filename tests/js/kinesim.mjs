// Starts the real kinesim binary for the JavaScript SDK tests and hands out clients for it.
//
// The binary comes from KINESIM_BIN. It listens on a free port (`--port 0`), prints
// `kinesim listening on http://HOST:PORT` to stdout when ready, and names its TLS certificate on
// stderr; startKinesim() waits for both and returns the endpoints and the certificate path.
// Every client uses fixed fake credentials and region us-east-1, never the machine's AWS config.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KinesisClient } from "@aws-sdk/client-kinesis";

export const ACCOUNT_ID = "000000000000";
export const REGION = "us-east-1";
export const MAX_HASH_KEY = "340282366920938463463374607431768211455";

// No AWS_* variable or config file on the machine may change what a client sends.
for (const key of Object.keys(process.env)) {
  if (key.startsWith("AWS_")) delete process.env[key];
}
process.env.AWS_CONFIG_FILE = join(tmpdir(), "kinesim-js-no-aws-config");
process.env.AWS_SHARED_CREDENTIALS_FILE = process.env.AWS_CONFIG_FILE;
process.env.AWS_EC2_METADATA_DISABLED = "true";

const LISTENING = /^kinesim listening on (http:\/\/(\S+):(\d+))$/m;
// The start-up log line naming the TLS endpoint and certificate (text log format).
const TLS_LINE = / INFO server: TLS on the same port endpoint=(https:\/\/\S+) certificate=(self-signed|given) pem=(\S+)$/m;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 20_000;

// One running kinesim process.
export class Kinesim {
  constructor(child) {
    this.child = child;
    this.stdout = "";
    this.stderr = "";
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  // http://HOST:PORT (HTTP/1.1 and h2c), https://HOST:PORT (TLS), the certificate in use.
  get endpoint() { return `http://${this.host}:${this.port}`; }
  get tlsEndpoint() { return `https://${this.host}:${this.port}`; }
  get certificate() { return readFileSync(this.certPath, "utf8"); }

  // SIGTERM, and the process must exit with code 0.
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill("SIGTERM");
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error(`kinesim did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM; stderr: ${this.stderr}`));
      }, STOP_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([this.exited, timeout]);
      if (result.code !== 0) {
        throw new Error(`kinesim exited with ${result.code ?? result.signal} after SIGTERM; stderr: ${this.stderr}`);
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

// Starts kinesim with `--port 0 --db DB` (":memory:" unless a path is given) and extra args.
export async function startKinesim({ db = ":memory:", args = [] } = {}) {
  const binary = process.env.KINESIM_BIN;
  if (!binary) throw new Error("KINESIM_BIN is not set: point it at the kinesim executable");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KINESIM_")));
  const child = spawn(binary, ["--port", "0", "--db", db, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = new Kinesim(child);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`kinesim printed no endpoint within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    function fail(why) {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${why}; stdout: ${server.stdout}; stderr: ${server.stderr}`));
    }
    // Ready once both lines are in: the endpoint on stdout and the certificate on stderr.
    function check() {
      const listening = LISTENING.exec(server.stdout);
      const tls = TLS_LINE.exec(server.stderr);
      if (!listening || !tls) return;
      clearTimeout(timer);
      server.host = listening[2];
      server.port = Number(listening[3]);
      server.certPath = tls[3];
      server.certificateGenerated = tls[2] === "self-signed";
      resolve();
    }
    child.stdout.setEncoding("utf8").on("data", (text) => { server.stdout += text; check(); });
    child.stderr.setEncoding("utf8").on("data", (text) => { server.stderr += text; check(); });
    child.once("error", (err) => fail(`cannot start ${binary}: ${err.message}`));
    child.once("exit", (code, signal) => fail(`kinesim exited (${code ?? signal}) before it was ready`));
  });
  return server;
}

// A Kinesis client for `endpoint` that does not retry, so every error reaches the test.
// `ca`: PEM certificates to trust for https endpoints (verification stays on).
// `multiplex`: send concurrent requests as streams of one HTTP/2 connection (the Kinesis client
// otherwise opens one connection per request).
// `connectOptions`: more options for node:http2's connect().
export function kinesisClient(endpoint, { ca, multiplex = false, connectOptions = {}, ...config } = {}) {
  const nodeHttp2ConnectOptions = { ...connectOptions };
  if (ca) nodeHttp2ConnectOptions.ca = ca;
  return new KinesisClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    requestHandler: {
      disableConcurrentStreams: !multiplex,
      requestTimeout: 30_000,
      nodeHttp2ConnectOptions,
    },
    ...config,
  });
}

export function uniqueName(prefix = "js") {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

export function streamArn(name) {
  return `arn:aws:kinesis:${REGION}:${ACCOUNT_ID}:stream/${name}`;
}

export function notFound(name) {
  return `Stream ${name} under account ${ACCOUNT_ID} not found.`;
}

export function shardId(index) {
  return `shardId-${String(index).padStart(12, "0")}`;
}

// Bytes 0..255, the payload that catches any text or base64 mangling.
export function everyByte() {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}
