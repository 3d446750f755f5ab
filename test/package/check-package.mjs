// Checks the installed tarball against what its code opens and what it claims:
//   node check-package.mjs <npm pack --json output> <installed package dir> <repository dir>
// - every `new URL('<literal>', import.meta.url)` in dist/**/*.js resolves to a file in the tarball (derived from the
//   built code, not a hard-coded list: .wasm modules, worker scripts), and there is at least one .wasm among them;
// - LICENSE, README.md and the exports targets are shipped; no source map without its sources; no shipped text file
//   names a path outside the package (`shared/`, `/work/`); every docs/*.md ships, and every relative link of the
//   shipped README and docs resolves (in the tarball, or in the repository for links to its tests and sources);
// - at run time: availableBackends() is all three, each backend loads its expected default build on this Node, and
//   every build loads by name and predicts what the js backend predicts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// the repository's docs/ is the list of what must ship (this script runs from a copy in the consumer project)
const [packJson, pkgDir, repoRoot] = process.argv.slice(2);
if (!repoRoot)
  throw new Error('usage: node check-package.mjs <npm pack --json output> <installed package dir> <repository dir>');
const failures = [];
const fail = (m) => failures.push(m);
const say = (m) => console.log(`  ${m}`);

const packed = JSON.parse(readFileSync(packJson, 'utf8'))[0];
const files = new Set(packed.files.map((f) => f.path));
say(`tarball ${packed.filename}: ${files.size} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);

// --- shipped files
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
for (const f of ['LICENSE', 'README.md', 'package.json']) if (!files.has(f)) fail(`${f} is not in the tarball`);
// every doc ships, so the links between them (and README's into docs/) resolve in the installed package
for (const f of readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md'))) {
  if (!files.has(`docs/${f}`)) fail(`docs/${f} is not in the tarball`);
}
const dot = pkg.exports?.['.'] ?? {};
for (const cond of ['types', 'import', 'default']) {
  const target = dot[cond];
  if (typeof target !== 'string') fail(`exports['.'] has no '${cond}' condition`);
  else if (!files.has(path.posix.normalize(target))) fail(`exports['.'].${cond} = ${target} is not in the tarball`);
}
if (pkg.exports?.['./package.json'] !== './package.json') fail(`exports['./package.json'] is missing`);

// --- what the loaders open, read from the built code
const opened = [];
for (const f of [...files].filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
  const code = readFileSync(path.join(pkgDir, f), 'utf8');
  for (const m of code.matchAll(/new URL\(([^()]{1,300}?),\s*import\.meta\.url\s*\)/g)) {
    const literals = [...m[1].matchAll(/(['"`])([^'"`]+)\1/g)].map((l) => l[2]);
    // an identifier (a URL computed at run time) cannot be checked here; placeholders in comments and messages
    // (`new URL(<string>, import.meta.url)`, `new URL(..., import.meta.url)`) are not code
    if (literals.length === 0 && /^\s*[A-Za-z_$][\w$.]*\s*$/.test(m[1]))
      fail(`${f}: new URL(${m[1]}, import.meta.url) has no literal path to check`);
    for (const lit of literals) {
      if (lit.endsWith('.ts')) continue; // the source tree's worker (tests run from src/); never taken in dist
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), lit));
      opened.push(target);
      if (!files.has(target)) fail(`${f} opens ${lit} = ${target}, which is not in the tarball`);
    }
  }
}
say(`the code opens ${opened.length} files by new URL(…, import.meta.url): ${[...new Set(opened)].join(', ')}`);
if (!opened.some((f) => f.endsWith('.wasm')))
  fail('no .wasm file is opened by dist/**/*.js: the scan found nothing to check');

