/**
 * The thread pool on engines without Atomics.waitAsync (Firefox < 145, Safari < 16.4): trainAsync with threads waits
 * by polling and gives the same bits as with Atomics.waitAsync and as one thread, on every backend — simulated in
 * this process with the internal hook and, in a child process, by deleting Atomics.waitAsync before the library is
 * imported. Also: a pool runs one command at a time (a second is refused while one is in flight), a failed pool stays
 * broken and says to dispose and recreate, and the control block is freed only after the workers have exited.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Network, NnError, TrainingError } from '../src/index.js';
import { armWorkerCrashForTest, asyncWaits, hideWaitAsyncForTest, networkInternals } from '../src/internal/index.js';
import { BACKEND_DEFAULTS } from './helpers/backends.js';
import { paramBits } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';

const bits = (net: Network): bigint[] => paramBits(net.getParameters());

function dataset(seed: number, n: number, nIn: number, nOut: number): { x: number[][]; y: number[][] } {
  const rand = mulberry32(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: nIn }, () => rand() * 2 - 1));
  const y = x.map(() => Array.from({ length: nOut }, () => rand()));
  return { x, y };
}

const SPEC = { layers: [12, 16, 3], seed: 7, activation: 'tanh' as const };
const TRAIN = { epochs: 4, learningRate: 0.05, batchSize: 8, optimizer: 'adam' as const };
const { x, y } = dataset(3, 300, 12, 3);

/** Polls until cond holds, with no deadline of its own: a hang is the test runner's timeout, not a clock here. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

for (const bc of BACKEND_DEFAULTS) {
  const backend = bc.name;
  describe(`${bc.label} threads without Atomics.waitAsync`, () => {
    it(`${bc.label} trainAsync with 2 and 3 threads by polling gives the bits of the Atomics.waitAsync path and of 1 thread`, async () => {
      const one = await Network.create({ ...SPEC, backend });
      const r1 = one.train(x, y, TRAIN);
      const results: { threads: number; how: string; losses: number[]; bits: bigint[] }[] = [];
      for (const threads of [2, 3]) {
        for (const hidden of [false, true]) {
          const net = await Network.create({ ...SPEC, backend, threads });
          const before = { ...asyncWaits };
          hideWaitAsyncForTest(hidden);
          try {
            const r = await net.trainAsync(x, y, TRAIN);
            results.push({ threads, how: hidden ? 'polled' : 'native', losses: r.losses, bits: bits(net) });
          } finally {
            hideWaitAsyncForTest(false);
          }
          // the path under test really ran: its commands, and none of the other kind
          expect(net.threads).toBe(threads);
          if (hidden) {
            expect(asyncWaits.polled).toBeGreaterThan(before.polled);
            expect(asyncWaits.native).toBe(before.native);
          } else {
            expect(asyncWaits.native).toBeGreaterThan(before.native);
            expect(asyncWaits.polled).toBe(before.polled);
          }
          net.dispose();
        }
      }
      for (const r of results) {
        expect(r.losses, `${r.threads} threads, ${r.how}`).toEqual(r1.losses);
        expect(r.bits, `${r.threads} threads, ${r.how}`).toEqual(bits(one));
      }
      one.dispose();
    });

    it(`${bc.label} abort of a polled trainAsync keeps the parameters of the last completed epoch, and the pool trains on`, async () => {
      const net = await Network.create({ ...SPEC, backend, threads: 2 });
      const controller = new AbortController();
      let completed = 0;
      hideWaitAsyncForTest(true);
      try {
        const p = net.trainAsync(x, y, {
          ...TRAIN,
          epochs: 100_000,
          signal: controller.signal,
          onEpoch: ({ epoch }) => {
            completed = epoch + 1;
            if (epoch === 1) setTimeout(() => controller.abort(new Error('stop')), 0);
          },
        });
        await expect(p).rejects.toThrow('stop');
        const twin = await Network.create({ ...SPEC, backend });
        twin.train(x, y, { ...TRAIN, epochs: completed });
        expect(bits(net)).toEqual(bits(twin));
        // the aborted command left the pool ready: the next call runs on the workers and matches one thread (data
        // order as given: this test is about the threads, not about the shuffle generator after an abort)
        const r = await net.trainAsync(x, y, { ...TRAIN, shuffle: false });
        expect(r.losses).toEqual(twin.train(x, y, { ...TRAIN, shuffle: false }).losses);
        expect(bits(net)).toEqual(bits(twin));
        twin.dispose();
      } finally {
        hideWaitAsyncForTest(false);
        net.dispose();
      }
    });
  });
}

describe('a process without Atomics.waitAsync (deleted before the library loads)', () => {
  it('trainAsync with 2 threads on every backend gives the bits of 1 thread in this process', async () => {
    const script = `
      delete Atomics.waitAsync;
      const { Network } = await import('./src/index.ts');
      const { asyncWaits, setMinThreadWorkForTest } = await import('./src/internal/index.ts');
      setMinThreadWorkForTest(0); // these small steps must run on the workers
      const out = { waitAsync: typeof Atomics.waitAsync, runs: [] };
      for (const backend of ['js', 'assemblyscript', 'rust']) {
        const net = await Network.create({ ...${JSON.stringify(SPEC)}, backend, threads: 2 });
        const r = await net.trainAsync(${JSON.stringify(x)}, ${JSON.stringify(y)}, ${JSON.stringify(TRAIN)});
        out.runs.push({ backend, threads: net.threads, losses: r.losses, params: net.getParameters().map((p) => [...p.weights, ...p.biases]) });
        net.dispose();
      }
      out.asyncWaits = asyncWaits;
      console.log(JSON.stringify(out));
    `;
    const flags = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
    const res = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../', import.meta.url),
      timeout: 120_000,
      encoding: 'utf8',
    });
    expect(res.error, res.stderr).toBeUndefined();
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as {
      waitAsync: string;
      asyncWaits: { native: number; polled: number };
      runs: { backend: 'js' | 'assemblyscript' | 'rust'; threads: number; losses: number[]; params: number[][] }[];
    };
    expect(out.waitAsync).toBe('undefined');
    expect(out.asyncWaits.native).toBe(0);
    expect(out.asyncWaits.polled).toBeGreaterThan(0);
    expect(out.runs.map((r) => r.backend)).toEqual(['js', 'assemblyscript', 'rust']);
    for (const run of out.runs) {
      const one = await Network.create({ ...SPEC, backend: run.backend });
      const r = one.train(x, y, TRAIN);
      expect(run.threads, run.backend).toBe(2);
      // JSON round-trips float64 exactly: equal numbers are equal bits
      expect(run.losses, run.backend).toEqual(r.losses);
      expect(run.params, run.backend).toEqual(one.getParameters().map((p) => [...p.weights, ...p.biases]));
      one.dispose();
    }
  });
});

describe('pool lifecycle', () => {
  it.each(BACKEND_DEFAULTS.map((b) => b.name))(
    '%s: a second command while one is in flight is refused with NnError, and changes nothing',
    async (backend) => {
      const net = await Network.create({ ...SPEC, backend, threads: 2 });
      const twin = await Network.create({ ...SPEC, backend });
      const pool = networkInternals(net).pool!;
      expect(pool).not.toBeNull();
      const big = dataset(5, 3000, 12, 3);
      const opts = { ...TRAIN, epochs: 6 };
      let settled = false;
      const p = net.trainAsync(big.x, big.y, opts).finally(() => (settled = true));
      await until(() => pool.busy || settled);
      expect(pool.busy, 'the pool never had a command in flight').toBe(true);
      // the plan pointer does not matter: the refusal comes before anything is written
      expect(() => pool.run('train', 0, 0, 1)).toThrow(NnError);
      expect(() => pool.run('train', 0, 0, 1)).toThrow(
        /train: the worker threads are still running a command; wait for it to settle first/,
      );
      await expect(pool.runAsync('trainAsync', 0, 0, 1)).rejects.toThrow(/still running a command/);
      const r = await p;
      expect(r.losses).toEqual(twin.train(big.x, big.y, opts).losses);
      expect(bits(net)).toEqual(bits(twin));
      expect(pool.busy).toBe(false);
      net.dispose();
      twin.dispose();
    },
  );

  it.each(BACKEND_DEFAULTS.map((b) => b.name))(
    '%s: after a worker failed, every later call is a TrainingError that says to dispose and recreate, before touching anything',
    async (backend) => {
      const net = await Network.create({ ...SPEC, backend, threads: 2 });
      const before = bits(net);
      armWorkerCrashForTest(1, 'trap');
      await expect(net.trainAsync(x, y, TRAIN)).rejects.toThrow(
        /a training thread failed: .*dispose this network and create a new one/,
      );
      expect(bits(net)).toEqual(before);
      for (let k = 0; k < 2; k++) {
        expect(() => net.train(x, y, TRAIN)).toThrow(TrainingError);
        expect(() => net.train(x, y, TRAIN)).toThrow(
          /failed earlier .* cannot be used again; dispose this network and create a new one/,
        );
        await expect(net.trainAsync(x, y, TRAIN)).rejects.toThrow(
          /failed earlier .* cannot be used again; dispose this network and create a new one/,
        );
        expect(bits(net)).toEqual(before);
      }
      net.dispose();
    },
  );

  it.each(['assemblyscript', 'rust'] as const)(
    '%s: dispose frees the control block and scratch only after the workers exited',
    async (name) => {
      const { loadBackend } = await import('../src/index.js');
      const b = await loadBackend(name);
      const base = b.usedBytes();
      const net = await Network.create({ ...SPEC, backend: b, threads: 2 });
      await net.trainAsync(x, y, TRAIN);
      const pool = networkInternals(net).pool!;
      const held = pool.blocks.length;
      expect(held).toBe(2);
      net.dispose();
      // the workers' 'exit' events cannot have arrived within this synchronous step: the pool's blocks are still held
      const afterDispose = b.usedBytes();
      expect(afterDispose).toBeGreaterThan(base);
      await until(() => b.usedBytes() === base); // the blocks come back once the 'exit' events arrive
      b.dispose();
    },
  );
});
