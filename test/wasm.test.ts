/**
 * WASM-specific guarantees: the modules exist and are fresh (a missing or stale .wasm fails, never skips),
 * results stay right after forced memory growth (growth detaches the old buffer, so a cached view would read zeros), and
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
import { paramBits } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';
import { OracleNetwork } from '../src/reference/oracle.js';

const root = new URL('../', import.meta.url);
const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(new URL(dir, root), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && /\.(ts|rs)$/.test(d.name))
      .map((d) => statSync(`${d.parentPath}/${d.name}`).mtimeMs),
  );

describe('WASM modules are present and fresh', () => {
  it.each(['as-debug', 'as-scalar', 'as-simd', 'as-relaxed'])(
    'build/%s.wasm exists and is newer than every assembly/ source',
    (f) => {
      const st = statSync(new URL(`build/${f}.wasm`, root)); // throws (fails) when missing
      expect(st.size).toBeGreaterThan(1000);
      expect(st.mtimeMs).toBeGreaterThanOrEqual(newest('assembly/'));
    },
  );
  it.each(['fastnn-simd', 'fastnn-scalar'])(
    'rust/%s.wasm exists (committed; .ci/run checks it matches its source)',
    (f) => {
      expect(statSync(new URL(`rust/${f}.wasm`, root)).size).toBeGreaterThan(1000);
    },
  );
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

    it(`${bc.label} a network allocated in the grown region after memory.grow trains exactly as on fresh memory and as the oracle`, async () => {
      const rand = mulberry32(3);
      const x = Array.from({ length: 40 }, () => Array.from({ length: 13 }, () => rand()));
      const y = x.map((r) => [r[0]! > 0.5 ? 1 : 0, r[1]! > 0.5 ? 1 : 0]);
      const opts = { layers: [13, 9, 2], seed: 4 } as const;
      const train = { epochs: 1, learningRate: 0.3, batchSize: 8, shuffle: false } as const;
      const a = await Network.create({ ...opts, backend });
      const before = backend.memoryBytes();
      a.train(x, y, train);
      hostOf('test', backend).memory.grow(64); // 4 MiB: a new, larger buffer; any cached view would be stale
      expect(backend.memoryBytes()).toBe(before + 64 * PAGE);
      // push the arena's top past the old end, so that every block of b lies in the grown region
      const filler = hostOf('test', backend).allocBytes(before, false);
      const b = await Network.create({ ...opts, backend });
      const oracle = new OracleNetwork(
        b.getParameters().map((p, l) => ({ weights: p.weights, biases: p.biases, activation: b.activations[l]! })),
        { loss: b.loss },
      );
      for (let i = 0; i < 3; i++) {
        b.train(x, y, train);
        hostOf('test', backend).memory.grow(16); // and grow again between calls
      }
      const probe = backend.alloc(1, 1); // allocated after every block of b (nothing was freed in between)
      expect(hostOf('test', backend).ptrOf('test', probe, 'probe')).toBeGreaterThanOrEqual(before);
      backend.free(probe);
      const fresh = await bc.create();
      const twin = await Network.create({ ...opts, backend: fresh });
      for (let i = 0; i < 3; i++) twin.train(x, y, train);
      expect(paramBits(b.getParameters())).toEqual(paramBits(twin.getParameters()));
      expect(paramBits([{ weights: b.predict(x).data, biases: new Float64Array(0) }])).toEqual(
        paramBits([{ weights: twin.predict(x).data, biases: new Float64Array(0) }]),
      );
      oracle.train(x, y, { epochs: 3, batchSize: 8, optimizer: { kind: 'sgd', learningRate: 0.3 } });
      const wp = oracle.getParameters();
      b.getParameters().forEach((p, l) => {
        expectClose(p.weights, wp[l]!.weights, bc.tol, `w[${l}] in the grown region`, opts.layers[l]);
        expectClose(p.biases, wp[l]!.biases, bc.tol, `b[${l}] in the grown region`);
      });
      // a (allocated before the growth) still reads and trains right through the new buffer
      a.train(x, y, train);
      const twinA = await Network.create({ ...opts, backend: fresh });
      twinA.train(x, y, train);
      twinA.train(x, y, train);
      expect(paramBits(a.getParameters())).toEqual(paramBits(twinA.getParameters()));
      hostOf('test', backend).freeBytes(filler);
      a.dispose();
      b.dispose();
      twin.dispose();
      twinA.dispose();
      fresh.dispose();
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
