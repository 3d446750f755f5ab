// Browser tests (.ci/run "browser" section): what a web developer gets from the PACKED package.
//   1. npm run build; npm pack; install the tarball into a fresh temp project (outside the repo).
//   2. There, build four pages from the same suite (app/): direct import (import map over the package's dist/),
//      Vite (production build, default config), webpack 5 (default config, entry src/index.js) and esbuild (the
//      browsers guide's recipe: --loader:.wasm=file + loadBackend's `wasm`, fastnn's worker as a second entry point).
//   3. Serve each on 127.0.0.1 with and without COOP/COEP (and the Vite page from `vite` dev, default config, so
//      without; and the direct page once more, isolated, with Atomics.waitAsync deleted before the library loads, as
//      on Firefox < 145 and Safari < 16.4), open it in Debian's Chromium and Firefox ESR (puppeteer-core, headless;
//      browsers.mjs), and require every check of the suite to pass, no console error, no page error, no failed or 404
//      request, and no warning other than the expected ones. Screenshots go to artifacts/browser/<browser>/.
//   4. In Node, on the installed package: a module missing from the install gives a package user's error message,
//      and backend 'auto' falls back with one warning.
// Usage: node test/browser/run.mjs [--keep] [--no-build] [--browser=chromium|firefox] [--page=name,...]   (--keep leaves
// the temp project in place and prints its path; --no-build packs the dist/ that is there; --browser runs one browser,
// default both; --page runs only the named pages)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, browsersFromArgs } from './browsers.mjs';
import { serve } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const app = join(here, 'app');
const artifacts = join(repo, 'artifacts', 'browser');
const keep = process.argv.includes('--keep');
const browserNames = browsersFromArgs();
// --page=a,b runs only those pages (by name, e.g. vite,direct-no-waitAsync): for investigating one page
const pageArg = process.argv.find((a) => a.startsWith('--page='));
const onlyPages = pageArg ? pageArg.slice('--page='.length).split(',') : null;
const bin = (pkg, rel) => join(repo, 'node_modules', pkg, rel);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

const t0 = performance.now();
const log = (m) => console.log(`[browser ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`);

// ---- 1. the packed package in a fresh project
if (!process.argv.includes('--no-build')) {
  log('npm run build');
  run('npm', ['run', 'build'], repo);
}
const work = mkdtempSync(join(tmpdir(), 'fastnn-browser-'));
const tgz = run('npm', ['pack', '--silent', '--pack-destination', work], repo).trim().split('\n').pop();
log(`packed ${tgz}`);
writeFileSync(
  join(work, 'package.json'),
  JSON.stringify({ name: 'fastnn-browser-consumer', private: true, type: 'module' }, null, 2),
);
run('npm', ['install', '--no-audit', '--no-fund', join(work, tgz)], work);
const pkgDir = join(work, 'node_modules', 'fastnn');

// ---- 2. the pages
const copyApp = (dest, files) => {
  mkdirSync(dest, { recursive: true });
  for (const [from, to] of Object.entries(files)) cpSync(join(app, from), join(dest, to));
};
const sizes = {};
const dirSize = (d) =>
  readdirSync(d, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? dirSize(join(d, e.name)) : statSync(join(d, e.name)).size),
    0,
  );
const listing = (d) =>
  readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const p = join(e.parentPath ?? e.path, e.name);
      return `${p.slice(d.length + 1)} ${statSync(p).size}`;
    });

// direct import: an import map for the page; a Worker does not see import maps, so the worker imports the file
const direct = join(work, 'direct');
copyApp(direct, { 'suite.js': 'suite.js', 'shared.js': 'shared.js', 'main.js': 'main.js' });
writeFileSync(
  join(direct, 'train-worker.js'),
  readFileSync(join(app, 'train-worker.js'), 'utf8').replace(
    "from 'fastnn'",
    "from '../node_modules/fastnn/dist/index.js'",
  ),
);
const directHtml = readFileSync(join(app, 'index.html'), 'utf8').replace(
  '<title>',
  '<script type="importmap">{ "imports": { "fastnn": "/node_modules/fastnn/dist/index.js" } }</script>\n    <title>',
);
writeFileSync(join(direct, 'index.html'), directHtml);
// the same page on an engine without Atomics.waitAsync: deleted by a classic script that runs before any module
writeFileSync(
  join(direct, 'no-wait-async.html'),
  directHtml.replace(
    '<title>',
    '<script>delete Atomics.waitAsync; window.__fastnnNoWaitAsync = true;</script>\n    <title>',
  ),
);

