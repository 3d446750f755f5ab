/**
 * The float64 and float32 rust checks' shared table: 13 small configurations covering every activation, loss,
 * optimizer and training control, and the run that trains one for 3 epochs and returns everything it produced.
 */
import type { Activation, Backend, Dtype, Loss, Optimizer } from '../src/backend.js';
import type { NetworkOptions, TrainOptions } from '../src/network.js';
import { Network } from '../src/network.js';
import { mulberry32 } from '../src/rng.js';

// extra: train options beyond the common ones; sampleWeight: true stands for one weight per row, (i % 3) * 0.5
type Extra = Partial<Omit<TrainOptions, 'sampleWeight'>> & { sampleWeight?: true };
export type Cfg = {
  layers: number[];
  act: Activation;
  out: Activation;
  loss: Loss;
  opt: Optimizer;
  batch: number;
  n: number;
  extra?: Extra;
  netx?: Pick<NetworkOptions, 'dropout'>;
};
/** One row of the table: the fields of a Cfg in order, then its extra train and network options if any. */
const cfg = (
  layers: number[],
  act: Activation,
  out: Activation,
  loss: Loss,
  opt: Optimizer,
  batch: number,
  n: number,
  more: Pick<Cfg, 'extra' | 'netx'> = {},
): Cfg => ({ layers, act, out, loss, opt, batch, n, ...more });
export const cfgs: Cfg[] = [
  cfg([2, 2, 1], 'sigmoid', 'sigmoid', 'mse', 'sgd', 1, 4),
  cfg([4, 3, 1], 'tanh', 'sigmoid', 'mse', 'sgd', 1, 9, { extra: { weightDecay: 0.01 } }),
  cfg([3, 5, 4, 2], 'tanh', 'sigmoid', 'mse', 'momentum', 1, 11),
  cfg([5, 7, 3], 'relu', 'softmax', 'cross-entropy', 'adam', 1, 10),
  cfg([6, 9, 2], 'softplus', 'identity', 'mse', 'sgd', 1, 10),
  cfg([7, 9, 3], 'leaky-relu', 'softplus', 'mse', 'sgd', 4, 23, { extra: { weightDecay: 0.001 } }),
  cfg([13, 17, 5], 'sigmoid', 'sigmoid', 'binary-cross-entropy', 'adam', 8, 37),
  cfg([11, 33, 6], 'relu', 'softmax', 'cross-entropy', 'adamw', 5, 41, {
    extra: { weightDecay: 0.01, clipNorm: 0.5 },
    netx: { dropout: 0.3 },
  }),
  cfg([11, 33, 6], 'tanh', 'softmax', 'cross-entropy', 'momentum', 6, 41, {
    extra: { sampleWeight: true, learningRate: (s: number) => 0.05 / (1 + s) },
  }),
  cfg([20, 64, 10], 'relu', 'identity', 'mse', 'momentum', 7, 50),
  cfg([31, 40, 21, 3], 'leaky-relu', 'sigmoid', 'binary-cross-entropy', 'sgd', 16, 70, { extra: { clipNorm: 0.1 } }),
  cfg([64, 130, 10], 'relu', 'softmax', 'cross-entropy', 'adam', 32, 96, { netx: { dropout: 0.2 } }),
  cfg([3, 4, 2], 'sigmoid', 'softmax', 'cross-entropy', 'sgd', 3, 8),
];
/**
 * Trains configuration `c` for 3 epochs on seeded data and returns, in this order, the losses, the parameters, the
 * predictions, the gradients' loss and values, and the evaluated loss (the backend is disposed with the network).
 */
export async function runConfig(be: Backend | 'js', c: Cfg, threads: number, dtype: Dtype): Promise<Float64Array> {
  const r = mulberry32(c.layers.reduce((a, b) => a * 31 + b, 7));
  const nIn = c.layers[0]!,
    nOut = c.layers[c.layers.length - 1]!;
  const x = Array.from({ length: c.n }, () => Array.from({ length: nIn }, () => r() * 2 - 1));
  const y = x.map(() => {
    const row = Array.from({ length: nOut }, () => r());
    if (c.loss === 'cross-entropy') {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / s);
    }
    return row;
  });
  const net = await Network.create({
    layers: c.layers,
    activation: c.act,
    outputActivation: c.out,
    loss: c.loss,
    seed: 5,
    backend: be,
    threads,
    dtype,
    ...(c.netx ?? {}),
  });
  const { sampleWeight, ...extra } = c.extra ?? {};
  const weights = sampleWeight ? { sampleWeight: x.map((_, i) => (i % 3) * 0.5) } : {};
  const res = net.train(x, y, {
    epochs: 3,
    learningRate: 0.05,
    batchSize: c.batch,
    optimizer: c.opt,
    ...extra,
    ...weights,
  });
  // typed chunks copied as they are, so a hash of the result sees every bit the network returned
  const out: Float64Array[] = [new Float64Array(res.losses)];
  for (const p of net.getParameters()) out.push(p.weights, p.biases);
  out.push(net.predict(x).data);
  const g = net.gradients(x, y);
  out.push(new Float64Array([g.loss]));
  for (const p of g.gradients) out.push(p.weights, p.biases);
  out.push(new Float64Array([net.evaluate(x, y).loss]));
  const be2 = net.backend;
  net.dispose();
  be2.dispose();
  const all = new Float64Array(out.reduce((n, a) => n + a.length, 0));
  out.reduce((at, a) => (all.set(a, at), at + a.length), 0);
  return all;
}

/** A configuration's one-line name. */
export const cfgName = (c: Cfg): string => `${c.layers.join('-')} ${c.act}/${c.out} ${c.loss} ${c.opt} b${c.batch}`;
