/**
 * loss(d, a, z, t, rows, cols, kind): the batch loss, and its gradient written into d (rows×cols).
 *   MSE: L = mean((a-t)²);                          d = 2(a-t)/(rows·cols)   (∂L/∂a)
 *   BCE: L = mean(max(z,0) - t·z + log1p(exp(-|z|))); d = (a-t)/(rows·cols)  (∂L/∂z, sigmoid output)
 *   CE : L = (1/rows)·Σ_r Σ_j t·(lse_r - z);         d = (a-t)/rows           (∂L/∂z, softmax output)
 * d may alias none of a, z, t.
 */
import { LOSS_BCE, LOSS_CE } from './common';

export function loss(d: usize, a: usize, z: usize, t: usize, rows: i32, cols: i32, kind: i32): f64 {
  // f64-aligned only: weightedLoss calls this per row, and a row of an odd width starts off the 16-byte grid
  assert(((d | a | z | t) & 7) == 0 && rows >= 0 && cols >= 0); // debug build only
  const n = rows * cols;
  const nB = <usize>n << 3;
  let s = 0.0;
  if (kind == LOSS_BCE) {
    const inv = 1.0 / <f64>n;
    for (let i: usize = 0; i < nB; i += 8) {
      const zi = load<f64>(z + i), ti = load<f64>(t + i);
      s += (zi > 0 ? zi : 0.0) - ti * zi + Math.log1p(Math.exp(-Math.abs(zi)));
      store<f64>(d + i, (load<f64>(a + i) - ti) * inv);
    }
    return s / <f64>n;
  }
  if (kind == LOSS_CE) {
    const inv = 1.0 / <f64>rows;
    const rowB = <usize>cols << 3;
    for (let r = 0; r < rows; r++) {
      const o = <usize>r * rowB;
      let m = -Infinity;
      for (let j: usize = 0; j < rowB; j += 8) { const v = load<f64>(z + o + j); if (v > m) m = v; }
      let e = 0.0;
      for (let j: usize = 0; j < rowB; j += 8) e += Math.exp(load<f64>(z + o + j) - m);
      const lse = m + Math.log(e);
      for (let j: usize = 0; j < rowB; j += 8) {
        const tj = load<f64>(t + o + j);
        s += tj * (lse - load<f64>(z + o + j));
        store<f64>(d + o + j, (load<f64>(a + o + j) - tj) * inv);
      }
    }
    return s / <f64>rows;
  }
  // MSE
  const f = 2.0 / <f64>n;
  for (let i: usize = 0; i < nB; i += 8) {
    const e = load<f64>(a + i) - load<f64>(t + i);
    s += e * e;
    store<f64>(d + i, f * e);
  }
  return s / <f64>n;
}
