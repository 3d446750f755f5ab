/**
 * Call orders, model-based: random sequences and overlaps of create / train / trainAsync / abort / predict / evaluate /
 * gradients / setParameters / toJSON / dispose on up to 3 networks (threads 1-3) sharing one backend, each checked
 * against a sequential model: a twin network on a backend instance of its own, trained one call at a time.
 * Every call gives the twin's bits, or the typed refusal of the concurrency model (docs/threads.md):
 *   - a write (train, trainAsync, setParameters) on a network with a pending trainAsync: an NnError naming it;
 *   - reads on a network with a pending trainAsync: finite values of the right shape (some completed-step state);
 *   - dispose() of a network with a pending trainAsync: the run rejects with DisposedError;
 *   - abort (the signal, or returning false from onEpoch): the parameters of the last completed epoch.
 * At the end of each sequence every network equals its twin and the shared backend holds no memory.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, BackendName } from '../src/backend.js';
import {
  DisposedError,
  Network,
  NnError,
  loadBackend,
  type LayerParameters,
  type TrainOptions,
  type TrainResult,
} from '../src/index.js';
import { hostOf, lateFreesDone } from '../src/internal/index.js';
import { TOL_WASM_SIMD } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';

const SHAPES = [
  [6, 10, 4],
  [6, 8, 3],
  [5, 7, 2],
] as const;
const DATA = SHAPES.map((s, i) => {
  const rand = mulberry32(100 + i);
  const x = Array.from({ length: 60 }, () => Array.from({ length: s[0] }, () => rand() * 2 - 1));
  const y = Array.from({ length: 60 }, () => Array.from({ length: s[2] }, () => rand()));
  return { x, y, px: x.slice(0, 23), py: y.slice(0, 23) };
});
const bits = (net: Network): bigint[] => paramBits(net.getParameters());

interface Pending {
  settled: Promise<{ ok: true; r: TrainResult } | { ok: false; e: unknown }>;
  opts: TrainOptions;
  stopAt: number | null;
  abortAt: number | null;
  controller: AbortController;
  reason: Error;
  losses: number[];
  disposed: boolean;
  aborted: boolean;
}

interface Slot {
  real: Network;
  twin: Network;
  twinBackend: Backend;
  pending: Pending | null;
}

interface Env {
  name: BackendName;
  backend: Backend;
  slots: (Slot | null)[];
}

const counts = { sequences: 0, operations: 0, overlaps: 0, refusals: 0, asyncRuns: 0 };

function anyPending(env: Env): boolean {
  return env.slots.some((s) => s?.pending);
}

/** What f threw (null when it returned). */
function thrown(f: () => unknown): unknown {
  try {
    f();
    return null;
  } catch (e) {
    return e;
  }
}

/**
 * A write on a network with a pending trainAsync is refused with an NnError naming it, unless that run is already
 * over (a short run may end before the caller gets to the write; an implementation may refuse until the promise
 * settles, or only while the run works). Returns whether it was refused; when it was not, the caller settles the
 * run first (its twin trained before the write) and then checks the write against the twin: a write that ran in
 * the middle of the run shows there as different bits.
 */
function refused(e: unknown, op: string): boolean {
  if (e === null) return false;
  expect(e, `${op} during a pending trainAsync`).toBeInstanceOf(NnError);
  expect((e as Error).message).toContain(op);
  counts.refusals++;
  return true;
}

