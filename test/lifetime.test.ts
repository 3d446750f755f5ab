/**
 * Lifetimes on one backend: many networks sharing one Backend do not disturb each other, creating/disposing and
 * training do not leak arena memory, seeds are reproducible, and a dropped network is freed by the
 * FinalizationRegistry (checked in a child `node --expose-gc` process, with a control that keeps the networks).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';

interface Job {
  options: Omit<NetworkOptions, 'backend'>;
  x: number[][];
  y: number[][];
  train: TrainOptions;
}

const JOBS: Job[] = [
  {
    options: { layers: [2, 3, 1], seed: 1 },
    x: randomRows(20, 2, 100),
    y: randomRows(20, 1, 101).map((r) => [(r[0]! + 1) / 2]),
    train: { epochs: 1, learningRate: 0.5, batchSize: 3 },
  },
  {
    options: { layers: [3, 8, 4, 3], seed: 2, activation: 'tanh', outputActivation: 'softmax', loss: 'cross-entropy' },
    x: randomRows(33, 3, 200),
    y: randomRows(33, 3, 201).map((r) => {
      const e = r.map(Math.exp);
      const s = e[0]! + e[1]! + e[2]!;
      return e.map((v) => v / s);
    }),
    train: { epochs: 2, learningRate: 0.01, batchSize: 8, optimizer: 'adam' },
  },
  {
    options: { layers: [4, 5, 2], seed: 3, activation: 'relu', outputActivation: 'identity' },
    x: randomRows(17, 4, 300),
    y: randomRows(17, 2, 301),
    train: { epochs: 1, learningRate: 0.05, batchSize: 5, optimizer: 'momentum' },
  },
];

describe.each(BACKEND_DEFAULTS)('lifetime on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));

  it('networks trained in interleaved calls on one backend match each trained alone', async () => {
    const rounds = 6;
    // alone: each on its own fresh backend
    const alone: bigint[][] = [];
    const alonePred: Float64Array[] = [];
    for (const job of JOBS) {
      const b = await bc.create();
      const n = await Network.create({ ...job.options, backend: b });
      for (let r = 0; r < rounds; r++) {
        n.train(job.x, job.y, job.train);
        n.predict(job.x);
      }
      alone.push(paramBits(n.getParameters()));
      alonePred.push(n.predict(job.x).data);
      n.dispose();
      b.dispose();
    }
    // interleaved on the shared backend, with a short-lived network created and disposed in between
    const nets = await Promise.all(JOBS.map((job) => Network.create({ ...job.options, backend })));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < JOBS.length; i++) {
        const job = JOBS[(i + r) % JOBS.length]!;
        const n = nets[(i + r) % JOBS.length]!;
        n.train(job.x, job.y, job.train);
        const tmp = await Network.create({ layers: [5, 7, 1], seed: r * 10 + i, backend });
        tmp.train(
          randomRows(9, 5, r),
          randomRows(9, 1, i).map((v) => [(v[0]! + 1) / 2]),
          { epochs: 1, learningRate: 1, batchSize: 2 },
        );
        if (r % 2 === 0) tmp.dispose();
        n.predict(job.x);
      }
    }
    nets.forEach((n, i) => {
      expect(paramBits(n.getParameters()), `network ${i}`).toEqual(alone[i]);
      expect(Array.from(n.predict(JOBS[i]!.x).data)).toEqual(Array.from(alonePred[i]!));
    });
    for (const n of nets) n.dispose();
  });

  it('creating and disposing 1000 networks neither grows memory nor leaks arena bytes', async () => {
    const b = await bc.create();
    const start = b.usedBytes();
    let memAfterWarmup = 0;
    for (let i = 0; i < 1000; i++) {
      const n = await Network.create({ layers: [6, 16, 3], seed: i, backend: b });
      if (i % 2 === 0) n.predict(randomRows(4, 6, i));
      if (i % 5 === 0)
        n.train(
          randomRows(10, 6, i),
          randomRows(10, 3, i + 1).map((r) => r.map((v) => (v + 1) / 2)),
          { epochs: 1, learningRate: 0.1, optimizer: 'adam' },
        );
      n.dispose();
      if (i === 9) memAfterWarmup = b.memoryBytes();
      if (i >= 9) expect(b.memoryBytes(), `memoryBytes after network ${i}`).toBe(memAfterWarmup);
    }
    expect(b.usedBytes()).toBe(start);
    b.dispose();
  });

  it('1000 training steps grow neither memoryBytes nor usedBytes', async () => {
    const b = await bc.create();
    const x = randomRows(16, 3, 7);
    const y = x.map((r) => [(Math.sin(r[0]! + r[1]! * r[2]!) + 1) / 2]);
    const n = await Network.create({ layers: [3, 10, 1], seed: 5, backend: b });
    const t: TrainOptions = { epochs: 1, learningRate: 0.1, batchSize: 4, optimizer: 'momentum' };
    n.train(x, y, t);
    n.predict(x);
    n.evaluate(x, y);
    const mem = b.memoryBytes();
    const u = b.usedBytes();
    for (let i = 0; i < 1000; i++) {
      n.train(x, y, t);
      if (i % 100 === 0) {
        n.predict(x);
        n.evaluate(x, y);
      }
    }
    expect(b.memoryBytes()).toBe(mem);
    expect(b.usedBytes()).toBe(u);
    const r = n.train(x, y, { ...t, epochs: 1000 });
    expect(r.epochs).toBe(1000);
    expect(b.memoryBytes()).toBe(mem);
    expect(b.usedBytes()).toBe(u);
    await n.trainAsync(x, y, { ...t, epochs: 200 });
    expect(b.memoryBytes()).toBe(mem);
    expect(b.usedBytes()).toBe(u);
    n.dispose();
    b.dispose();
  });

  it('the same seed gives bit-identical parameters on repeated runs (shuffle on)', async () => {
    const job = JOBS[1]!;
    const run = async (be: Backend): Promise<{ p: bigint[]; losses: number[] }> => {
      const n = await Network.create({ ...job.options, seed: 4242, backend: be });
      const res = n.train(job.x, job.y, { ...job.train, epochs: 20, shuffle: true });
      const out = { p: paramBits(n.getParameters()), losses: res.losses };
      n.dispose();
      return out;
    };
    const first = await run(backend);
    const second = await run(backend); // same backend instance, reused memory
    const b = await bc.create();
    const third = await run(b); // a fresh instance
    b.dispose();
    expect(second.p).toEqual(first.p);
    expect(third.p).toEqual(first.p);
    expect(second.losses).toEqual(first.losses);
    expect(third.losses).toEqual(first.losses);
    // and shuffling does matter (the comparison above could not pass by ignoring the seed)
    const other = await Network.create({ ...job.options, seed: 4243, backend });
    other.train(job.x, job.y, { ...job.train, epochs: 20, shuffle: true });
    expect(paramBits(other.getParameters())).not.toEqual(first.p);
    other.dispose();
  });

  it('a dropped network is freed by the FinalizationRegistry (child node --expose-gc)', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const script = `
      const { loadBackend } = await import(process.env.FASTNN_ROOT + '/src/backends/index.js');
      const { Network } = await import(process.env.FASTNN_ROOT + '/src/network.js');
      const v = process.env.FASTNN_VARIANT;
      const b = await loadBackend(process.env.FASTNN_BACKEND, v === 'js' ? {} : { variant: v });
      const base = b.usedBytes();
      const keep = [];
      async function make() {
        for (let i = 0; i < 20; i++) {
          const n = await Network.create({ layers: [4, 8, 2], seed: i, backend: b });
          n.predict([[1, 2, 3, 4]]);
          if (process.env.FASTNN_KEEP === '1') keep.push(n);
        }
      }
      await make();
      await new Promise((r) => setTimeout(r, 0));
      const mid = b.usedBytes();
      for (let k = 0; k < 50 && b.usedBytes() !== base; k++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(JSON.stringify({ base, mid, end: b.usedBytes(), kept: keep.length }));
    `;
    const run = async (keep: boolean): Promise<{ base: number; mid: number; end: number; kept: number }> => {
      const flags = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...flags, '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: root,
          env: {
            ...process.env,
            FASTNN_ROOT: root,
            FASTNN_BACKEND: bc.name,
            FASTNN_VARIANT: bc.variant,
            FASTNN_KEEP: keep ? '1' : '0',
          },
          timeout: 50_000,
        },
      );
      return JSON.parse(stdout.trim().split('\n').pop()!) as { base: number; mid: number; end: number; kept: number };
    };
    const [dropped, kept] = await Promise.all([run(false), run(true)]);
    expect(dropped.mid).toBeGreaterThan(dropped.base);
    expect(dropped.end).toBe(dropped.base);
    // control: the same script keeping references frees nothing, so the check above can fail
    expect(kept.kept).toBe(20);
    expect(kept.end).toBe(kept.mid);
    expect(kept.mid).toBeGreaterThan(kept.base);
  });
});
