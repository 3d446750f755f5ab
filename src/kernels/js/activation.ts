/**
 * Activations a = f(z) and their backward dz = da ⊙ f'(z) (softmax: per row) for the `js` backend; the
 * readable spec of assembly/activation.ts and rust/src/act.rs. Codes are ACT_* (src/abi-spec.json).
 */
import { ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_TANH } from '../../abi.js';
import type { F64 } from './views.js';

/** f(z) of one element for the element-wise activations (not softmax): activateImpl's formulas, for the small-layer path. */
export function act1(v: number, act: number, alpha: number): number {
  switch (act) {
    case ACT_SIGMOID:
      return 1 / (1 + Math.exp(-v));
    case ACT_TANH:
      return Math.tanh(v);
    case ACT_RELU:
      return v > 0 ? v : 0;
    case ACT_LEAKY_RELU:
      return v > 0 ? v : alpha * v;
    case ACT_SOFTPLUS:
      return (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
    default:
      return v;
  }
}

/** da·f'(z) of one element for the element-wise activations: activateBackwardImpl's formulas, for the small-layer path. */
export function dact1(da: number, z: number, a: number, act: number, alpha: number): number {
  switch (act) {
    case ACT_SIGMOID:
      return da * (a * (1 - a));
    case ACT_TANH:
      return da * (1 - a * a);
    case ACT_RELU:
      return z > 0 ? da : 0;
    case ACT_LEAKY_RELU:
      return z > 0 ? da : alpha * da;
    case ACT_SOFTPLUS:
      return da * (1 / (1 + Math.exp(-z)));
    default:
      return da;
  }
}

export function activateImpl(
  D: F64,
  ap: number,
  zp: number,
  rows: number,
  cols: number,
  act: number,
  alpha: number,
): void {
  const a = ap >> 3,
    z = zp >> 3,
    n = rows * cols;
  switch (act) {
    case ACT_SIGMOID:
      for (let i = 0; i < n; i++) D[a + i] = 1 / (1 + Math.exp(-D[z + i]!));
      break;
    case ACT_TANH:
      for (let i = 0; i < n; i++) D[a + i] = Math.tanh(D[z + i]!);
      break;
    case ACT_RELU:
      for (let i = 0; i < n; i++) {
        const v = D[z + i]!;
        D[a + i] = v > 0 ? v : 0;
      }
      break;
    case ACT_LEAKY_RELU:
      for (let i = 0; i < n; i++) {
        const v = D[z + i]!;
        D[a + i] = v > 0 ? v : alpha * v;
      }
      break;
    case ACT_SOFTPLUS: // log(1 + e^z) = max(z, 0) + log1p(e^(-|z|)), no overflow
      for (let i = 0; i < n; i++) {
        const v = D[z + i]!;
        D[a + i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      break;
    case ACT_SOFTMAX:
      for (let r = 0; r < rows; r++) {
        const zr = z + r * cols,
          ar = a + r * cols;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) if (D[zr + j]! > m) m = D[zr + j]!;
        let s = 0;
        for (let j = 0; j < cols; j++) {
          const e = Math.exp(D[zr + j]! - m);
          D[ar + j] = e;
          s += e;
        }
        for (let j = 0; j < cols; j++) D[ar + j] = D[ar + j]! / s;
      }
      break;
    default: // identity
      if (a !== z) for (let i = 0; i < n; i++) D[a + i] = D[z + i]!;
  }
}

export function activateBackwardImpl(
  D: F64,
  dzp: number,
  dap: number,
  zp: number,
  ap: number,
  rows: number,
  cols: number,
  act: number,
  alpha: number,
): void {
  const dz = dzp >> 3,
    da = dap >> 3,
    z = zp >> 3,
    a = ap >> 3,
    n = rows * cols;
  switch (act) {
    case ACT_SIGMOID:
      for (let i = 0; i < n; i++) {
        const v = D[a + i]!;
        D[dz + i] = D[da + i]! * (v * (1 - v));
      }
      break;
    case ACT_TANH:
      for (let i = 0; i < n; i++) {
        const v = D[a + i]!;
        D[dz + i] = D[da + i]! * (1 - v * v);
      }
      break;
    case ACT_RELU:
      for (let i = 0; i < n; i++) D[dz + i] = D[z + i]! > 0 ? D[da + i]! : 0;
      break;
    case ACT_LEAKY_RELU:
      for (let i = 0; i < n; i++) D[dz + i] = D[z + i]! > 0 ? D[da + i]! : alpha * D[da + i]!;
      break;
    case ACT_SOFTPLUS: // f'(z) = sigmoid(z)
      for (let i = 0; i < n; i++) D[dz + i] = D[da + i]! * (1 / (1 + Math.exp(-D[z + i]!)));
      break;
    case ACT_SOFTMAX:
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let s = 0;
        for (let j = 0; j < cols; j++) s += D[da + o + j]! * D[a + o + j]!;
        for (let j = 0; j < cols; j++) D[dz + o + j] = D[a + o + j]! * (D[da + o + j]! - s);
      }
      break;
    default: // identity
      if (dz !== da) for (let i = 0; i < n; i++) D[dz + i] = D[da + i]!;
  }
}

/** a[:, j0..j1) = f(z[:, j0..j1)) for element-wise activations (not softmax), row stride cols. */
export function activateCols(
  D: F64,
  ap: number,
  zp: number,
  rows: number,
  cols: number,
  act: number,
  alpha: number,
  j0: number,
  j1: number,
): void {
  if (j0 === 0 && j1 === cols) {
    activateImpl(D, ap, zp, rows, cols, act, alpha);
    return;
  }
  for (let r = 0; r < rows; r++)
    activateImpl(D, ap + (r * cols + j0) * 8, zp + (r * cols + j0) * 8, 1, j1 - j0, act, alpha);
}

/** dz[:, j0..j1) = da ⊙ f'(z) on those columns (element-wise activations). */
export function activateBackwardCols(
  D: F64,
  dzp: number,
  dap: number,
  zp: number,
  ap: number,
  rows: number,
  cols: number,
  act: number,
  alpha: number,
  j0: number,
  j1: number,
): void {
  if (j0 === 0 && j1 === cols) {
    activateBackwardImpl(D, dzp, dap, zp, ap, rows, cols, act, alpha);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = (r * cols + j0) * 8;
    activateBackwardImpl(D, dzp + o, dap + o, zp + o, ap + o, 1, j1 - j0, act, alpha);
  }
}