/** Settles a slot's pending run and checks it against its twin (trained now, sequentially). */
async function settle(slot: Slot, i: number, compareBits = true): Promise<void> {
  const p = slot.pending!;
  slot.pending = null;
  const s = await p.settled;
  if (p.disposed) {
    // DisposedError; or the run ended first (resolved, or rejected by its abort)
    if (!s.ok && !((p.aborted || p.abortAt !== null) && s.e === p.reason)) {
      expect(s.e, `slot ${i}: trainAsync of a disposed network`).toBeInstanceOf(DisposedError);
    }
    return;
  }
  let epochs: number;
  if (s.ok) {
    epochs = s.r.epochs;
    expect(p.abortAt, `slot ${i}: a run aborted in onEpoch resolved`).toBeNull();
    expect(epochs).toBe(p.stopAt !== null ? Math.min(p.stopAt + 1, p.opts.epochs) : p.opts.epochs);
    expect(s.r.losses).toEqual(p.losses);
  } else {
    expect(s.e, `slot ${i}: trainAsync rejected with ${String(s.e)}`).toBe(p.reason);
    epochs = p.losses.length; // completed epochs: those reported to onEpoch
    if (p.abortAt !== null && !p.aborted) expect(epochs).toBe(p.abortAt + 1);
  }
  if (epochs > 0) {
    const rt = slot.twin.train(DATA[i]!.x, DATA[i]!.y, { ...p.opts, epochs, onEpoch: () => undefined });
    expect(rt.losses, `slot ${i}: epoch losses against the twin`).toEqual(p.losses);
  }
  if (compareBits)
    expect(bits(slot.real), `slot ${i}: parameters after trainAsync against the twin`).toEqual(bits(slot.twin));
}

