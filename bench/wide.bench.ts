/**
 * The wide network on the real digits: 784-1024-1024-10 relu/softmax-cross-entropy/Adam, batch 64 (11.2 MFLOP per
 * sample: forward and both backward products of three layers), every backend, 1 and 2 threads, samples/s. Before
 * timing, each backend's first-epoch loss must match the js backend's (rtol 1e-8), and 2 threads must give the
 * same parameters, bit for bit, as 1 thread; a row that does not is FAILED with no number.
 */
import { Bench } from 'tinybench';
import { loadMnist } from '../examples/mnist-data.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { errorMessage, type BackendRow } from './backends.js';
import { QUICK, TRAIN_OPTS } from './env.js';
import { fromTask, runBench, type Row } from './report.js';

/** Digits per timed epoch (the js backend runs this network at well under 1k samples/s). */
export const WIDE_SAMPLES = QUICK ? 256 : 640;
export const WIDE_GROUP = 'real MNIST epoch 784-1024-1024-10 relu/softmax-ce/adam, batch 64';
export const WIDE_NET: NetworkOptions = { layers: [784, 1024, 1024, 10], seed: 1234, activation: 'relu', outputActivation: 'softmax', loss: 'cross-entropy', init: 'he' };
export const WIDE_TRAIN: TrainOptions = { epochs: 1, learningRate: 1e-3, batchSize: 64, shuffle: false, optimizer: 'adam' };
/** Multiply-adds per sample, ×2 flops, ×3 products (forward, dw, dx; the first layer's dx is skipped). */
export const WIDE_FLOPS_PER_SAMPLE = 2 * (3 * (1024 * 1024 + 1024 * 10) + 2 * 784 * 1024);

export let sink = 0;

export async function benchWide(rows: readonly BackendRow[], log: (s: string) => void): Promise<Row[]> {
  const { train } = loadMnist(WIDE_SAMPLES, 0);
  const X = train.x, Y = train.y;
  const out: Row[] = [];
  let refLoss: number | null = null;
  log(`  ${WIDE_GROUP} (${WIDE_SAMPLES} digits)`);
  for (const r of rows) {
    if (r.duplicateOf) continue;
    for (const threads of [1, 2]) {
      const label = threads === 1 ? r.label : `${r.label} ×2 threads`;
      const base: Row = { group: WIDE_GROUP, name: `${WIDE_GROUP} [${label}]`, backend: label, variant: r.variant, status: 'ok' };
      if (!r.backend || r.error) {
        out.push({ ...base, status: 'FAILED', error: r.error ?? 'did not load' });
        continue;
      }
      let net: Network | null = null;
      let ref: Network | null = null;
      try {
        net = await Network.create({ ...WIDE_NET, backend: r.backend, threads });
        const loss = net.train(X, Y, WIDE_TRAIN).losses[0]!;
        if (r.name === 'js' && threads === 1) refLoss = loss;
        const rel = refLoss === null ? null : Math.abs(loss - refLoss) / Math.abs(refLoss);
        if (rel === null || rel > 1e-8) {
          out.push({ ...base, status: 'FAILED', error: `first-epoch loss ${loss}, the js backend's ${refLoss} (rtol 1e-8)` });
          continue;
        }
        if (threads === 2) {
          ref = await Network.create({ ...WIDE_NET, backend: r.backend });
          ref.train(X, Y, WIDE_TRAIN);
          const a = net.getParameters(), b = ref.getParameters();
          const same = a.every((p, l) => p.weights.every((v, i) => Object.is(v, b[l]!.weights[i])) && p.biases.every((v, i) => Object.is(v, b[l]!.biases[i])));
          if (!same) {
            out.push({ ...base, status: 'FAILED', error: '2 threads did not give the 1-thread parameters bit for bit' });
            continue;
          }
        }
        const nn = net;
        const bench = new Bench({ name: WIDE_GROUP, ...TRAIN_OPTS });
        bench.add(base.name, () => { sink += nn.train(X, Y, WIDE_TRAIN).losses[0]!; }, { async: false });
        const row = fromTask(base, (await runBench(bench)).get(base.name));
        out.push({
          ...row,
          ...(row.medianMs ? { samplesPerSec: WIDE_SAMPLES / (row.medianMs / 1000), gflops: (WIDE_SAMPLES * WIDE_FLOPS_PER_SAMPLE) / (row.medianMs * 1e6) } : {}),
          note: `Network.train, threads: ${threads}`,
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
