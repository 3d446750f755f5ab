/**
 * The wide network on the real digits: 784-1024-1024-10 relu/softmax-cross-entropy/Adam, batch 64 (11.2 MFLOP per
 * sample: forward and both backward products of three layers), every backend, 1 and 2 threads, samples/s. Before
 * timing, each backend's first-epoch loss must match the js backend's (rtol 1e-8), and 2 threads must give the
 * same parameters, bit for bit, as 1 thread; a row that does not is FAILED with no number.
 * In float32 (dtype 'float32', its own group) the reference is the js backend in float32: the loss and the gradients
 * of the first batch must agree (batchDisagreement: they test the forward and both backward products), and the
 * first-epoch loss at ADAM_F32_LOSS_RTOL. Only the builds `timed` accepts are timed, 1 and 2 threads (the others are
 * verified on 1 thread and listed in `untimed`: the bench's time budget).
 */
import { Bench } from 'tinybench';
import { loadMnist } from '../examples/mnist-data.js';
import { matrix } from '../src/matrix.js';
import { Network, type GradientsResult, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { errorMessage, type BackendRow } from './backends.js';
import { QUICK, TRAIN_OPTS } from './env.js';
import { fromTask, runBench, type Row } from './report.js';

/** Digits per timed epoch (the js backend runs this network at well under 1k samples/s). */
export const WIDE_SAMPLES = QUICK ? 256 : 640;
export const WIDE_GROUP = 'real MNIST epoch 784-1024-1024-10 relu/softmax-ce/adam, batch 64';
export const WIDE_GROUP_F32 = `${WIDE_GROUP}, float32`;
/**
 * A float32 build's first-epoch loss against the js backend's float32 loss: the float32 parity tolerance of
 * test/float32.test.ts (rtol 1e-4): the relaxed-SIMD build fuses multiply-adds, so the builds agree only to float32
 * rounding, not bit for bit.
 */
export const F32_LOSS_RTOL = 1e-4;
/**
 * A float32 build's first-epoch loss of the wide Adam network against the js backend's float32 loss. Adam's first
 * steps move every weight by about ±learningRate whatever its gradient's size, so a gradient that rounds differently
 * near zero flips a whole step and the losses part after a few batches (on 64 digits, 10 epochs, the relaxed build
 * is 3.7e-5 apart after one step and 3.2e-3 after nine, exactly as far as the js backend's float64 run is; with SGD
 * they stay within 3e-7). The per-batch check (F32_LOSS_RTOL on loss and gradients) is the tight one.
 */
export const ADAM_F32_LOSS_RTOL = 1e-3;
export const WIDE_NET: NetworkOptions = {
  layers: [784, 1024, 1024, 10],
  seed: 1234,
  activation: 'relu',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  init: 'he',
};
export const WIDE_TRAIN: TrainOptions = {
  epochs: 1,
  learningRate: 1e-3,
  batchSize: 64,
  shuffle: false,
  optimizer: 'adam',
};
/** Multiply-adds per sample, ×2 flops, ×3 products (forward, dw, dx; the first layer's dx is skipped). */
export const WIDE_FLOPS_PER_SAMPLE = 2 * (3 * (1024 * 1024 + 1024 * 10) + 2 * 784 * 1024);

export let sink = 0;

/**
 * Why a float32 batch's loss or gradients differ from the reference's: the loss at F32_LOSS_RTOL; in each layer's
 * weights and biases, at most GRAD_OUTLIERS of the elements outside rtol GRAD_RTOL (atol GRAD_RTOL × the layer's
 * largest gradient). The outliers are relu kinks: a pre-activation within float32 rounding of 0 lands on the other
 * side in another summation order and switches one unit off for one sample (on the bench's first batch: unit 539 of
 * the first layer, 784 weights and 1 bias, about 0.1%). A wrong product moves far more elements far further.
 */
function batchDisagreement(got: GradientsResult, ref: GradientsResult): string | null {
  const lossRel = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
  if (!(lossRel <= F32_LOSS_RTOL)) return `loss ${got.loss}, js ${ref.loss} (rtol ${F32_LOSS_RTOL})`;
  for (let l = 0; l < ref.gradients.length; l++) {
    for (const part of ['weights', 'biases'] as const) {
      const a = got.gradients[l]![part],
        b = ref.gradients[l]![part];
      let largest = 0;
      for (const v of b) largest = Math.max(largest, Math.abs(v));
      let outside = 0;
      for (let i = 0; i < b.length; i++) {
        if (!(Math.abs(a[i]! - b[i]!) <= GRAD_RTOL * (largest + Math.abs(b[i]!)))) outside++;
      }
      if (outside > GRAD_OUTLIERS * b.length) {
        return `layer ${l}: ${outside} of ${b.length} ${part} gradients differ from js by more than rtol ${GRAD_RTOL} (at most ${GRAD_OUTLIERS * 100}% may: relu kinks)`;
      }
    }
  }
  return null;
}
const GRAD_RTOL = 1e-3;
const GRAD_OUTLIERS = 0.005;

export async function benchWide(
  rows: readonly BackendRow[],
  log: (s: string) => void,
  dtype: 'float64' | 'float32' = 'float64',
  timed: (r: BackendRow) => boolean = () => true,
  untimed: string[] = [],
): Promise<Row[]> {
  const { train } = loadMnist(WIDE_SAMPLES, 0);
  const X = train.x,
    Y = train.y;
  const out: Row[] = [];
  let refLoss: number | null = null;
  const group = dtype === 'float32' ? WIDE_GROUP_F32 : WIDE_GROUP;
  const rtol = dtype === 'float32' ? ADAM_F32_LOSS_RTOL : 1e-8;
  const batchX = matrix(WIDE_TRAIN.batchSize!, 784, X.data.subarray(0, WIDE_TRAIN.batchSize! * 784));
  const batchY = matrix(WIDE_TRAIN.batchSize!, 10, Y.data.subarray(0, WIDE_TRAIN.batchSize! * 10));
  let refBatch: GradientsResult | null = null;
  log(`  ${group} (${WIDE_SAMPLES} digits)`);
  for (const r of rows) {
    if (r.duplicateOf) continue;
    for (const threads of [1, 2]) {
      const label = threads === 1 ? r.label : `${r.label} ×2 threads`;
      const base: Row = { group, name: `${group} [${label}]`, backend: label, variant: r.variant, status: 'ok' };
      if (!r.backend || r.error) {
        out.push({ ...base, status: 'FAILED', error: r.error ?? 'did not load' });
        continue;
      }
      let net: Network | null = null;
      let ref: Network | null = null;
      try {
        if (!timed(r) && (threads === 2 || r.name === 'js')) {
          // js: its 1-thread loss is the reference (its float32 epoch is verified, not timed); 2 threads not run
          if (threads === 1) {
            net = await Network.create({ ...WIDE_NET, backend: r.backend, dtype });
            if (dtype === 'float32') refBatch = net.gradients(batchX, batchY);
            refLoss = net.train(X, Y, WIDE_TRAIN).losses[0]!;
            untimed.push(`${label}: the reference first-epoch loss ${refLoss}, not timed`);
          }
          continue;
        }
        net = await Network.create({ ...WIDE_NET, backend: r.backend, threads, dtype });
        if (dtype === 'float32') {
          const batch = net.gradients(batchX, batchY);
          if (r.name === 'js' && threads === 1) refBatch = batch;
          const why = refBatch === null ? 'no js float32 reference' : batchDisagreement(batch, refBatch);
          if (why !== null) {
            out.push({ ...base, status: 'FAILED', error: `first batch: ${why}` });
            continue;
          }
        }
        const loss = net.train(X, Y, WIDE_TRAIN).losses[0]!;
        if (r.name === 'js' && threads === 1) refLoss = loss;
        const rel = refLoss === null ? null : Math.abs(loss - refLoss) / Math.abs(refLoss);
        if (rel === null || rel > rtol) {
          out.push({
            ...base,
            status: 'FAILED',
            error: `first-epoch loss ${loss}, the js backend's ${refLoss} (rtol ${rtol})`,
          });
          continue;
        }
        if (!timed(r)) {
          untimed.push(`${label}: first-epoch loss verified (${rel.toExponential(1)} from js), not timed`);
          continue;
        }
        if (threads === 2) {
          ref = await Network.create({ ...WIDE_NET, backend: r.backend, dtype });
          ref.train(X, Y, WIDE_TRAIN);
          const a = net.getParameters(),
            b = ref.getParameters();
          const same = a.every(
            (p, l) =>
              p.weights.every((v, i) => Object.is(v, b[l]!.weights[i])) &&
              p.biases.every((v, i) => Object.is(v, b[l]!.biases[i])),
          );
          if (!same) {
            out.push({
              ...base,
              status: 'FAILED',
              error: '2 threads did not give the 1-thread parameters bit for bit',
            });
            continue;
          }
        }
        const nn = net;
        const bench = new Bench({ name: group, ...TRAIN_OPTS });
        bench.add(
          base.name,
          () => {
            sink += nn.train(X, Y, WIDE_TRAIN).losses[0]!;
          },
          { async: false },
        );
        const row = fromTask(base, (await runBench(bench)).get(base.name));
        out.push({
          ...row,
          ...(row.medianMs
            ? {
                samplesPerSec: WIDE_SAMPLES / (row.medianMs / 1000),
                gflops: (WIDE_SAMPLES * WIDE_FLOPS_PER_SAMPLE) / (row.medianMs * 1e6),
              }
            : {}),
          note: `Network.train, threads: ${threads}${dtype === 'float32' ? `, float32, first-epoch loss ${rel.toExponential(1)} from js` : ''}`,
        });
      } catch (e) {
        out.push({ ...base, status: 'errored', error: errorMessage(e) });
      } finally {
        net?.dispose();
        ref?.dispose();
      }
    }
  }
  return out;
}
