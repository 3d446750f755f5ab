/**
 * WASM-specific guarantees: the modules exist and are fresh (a missing or stale .wasm fails, never skips),
 * results stay right after forced memory growth (stale-view regression, AssemblyScript issue #859), and
 * the memory is shared so worker threads can use it.
 */
import { readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network } from '../src/index.js';
import { PAGE } from '../src/backends/heap.js';
import { hostOf } from '../src/internal/index.js';
import { BACKENDS } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { mulberry32 } from './helpers/rng.js';

const root = new URL('../', import.meta.url);
const newest = (dir: string): number =>
  Math.max(...readdirSync(new URL(dir, root), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|rs)$/.test(d.name))
    .map((d) => statSync(`${d.parentPath}/${d.name}`).mtimeMs));

describe('WASM modules are present and fresh', () => {
  it.each(['as-debug', 'as-scalar', 'as-simd', 'as-relaxed'])('build/%s.wasm exists and is newer than every assembly/ source', (f) => {
    const st = statSync(new URL(`build/${f}.wasm`, root)); // throws (fails) when missing
    expect(st.size).toBeGreaterThan(1000);
    expect(st.mtimeMs).toBeGreaterThanOrEqual(newest('assembly/'));
  });
  it.each(['fastnn-simd', 'fastnn-scalar'])('rust/%s.wasm exists (committed; .ci/run checks it matches its source)', (f) => {
    expect(statSync(new URL(`rust/${f}.wasm`, root)).size).toBeGreaterThan(1000);
  });
});

for (const bc of BACKENDS.filter((b) => b.name !== 'js')) {
  describe(`${bc.label} memory`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await bc.create();
    });
    afterAll(() => backend.dispose());

    it(`${bc.label} loads the build it was asked for, on shared memory`, () => {
      expect(backend.name).toBe(bc.name);
      expect(backend.variant).toBe(bc.variant);
      expect(hostOf('test', backend).memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    });

    it(`${bc.label} results stay right after memory.grow between calls`, async () => {
      const rand = mulberry32(3);
      const x = Array.from({ length: 40 }, () => Array.from({ length: 13 }, () => rand()));
      const y = x.map((r) => [r[0]! > 0.5 ? 1 : 0, r[1]! > 0.5 ? 1 : 0]);
      const opts = { layers: [13, 9, 2], seed: 4, backend } as const;
      const a = await Network.create(opts);
      const b = await Network.create(opts);
      const before = backend.memoryBytes();
      for (let i = 0; i < 3; i++) {
        a.train(x, y, { epochs: 1, learningRate: 0.3, batchSize: 8 });
        hostOf('test', backend).memory.grow(64); // 4 MiB: a new, larger buffer; any cached view would be stale
        b.train(x, y, { epochs: 1, learningRate: 0.3, batchSize: 8 });
      }
      expect(backend.memoryBytes()).toBe(before + 3 * 64 * PAGE);
      const pa = a.getParameters(), pb = b.getParameters();
      pa.forEach((p, l) => expectClose(p.weights, pb[l]!.weights, { rtol: 0, atol: 0 }, `w[${l}]`));
      expectClose(a.predict(x).data, b.predict(x).data, { rtol: 0, atol: 0 }, 'predict');
      a.dispose();
      b.dispose();
    });
  });
}

describe("backend 'auto'", () => {
  it("Network.create({ backend: 'auto' }) and loadBackend('auto') pick the fastest that loads (assemblyscript here)", async () => {
    const net = await Network.create({ layers: [2, 3, 1], seed: 1, backend: 'auto' });
    expect(net.backend.name).toBe('assemblyscript');
    net.dispose();
    expect(net.backend.disposed).toBe(true); // the network loaded it, so it owned it
  });
});
