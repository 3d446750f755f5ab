/**
 * float32 next to float64 on the real digits: the 784-128-10 sigmoid/MSE/SGD epoch (REAL_CONFIGS[0]) with
 * dtype 'float32' on every WASM build, 1 thread, and evaluate on a Dataset of the same digits, each build's first-epoch loss verified against the js backend's
 * float32 loss (F32_LOSS_RTOL) before it is timed (js: the reference, not timed, to keep the bench's time budget),
 * its epochs alternating with the same build's float64 epochs (the f32 ÷ f64 ratio compares epochs under the same
 * load); and the bytes a Dataset of DATASET_ROWS×784 rows takes in each dtype (backend.usedBytes() before and after
 * net.dataset()).
 */
import { loadMnist } from '../examples/mnist-data.js';
import { matrix } from '../src/matrix.js';
import { Network } from '../src/network.js';
import { errorMessage, type BackendRow } from './backends.js';
import { TRAIN_OPTS } from './env.js';
import { type Row } from './report.js';
import { median } from './stats.js';
import { REAL_CONFIGS, REAL_SAMPLES, realGroup } from './train.bench.js';
import { F32_LOSS_RTOL } from './wide.bench.js';

export let sink = 0;

export const realGroupF32 = `${realGroup(REAL_CONFIGS[0]!)}, float32`;
export const realEvalGroupF32 = `evaluate(dataset) ${REAL_CONFIGS[0]!.net.layers.join('-')}, float32`;

/** One float32 epoch of the real-digit 784-128-10 SGD network per build (Network.train, 1 thread); `untimed` gets js's line. */
export async function benchRealF32(
  rows: readonly BackendRow[],
  log: (s: string) => void,
  untimed: string[] = [],
): Promise<Row[]> {
  const cfg = REAL_CONFIGS[0]!;
  const { train } = loadMnist(REAL_SAMPLES, 0);
  const X = train.x,
    Y = train.y;
  const out: Row[] = [];
  let refLoss: number | null = null;
  log(`  ${realGroupF32} (${REAL_SAMPLES} digits)`);
  for (const r of rows) {
    if (r.duplicateOf) continue;
    const base: Row = {
      group: realGroupF32,
      name: `${realGroupF32} [${r.label}]`,
      backend: r.label,
      variant: r.variant,
      status: 'ok',
    };
    if (!r.backend || r.error) {
      out.push({ ...base, status: 'FAILED', error: r.error ?? 'did not load' });
      continue;
    }
    let net: Network | null = null;
    let net64: Network | null = null;
    try {
      net = await Network.create({ ...cfg.net, backend: r.backend, dtype: 'float32' });
      const loss = net.train(X, Y, cfg.train).losses[0]!;
      if (r.name === 'js') {
        refLoss = loss;
        untimed.push(`${r.label}: the reference first-epoch loss ${loss}, not timed`);
        continue;
      }
      const rel = refLoss === null ? null : Math.abs(loss - refLoss) / Math.abs(refLoss);
      if (rel === null || rel > F32_LOSS_RTOL) {
        out.push({
          ...base,
          status: 'FAILED',
          error: `first-epoch loss ${loss}, the js backend's float32 ${refLoss} (rtol ${F32_LOSS_RTOL})`,
        });
        continue;
      }
      // the same build's float64 epoch, timed in alternation with the float32 one: the ratio compares epochs run
      // under the same machine load (the float64 group ran minutes earlier)
      net64 = await Network.create({ ...cfg.net, backend: r.backend });
      net64.train(X, Y, cfg.train);
      const n32 = net,
        n64 = net64;
      const { f32, f64 } = alternate(
        () => (sink += n32.train(X, Y, cfg.train).losses[0]!),
        () => (sink += n64.train(X, Y, cfg.train).losses[0]!),
      );
      out.push({
        ...base,
        ...timedStats(f32),
        samplesPerSec: REAL_SAMPLES / (median(f32) / 1000),
        f64SamplesPerSec: REAL_SAMPLES / (median(f64) / 1000),
        note: `Network.train, float32, epochs alternating with float64's; first-epoch loss ${loss} (${rel.toExponential(1)} from js)`,
      });
      // evaluate on resident rows: the forward pass and the loss (evaluateBatch), no backward pass
      const ds32 = n32.dataset(X, Y),
        ds64 = n64.dataset(X, Y);
      try {
        const ev = alternate(
          () => (sink += n32.evaluate(ds32).loss),
          () => (sink += n64.evaluate(ds64).loss),
        );
        out.push({
          ...base,
          group: realEvalGroupF32,
          name: `${realEvalGroupF32} [${r.label}]`,
          ...timedStats(ev.f32),
          samplesPerSec: REAL_SAMPLES / (median(ev.f32) / 1000),
          f64SamplesPerSec: REAL_SAMPLES / (median(ev.f64) / 1000),
          note: 'Network.evaluate on a Dataset (loss and accuracy), float32, alternating with float64',
        });
      } finally {
        ds32.dispose();
        ds64.dispose();
      }
    } catch (e) {
      out.push({ ...base, status: 'errored', error: errorMessage(e) });
    } finally {
      net?.dispose();
      net64?.dispose();
    }
  }
  return out;
}

