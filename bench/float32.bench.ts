/**
 * float32 next to float64 on the real digits: the 784-128-10 sigmoid/MSE/SGD epoch (REAL_CONFIGS[0]) with
 * dtype 'float32' on every WASM build, 1 thread, each build's first-epoch loss verified against the js backend's
 * float32 loss (F32_LOSS_RTOL) before it is timed (js: the reference, not timed, to keep the bench's time budget); and the bytes a Dataset of DATASET_ROWS×784 rows takes in each dtype
 * (backend.usedBytes() before and after net.dataset()).
 */
import { Bench } from 'tinybench';
import { loadMnist } from '../examples/mnist-data.js';
import { matrix } from '../src/matrix.js';
import { Network } from '../src/network.js';
import { errorMessage, type BackendRow } from './backends.js';
import { TRAIN_OPTS } from './env.js';
import { fromTask, runBench, type Row } from './report.js';
import { REAL_CONFIGS, REAL_SAMPLES, realGroup } from './train.bench.js';
import { F32_LOSS_RTOL } from './wide.bench.js';

export let sink = 0;

export const realGroupF32 = `${realGroup(REAL_CONFIGS[0]!)}, float32`;

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
      const nn = net;
      const bench = new Bench({ name: realGroupF32, ...TRAIN_OPTS });
      bench.add(
        base.name,
        () => {
          sink += nn.train(X, Y, cfg.train).losses[0]!;
        },
        { async: false },
      );
      const row = fromTask(base, (await runBench(bench)).get(base.name));
      out.push({
        ...row,
        ...(row.medianMs ? { samplesPerSec: REAL_SAMPLES / (row.medianMs / 1000) } : {}),
        note: `Network.train, float32; first-epoch loss ${loss} (${rel.toExponential(1)} from js)`,
      });
    } catch (e) {
      out.push({ ...base, status: 'errored', error: errorMessage(e) });
    } finally {
      net?.dispose();
    }
  }
  return out;
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
