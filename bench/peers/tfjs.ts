/**
 * TensorFlow.js (the tfjs package with its WebAssembly backend, float32) on the peer problems (bench/peers/problem.ts),
 * written as its users write a custom training loop: per batch, `optimizer.minimize` of the loss (tf.train.sgd or
 * tf.train.adam with fastnn's β1, β2, ε) over variables holding the shared initial parameters, batches in order.
 * Same math as fastnn (see jax_peer.py). Prints one JSON line per problem.   Usage: tsx bench/peers/tfjs.ts DIR
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readProblems, timeAndReport } from './peer-problems.js';

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
setWasmPaths(`${wasmDir}/`);
await tf.setBackend('wasm');
await tf.ready();

const dir = process.argv[2]!;
const { problems, f32 } = readProblems(dir);

for (const p of problems) {
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
  await timeAndReport({ name: 'TensorFlow.js', version: `${tf.version_core} (wasm)` }, p, epoch);
  opt.dispose();
  for (const [x, y] of batches) tf.dispose([x, y]);
  tf.dispose([X, Y, ...vars]);
}
