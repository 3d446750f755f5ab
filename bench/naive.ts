/**
 * Naive JavaScript baselines: what a straightforward port does, the reference point for the js backend.
 * Plain nested loops over separate Float64Arrays, no blocking, no shared heap.
 */
import { mulberry32, normalFrom } from '../src/rng.js';

/** z[r,j] = Σ_k x[r,k]·w[j,k] + b[j]  (w: nOut×nIn, like fastnn) — the textbook triple loop. */
export function naiveDenseForward(
  z: Float64Array,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  batch: number,
  nIn: number,
  nOut: number,
): void {
  for (let r = 0; r < batch; r++) {
    for (let j = 0; j < nOut; j++) {
      let s = 0;
      for (let k = 0; k < nIn; k++) s += x[r * nIn + k]! * w[j * nIn + k]!;
      z[r * nOut + j] = s + b[j]!;
    }
  }
}

/** dw = dzᵀ·x, db = Σ_r dz, dx = dz·w (dx may be null) — triple loops, used only to verify the js backend. */
export function naiveDenseBackward(
  dx: Float64Array | null,
  dw: Float64Array,
  db: Float64Array,
  dz: Float64Array,
  x: Float64Array,
  w: Float64Array,
  batch: number,
  nIn: number,
  nOut: number,
): void {
  for (let j = 0; j < nOut; j++) {
    let s = 0;
    for (let r = 0; r < batch; r++) s += dz[r * nOut + j]!;
    db[j] = s;
    for (let k = 0; k < nIn; k++) {
      let t = 0;
      for (let r = 0; r < batch; r++) t += dz[r * nOut + j]! * x[r * nIn + k]!;
      dw[j * nIn + k] = t;
    }
  }
  if (dx) {
    for (let r = 0; r < batch; r++) {
      for (let k = 0; k < nIn; k++) {
        let t = 0;
        for (let j = 0; j < nOut; j++) t += dz[r * nOut + j]! * w[j * nIn + k]!;
        dx[r * nIn + k] = t;
      }
    }
  }
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * A naive batched 784-128-10 sigmoid/MSE SGD trainer (bench/numpy/mlp.py's algorithm written as plain loops):
 * one array per buffer, every matrix product a triple loop, no blocking or fusion.
 */
export class NaiveMlp {
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  private readonly h: Float64Array;
  private readonly o: Float64Array;
  private readonly dO: Float64Array;
  private readonly dH: Float64Array;
  private readonly gw1: Float64Array;
  private readonly gb1: Float64Array;
  private readonly gw2: Float64Array;
  private readonly gb2: Float64Array;

  constructor(
    readonly nIn: number,
    readonly nHid: number,
    readonly nOut: number,
    readonly batch: number,
    seed: number,
  ) {
    const normal = normalFrom(mulberry32(seed));
    this.w1 = Float64Array.from({ length: nHid * nIn }, () => normal() * Math.sqrt(2 / (nIn + nHid)));
    this.w2 = Float64Array.from({ length: nOut * nHid }, () => normal() * Math.sqrt(2 / (nHid + nOut)));
    this.b1 = new Float64Array(nHid);
    this.b2 = new Float64Array(nOut);
    this.h = new Float64Array(batch * nHid);
    this.o = new Float64Array(batch * nOut);
    this.dO = new Float64Array(batch * nOut);
    this.dH = new Float64Array(batch * nHid);
    this.gw1 = new Float64Array(nHid * nIn);
    this.gb1 = new Float64Array(nHid);
    this.gw2 = new Float64Array(nOut * nHid);
    this.gb2 = new Float64Array(nOut);
  }

  /** One epoch over x (n×nIn) and y (n×nOut) in order, mini-batches of `batch`; returns the mean batch loss. */
  epoch(x: Float64Array, y: Float64Array, n: number, lr: number): number {
    const { nIn, nHid, nOut, w1, b1, w2, b2, h, o, dO, dH, gw1, gb1, gw2, gb2 } = this;
    let lossSum = 0,
      batches = 0;
    for (let s = 0; s < n; s += this.batch) {
      const rows = Math.min(this.batch, n - s);
      // forward
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < nHid; j++) {
          let t = 0;
          for (let k = 0; k < nIn; k++) t += x[(s + r) * nIn + k]! * w1[j * nIn + k]!;
          h[r * nHid + j] = sigmoid(t + b1[j]!);
        }
        for (let j = 0; j < nOut; j++) {
          let t = 0;
          for (let k = 0; k < nHid; k++) t += h[r * nHid + k]! * w2[j * nHid + k]!;
          o[r * nOut + j] = sigmoid(t + b2[j]!);
        }
      }
      // MSE loss and output gradient through the sigmoid
      let loss = 0;
      const scale = 2 / (rows * nOut);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < nOut; j++) {
          const a = o[r * nOut + j]!,
            d = a - y[(s + r) * nOut + j]!;
          loss += d * d;
          dO[r * nOut + j] = scale * d * a * (1 - a);
        }
      }
      lossSum += loss / (rows * nOut);
      batches++;
      // hidden gradient
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < nHid; k++) {
          let t = 0;
          for (let j = 0; j < nOut; j++) t += dO[r * nOut + j]! * w2[j * nHid + k]!;
          const a = h[r * nHid + k]!;
          dH[r * nHid + k] = t * a * (1 - a);
        }
      }
      // weight gradients
      for (let j = 0; j < nOut; j++) {
        let tb = 0;
        for (let r = 0; r < rows; r++) tb += dO[r * nOut + j]!;
        gb2[j] = tb;
        for (let k = 0; k < nHid; k++) {
          let t = 0;
          for (let r = 0; r < rows; r++) t += dO[r * nOut + j]! * h[r * nHid + k]!;
          gw2[j * nHid + k] = t;
        }
      }
      for (let j = 0; j < nHid; j++) {
        let tb = 0;
        for (let r = 0; r < rows; r++) tb += dH[r * nHid + j]!;
        gb1[j] = tb;
        for (let k = 0; k < nIn; k++) {
          let t = 0;
          for (let r = 0; r < rows; r++) t += dH[r * nHid + j]! * x[(s + r) * nIn + k]!;
          gw1[j * nIn + k] = t;
        }
      }
      // SGD update
      for (let i = 0; i < w1.length; i++) w1[i]! -= lr * gw1[i]!;
      for (let i = 0; i < b1.length; i++) b1[i]! -= lr * gb1[i]!;
      for (let i = 0; i < w2.length; i++) w2[i]! -= lr * gw2[i]!;
      for (let i = 0; i < b2.length; i++) b2[i]! -= lr * gb2[i]!;
    }
    return lossSum / batches;
  }
}
