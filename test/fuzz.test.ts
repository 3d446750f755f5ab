/**
 * Seeded, bounded fuzzing of fromONNX and fromJSON (test/helpers/fuzz.ts: the mutations and what counts as a
 * failure). 3,000 cases here, alternating ONNX and JSON over the js, assemblyscript and rust backends; the long run is
 * `npm run fuzz -- 32000` (scripts/fuzz.ts), same generator, same cases for the same seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { buildCorpus, runFuzz, type Corpus } from './helpers/fuzz.js';

let corpus: Corpus;
let backends: Backend[];
beforeAll(async () => {
  backends = [await loadBackend('js'), await loadBackend('assemblyscript'), await loadBackend('rust')];
  corpus = await buildCorpus();
});
afterAll(() => {
  for (const b of backends) b.dispose();
});

describe('fuzz: mutated exports give a typed error or a faithful, finite model, without growing backend memory', () => {
  it('3,000 cases (seed 7): no failures, Object/Array/Function prototypes unchanged, both outcomes seen', async () => {
    const report = await runFuzz(corpus, backends, 7, 3000);
    console.log(
      `fuzz (seed 7): ${JSON.stringify(report.outcomes)}; slowest #${report.slowest.index} ${report.slowest.target} ${report.slowest.ms.toFixed(1)} ms`,
    );
    expect(report.failures.slice(0, 5)).toEqual([]);
    expect(report.protoChanged).toBe(false);
    expect(report.cases).toBe(3000);
    // the generator reaches both sides: refusals, and loads that are then predicted from
    const count = (prefix: string): number =>
      Object.entries(report.outcomes)
        .filter(([k]) => k.startsWith(prefix))
        .reduce((n, [, v]) => n + v, 0);
    expect(count('onnx loaded')).toBeGreaterThan(50);
    expect(count('json loaded')).toBeGreaterThan(20);
    expect(count('onnx refused')).toBeGreaterThan(500);
    expect(count('json refused')).toBeGreaterThan(500);
  });
});