/** Epochs per dtype in alternate(): TRAIN_OPTS's iteration count. */
const ROUNDS = TRAIN_OPTS.iterations ?? 5;

/** ROUNDS epochs of each, alternating, the first of each pair flipping every round; milliseconds per epoch. */
function alternate(epoch32: () => void, epoch64: () => void): { f32: number[]; f64: number[] } {
  const f32: number[] = [],
    f64: number[] = [];
  const time = (f: () => void, into: number[]): void => {
    const t0 = performance.now();
    f();
    into.push(performance.now() - t0);
  };
  for (let k = 0; k < ROUNDS; k++) {
    if (k % 2 === 0) {
      time(epoch32, f32);
      time(epoch64, f64);
    } else {
      time(epoch64, f64);
      time(epoch32, f32);
    }
  }
  return { f32, f64 };
}

/** A row's statistics from its epoch times: median, mean, and the mean's relative margin of error (95%, Student's t). */
function timedStats(ms: readonly number[]): Pick<Row, 'status' | 'samples' | 'medianMs' | 'meanMs' | 'rme'> {
  const n = ms.length;
  const mean = ms.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(ms.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  // two-sided 95% t quantiles for 1..9 degrees of freedom; 1.96 beyond
  const t = [12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262][n - 2] ?? 1.96;
  return { status: 'ok', samples: n, medianMs: median(ms), meanMs: mean, rme: ((t * sd) / Math.sqrt(n) / mean) * 100 };
}

/** Rows of the Dataset whose size the bench measures (the real-digit epoch's full size). */
export const DATASET_ROWS = 8000;

export interface DatasetBytes {
  backend: string;
  float64: number | null;
  float32: number | null;
  error?: string;
}

/** backend.usedBytes() taken by net.dataset(x, y) of DATASET_ROWS×784 inputs and ×10 targets, per dtype and build. */
export async function datasetBytes(rows: readonly BackendRow[]): Promise<DatasetBytes[]> {
  const X = matrix(DATASET_ROWS, 784),
    Y = matrix(DATASET_ROWS, 10);
  for (let r = 0; r < DATASET_ROWS; r++) Y.data[r * 10 + (r % 10)] = 1; // one-hot: cross-entropy targets
  const out: DatasetBytes[] = [];
  for (const r of rows) {
    if (r.duplicateOf || !r.backend) continue;
    const be = r.backend;
    const got: DatasetBytes = { backend: r.label, float64: null, float32: null };
    try {
      for (const dtype of ['float64', 'float32'] as const) {
        const net = await Network.create({
          layers: [784, 10],
          outputActivation: 'softmax',
          loss: 'cross-entropy',
          seed: 1,
          backend: be,
          dtype,
        });
        try {
          const before = be.usedBytes();
          const ds = net.dataset(X, Y);
          got[dtype] = be.usedBytes() - before;
          ds.dispose();
        } finally {
          net.dispose();
        }
      }
    } catch (e) {
      got.error = errorMessage(e);
    }
    out.push(got);
  }
  return out;
}
