// fastnn's Node platform module, chosen by the package.json "imports" entry `#platform` under the `node`
// condition. It is the only file of the package that imports Node built-ins; browser builds resolve
// `#platform` to ./browser.js instead, so bundlers never reach node:fs, node:os or node:worker_threads.
// Plain JavaScript (types in ./index.d.ts) so that the source tree (src/, run by vitest and tsx) and the
// compiled package (dist/) share it unchanged.
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

/** @type {import('./index.js').Platform['readBytes']} */
export async function readBytes(url) {
  return new Uint8Array(await readFile(url));
}

/** @type {import('./index.js').Platform['cpuCount']} */
export function cpuCount() {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

/**
 * Starts the training worker that sits next to `callerUrl` (worker.js in dist/, worker.ts in the source tree,
 * run through tsx's loader). The worker is written for browsers (globalThis.onmessage / postMessage); the
 * eval'd prelude gives it those over worker_threads and delivers `init` as its first message.
 * @type {import('./index.js').Platform['startWorker']}
 */
export function startWorker(callerUrl, init, on) {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(fromSource ? './worker.ts' : './worker.js', callerUrl).href;
  // import() rather than require: an eval'd worker runs as CommonJS or as an ES module depending on the loaders
  const code = [
    "import('node:worker_threads').then(async ({ parentPort, workerData }) => {",
    '  globalThis.postMessage = (m) => parentPort.postMessage(m);',
    fromSource ? "  (await import('tsx/esm/api')).register();" : '',
    `  await import(${JSON.stringify(url)});`,
    '  globalThis.onmessage({ data: workerData });',
    '});',
  ].join('\n');
  const w = new Worker(code, { eval: true, workerData: init });
  w.on('message', (m) => on.message(m));
  w.on('error', (e) => on.error(e.message));
  w.on('exit', (code) => on.exit(code));
  return w;
}
