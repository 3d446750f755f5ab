/**
 * TensorFlow.js (the tfjs package with its WebAssembly backend, float32) on the peer problems (bench/peers/problem.ts),
 * written as its users write a custom training loop: per batch, `optimizer.minimize` of the loss (tf.train.sgd or
 * tf.train.adam with fastnn's β1, β2, ε) over variables holding the shared initial parameters, batches in order.
 * Same math as fastnn (see jax_peer.py). Prints one JSON line per problem.   Usage: tsx bench/peers/tfjs.ts DIR
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

interface Problem {
  id: string;
  samples: number;
  repeats: number;
  layers: number[];
  activation: string;
  outputActivation: string;
  loss: string;
  optimizer: string;
  learningRate: number;
  batch: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
setWasmPaths(`${wasmDir}/`);
await tf.setBackend('wasm');
await tf.ready();

const dir = process.argv[2]!;
const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { samples: number; problems: Problem[] };
const f32 = (name: string, count = Infinity): Float32Array => {
  const b = readFileSync(path.join(dir, name));
  const f = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  return Float32Array.from(count === Infinity ? f : f.subarray(0, count));
};

for (const p of meta.problems) {
  const L = p.layers.length - 1,
    n = p.samples,
    B = p.batch;
  const vars: tf.Variable[] = [];
  for (let l = 0; l < L; l++) {
    const [i, o] = [p.layers[l]!, p.layers[l + 1]!];
    vars.push(
      tf.variable(tf.transpose(tf.tensor2d(f32(`${p.id}-w${l}.f64`), [o, i]))),
      tf.variable(tf.tensor1d(f32(`${p.id}-b${l}.f64`))),
    );
  }
  const act = (name: string, z: tf.Tensor): tf.Tensor =>
    name === 'sigmoid' ? tf.sigmoid(z) : name === 'relu' ? tf.relu(z) : z;
  const lossFn = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => {
    let a = x;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(a, vars[2 * l]!), vars[2 * l + 1]!);
      a = l < L - 1 ? act(p.activation, z) : z;
    }
    if (p.loss === 'mse') return tf.mean(tf.square(tf.sub(act(p.outputActivation, a), y)));
    return tf.mul(tf.sum(tf.mul(tf.logSoftmax(a), y)), -1 / B);
  };
  const opt =
    p.optimizer === 'sgd' ? tf.train.sgd(p.learningRate) : tf.train.adam(p.learningRate, p.beta1, p.beta2, p.epsilon);
  const X = tf.tensor2d(f32('x.f64', n * 784), [n, 784]);
  const Y = tf.tensor2d(f32('y.f64', n * 10), [n, 10]);
  const batches: [tf.Tensor, tf.Tensor][] = [];
  for (let s = 0; s + B <= n; s += B) batches.push([tf.slice(X, [s, 0], [B, 784]), tf.slice(Y, [s, 0], [B, 10])]);
  const epoch = (): number => {
    let sum = 0;
    for (const [x, y] of batches) {
      const l = opt.minimize(() => lossFn(x, y), true, vars)!;
      sum += l.dataSync()[0]!;
      l.dispose();
    }
    return sum / batches.length;
  };
  const first = epoch();
  const times: number[] = [];
  for (let r = 0; r < p.repeats; r++) {
    const t0 = performance.now();
    epoch();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const s = times[times.length >> 1]!;
  console.log(
    JSON.stringify({
      peer: 'TensorFlow.js',
      version: `${tf.version_core} (wasm)`,
      problem: p.id,
      dtype: 'float32',
      first_epoch_loss: first,
      epoch_s_median: s,
      samples_per_s: n / s,
    }),
  );
  opt.dispose();
  for (const [x, y] of batches) tf.dispose([x, y]);
  tf.dispose([X, Y, ...vars]);
}