// Vite: production build, default config
const vite = join(work, 'vite');
copyApp(vite, {
  'index.html': 'index.html',
  'main.js': 'main.js',
  'suite.js': 'suite.js',
  'shared.js': 'shared.js',
  'train-worker.js': 'train-worker.js',
});
log('vite build');
const viteOut = run(process.execPath, [bin('vite', 'bin/vite.js'), 'build'], vite);
if (/node:|externalized/i.test(viteOut)) throw new Error(`vite build reached a Node built-in:\n${viteOut}`);
sizes.vite = { total: dirSize(join(vite, 'dist')), files: listing(join(vite, 'dist')) };

// webpack 5: default config (entry ./src/index.js, output ./dist/main.js), production mode
const webpack = join(work, 'webpack');
copyApp(join(webpack, 'src'), {
  'main.js': 'index.js',
  'suite.js': 'suite.js',
  'shared.js': 'shared.js',
  'train-worker.js': 'train-worker.js',
});
log('webpack --mode production');
const webpackOut = run(process.execPath, [bin('webpack-cli', 'bin/cli.js'), '--mode', 'production'], webpack);
if (/WARNING|ERROR/.test(webpackOut)) throw new Error(`webpack printed warnings or errors:\n${webpackOut}`);
writeFileSync(
  join(webpack, 'dist', 'index.html'),
  '<!doctype html><meta charset="utf-8"><title>fastnn webpack</title><p>running…</p><script src="main.js"></script>\n',
);
sizes.webpack = { total: dirSize(join(webpack, 'dist')), files: listing(join(webpack, 'dist')) };

// esbuild: the recipe of docs/browsers-and-threads.md
const esb = join(work, 'esbuild');
copyApp(esb, {
  'main-esbuild.js': 'main.js',
  'suite.js': 'suite.js',
  'shared.js': 'shared.js',
  'train-worker.js': 'train-worker.js',
});
log('esbuild');
run(
  bin('esbuild', 'bin/esbuild'),
  [
    'main.js',
    'train-worker.js',
    'worker=../node_modules/fastnn/dist/backends/worker.js',
    '--bundle',
    '--format=esm',
    '--platform=browser',
    '--loader:.wasm=file',
    '--outdir=out',
    '--log-level=warning',
  ],
  esb,
);
writeFileSync(join(esb, 'out', 'index.html'), readFileSync(join(app, 'index.html'), 'utf8'));
sizes.esbuild = { total: dirSize(join(esb, 'out')), files: listing(join(esb, 'out')) };

// ---- 3. run them in Chromium
const pages = [
  { name: 'direct', root: work, path: '/direct/index.html' },
  // isolated only: without isolation there are no threads to wait for
  {
    name: 'direct-no-waitAsync',
    root: work,
    path: '/direct/no-wait-async.html',
    modes: [true],
    requires: ['Atomics.waitAsync is absent'],
  },
  { name: 'vite', root: join(vite, 'dist'), path: '/index.html' },
  { name: 'webpack', root: join(webpack, 'dist'), path: '/index.html' },
  { name: 'esbuild', root: join(esb, 'out'), path: '/index.html' },
];
const EXPECTED_WARNINGS = {
  true: [/^fastnn: train\(\) cannot wait for worker threads here/],
  false: [/^fastnn: threads need shared memory that workers can use/],
};
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
// the Vite dev server (default config, so not isolated): started here, stopped after its page
async function viteDev() {
  const child = spawn(process.execPath, [bin('vite', 'bin/vite.js'), '--host', '127.0.0.1', '--port', '0'], {
    cwd: vite,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`vite dev did not start:\n${out}`)), 60_000);
    const onData = (d) => {
      out += d;
      // eslint-disable-next-line no-control-regex -- strips the dev server's ANSI colour codes
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`vite dev exited (${code}):\n${out}`)));
  });
  return {
    url,
    notFound: [],
    close: async () => {
      child.kill('SIGTERM');
    },
  };
}
pages.push({ name: 'vite-dev', path: '/', start: viteDev, modes: [false] });
if (onlyPages) {
  const unknown = onlyPages.filter((n) => !pages.some((p) => p.name === n));
  if (unknown.length)
    throw new Error(`--page: unknown page(s) ${unknown.join(', ')} (known: ${pages.map((p) => p.name).join(', ')})`);
  pages.splice(0, pages.length, ...pages.filter((p) => onlyPages.includes(p.name)));
}

let passed = 0,
  failed = 0;
