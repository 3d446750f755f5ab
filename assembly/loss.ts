/**
 * loss(d, a, z, t, rows, cols, kind): the batch loss, and its gradient written into d (rows×cols).
 *   MSE: L = mean((a-t)²);                          d = 2(a-t)/(rows·cols)   (∂L/∂a)
 *   BCE: L = mean(max(z,0) - t·z + log1p(exp(-|z|))); d = (a-t)/(rows·cols)  (∂L/∂z, sigmoid output)
 *   CE : L = (1/rows)·Σ_r Σ_j t·(lse_r - z);         d = (a-t)/rows           (∂L/∂z, softmax output)
 * d may alias none of a, z, t.
 *
 * lossImpl is generic over the element type T (f64 or f32; the export `loss` is the f64 instance): the terms and
 * their sum are in T (transcendentals in f64, rounded to T), the batch loss is returned widened to f64.
 */
import { LOSS_BCE, LOSS_CE } from './common';
import { expT } from './activation';

/** The float64 export. */
export function loss(d: usize, a: usize, z: usize, t: usize, rows: i32, cols: i32, kind: i32): f64 {
  return lossImpl<f64>(d, a, z, t, rows, cols, kind);
}

export function lossImpl<T>(d: usize, a: usize, z: usize, t: usize, rows: i32, cols: i32, kind: i32): f64 {
  // element-aligned only: weightedLoss calls this per row, and a row of an odd width starts off the 16-byte grid
  assert(((d | a | z | t) & (sizeof<T>() - 1)) == 0 && rows >= 0 && cols >= 0); // debug build only
  const E = sizeof<T>();
  const n = rows * cols;
  const nB = <usize>n << alignof<T>();
  let s: T = 0;
  if (kind == LOSS_BCE) {
    const inv = <T>1 / <T>n;
    for (let i: usize = 0; i < nB; i += E) {
      const zi = load<T>(z + i), ti = load<T>(t + i);
      s += (zi > 0 ? zi : <T>0) - ti * zi + <T>Math.log1p(<f64>expT<T>(-abs<T>(zi)));
      store<T>(d + i, (load<T>(a + i) - ti) * inv);
    }
    return <f64>(s / <T>n);
  }
  if (kind == LOSS_CE) {
    const inv = <T>1 / <T>rows;
    const rowB = <usize>cols << alignof<T>();
    for (let r = 0; r < rows; r++) {
      const o = <usize>r * rowB;
      let m = <T>-Infinity;
      for (let j: usize = 0; j < rowB; j += E) { const v = load<T>(z + o + j); if (v > m) m = v; }
      let e: T = 0;
      for (let j: usize = 0; j < rowB; j += E) e += expT<T>(load<T>(z + o + j) - m);
      const lse = m + <T>Math.log(<f64>e);
      for (let j: usize = 0; j < rowB; j += E) {
        const tj = load<T>(t + o + j);
        s += tj * (lse - load<T>(z + o + j));
        store<T>(d + o + j, (load<T>(a + o + j) - tj) * inv);
      }
    }
    return <f64>(s / <T>rows);
  }
  // MSE
  const f = <T>2 / <T>n;
  for (let i: usize = 0; i < nB; i += E) {
    const e = load<T>(a + i) - load<T>(t + i);
    s += e * e;
    store<T>(d + i, f * e);
  }
  return <f64>(s / <T>n);
}
