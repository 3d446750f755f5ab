/**
 * loss(d, a, z, t, rows, cols, kind) of the `js` backend (formulas in src/abi.ts; the readable spec of
 * assembly/loss.ts and rust/src/act.rs `loss`): returns the batch loss and writes its gradient into d.
 */
import { LOSS_BCE, LOSS_CE } from '../../abi.js';
import type { F64 } from './views.js';

export function lossImpl(
  D: F64,
  dp: number,
  ap: number,
  zp: number,
  tp: number,
  rows: number,
  cols: number,
  kind: number,
): number {
  const d = dp >> 3,
    a = ap >> 3,
    z = zp >> 3,
    t = tp >> 3,
    n = rows * cols;
  let s = 0;
  if (kind === LOSS_BCE) {
    const inv = 1 / n;
    for (let i = 0; i < n; i++) {
      const zi = D[z + i]!,
        ti = D[t + i]!;
      s += (zi > 0 ? zi : 0) - ti * zi + Math.log1p(Math.exp(-Math.abs(zi)));
      D[d + i] = (D[a + i]! - ti) * inv;
    }
    return s / n;
  }
  if (kind === LOSS_CE) {
    const inv = 1 / rows;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let m = -Infinity;
      for (let j = 0; j < cols; j++) if (D[z + o + j]! > m) m = D[z + o + j]!;
      let e = 0;
      for (let j = 0; j < cols; j++) e += Math.exp(D[z + o + j]! - m);
      const lse = m + Math.log(e);
      for (let j = 0; j < cols; j++) {
        const tj = D[t + o + j]!;
        s += tj * (lse - D[z + o + j]!);
        D[d + o + j] = (D[a + o + j]! - tj) * inv;
      }
    }
    return s / rows;
  }
  // MSE
  const f = 2 / n;
  for (let i = 0; i < n; i++) {
    const e = D[a + i]! - D[t + i]!;
    s += e * e;
    D[d + i] = f * e;
  }
  return s / n;
}
