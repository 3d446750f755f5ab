/**
 * The problems every peer trains, written once to a directory the peer programs read (meta.json plus little-endian
 * float64 files): the real digits and targets, and each problem's initial parameters — those of fastnn's network
 * from the problem's seed — so every implementation starts from the same point and its first-epoch loss can be
 * compared with fastnn's. Weights are stored as fastnn holds them: nOut × nIn, row-major (z = x·wᵀ + b).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadMnist } from '../../examples/mnist-data.js';
import { Network, type NetworkOptions, type TrainOptions } from '../../src/network.js';
import { REAL_CONFIGS, REAL_SAMPLES } from '../train.bench.js';
import { WIDE_NET, WIDE_SAMPLES, WIDE_TRAIN } from '../wide.bench.js';
import { QUICK } from '../env.js';

export interface PeerProblem {
  id: 'mlp' | 'wide';
  title: string;
  samples: number;
  net: NetworkOptions;
  train: TrainOptions;
  /** Timed epochs after the first (the first also compiles, in the peers that compile). */
  repeats: number;
}

const sgd = REAL_CONFIGS[0]!;
export const PEER_PROBLEMS: readonly PeerProblem[] = [
  {
    id: 'mlp',
    title: `real MNIST epoch ${sgd.title}, batch ${String(sgd.train.batchSize)}`,
    samples: REAL_SAMPLES,
    net: sgd.net,
    train: sgd.train,
    repeats: QUICK ? 2 : 5,
  },
  {
    id: 'wide',
    title: `real MNIST epoch 784-1024-1024-10 relu/softmax-ce/adam, batch ${String(WIDE_TRAIN.batchSize)}`,
    samples: WIDE_SAMPLES,
    net: WIDE_NET,
    train: WIDE_TRAIN,
    repeats: QUICK ? 2 : 5,
  },
];

const f64File = (dir: string, name: string, a: Float64Array): void => {
  writeFileSync(path.join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
};

/** What meta.json says about one problem (everything a peer needs to build the same network and step). */
function describe(p: PeerProblem): Record<string, unknown> {
  const n = p.net,
    t = p.train;
  return {
    id: p.id,
    samples: p.samples,
    repeats: p.repeats,
    layers: n.layers,
    activation: n.activation ?? 'sigmoid',
    outputActivation: n.outputActivation ?? 'sigmoid',
    loss: n.loss ?? 'mse',
    optimizer: t.optimizer ?? 'sgd',
    learningRate: t.learningRate,
    batch: t.batchSize,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  };
}

export async function writePeerProblems(dir: string): Promise<void> {
  const samples = Math.max(...PEER_PROBLEMS.map((p) => p.samples));
  const { train } = loadMnist(samples, 0);
  f64File(dir, 'x.f64', train.x.data);
  f64File(dir, 'y.f64', train.y.data);
  for (const p of PEER_PROBLEMS) {
    const net = await Network.create({ ...p.net, backend: 'js' });
    try {
      net.getParameters().forEach((q, l) => {
        f64File(dir, `${p.id}-w${l}.f64`, q.weights);
        f64File(dir, `${p.id}-b${l}.f64`, q.biases);
      });
    } finally {
      net.dispose();
    }
  }
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ samples, problems: PEER_PROBLEMS.map(describe) }));
}
