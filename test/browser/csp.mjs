// The js backend's generated small-layer kernel (src/kernels/js/tiny-gen.ts) in a real browser, with and without a
// Content-Security-Policy that forbids eval (.ci/run "browser: CSP" section).
//   Two pages load the built dist/ (npm run build first, or pass --no-build to use the dist/ that is there) and
//   train the same 2-2-1 and 3-4-2 networks per sample on the js backend: one page as is (the generated kernel
//   runs), one with <meta http-equiv="Content-Security-Policy" content="script-src 'self'"> (new Function throws
//   EvalError; the small-layer loop must run instead). The CSP page must give the plain page's bits exactly, both
//   must match Node on the same dist/ to 1e-9 (Chromium 156 and Node 20 do not agree to the last bit here: the data
//   come from Math.sin/cos and training uses Math.exp/tanh, the math functions of two V8 versions; Firefox's are
//   SpiderMonkey's), with no page error, no failed request, and nothing on the console but the browser's own report
//   of the refused eval. In Chromium and Firefox ESR (browsers.mjs).
// Usage: node test/browser/csp.mjs [--no-build] [--browser=chromium|firefox]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BROWSERS, browsersFromArgs } from './browsers.mjs';
import { serve } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const log = (m) => console.log(`[browser csp] ${m}`);
const browserNames = browsersFromArgs();
// each browser's own report of the eval that the CSP page refuses (the only console message allowed there)
const REFUSED_EVAL = {
  chromium: /Refused to evaluate a string as JavaScript because 'unsafe-eval'/,
  firefox: /blocked (a JavaScript eval|the execution of a JavaScript eval)|eval.*(script-src|unsafe-eval)/i,
};
if (!process.argv.includes('--no-build')) {
  log('npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
}

// the work, as a module both the pages and Node run (`base`: where dist/ is)
const work = `
export async function train(base) {
  const { Network } = await import(base + '/dist/index.js');
  const { tinyCodegen } = await import(base + '/dist/internal/index.js');
  const out = [];
  for (const [layers, activation] of [[[2, 2, 1], 'sigmoid'], [[3, 4, 2], 'tanh']]) {
    const net = await Network.create({ layers, activation, backend: 'js', seed: 3, init: 'xavier' });
    const n = 6, x = [], y = [];
    for (let i = 0; i < n; i++) {
      x.push(Array.from({ length: layers[0] }, (_, k) => Math.sin(1 + i * 7 + k * 3)));
      y.push(Array.from({ length: layers[2] }, (_, k) => (Math.cos(i + k) + 1) / 2));
    }
    const losses = net.train(x, y, { epochs: 50, learningRate: 0.5, batchSize: 1, shuffle: false }).losses;
    out.push({ layers, losses, params: net.getParameters().flatMap((p) => [...p.weights, ...p.biases]) });
    net.dispose();
  }
  return { out, runs: tinyCodegen.runs, evalRefused: tinyCodegen.evalRefused };
}
`;

const root = mkdtempSync(join(tmpdir(), 'fastnn-csp-'));
const failures = [];
try {
  cpSync(join(repo, 'dist'), join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'work.js'), work);
  writeFileSync(
    join(root, 'main.js'),
    `import { train } from './work.js';
train(location.origin).then((r) => { window.result = r; }, (e) => { window.result = { error: String(e && e.stack || e) }; });
`,
  );
  const page = (
    csp,
  ) => `<!doctype html><meta charset="utf-8">${csp ? `<meta http-equiv="Content-Security-Policy" content="script-src 'self'">` : ''}
<title>fastnn csp</title><script type="module" src="main.js"></script>\n`;
  writeFileSync(join(root, 'plain.html'), page(false));
  writeFileSync(join(root, 'csp.html'), page(true));

  const node = await (await import(pathToFileURL(join(root, 'work.js')).href)).train(pathToFileURL(root).href);
  if (!(node.runs > 0) || node.evalRefused)
    failures.push(`node: the generated kernel did not run (runs ${node.runs}, refused ${node.evalRefused})`);
  const flat = (out) => out.flatMap((o) => [...o.losses, ...o.params]);
  const nodeFlat = flat(node.out);
  let plain = null;

  const server = await serve(root, { isolated: false });
  try {
    for (const browserName of browserNames) {
      const { browser, close } = await BROWSERS[browserName]();
      plain = null;
      try {
        for (const csp of [false, true]) {
          const name = `${browserName} ${csp ? 'csp.html' : 'plain.html'}`;
          const tab = await browser.newPage();
          const noise = [];
          tab.on('console', (m) => {
            const text = m.text();
            // the browser's own report of the refused eval is expected on the CSP page; nothing else may appear
            if (!(csp && REFUSED_EVAL[browserName].test(text))) noise.push(`${m.type()}: ${text}`);
          });
          // Firefox over BiDi delivers its CSP report as a page error (the library catches the EvalError itself)
          tab.on('pageerror', (e) => {
            if (!(
              csp &&
              browserName === 'firefox' &&
              /^Content-Security-Policy: /.test(e.message) &&
              REFUSED_EVAL.firefox.test(e.message)
            ))
              noise.push(`pageerror: ${e.message}`);
          });
          tab.on('requestfailed', (r) => noise.push(`requestfailed: ${r.url()}`));
          await tab.goto(`${server.url}/${csp ? 'csp.html' : 'plain.html'}`);
          await tab.waitForFunction(() => window.result !== undefined, { timeout: 60_000 });
          const r = await tab.evaluate(() => window.result);
          await tab.close();
          if (r.error) failures.push(`${name}: ${r.error}`);
          else {
            if (csp && (!r.evalRefused || r.runs !== 0))
              failures.push(
                `${name}: expected the refused-eval fallback, got runs ${r.runs}, refused ${r.evalRefused}`,
              );
            if (!csp && (r.evalRefused || !(r.runs > 0)))
              failures.push(`${name}: expected the generated kernel, got runs ${r.runs}, refused ${r.evalRefused}`);
            const got = flat(r.out);
            if (got.length !== nodeFlat.length || got.length < 50)
              failures.push(`${name}: ${got.length} numbers, Node has ${nodeFlat.length}`);
            const far = got.findIndex(
              (v, i) => !(Math.abs(v - nodeFlat[i]) <= 1e-9 * Math.max(Math.abs(v), Math.abs(nodeFlat[i]), 1e-300)),
            );
            if (far >= 0) failures.push(`${name}: number ${far} is ${got[far]}, Node has ${nodeFlat[far]} (rtol 1e-9)`);
            const same = got.filter((v, i) => Object.is(v, nodeFlat[i])).length;
            if (!csp) plain = JSON.stringify(r.out);
            else if (JSON.stringify(r.out) !== plain)
              failures.push(`${name}: differs from plain.html (must be bit for bit)`);
            log(
              `${name}: generated kernel runs ${r.runs}, eval refused ${r.evalRefused}; ${got.length} numbers within 1e-9 of Node's (${same} bit-equal)${csp ? ', bit-equal to plain.html' : ''}`,
            );
          }
          if (noise.length) failures.push(`${name}: console/page noise: ${noise.join(' | ')}`);
        }
      } finally {
        await close();
      }
    }
    if (server.notFound.length) failures.push(`404s: ${server.notFound.join(', ')}`);
  } finally {
    await server.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (failures.length) {
  for (const f of failures) console.error(`[browser csp] FAIL ${f}`);
  process.exit(1);
}
log('ok');
