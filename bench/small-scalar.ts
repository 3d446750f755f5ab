/**
 * A hand-written per-sample trainer for small sigmoid/MSE networks in plain JavaScript: one Float64Array per layer,
 * the loops a careful JS author writes (forward, backward with the old weights, SGD update fused with the input
 * gradient). The plain-JS bar of the "small networks, batch 1" bench rows (bench/small.bench.ts).
 */
export interface LayerParams {
  weights: Float64Array;
  biases: Float64Array;
}

export class ScalarMlp {
  private readonly w: Float64Array[];
  private readonly b: Float64Array[];
  private readonly sizes: number[];
  private readonly a: Float64Array[];
  private readonly d: Float64Array[];

  constructor(params: readonly LayerParams[]) {
    this.w = params.map((p) => Float64Array.from(p.weights));
    this.b = params.map((p) => Float64Array.from(p.biases));
    this.sizes = [params[0]!.weights.length / params[0]!.biases.length, ...params.map((p) => p.biases.length)];
    this.a = this.sizes.map((n) => new Float64Array(n));
    this.d = this.sizes.map((n) => new Float64Array(n));
  }

  /** `epochs` passes over the n samples in order, one SGD step per sample; returns the last sample's loss. */
  train(x: Float64Array, y: Float64Array, n: number, lr: number, epochs: number): number {
    const { w, b, sizes, a, d } = this;
    const L = w.length,
      nIn = sizes[0]!,
      nOut = sizes[L]!;
    let loss = 0;
    for (let e = 0; e < epochs; e++) {
      for (let s = 0; s < n; s++) {
        const a0 = a[0]!;
        for (let k = 0; k < nIn; k++) a0[k] = x[s * nIn + k]!;
        for (let l = 0; l < L; l++) {
          const wl = w[l]!,
            bl = b[l]!,
            inp = a[l]!,
            out = a[l + 1]!,
            ni = sizes[l]!,
            no = sizes[l + 1]!;
          for (let j = 0; j < no; j++) {
            let z = 0;
            for (let k = 0; k < ni; k++) z += inp[k]! * wl[j * ni + k]!;
            out[j] = 1 / (1 + Math.exp(-(z + bl[j]!)));
          }
        }
        const aL = a[L]!,
          dL = d[L]!;
        loss = 0;
        for (let j = 0; j < nOut; j++) {
          const v = aL[j]!,
            err = v - y[s * nOut + j]!;
          loss += err * err;
          dL[j] = (2 / nOut) * err * (v * (1 - v));
        }
        loss /= nOut;
        for (let l = L - 1; l >= 0; l--) {
          const wl = w[l]!,
            bl = b[l]!,
            inp = a[l]!,
            dz = d[l + 1]!,
            dx = d[l]!,
            ni = sizes[l]!,
            no = sizes[l + 1]!;
          dx.fill(0);
          for (let j = 0; j < no; j++) {
            const g = dz[j]!;
            for (let k = 0; k < ni; k++) {
              const wk = wl[j * ni + k]!;
              dx[k] = dx[k]! + g * wk;
              wl[j * ni + k] = wk - lr * (g * inp[k]!);
            }
            bl[j] = bl[j]! - lr * g;
          }
          if (l > 0) for (let k = 0; k < ni; k++) dx[k] = dx[k]! * (inp[k]! * (1 - inp[k]!));
        }
      }
    }
    return loss;
  }

  /** Weights then biases of each layer, as Network.getParameters lists them. */
  flat(): number[] {
    return this.w.flatMap((wl, l) => [...wl, ...this.b[l]!]);
  }
}
