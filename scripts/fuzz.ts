/**
 * The long fuzz run of fromONNX and fromJSON (test/helpers/fuzz.ts says what is generated and what counts as a
 * failure; `npm test` runs a few thousand of the same cases in test/fuzz.test.ts).
 *
 *   npm run fuzz -- [cases=32000] [--seed N] [--first I]
 *
 * Cases alternate between ONNX and JSON and rotate over the js, assemblyscript and rust backends; case i depends
 * only on (seed, i), so `--first I` with a count of 1 reruns one case. Prints the outcome counts, the slowest case and
 * every failure; exits 1 on any failure or a changed Object/Array/Function prototype.
 */
import { loadBackend } from '../src/backends/index.js';
import { buildCorpus, runFuzz } from '../test/helpers/fuzz.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const count = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 32000);
const seed = flag('--seed', 20261206);
const first = flag('--first', 0);

const backends = [await loadBackend('js'), await loadBackend('assemblyscript'), await loadBackend('rust')];
const corpus = await buildCorpus();
const t0 = performance.now();
let last = t0;
const report = await runFuzz(corpus, backends, seed, count, first, (i) => {
  const now = performance.now();
  if (now - last > 10_000) {
    console.log(`  ... case ${i} (${((now - t0) / 1000).toFixed(0)} s)`);
    last = now;
  }
});
const secs = (performance.now() - t0) / 1000;
console.log(
  `fuzz: ${report.cases} cases (seed ${seed}, first ${first}) in ${secs.toFixed(1)} s; corpus ${corpus.onnx.length} ONNX + ${corpus.json.length} JSON exports; backends ${backends.map((b) => b.name).join(', ')}`,
);
for (const [k, v] of Object.entries(report.outcomes).sort()) console.log(`  ${k.padEnd(34)} ${v}`);
console.log(
  `  slowest case: #${report.slowest.index} ${report.slowest.target} ${report.slowest.ms.toFixed(1)} ms (${report.slowest.ops.join(', ')})`,
);
console.log(`  prototypes changed: ${report.protoChanged ? 'YES' : 'no'}`);
for (const f of report.failures.slice(0, 50))
  console.log(`  FAILED #${f.index} ${f.target} (${f.ops.join(', ')}): ${f.why}`);
if (report.failures.length > 50) console.log(`  ... and ${report.failures.length - 50} more failures`);
for (const b of backends) b.dispose();
process.exit(report.failures.length > 0 || report.protoChanged ? 1 : 0);