const wall = {};
for (const browserName of browserNames) {
  const tb = performance.now();
  log(`${browserName}: launching`);
  const { browser, close } = await BROWSERS[browserName]();
  const shots = join(artifacts, browserName);
  mkdirSync(shots, { recursive: true });
  try {
    for (const page of pages) {
      for (const isolated of page.modes ?? [true, false]) {
        const label = `${browserName} ${page.name} ${isolated ? 'isolated' : 'not isolated'}`;
        const server = page.start ? await page.start() : await serve(page.root, { isolated });
        const tab = await browser.newPage();
        const problems = [];
        const warnings = [];
        tab.on('console', (m) => {
          if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
          if (m.type() === 'warn' || m.type() === 'warning') warnings.push(m.text());
        });
        tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        tab.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
        tab.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
        let results;
        try {
          await tab.goto(server.url + page.path, { waitUntil: 'load' });
          await tab.waitForFunction(() => window.__fastnnResults !== undefined, { timeout: 60_000 });
          results = await tab.evaluate(() => window.__fastnnResults);
        } catch (e) {
          results = { checks: [{ name: 'page', ok: false, detail: e.message }], warnings: [] };
        }
        await tab.screenshot({
          path: join(shots, `${page.name}-${isolated ? 'isolated' : 'not-isolated'}.png`),
          fullPage: true,
        });
        await tab.close();
        await server.close();
        if (results.isolated !== isolated)
          problems.push(`crossOriginIsolated is ${results.isolated}, expected ${isolated}`);
        for (const name of page.requires ?? []) {
          if (!results.checks.some((c) => c.name === name)) problems.push(`the suite did not run its check '${name}'`);
        }
        for (const p of server.notFound) problems.push(`404 ${p}`);
        const unexpected = warnings.filter((w) => !EXPECTED_WARNINGS[isolated].some((re) => re.test(w)));
        for (const w of unexpected) problems.push(`unexpected console warning: ${w}`);
        const expectedCount = isolated ? 2 : 1; // the main-thread rule once per WASM backend; the isolation fallback once
        if (warnings.length !== expectedCount)
          problems.push(
            `expected ${expectedCount} console warning(s), got ${warnings.length}: ${JSON.stringify(warnings)}`,
          );
        for (const c of results.checks) {
          console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${label}: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
          c.ok ? passed++ : failed++;
        }
        const clean = problems.length === 0;
        console.log(
          `  ${clean ? 'ok  ' : 'FAIL'} ${label}: no console errors, failed requests or unexpected warnings${clean ? '' : `\n      ${problems.join('\n      ')}`}`,
        );
        clean ? passed++ : failed++;
      }
    }
  } finally {
    await close();
  }
  wall[browserName] = (performance.now() - tb) / 1000;
  log(`${browserName}: done in ${wall[browserName].toFixed(1)} s`);
}

console.log('\nbundle sizes (bytes, everything the page loads from its output folder):');
for (const [k, v] of Object.entries(sizes)) {
  console.log(`  ${k}: ${v.total}`);
  for (const f of v.files) console.log(`    ${f}`);
}
// ---- 4. Node on the installed package: a module missing from the install is a BackendError that names the file
// and tells a package user what to do (not a source-checkout build command); 'auto' falls back with one warning.
rmSync(join(pkgDir, 'dist', 'wasm', 'as-relaxed.wasm'));
rmSync(join(pkgDir, 'dist', 'wasm', 'as-simd.wasm'));
rmSync(join(pkgDir, 'dist', 'wasm', 'as-scalar.wasm'));
const nodeCheck = `
import { loadBackend } from 'fastnn';
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
let message = '';
try { await loadBackend('assemblyscript'); } catch (e) { message = e.name + ': ' + e.message; }
const auto = await loadBackend('auto');
await loadBackend('auto');
console.log(JSON.stringify({ message, auto: auto.name, warnings }));
`;
const nodeOut = JSON.parse(run(process.execPath, ['--input-type=module', '-e', nodeCheck], work).trim());
const missingOk =
  nodeOut.message.startsWith("BackendError: loadBackend('assemblyscript'): cannot load file://") &&
  nodeOut.message.includes('/node_modules/fastnn/dist/wasm/as-relaxed.wasm') &&
  nodeOut.message.includes('reinstall fastnn') &&
  !nodeOut.message.includes('asbuild');
console.log(
  `  ${missingOk ? 'ok  ' : 'FAIL'} node, installed package: a missing module names its path and what to do — ${nodeOut.message}`,
);
missingOk ? passed++ : failed++;
const autoOk =
  nodeOut.auto === 'rust' &&
  nodeOut.warnings.length === 1 &&
  /^fastnn: backend 'auto' uses 'rust' because .*as-relaxed\.wasm/.test(nodeOut.warnings[0]);
console.log(
  `  ${autoOk ? 'ok  ' : 'FAIL'} node, installed package: 'auto' falls back to ${nodeOut.auto} with one warning — ${JSON.stringify(nodeOut.warnings)}`,
);
autoOk ? passed++ : failed++;

if (keep) console.log(`temp project kept: ${work}`);
else rmSync(work, { recursive: true, force: true });
log(`screenshots in ${artifacts}`);
console.log(
  `browser: ${passed} passed, ${failed} failed (${Object.entries(wall)
    .map(([b, t]) => `${b} ${t.toFixed(0)} s`)
    .join(', ')}; total ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
);
process.exit(failed === 0 ? 0 : 1);
