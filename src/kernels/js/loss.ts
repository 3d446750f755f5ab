/**
 * loss(d, a, z, t, rows, cols, kind) of the `js` backend (formulas in src/abi.ts; the readable spec of
 * assembly/loss.ts and rust/src/act.rs `loss`): returns the batch loss and writes its gradient into d.
 */
import { LOSS_BCE, LOSS_CE } from '../../abi.js';
import type { F64 } from './views.js';

export function lossImpl(h: F64, dp: number, ap: number, zp: number, tp: number, rows: number, cols: number, kind: number): number {
  const d = dp >> 3, a = ap >> 3, z = zp >> 3, t = tp >> 3, n = rows * cols;
  let s = 0;
  if (kind === LOSS_BCE) {
    const inv = 1 / n;
    for (let i = 0; i < n; i++) {
      const zi = h[z + i]!, ti = h[t + i]!;
      s += (zi > 0 ? zi : 0) - ti * zi + Math.log1p(Math.exp(-Math.abs(zi)));
      h[d + i] = (h[a + i]! - ti) * inv;
    }
    return s / n;
  }
  if (kind === LOSS_CE) {
    const inv = 1 / rows;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let m = -Infinity;
      for (let j = 0; j < cols; j++) if (h[z + o + j]! > m) m = h[z + o + j]!;
      let e = 0;
      for (let j = 0; j < cols; j++) e += Math.exp(h[z + o + j]! - m);
      const lse = m + Math.log(e);
      for (let j = 0; j < cols; j++) {
        const tj = h[t + o + j]!;
        s += tj * (lse - h[z + o + j]!);
        h[d + o + j] = (h[a + o + j]! - tj) * inv;
      }
    }
    return s / rows;
  }
  // MSE
  const f = 2 / n;
  for (let i = 0; i < n; i++) {
    const e = h[a + i]! - h[t + i]!;
    s += e * e;
    h[d + i] = f * e;
  }
  return s / n;
}