/** Starts trainAsync on a slot (stopping with false from onEpoch at `stopAt`, or aborting in onEpoch at `abortAt`). */
function startAsync(s: Slot, i: number, opts: TrainOptions, stopAt: number | null, abortAt: number | null): void {
  const controller = new AbortController();
  const p: Pending = {
    settled: null!,
    opts,
    controller,
    reason: new Error(`model abort ${i}`),
    losses: [],
    disposed: false,
    aborted: false,
    stopAt,
    abortAt,
  };
  const promise = s.real.trainAsync(DATA[i]!.x, DATA[i]!.y, {
    ...opts,
    signal: controller.signal,
    onEpoch: ({ epoch, loss }) => {
      p.losses.push(loss);
      if (p.abortAt === epoch) controller.abort(p.reason);
      if (p.stopAt === epoch) return false;
      return undefined;
    },
  });
  p.settled = promise.then(
    (r) => ({ ok: true as const, r }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  s.pending = p;
  counts.asyncRuns++;
}

/** trainAsync on a slot with a pending run: refused, or (the first run being over) checked against the twin. */
async function secondAsync(s: Slot, i: number, opts: TrainOptions): Promise<boolean> {
  let e: unknown = null,
    r: TrainResult | null = null;
  await s.real.trainAsync(DATA[i]!.x, DATA[i]!.y, opts).then(
    (v) => {
      r = v;
    },
    (err: unknown) => {
      e = err;
    },
  );
  if (r === null && refused(e ?? new Error('trainAsync neither resolved nor rejected'), 'trainAsync')) return true;
  await settle(s, i, false);
  const rt = s.twin.train(DATA[i]!.x, DATA[i]!.y, opts);
  expect(r!.losses).toEqual(rt.losses);
  expect(bits(s.real)).toEqual(bits(s.twin));
  return true;
}

type Cmd = fc.AsyncCommand<Env, Env>;
const cmd = (name: string, check: (m: Env) => boolean, run: (env: Env) => Promise<void> | void): Cmd => ({
  check,
  async run(_m, env) {
    counts.operations++;
    if (anyPending(env)) counts.overlaps++;
    await run(env);
  },
  toString: () => name,
});

const live =
  (i: number) =>
  (m: Env): boolean =>
    m.slots[i] !== null;

const trainOpts = fc.record({
  epochs: fc.integer({ min: 1, max: 4 }),
  learningRate: fc.constantFrom(0.05, 0.2),
  batchSize: fc.integer({ min: 1, max: 16 }),
  optimizer: fc.constantFrom('sgd' as const, 'momentum' as const, 'adam' as const),
});

const slotArb = fc.integer({ min: 0, max: 2 });

async function create(env: Env, i: number, seed: number, threads: number): Promise<void> {
  const real = await Network.create({ layers: [...SHAPES[i]!], seed, backend: env.backend, threads });
  const twinBackend = await loadBackend(env.name);
  const twin = await Network.create({ layers: [...SHAPES[i]!], seed, backend: twinBackend });
  expect(real.threads).toBe(threads);
  expect(bits(real)).toEqual(bits(twin));
  env.slots[i] = { real, twin, twinBackend, pending: null };
}

const commands = [
  fc.tuple(slotArb, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 })).map(([i, seed, threads]) =>
    cmd(
      `create(${i}, seed ${seed}, threads ${threads})`,
      (m) => m.slots[i] === null,
      (env) => create(env, i, seed, threads),
    ),
  ),
  fc.tuple(slotArb, trainOpts, fc.boolean()).map(([i, o, shuffle]) =>
    cmd(`train(${i}, ${JSON.stringify({ ...o, shuffle })})`, live(i), async (env) => {
      const s = env.slots[i]!;
      const opts = { ...o, shuffle };
      let r: TrainResult;
      if (s.pending) {
        let got: TrainResult | null = null;
        if (
          refused(
            thrown(() => (got = s.real.train(DATA[i]!.x, DATA[i]!.y, opts))),
            'train',
          )
        )
          return;
        await settle(s, i, false);
        r = got!;
      } else r = s.real.train(DATA[i]!.x, DATA[i]!.y, opts);
      const rt = s.twin.train(DATA[i]!.x, DATA[i]!.y, opts);
      expect(r.losses).toEqual(rt.losses);
      expect(bits(s.real)).toEqual(bits(s.twin));
    }),
  ),
  fc
    .tuple(
      slotArb,
      trainOpts,
      fc.constantFrom<'none' | 'stop' | 'abort'>('none', 'stop', 'abort'),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([i, o, end, at]) =>
      cmd(`trainAsync(${i}, ${JSON.stringify(o)}, ${end} at ${at})`, live(i), async (env) => {
        const s = env.slots[i]!;
        // shuffle: false, so that an abort (which may have drawn the next epoch's order) leaves the twin comparable
        const opts: TrainOptions = { ...o, shuffle: false };
        if (s.pending && (await secondAsync(s, i, opts))) return;
        startAsync(s, i, opts, end === 'stop' ? at : null, end === 'abort' && at < o.epochs - 1 ? at : null);
      }),
    ),
  // (listed twice: overlaps need pending runs)
  fc.tuple(slotArb, trainOpts).map(([i, o]) =>
    cmd(`trainAsync(${i}, ${JSON.stringify(o)})`, live(i), async (env) => {
      const s = env.slots[i]!;
      const opts: TrainOptions = { ...o, shuffle: false };
      if (s.pending && (await secondAsync(s, i, opts))) return;
      startAsync(s, i, opts, null, null);
    }),
  ),
  slotArb.map((i) =>
    cmd(
      `abort(${i})`,
      (m) => m.slots[i]?.pending != null,
      (env) => {
        const p = env.slots[i]!.pending!;
        p.aborted = true;
        p.controller.abort(p.reason);
      },
    ),
  ),
  slotArb.map((i) =>
    cmd(
      `await(${i})`,
      (m) => m.slots[i]?.pending != null,
      (env) => settle(env.slots[i]!, i),
    ),
  ),
  fc.integer({ min: 0, max: 3 }).map((ms) =>
    cmd(
      `tick(${ms} ms)`,
      () => true,
      () => new Promise<void>((r) => setTimeout(r, ms)),
    ),
  ),
  fc.tuple(slotArb, fc.constantFrom('predict', 'evaluate', 'gradients', 'getParameters', 'toJSON')).map(([i, what]) =>
    cmd(`${what}(${i})`, live(i), (env) => {
      const s = env.slots[i]!,
        d = DATA[i]!,
        nOut = SHAPES[i]![2];
      const read = (net: Network): Float64Array => {
        switch (what) {
          case 'predict': {
            const p = net.predict(d.px);
            expect([p.rows, p.cols]).toEqual([23, nOut]);
            return p.data;
          }
          case 'evaluate': {
            const e = net.evaluate(d.px, d.py);
            // (the targets are random values in [0, 1): no accuracy unless they were 0/1)
            return Float64Array.from(e.accuracy === undefined ? [e.loss] : [e.loss, e.accuracy]);
          }
          case 'gradients': {
            const g = net.gradients(d.px, d.py);
            return Float64Array.from([g.loss, ...g.gradients.flatMap((l) => [...l.weights, ...l.biases])]);
          }
          case 'getParameters':
            return Float64Array.from(net.getParameters().flatMap((l) => [...l.weights, ...l.biases]));
          default:
            return Float64Array.from(
              (
                JSON.parse(JSON.stringify(net.toJSON())) as { parameters: { weights: number[]; biases: number[] }[] }
              ).parameters.flatMap((l) => [...l.weights, ...l.biases]),
            );
        }
      };
      const got = read(s.real);
      if (s.pending) {
        expect(got.every(Number.isFinite), `${what}(${i}) during trainAsync: finite`).toBe(true);
        return;
      }
      const want = read(s.twin);
      // predict and evaluate may run in other row chunks than the twin's (the relaxed-SIMD build fuses differently
      // per path); everything else is bit-identical
      if (what === 'predict' || what === 'evaluate') expectClose(got, want, TOL_WASM_SIMD, `${what}(${i})`);
      else
        expect(paramBits([{ weights: got, biases: new Float64Array(0) }])).toEqual(
          paramBits([{ weights: want, biases: new Float64Array(0) }]),
        );
    }),
  ),
  fc.tuple(slotArb, fc.integer({ min: 0, max: 1000 })).map(([i, seed]) =>
    cmd(`setParameters(${i}, seed ${seed})`, live(i), async (env) => {
      const s = env.slots[i]!,
        sh = SHAPES[i]!;
      const rand = mulberry32(seed);
      const params: LayerParameters[] = [0, 1].map((l) => ({
        weights: Float64Array.from({ length: sh[l]! * sh[l + 1]! }, () => rand() - 0.5),
        biases: Float64Array.from({ length: sh[l + 1]! }, () => rand() - 0.5),
      }));
      if (s.pending) {
        if (
          refused(
            thrown(() => s.real.setParameters(params)),
            'setParameters',
          )
        )
          return;
        await settle(s, i, false);
      } else s.real.setParameters(params);
      s.twin.setParameters(params);
      expect(bits(s.real)).toEqual(bits(s.twin));
    }),
  ),
  slotArb.map((i) =>
    cmd(`dispose(${i})`, live(i), async (env) => {
      const s = env.slots[i]!;
      s.real.dispose();
      expect(() => s.real.predict(DATA[i]!.px)).toThrow(DisposedError);
      if (s.pending) {
        s.pending.disposed = true;
        await settle(s, i);
      }
      s.twin.dispose();
      s.twinBackend.dispose();
      env.slots[i] = null;
    }),
  ),
];

