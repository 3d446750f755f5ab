// npm run bench:browser — the 784-128-10 epoch (samples/s) in Chromium next to Node, 1 and 2 threads, per backend.
// Node runs bench/browser/node.mjs on dist/ (relaxed SIMD on, as in Chromium); Chromium runs the same measurement
// (bench/browser/epoch.js) in a dedicated Worker of a cross-origin-isolated page served from the repository.
// One run, medians of 5 epochs each; timings on a shared machine vary, compare within one run.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, CHROMIUM } from '../test/browser/chromium.mjs';
import { serve } from '../test/browser/server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flags = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
const node = JSON.parse(execFileSync(process.execPath, [...flags, join(repo, 'bench/browser/node.mjs')], { encoding: 'utf8' }).trim().split('\n').pop());

const server = await serve(repo, { isolated: true });
const { browser, close } = await launch();
let chromium;
let version = '';
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
console.log(`784-128-10 epoch, batch 32, 8000 samples, Network.train, samples/s (median of 5); Node ${process.version}${flags.length ? ' --experimental-wasm-relaxed-simd' : ''}, ${version} (${CHROMIUM})`);
console.log('| backend | threads | Node | Chromium | Chromium / Node |');
console.log('|---|---|---|---|---|');
for (let i = 0; i < node.length; i++) {
  const a = node[i], b = chromium[i];
  if (a.backend !== b.backend || a.threads !== b.threads) throw new Error(`mismatched rows: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  console.log(`| ${a.backend} | ${a.threads} | ${k(a.samplesPerSec)}/s | ${k(b.samplesPerSec)}/s | ${(b.samplesPerSec / a.samplesPerSec).toFixed(2)}x |`);
}
