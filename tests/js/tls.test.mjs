// The JavaScript SDK v3 over https://, trusting kinesim's self-signed certificate (never by
// turning verification off), plus what a client sees of that certificate.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, startKinesim } from "./kinesim.mjs";
import { kinesisSuite } from "./suite.mjs";

kinesisSuite("tls");

describe("kinesim's self-signed certificate", () => {
  let server;

  before(async () => {
    server = await startKinesim();
  });

  after(async () => {
    await server?.stop();
  });

  test("is generated and named on stderr", () => {
    assert.equal(server.certificateGenerated, true);
    assert.match(server.certificate, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
  });

  test("verifies for https://localhost:PORT", async () => {
    const kinesis = kinesisClient(`https://localhost:${server.port}`, { ca: server.certificate });
    try {
      const out = await kinesis.send(new ListStreamsCommand({}));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.deepEqual(out.StreamNames, []);
    } finally {
      kinesis.destroy();
    }
  });

  test("is refused by a client that does not trust it", async () => {
    const kinesis = kinesisClient(server.tlsEndpoint);
    try {
      await assert.rejects(kinesis.send(new ListStreamsCommand({})), (err) => {
        // node:http2 cancels the request because the TLS handshake failed verification.
        const cause = err.cause ?? err;
        assert.match(cause.code, /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/, String(err));
        assert.match(cause.message, /self-signed certificate/);
        return true;
      });
    } finally {
      kinesis.destroy();
    }
  });

  test("is trusted through NODE_EXTRA_CA_CERTS by a client with default settings", async () => {
    // NODE_EXTRA_CA_CERTS is read when node starts, so the client runs in a child process.
    const script = `
      import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
      const kinesis = new KinesisClient({
        endpoint: process.argv[1],
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      const out = await kinesis.send(new ListStreamsCommand({}));
      console.log(JSON.stringify({ status: out.$metadata.httpStatusCode, names: out.StreamNames }));
      kinesis.destroy();
    `;
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: server.certPath };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script, `https://localhost:${server.port}`],
      { env, cwd: fileURLToPath(new URL(".", import.meta.url)), timeout: 30_000 },
    );
    assert.deepEqual(JSON.parse(stdout), { status: 200, names: [] });
  });
});
