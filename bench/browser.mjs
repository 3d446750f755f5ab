// npm run bench:browser — the 784-128-10 epoch and an Iris-sized trainAsync (samples/s) in Chromium next to Node,
// 1 and 2 threads, per backend; the 2-thread rows also print their ratio to the 1-thread row of the same engine.
// Node runs bench/browser/node.mjs on dist/ (relaxed SIMD on, as in Chromium); Chromium runs the same measurement
// (bench/browser/epoch.js) in a dedicated Worker of a cross-origin-isolated page served from the repository.
// One run; the 1- and 2-thread calls of a pair alternate (epoch.js ROUNDS), medians; timings on a shared machine
// vary, compare within one run.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, CHROMIUM } from '../test/browser/chromium.mjs';
import { serve } from '../test/browser/server.mjs';
import { IRIS_ROUNDS, IRIS_WARMUP, ROUNDS } from './browser/epoch.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flags = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
const node = JSON.parse(
  execFileSync(process.execPath, [...flags, join(repo, 'bench/browser/node.mjs')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop(),
);

const server = await serve(repo, { isolated: true });
const { browser, close } = await launch();
let chromium;
let version;
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.error(`chromium console: ${m.text()}`));
  await page.goto(`${server.url}/bench/browser/index.html`);
  await page.waitForFunction(() => window.__bench !== undefined);
  const r = await page.evaluate(() => window.__bench);
  if (r.error) throw new Error(`chromium: ${r.error}`);
  chromium = r.results;
  version = await browser.version();
} finally {
  await close();
  await server.close();
}

const k = (n) => `${(n / 1000).toFixed(1)}k`;
console.log(
  `samples/s (median of interleaved 1-thread / 2-thread rounds): mnist = 784-128-10 epoch, batch 32, 8000 samples, Network.train, ${ROUNDS} rounds after 1 warm-up epoch; iris = 4-10-3 softmax, 150 samples, batch 32, 200 epochs of trainAsync, ${IRIS_ROUNDS} rounds after ${IRIS_WARMUP} warm-up calls. Node ${process.version}${flags.length ? ' --experimental-wasm-relaxed-simd' : ''}, ${version} (${CHROMIUM})`,
);
console.log('| network | backend | threads | Node | Node 2t / 1t | Chromium | Chromium 2t / 1t | Chromium / Node |');
console.log('|---|---|---|---|---|---|---|---|');
for (let i = 0; i < node.length; i++) {
  const a = node[i],
    b = chromium[i];
  if (a.backend !== b.backend || a.threads !== b.threads || a.net !== b.net)
    throw new Error(`mismatched rows: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  const one = (rows, r) => rows.find((o) => o.net === r.net && o.backend === r.backend && o.threads === 1);
  const vs = (rows, r) => (r.threads === 1 ? '' : `${(r.samplesPerSec / one(rows, r).samplesPerSec).toFixed(2)}x`);
  console.log(
    `| ${a.net} | ${a.backend} | ${a.threads} | ${k(a.samplesPerSec)}/s | ${vs(node, a)} | ${k(b.samplesPerSec)}/s | ${vs(chromium, b)} | ${(b.samplesPerSec / a.samplesPerSec).toFixed(2)}x |`,
  );
}