describe('model-based: call sequences and overlaps on one shared backend against a sequential model', () => {
  afterAll(() => {
    console.log(
      `model.test: ${counts.sequences} sequences, ${counts.operations} operations, ${counts.overlaps} run while a trainAsync was pending, ` +
        `${counts.asyncRuns} trainAsync runs, ${counts.refusals} refusals checked`,
    );
  });

  it("every sequence gives the twins' bits or the promised typed refusal, and leaves no memory behind", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<BackendName>('js', 'assemblyscript', 'rust'),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 })), {
          minLength: 2,
          maxLength: 3,
        }),
        fc.commands(commands, { maxCommands: 25, size: 'max' }),
        async (name, initial, cmds) => {
          const env: Env = { name, backend: await loadBackend(name), slots: [null, null, null] };
          counts.sequences++;
          try {
            for (const [i, [seed, threads]] of initial.entries()) await create(env, i, seed, threads);
            await fc.asyncModelRun(() => ({ model: env, real: env }), cmds);
            for (const [i, s] of env.slots.entries()) if (s?.pending) await settle(s, i);
            for (const s of env.slots) if (s) expect(bits(s.real)).toEqual(bits(s.twin));
            for (const s of env.slots) s?.real.dispose();
            await lateFreesDone(hostOf('test', env.backend)); // a pool's blocks are handed back once its workers exited
            expect(env.backend.usedBytes(), 'the shared backend after every network was disposed').toBe(0);
          } finally {
            for (const [i, s] of env.slots.entries()) {
              if (!s) continue;
              s.real.dispose();
              if (s.pending) await s.pending.settled;
              s.twin.dispose();
              s.twinBackend.dispose();
              env.slots[i] = null;
            }
            env.backend.dispose();
          }
        },
      ),
      { seed: 20261130, numRuns: 30, endOnFailure: true },
    );
  }, 180_000); // worker start-up from TypeScript sources dominates; the sequences themselves take a few seconds
});
