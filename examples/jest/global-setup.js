// Starts one kinesim for the whole Jest run (`kinesim --port 0 --db :memory: --admin`) and hands
// its endpoint to the tests in KINESIM_ENDPOINT. KINESIM_BIN names the executable (CTest sets it).
const { spawn } = require("node:child_process");
const readline = require("node:readline");

module.exports = async function globalSetup() {
  const bin = process.env.KINESIM_BIN || "kinesim";
  const child = spawn(bin, ["--port", "0", "--db", ":memory:", "--admin"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const endpoint = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      // "kinesim listening on http://127.0.0.1:PORT"
      const match = /listening on (\S+)/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`kinesim did not start: ${line}`));
    });
    child.once("exit", (code) => reject(new Error(`kinesim exited with ${code}`)));
  });
  globalThis.__KINESIM__ = child;
  process.env.KINESIM_ENDPOINT = endpoint;
};
