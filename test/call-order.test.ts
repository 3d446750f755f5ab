/**
 * Every call order a user can write is safe. One test per way an overlap of calls could corrupt a network or its
 * backend, on every backend (its best build), each against the concurrency model of docs/threads.md:
 *   - reads (predict, evaluate, gradients, getParameters, toJSON) during train (from onEpoch) and trainAsync run on
 *     their own workspace: the training is bit-identical to a twin run without them, and they return what they
 *     would return for the parameters of that moment;
 *   - writes during a run (setParameters, train, trainAsync) are refused with an NnError naming the operation;
 *   - networks sharing one backend train as if alone; dispose() during a run ends it with DisposedError and never
 *     touches freed memory; sizes never wrap; memory checks count everything and failed calls free everything;
 *   - a non-finite parameter after the last step is divergence (TrainingError, parameters restored);
 *   - a worker that dies during a synchronous train() is found by its exit or trap, not the watchdog (TrainingError,
 *     parameters restored).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostOf } from '../src/internal/index.js';
import type { Backend, Mat } from '../src/backend.js';
import { armWorkerCrashForTest, setStallMsForTest } from '../src/internal/index.js';
import {
  DisposedError,
  Network,
  NnError,
  ShapeError,
  TrainingError,
  type LayerParameters,
  type NetworkOptions,
  type TrainOptions,
} from '../src/index.js';
import { BACKEND_DEFAULTS, type BackendCase } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';
import { expectThrow } from './helpers/expect-error.js';
import { expectSignalledFailure } from './helpers/worker-failure.js';

const bits = (net: Network): bigint[] => paramBits(net.getParameters());
const gradBits = (g: { loss: number; gradients: LayerParameters[] }): bigint[] => [
  new BigUint64Array(new Float64Array([g.loss]).buffer)[0]!,
  ...paramBits(g.gradients),
];
const f64Bits = (a: Float64Array): bigint[] => [...new BigUint64Array(a.buffer, a.byteOffset, a.length)];

/** Seeded regression data: x uniform in [-1, 1), y uniform in [0, 1) (fits sigmoid outputs and mse). */
function data(seed: number, n: number, nIn: number, nOut: number): { x: number[][]; y: number[][] } {
  const rand = mulberry32(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: nIn }, () => rand() * 2 - 1));
  const y = Array.from({ length: n }, () => Array.from({ length: nOut }, () => rand()));
  return { x, y };
}

/** A network on a backend instance of its own (the twin of a run, trained sequentially). */
async function alone(
  bc: BackendCase,
  options: Omit<NetworkOptions, 'backend'>,
): Promise<{ net: Network; done(): void }> {
  const backend = await bc.create();
  const net = await Network.create({ ...options, backend });
  return {
    net,
    done: () => {
      net.dispose();
      backend.dispose();
    },
  };
}

/**
 * Takes `bytes` of backend memory (the blocks a dispose just freed, reused first) as a zero-filled Mat; check() says
 * whether it stayed zero. Zeros, not a pattern: a run that wrongly goes on reads a plan of zeros (no layers, no
 * samples) and ends, where a pattern could send the kernels into loops of garbage length.
 */
function guard(backend: Backend, bytes: number): { check(): void } {
  const n = Math.max(1, Math.floor(bytes / 8));
  const m: Mat = backend.alloc(n, 1);
  const pattern = new Float64Array(n);
  backend.write(m, pattern);
  return {
    check() {
      expect(f64Bits(backend.read(m)), 'memory freed by dispose() was written after dispose() returned').toEqual(
        f64Bits(pattern),
      );
      backend.free(m);
    },
  };
}

const SMALL = { layers: [4, 6, 2], seed: 3 } as const;
const BIG = { layers: [64, 48, 4], seed: 9 } as const;

