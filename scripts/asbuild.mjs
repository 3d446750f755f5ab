// Builds every AssemblyScript target of asconfig.json into build/ (as-debug, as-scalar, as-simd,
// as-relaxed .wasm + .wat + source maps). Always rebuilds all targets; skips nothing.
// Usage: node scripts/asbuild.mjs            (npm run asbuild)
import asc from 'assemblyscript/asc';
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const config = JSON.parse(readFileSync('asconfig.json', 'utf8'));
const targets = Object.keys(config.targets);
mkdirSync('build', { recursive: true });

let failed = 0;
const t0 = performance.now();
// asc.main is async but CPU-bound on one thread; run the targets one after another so the log stays readable.
for (const target of targets) {
  const t = performance.now();
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target], {});
  if (error) {
    failed++;
    console.error(`asbuild: target '${target}' failed: ${error.message}\n${stderr.toString()}`);
  } else {
    console.log(`asbuild: ${config.targets[target].outFile} (${Math.round(performance.now() - t)} ms)`);
  }
}
if (failed) process.exit(1);
console.log(`asbuild: ${targets.length} targets in ${Math.round(performance.now() - t0)} ms`);
