/**
 * The tutorial's 2-2-1 training loop hand-transcribed to scalar JavaScript: nine local variables, no objects,
 * no arrays in the inner loop (bench/numpy/tutorial.py's `train`). The fastest plain-JS form of that network, the bar
 * the WASM backends must beat on the tutorial benchmark.
 */
export interface NineParameters {
  w1: number;
  w2: number;
  w3: number;
  w4: number;
  w5: number;
  w6: number;
  b1: number;
  b2: number;
  b3: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Trains in place of a copy and returns the final parameters. data: n×2 flattened, ys: n. */
export function trainScalarTutorial(
  p: NineParameters,
  data: Float64Array,
  ys: Float64Array,
  lr: number,
  epochs: number,
): NineParameters {
  let { w1, w2, w3, w4, w5, w6, b1, b2, b3 } = p;
  const n = ys.length;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < n; i++) {
      const x0 = data[2 * i]!,
        x1 = data[2 * i + 1]!,
        y = ys[i]!;
      const s1 = w1 * x0 + w2 * x1 + b1,
        h1 = sigmoid(s1);
      const s2 = w3 * x0 + w4 * x1 + b2,
        h2 = sigmoid(s2);
      const so = w5 * h1 + w6 * h2 + b3,
        o = sigmoid(so);
      const d = -2 * (y - o);
      const dO = o * (1 - o);
      const dh1 = w5 * dO,
        dh2 = w6 * dO;
      const ds1 = h1 * (1 - h1),
        ds2 = h2 * (1 - h2);
      w1 -= lr * d * dh1 * x0 * ds1;
      w2 -= lr * d * dh1 * x1 * ds1;
      b1 -= lr * d * dh1 * ds1;
      w3 -= lr * d * dh2 * x0 * ds2;
      w4 -= lr * d * dh2 * x1 * ds2;
      b2 -= lr * d * dh2 * ds2;
      w5 -= lr * d * h1 * dO;
      w6 -= lr * d * h2 * dO;
      b3 -= lr * d * dO;
    }
  }
  return { w1, w2, w3, w4, w5, w6, b1, b2, b3 };
}