for (const bc of BACKEND_DEFAULTS) {
  describe(`${bc.label}: call orders`, () => {
    it(`${bc.label} gradients() (more rows than batchSize), predict, evaluate, getParameters and toJSON in onEpoch leave the training unchanged and return the values of that moment`, async () => {
      const backend = await bc.create();
      const { x, y } = data(1, 40, 4, 2);
      const net = await Network.create({ ...SMALL, backend });
      const twin = await alone(bc, SMALL);
      const opts: TrainOptions = { epochs: 4, learningRate: 0.5, batchSize: 8 };
      const seen: {
        params: LayerParameters[];
        grads: ReturnType<Network['gradients']>;
        pred: Float64Array;
        ev: { loss: number; accuracy?: number };
        json: string;
      }[] = [];
      const r = net.train(x, y, {
        ...opts,
        onEpoch: () => {
          seen.push({
            grads: net.gradients(x, y),
            params: net.getParameters(),
            pred: net.predict(x).data,
            ev: net.evaluate(x, y),
            json: JSON.stringify(net.toJSON()),
          });
        },
      });
      const rt = twin.net.train(x, y, { ...opts, onEpoch: () => undefined });
      expect(r.losses).toEqual(rt.losses);
      expect(bits(net)).toEqual(bits(twin.net));
      expect(seen.length).toBe(4);
      // what each read returned = what a probe with that moment's parameters returns
      const probe = await Network.create({ ...SMALL, backend });
      for (const s of seen) {
        probe.setParameters(s.params);
        expect(gradBits(s.grads)).toEqual(gradBits(probe.gradients(x, y)));
        expect(s.json).toBe(JSON.stringify(probe.toJSON()));
        expectClose(s.pred, probe.predict(x).data, bc.tol, 'predict in onEpoch');
        const ev = probe.evaluate(x, y);
        expectClose([s.ev.loss], [ev.loss], bc.tol, 'evaluate in onEpoch');
        // the targets are random values in [0, 1) (a regression), so neither read reports an accuracy
        expect(s.ev).not.toHaveProperty('accuracy');
        expect(ev).not.toHaveProperty('accuracy');
      }
      probe.dispose();
      net.dispose();
      twin.done();
      backend.dispose();
    });

    it.each([1, 2])(
      `${bc.label} threads %i: reads every 1 ms during trainAsync (300-row predict, gradients, evaluate, getParameters, toJSON) leave the training bit-identical and return finite, shaped values`,
      async (threads) => {
        const backend = await bc.create();
        const { x, y } = data(2, 2000, 64, 4);
        const px = x.slice(0, 300),
          py = y.slice(0, 300);
        const net = await Network.create({ ...BIG, backend, threads });
        const twin = await alone(bc, BIG);
        const opts: TrainOptions = { epochs: 3, learningRate: 0.1, batchSize: 16 };
        let reads = 0;
        const problems: string[] = [];
        const timer = setInterval(() => {
          try {
            const p = net.predict(px);
            if (p.rows !== 300 || p.cols !== 4 || !p.data.every(Number.isFinite))
              problems.push(`predict ${p.rows}×${p.cols}, finite ${p.data.every(Number.isFinite)}`);
            if (reads % 4 !== 0) {
              reads++;
              return; // the other reads on every 4th tick only (they are slower on js)
            }
            const g = net.gradients(px, py);
            if (
              !Number.isFinite(g.loss) ||
              g.gradients.length !== 2 ||
              g.gradients[0]!.weights.length !== 64 * 48 ||
              !paramBits(g.gradients).length
            )
              problems.push('gradients shape');
            if (!g.gradients.every((l) => l.weights.every(Number.isFinite) && l.biases.every(Number.isFinite)))
              problems.push('gradients not finite');
            const e = net.evaluate(px, py);
            if (!Number.isFinite(e.loss)) problems.push(`evaluate loss ${e.loss}`);
            if (!net.getParameters().every((l) => l.weights.every(Number.isFinite)))
              problems.push('parameters not finite');
            if (net.toJSON().parameters.length !== 2) problems.push('toJSON');
            reads++;
          } catch (err) {
            problems.push(`${(err as Error).name}: ${(err as Error).message}`);
          }
        }, 1);
        let r;
        try {
          r = await net.trainAsync(x, y, opts);
        } finally {
          clearInterval(timer);
        }
        expect(problems.slice(0, 3)).toEqual([]);
        expect(reads).toBeGreaterThan(0);
        const rt = twin.net.train(x, y, opts);
        expect(r.losses).toEqual(rt.losses);
        expect(bits(net)).toEqual(bits(twin.net));
        net.dispose();
        twin.done();
        backend.dispose();
      },
    );

    it.each([
      [1, 1],
      [2, 2],
      [1, 2],
    ])(
      `${bc.label} two networks (threads %i and %i) on one shared Backend, trained with Promise.all of trainAsync, each equal training alone`,
      async (ta, tb) => {
        const backend = await bc.create();
        // wide enough for the SIMD kernels (and their per-thread packing scratch) in every layer, long enough to overlap
        const A = { layers: [64, 64, 8], seed: 21 },
          B = { layers: [64, 48, 8], seed: 22 };
        const da = data(31, 2000, 64, 8),
          db = data(32, 1500, 64, 8);
        const oa: TrainOptions = { epochs: 3, learningRate: 0.2, batchSize: 64 },
          ob: TrainOptions = { epochs: 3, learningRate: 0.01, batchSize: 50, optimizer: 'adam' };
        const a = await Network.create({ ...A, backend, threads: ta });
        const b = await Network.create({ ...B, backend, threads: tb });
        const [ra, rb] = await Promise.all([a.trainAsync(da.x, da.y, oa), b.trainAsync(db.x, db.y, ob)]);
        const ta1 = await alone(bc, A),
          tb1 = await alone(bc, B);
        const rta = ta1.net.train(da.x, da.y, oa),
          rtb = tb1.net.train(db.x, db.y, ob);
        expect(ra.losses).toEqual(rta.losses);
        expect(rb.losses).toEqual(rtb.losses);
        expect(bits(a)).toEqual(bits(ta1.net));
        expect(bits(b)).toEqual(bits(tb1.net));
        a.dispose();
        b.dispose();
        ta1.done();
        tb1.done();
        backend.dispose();
      },
    );

    it(`${bc.label} a plain Node script with threads: 2 and top-level await trainAsync settles, prints and exits 0`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'fastnn-exit-'));
      try {
        const file = join(dir, 'train-async.mts'); // .mts: an ES module wherever it lies (top-level await)
        const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
        writeFileSync(
          file,
          `
          import { Network } from ${JSON.stringify(index)};
          const net = await Network.create({ layers: [4, 16, 2], seed: 1, backend: '${bc.name}', threads: 2 });
          const x = Array.from({ length: 256 }, (_, i) => [i % 2, i % 3, i % 5, i % 7]);
          const r = await net.trainAsync(x, x.map((v) => [v[0], v[1] / 2]), { epochs: 30, learningRate: 0.1 });
          console.log('trained', r.epochs, net.threads);
        `,
        );
        const res = spawnSync('npx', ['tsx', file], {
          cwd: fileURLToPath(new URL('../', import.meta.url)),
          timeout: 60_000,
          encoding: 'utf8',
        });
        expect(res.error, res.stderr).toBeUndefined();
        expect(res.stdout.trim(), `exit ${res.status}; ${res.stderr}`).toBe('trained 30 2');
        expect(res.status, res.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`${bc.label} allocations of 2^31 bytes or more are refused with a typed error and leave the backend usable`, async () => {
      const backend = await bc.create();
      const used = backend.usedBytes(),
        avail = backend.available();
      for (const [rows, cols] of [
        [65536, 8192],
        [32768, 8192],
        [1, 2 ** 28],
        [2 ** 31, 1],
        [2 ** 40, 2 ** 40],
      ] as const) {
        let err: unknown = null;
        try {
          backend.alloc(rows, cols);
        } catch (e) {
          err = e;
        }
        expect(err, `alloc(${rows}, ${cols})`).toBeInstanceOf(NnError);
        expect((err as Error).message).toMatch(/alloc/);
        expect(backend.usedBytes()).toBe(used);
        expect(backend.available()).toBe(avail);
      }
      for (const bytes of [2 ** 31, 2 ** 31 + 8, 2 ** 32, 2 ** 32 + 16]) {
        expect(() => hostOf('test', backend).allocBytes(bytes), `allocBytes(${bytes})`).toThrow(NnError);
        expect(backend.usedBytes()).toBe(used);
        expect(backend.available()).toBe(avail);
      }
      // the arena still hands out distinct blocks, and a network trains on it as on a fresh backend
      const m1 = backend.alloc(4, 4),
        m2 = backend.alloc(4, 4);
      expect(hostOf('test', backend).ptrOf('test', m1, 'm1')).not.toBe(hostOf('test', backend).ptrOf('test', m2, 'm2'));
      backend.free(m1);
      backend.free(m2);
      const net = await Network.create({ layers: [2, 3, 1], seed: 4, backend });
      const twin = await alone(bc, { layers: [2, 3, 1], seed: 4 });
      const { x, y } = data(5, 12, 2, 1);
      expect(net.train(x, y, { epochs: 3, learningRate: 0.5, batchSize: 4 }).losses).toEqual(
        twin.net.train(x, y, { epochs: 3, learningRate: 0.5, batchSize: 4 }).losses,
      );
      expect(bits(net)).toEqual(bits(twin.net));
      net.dispose();
      twin.done();
      expect(backend.usedBytes()).toBe(used);
      backend.dispose();
    });

    it(`${bc.label} a second adam train under memory pressure gets the upfront ShapeError, and every failed call frees what it allocated`, async () => {
      const backend = await bc.create();
      const { x, y } = data(6, 100, 64, 8);
      const opts: TrainOptions = { epochs: 1, learningRate: 0.01, batchSize: 10, optimizer: 'adam' };
      const net = await Network.create({ layers: [64, 64, 8], seed: 6, backend });
      net.train(x, y, opts); // the adam state exists from here on
      const before = bits(net);
      let refused = 0,
        trained = false;
      // leave k bytes free, for k from 0 up in 4 KiB steps, until the second train fits
      for (let k = 0; k <= 1 << 20 && !trained; k += 4096) {
        const filler = squeeze(backend, k);
        const used = backend.usedBytes();
        try {
          net.train(x, y, opts);
          trained = true;
        } catch (e) {
          expect(e, `with ${k} bytes free: ${(e as Error).message}`).toBeInstanceOf(ShapeError);
          expect(backend.usedBytes(), `with ${k} bytes free, the failed train leaked`).toBe(used);
          expect(bits(net)).toEqual(before);
          refused++;
        } finally {
          for (const p of filler) hostOf('test', backend).freeBytes(p);
        }
      }
      expect(refused).toBeGreaterThan(0);
      expect(trained).toBe(true);
      const twin = await alone(bc, { layers: [64, 64, 8], seed: 6 });
      twin.net.train(x, y, opts);
      twin.net.train(x, y, opts);
      expect(bits(net)).toEqual(bits(twin.net));
      net.dispose();
      twin.done();
      expect(backend.usedBytes()).toBe(0);
      backend.dispose();
    });

    it.each(['train', 'trainAsync'] as const)(
      `${bc.label} %s: divergence in the last step ([2, 1], identity, x ≈ ±1000, lr 1e308, 1 epoch) is a TrainingError and the parameters are restored bit for bit`,
      async (how) => {
        const backend = await bc.create();
        const net = await Network.create({ layers: [2, 1], activation: 'identity', seed: 7, backend });
        const x = [
            [1000, -1000],
            [-999, 1001],
            [998, 1000],
          ],
          y = [[0.5], [0.25], [0.75]];
        const before = bits(net);
        const opts: TrainOptions = { epochs: 1, learningRate: 1e308, batchSize: 3 };
        let err: unknown = null;
        try {
          if (how === 'train') net.train(x, y, opts);
          else await net.trainAsync(x, y, opts);
        } catch (e) {
          err = e;
        }
        expect(
          err,
          `parameters after ${how}: ${net
            .getParameters()
            .map((p) => [...p.weights, ...p.biases].join(', '))
            .join('; ')}`,
        ).toBeInstanceOf(TrainingError);
        expect(bits(net)).toEqual(before);
        // the network stays saveable and loadable
        const back = await Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON())), backend);
        expect(bits(back)).toEqual(before);
        back.dispose();
        net.dispose();
        backend.dispose();
      },
    );

    it(`${bc.label} dispose() inside onEpoch of train ends the run with DisposedError, writes nothing into the freed memory, and the backend stays usable`, async () => {
      const backend = await bc.create();
      const { x, y } = data(8, 64, 8, 4);
      const net = await Network.create({ layers: [8, 16, 4], seed: 8, backend });
      let g: { check(): void } | null = null;
      const opts: TrainOptions = { epochs: 5, learningRate: 0.1, batchSize: 8 };
      expect(() =>
        net.train(x, y, {
          ...opts,
          onEpoch: ({ epoch }) => {
            if (epoch !== 1) return;
            const used = backend.usedBytes();
            net.dispose();
            g = guard(backend, used - backend.usedBytes());
          },
        }),
      ).toThrow(DisposedError);
      expect(g).not.toBeNull();
      g!.check();
      expect(backend.usedBytes()).toBe(0);
      await expectBackendUsable(bc, backend);
      backend.dispose();
    });

    it.each([1, 2])(
      `${bc.label} threads %i: dispose() during a pending trainAsync rejects it with DisposedError after the current step, writes nothing into the freed memory, and the backend stays usable`,
      async (threads) => {
        const backend = await bc.create();
        const { x, y } = data(9, 2000, 64, 4);
        const net = await Network.create({ ...BIG, backend, threads });
        let g: { check(): void } | null = null;
        const p = net.trainAsync(x, y, {
          epochs: 1000,
          learningRate: 0.1,
          batchSize: 8,
          onEpoch: ({ epoch }) => {
            if (epoch !== 1) return;
            setTimeout(() => {
              const used = backend.usedBytes();
              net.dispose();
              g = guard(backend, used - backend.usedBytes());
            }, 2);
          },
        });
        await expect(p).rejects.toBeInstanceOf(DisposedError);
        expect(g).not.toBeNull();
        g!.check();
        // the threads' control block and scratch come back once the workers have exited (their 'exit' events); no
        // deadline here: if they never come back, the test runner's timeout reports the hang
        while (backend.usedBytes() !== 0) await new Promise((r) => setTimeout(r, 5));
        await expectBackendUsable(bc, backend);
        backend.dispose();
      },
    );

    it.each(['exit', 'trap'] as const)(
      `${bc.label} a worker that fails (%s) during a synchronous threaded train() is found by its exit or trap (not the watchdog): TrainingError, parameters restored bit for bit`,
      async (how) => {
        const backend = await bc.create();
        const { x, y } = data(10, 400, 64, 4);
        const opts: TrainOptions = { epochs: 3, learningRate: 0.1, batchSize: 8 };
        // failure in the first command (one span of all epochs): the parameters from before the call
        const net = await Network.create({ ...BIG, backend, threads: 2 });
        const before = bits(net);
        armWorkerCrashForTest(1, how);
        expectSignalledFailure(
          expectThrow(() => net.train(x, y, opts), TrainingError),
          1,
          how,
        );
        expect(bits(net)).toEqual(before);
        expect(() => net.train(x, y, opts)).toThrow(TrainingError); // the pool is broken and says so
        expect(bits(net)).toEqual(before);
        net.dispose();
        // failure in epoch 1 (armed in epoch 0's onEpoch): the parameters after epoch 0
        const net2 = await Network.create({ ...BIG, backend, threads: 2 });
        expectSignalledFailure(
          expectThrow(
            () =>
              net2.train(x, y, {
                ...opts,
                onEpoch: ({ epoch }) => {
                  if (epoch === 0) armWorkerCrashForTest(0, how);
                },
              }),
            TrainingError,
          ),
          0,
          how,
        );
        const twin = await alone(bc, BIG);
        twin.net.train(x, y, { ...opts, epochs: 1, onEpoch: () => undefined });
        expect(bits(net2)).toEqual(bits(twin.net));
        net2.dispose();
        twin.done();
        await expectBackendUsable(bc, backend);
        backend.dispose();
      },
    );

    it(`${bc.label} a worker that is alive but stuck: the watchdog fails train() and trainAsync() with a TrainingError naming where the threads stood, parameters unchanged`, async () => {
      const backend = await bc.create();
      const { x, y } = data(12, 400, 64, 4);
      const opts: TrainOptions = { epochs: 2, learningRate: 0.1, batchSize: 8 };
      setStallMsForTest(300); // the production watchdog waits 30 s
      try {
        for (const mode of ['sync', 'async'] as const) {
          const net = await Network.create({ ...BIG, backend, threads: 2 });
          const before = bits(net);
          armWorkerCrashForTest(1, 'hang');
          const run =
            mode === 'sync' ? Promise.resolve().then(() => net.train(x, y, opts)) : net.trainAsync(x, y, opts);
          const err = await run.then(
            () => null,
            (e: unknown) => e,
          );
          expect(err, mode).toBeInstanceOf(TrainingError);
          // where each thread stood: worker 1 (stuck before its kernel) never started the command; worker 0 is
          // inside it, waiting at the open barrier for worker 1's arrival
          const m = (err as Error).message;
          expect(m, mode).toMatch(
            /no training thread made progress for 0\.3 s \(a worker died or is stuck\): command (\d+) \(batches \d+\.\.\+\d+\); 0 of 2 workers done; (\d+) barrier arrivals, the open barrier waits for (\d+) arrivals \(1 missing\), \d+ barriers passed; /,
          );
          const gen = /command (\d+)/.exec(m)![1];
          expect(m, mode).toContain(
            `thread 0: inside it (in a kernel step or at a barrier), last started command ${gen}, last finished ${Number(gen) - 1}`,
          );
          expect(m, mode).toMatch(
            /thread 1: never started it, last started command \d+, last finished \d+; dispose this network/,
          );
          expect(bits(net), mode).toEqual(before);
          await expect(net.trainAsync(x, y, opts), mode).rejects.toBeInstanceOf(TrainingError); // the pool says it is broken
          expect(bits(net), mode).toEqual(before);
          net.dispose(); // ends the stuck worker too
        }
      } finally {
        setStallMsForTest(null);
      }
      await expectBackendUsable(bc, backend);
      backend.dispose();
    });

    it(`${bc.label} writes during a run are refused with an NnError naming the operation, before touching anything`, async () => {
      const backend = await bc.create();
      const { x, y } = data(11, 2000, 64, 4);
      const net = await Network.create({ ...BIG, backend });
      const twin = await alone(bc, BIG);
      const opts: TrainOptions = { epochs: 3, learningRate: 0.1, batchSize: 16 };
      const refusals: [string, unknown][] = [];
      const tryWrite = (op: string, f: () => unknown): void => {
        try {
          const r = f();
          if (r instanceof Promise) r.catch(() => undefined);
          refusals.push([op, null]);
        } catch (e) {
          refusals.push([op, e]);
        }
      };
      // sync train: writes from onEpoch
      const r = net.train(x, y, {
        ...opts,
        onEpoch: () => {
          tryWrite('setParameters', () => net.setParameters(net.getParameters()));
          tryWrite('train', () => net.train(x, y, opts));
        },
      });
      // trainAsync: writes while it is pending (the promise of a refused trainAsync must reject, not run)
      const p = net.trainAsync(x, y, opts);
      tryWrite('setParameters', () => net.setParameters(net.getParameters()));
      tryWrite('train', () => net.train(x, y, opts));
      let asyncRefusal: unknown = null;
      await net.trainAsync(x, y, opts).catch((e: unknown) => {
        asyncRefusal = e;
      });
      const r2 = await p;
      for (const [op, e] of refusals) {
        expect(e, `${op} during a run`).toBeInstanceOf(NnError);
        expect((e as Error).message).toContain(op);
      }
      expect(asyncRefusal).toBeInstanceOf(NnError);
      expect((asyncRefusal as Error).message).toContain('trainAsync');
      const rt = twin.net.train(x, y, { ...opts, onEpoch: () => undefined });
      const rt2 = twin.net.train(x, y, opts);
      expect(r.losses).toEqual(rt.losses);
      expect(r2.losses).toEqual(rt2.losses);
      expect(bits(net)).toEqual(bits(twin.net));
      net.dispose();
      twin.done();
      backend.dispose();
    });
  });
}

