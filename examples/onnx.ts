/**
 * Moving out: train a digit classifier (784-64-10, relu + softmax) on real MNIST digits, export it as ONNX in float64
 * and float32, run both files with ONNX Runtime (onnxruntime-web's WebAssembly build, in Node), and load one back.
 *
 *   npm run example:onnx                      # writes fastnn-mnist.float64.onnx / .float32.onnx to the system tmp dir
 *   npm run example:onnx -- --out ./models    # or to a directory of your choice
 *
 * Prints the file sizes, held-out accuracy from fastnn and from ONNX Runtime, and the largest difference between
 * ONNX Runtime's outputs and predict().
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { Network } from '../src/index.js';
import { loadMnist } from './mnist-data.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: tmpdir() } } });
const outDir = values.out;
mkdirSync(outDir, { recursive: true });
ort.env.wasm.numThreads = 1;

const { train, test } = loadMnist(8000, 2000);
const net = await Network.create({
  layers: [784, 64, 10],
  activation: 'relu',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  seed: 1,
  backend: 'auto',
});
net.train(train.x, train.y, { epochs: 10, learningRate: 1e-3, optimizer: 'adam', batchSize: 32 });
console.log(
  `fastnn (${net.backend.name}) held-out accuracy: ${((net.evaluate(test.x, test.y).accuracy ?? 0) * 100).toFixed(2)}%`,
);

const argmaxAccuracy = (out: ArrayLike<number>): number => {
  let hit = 0;
  for (let r = 0; r < test.y.rows; r++) {
    let p = 0,
      t = 0;
    for (let j = 1; j < 10; j++) {
      if (out[r * 10 + j]! > out[r * 10 + p]!) p = j;
      if (test.y.data[r * 10 + j]! > test.y.data[r * 10 + t]!) t = j;
    }
    if (p === t) hit++;
  }
  return hit / test.y.rows;
};

const predicted = net.predict(test.x).data;
for (const dtype of ['float64', 'float32'] as const) {
  const bytes = net.toONNX({ dtype });
  const file = join(outDir, `fastnn-mnist.${dtype}.onnx`);
  writeFileSync(file, bytes);
  // Serving: this is all an ONNX Runtime user needs (input `input` [N, 784], output `output` [N, 10]).
  const session = await ort.InferenceSession.create(bytes);
  const input =
    dtype === 'float64'
      ? new ort.Tensor('float64', test.x.data, [test.x.rows, 784])
      : new ort.Tensor('float32', Float32Array.from(test.x.data), [test.x.rows, 784]);
  const { output } = await session.run({ input });
  const out = output!.data as Float64Array | Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - predicted[i]!));
  console.log(
    `${file}: ${(bytes.length / 1024).toFixed(1)} KiB; ONNX Runtime accuracy ${(argmaxAccuracy(out) * 100).toFixed(2)}%; largest |ORT - predict| ${maxDiff.toExponential(2)}`,
  );
  await session.release();
}

const back = await Network.fromONNX(net.toONNX(), 'js');
console.log(
  `Network.fromONNX: layers [${back.layers.join(', ')}], same parameters: ${JSON.stringify(back.toJSON()) === JSON.stringify(net.toJSON())}`,
);
back.dispose();
net.dispose();
