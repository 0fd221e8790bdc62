module.exports = async function globalTeardown() {
  const child = globalThis.__KINESIM__;
  if (!child) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
};