/**
 * Allocates blocks (without zeroing) until at most `free` bytes remain available: one block from the arena's top, and
 * where that does not fit (free-list fragments count in available()), the largest block that does, found by bisection.
 */
function squeeze(backend: Backend, free: number): number[] {
  const blocks: number[] = [];
  while (backend.available() > free + 16) {
    const want = backend.available() - free;
    try {
      blocks.push(hostOf('test', backend).allocBytes(want, false));
      continue;
    } catch {
      // fragmented: bisect the largest block that fits
    }
    let lo = 16,
      hi = want;
    while (hi - lo > 16) {
      const mid = Math.floor((lo + hi) / 32) * 16;
      try {
        hostOf('test', backend).freeBytes(hostOf('test', backend).allocBytes(mid, false));
        lo = mid;
      } catch {
        hi = mid;
      }
    }
    blocks.push(hostOf('test', backend).allocBytes(lo, false));
  }
  return blocks;
}

/** A network created and trained on `backend` gives the bits of the same network on a fresh backend. */
async function expectBackendUsable(bc: BackendCase, backend: Backend): Promise<void> {
  const { x, y } = data(12, 50, 8, 3);
  const opts: TrainOptions = { epochs: 2, learningRate: 0.3, batchSize: 8, optimizer: 'momentum' };
  const net = await Network.create({ layers: [8, 10, 3], seed: 12, backend });
  const twin = await alone(bc, { layers: [8, 10, 3], seed: 12 });
  expect(net.train(x, y, opts).losses).toEqual(twin.net.train(x, y, opts).losses);
  expect(bits(net)).toEqual(bits(twin.net));
  net.dispose();
  twin.done();
}
