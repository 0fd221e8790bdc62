// The test side of kinesim's admin surface (/_kinesim/..., see the README) and a Kinesis client
// for it with retries off, so each test sees the faults it injects.
const { KinesisClient } = require("@aws-sdk/client-kinesis");

const endpoint = () => process.env.KINESIM_ENDPOINT;

async function admin(method, path, body) {
  const response = await fetch(`${endpoint()}/_kinesim/${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /_kinesim/${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

module.exports = {
  reset: () => admin("POST", "reset", {}),
  freezeClock: async () => (await admin("POST", "clock", { mode: "manual" })).now_ms,
  advanceClock: async (ms) => (await admin("POST", "clock/advance", { ms })).now_ms,
  addFault: async (rule) => (await admin("POST", "faults", rule)).id,
  faults: async () => (await admin("GET", "faults")).faults,
  client: () =>
    new KinesisClient({
      endpoint: endpoint(),
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    }),
};