// --- nothing points outside the package
for (const f of files) {
  if (f.endsWith('.map')) {
    const map = JSON.parse(readFileSync(path.join(pkgDir, f), 'utf8'));
    if (!Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length)
      fail(`${f}: a source map without sourcesContent`);
  }
  if (!/\.(js|cjs|mjs|ts|md|json|map)$|^LICENSE$/.test(f)) continue;
  const text = readFileSync(path.join(pkgDir, f), 'utf8');
  for (const bad of ['shared/', '/work/'])
    if (text.includes(bad)) fail(`${f} names a path outside the package ('${bad}')`);
}
// A link resolves to a shipped file or folder; links to the repository's tests, benches, examples, scripts and
// sources (the guarantees name their tests) are not shipped and must exist in the repository instead.
const repoOnly = (target) => /^(test|bench|examples|scripts|src)\//.test(target);
const resolves = (target) =>
  files.has(target) ||
  [...files].some((f) => f.startsWith(`${target.replace(/\/$/, '')}/`)) ||
  (repoOnly(target) && existsSync(path.join(repoRoot, target)));
const readme = readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
let links = 0;
for (const m of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
  const href = m[1];
  if (/^[a-z]+:/i.test(href) || href.startsWith('#')) continue;
  links++;
  const target = path.posix.normalize(href.split('#')[0]);
  if (!resolves(target))
    fail(`README.md links ${href}, which is not in the tarball${repoOnly(target) ? ' nor in the repository' : ''}`);
}
say(`README.md: ${links} relative links, all checked against the tarball`);
for (const doc of [...files].filter((f) => f.startsWith('docs/') && f.endsWith('.md'))) {
  const text = readFileSync(path.join(pkgDir, doc), 'utf8');
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const href = m[1];
    if (/^[a-z]+:/i.test(href) || href.startsWith('#')) continue;
    const target = path.posix.normalize(path.posix.join('docs', href.split('#')[0]));
    if (!resolves(target))
      fail(`${doc} links ${href}, which is not in the tarball${repoOnly(target) ? ' nor in the repository' : ''}`);
  }
}

// --- at run time
const fastnn = await import('fastnn');
const avail = await fastnn.availableBackends();
say(`availableBackends(): ${JSON.stringify(avail)}`);
if (JSON.stringify(avail) !== JSON.stringify(['assemblyscript', 'rust', 'js']))
  fail(`availableBackends() is ${JSON.stringify(avail)}, expected all three`);

const major = Number(process.versions.node.split('.')[0]);
const relaxed = major >= 22; // relaxed SIMD is on by default from Node 22 (behind a flag on Node 20)
const expected = { js: 'js', assemblyscript: relaxed ? 'relaxed-simd' : 'simd', rust: 'simd' };
for (const [name, variant] of Object.entries(expected)) {
  const b = await fastnn.loadBackend(name);
  say(`${name} default build on Node ${process.versions.node}: ${b.variant}`);
  if (b.variant !== variant)
    fail(`loadBackend('${name}') loaded '${b.variant}', expected '${variant}' on Node ${process.versions.node}`);
  b.dispose();
}
const auto = await fastnn.loadBackend('auto');
if (auto.name !== 'assemblyscript') fail(`loadBackend('auto') loaded ${auto.name}, expected assemblyscript`);
auto.dispose();

const builds = {
  assemblyscript: ['scalar', 'simd', 'debug', ...(relaxed ? ['relaxed-simd'] : [])],
  rust: ['scalar', 'simd'],
};
const ref = await fastnn.Network.create({
  layers: [5, 7, 3],
  activation: 'tanh',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  seed: 3,
  backend: 'js',
});
const xs = Array.from({ length: 9 }, (_, r) => Array.from({ length: 5 }, (_, c) => Math.sin(r * 5 + c)));
const want = ref.predict(xs).data;
for (const [name, variants] of Object.entries(builds)) {
  for (const variant of variants) {
    const backend = await fastnn.loadBackend(name, { variant });
    const net = await fastnn.Network.fromJSON(ref.toJSON(), backend);
    const got = net.predict(xs).data;
    const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])));
    say(`${name}/${backend.variant}: loads, predicts like js (largest difference ${worst.toExponential(1)})`);
    if (backend.variant !== variant || !(worst <= 1e-10))
      fail(`${name}/${variant}: variant ${backend.variant}, largest difference from js ${worst}`);
    net.dispose();
    backend.dispose();
  }
}
ref.dispose();

if (failures.length > 0) {
  for (const f of failures) console.error(`check-package FAILED: ${f}`);
  process.exit(1);
}
console.log('check-package ok');
