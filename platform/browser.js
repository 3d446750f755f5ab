// fastnn's `#platform` for every non-Node target (browser bundles, Deno without Node compatibility...). The
// library reaches `#platform` only when it runs in Node, so in a browser this module is never called; it
// exists so that bundlers resolve `#platform` without touching Node built-ins.
function unavailable() {
  throw new Error('fastnn: the Node platform module is not available in this build');
}
export const readBytes = unavailable;
export const cpuCount = unavailable;
export const startWorker = unavailable;
