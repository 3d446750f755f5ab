/**
 * Element-wise activations a = f(z) and their backward dz = da ⊙ f'(z) (softmax: per row).
 * Codes are ACT_* (src/abi.ts ACT). Formulas follow src/kernels/js/ exactly; Math is
 * AssemblyScript's own (musl-derived), which differs from V8's by at most an ulp or so.
 */
import { ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_TANH, copyF64 } from './common';

/** a = f(z) on rows×cols; `a` may alias `z`. */
export function activate(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64): void {
  assert(((a | z) & 15) == 0 && rows >= 0 && cols >= 0); // debug build only
  activateImpl(a, z, rows, cols, act, alpha);
}

/** activate without the alignment check (trainBatchesThreaded passes slices that start anywhere). */
export function activateImpl(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64): void {
  const nB = <usize>(rows * cols) << 3;
  switch (act) {
    case ACT_SIGMOID: {
      for (let i: usize = 0; i < nB; i += 8) store<f64>(a + i, 1.0 / (1.0 + Math.exp(-load<f64>(z + i))));
      break;
    }
    case ACT_TANH: {
      for (let i: usize = 0; i < nB; i += 8) store<f64>(a + i, Math.tanh(load<f64>(z + i)));
      break;
    }
    case ACT_RELU: {
      for (let i: usize = 0; i < nB; i += 8) { const v = load<f64>(z + i); store<f64>(a + i, v > 0 ? v : 0.0); }
      break;
    }
    case ACT_LEAKY_RELU: {
      for (let i: usize = 0; i < nB; i += 8) { const v = load<f64>(z + i); store<f64>(a + i, v > 0 ? v : alpha * v); }
      break;
    }
    case ACT_SOFTPLUS: { // max(z, 0) + log1p(e^(-|z|))
      for (let i: usize = 0; i < nB; i += 8) {
        const v = load<f64>(z + i);
        store<f64>(a + i, (v > 0 ? v : 0.0) + Math.log1p(Math.exp(-Math.abs(v))));
      }
      break;
    }
    case ACT_SOFTMAX: {
      const rowB = <usize>cols << 3;
      for (let r = 0; r < rows; r++) {
        const zr = z + <usize>r * rowB, ar = a + <usize>r * rowB;
        let m = -Infinity;
        for (let j: usize = 0; j < rowB; j += 8) { const v = load<f64>(zr + j); if (v > m) m = v; }
        let s = 0.0;
        for (let j: usize = 0; j < rowB; j += 8) { const e = Math.exp(load<f64>(zr + j) - m); store<f64>(ar + j, e); s += e; }
        for (let j: usize = 0; j < rowB; j += 8) store<f64>(ar + j, load<f64>(ar + j) / s);
      }
      break;
    }
    default: { // identity
      if (a != z) copyF64(a, z, nB);
    }
  }
}

/**
 * dz = da ⊙ f'(z): sigmoid a(1-a), tanh 1-a², relu/leaky and softplus (sigmoid(z)) from z; softmax
 * dz[r,j] = a[r,j]·(da[r,j] - Σ_k da[r,k]·a[r,k]). `dz` may alias `da`.
 */
export function activateBackward(
  dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64,
): void {
  assert(((dz | da | z | a) & 15) == 0 && rows >= 0 && cols >= 0); // debug build only
  activateBackwardImpl(dz, da, z, a, rows, cols, act, alpha);
}

/** activateBackward without the alignment check. */
export function activateBackwardImpl(
  dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64,
): void {
  const nB = <usize>(rows * cols) << 3;
  switch (act) {
    case ACT_SIGMOID: {
      for (let i: usize = 0; i < nB; i += 8) {
        const v = load<f64>(a + i);
        store<f64>(dz + i, load<f64>(da + i) * (v * (1.0 - v)));
      }
      break;
    }
    case ACT_TANH: {
      for (let i: usize = 0; i < nB; i += 8) {
        const v = load<f64>(a + i);
        store<f64>(dz + i, load<f64>(da + i) * (1.0 - v * v));
      }
      break;
    }
    case ACT_RELU: {
      for (let i: usize = 0; i < nB; i += 8) store<f64>(dz + i, load<f64>(z + i) > 0 ? load<f64>(da + i) : 0.0);
      break;
    }
    case ACT_LEAKY_RELU: {
      for (let i: usize = 0; i < nB; i += 8) {
        const d = load<f64>(da + i);
        store<f64>(dz + i, load<f64>(z + i) > 0 ? d : alpha * d);
      }
      break;
    }
    case ACT_SOFTPLUS: { // f'(z) = sigmoid(z)
      for (let i: usize = 0; i < nB; i += 8) {
        store<f64>(dz + i, load<f64>(da + i) * (1.0 / (1.0 + Math.exp(-load<f64>(z + i)))));
      }
      break;
    }
    case ACT_SOFTMAX: {
      const rowB = <usize>cols << 3;
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * rowB;
        let s = 0.0;
        for (let j: usize = 0; j < rowB; j += 8) s += load<f64>(da + o + j) * load<f64>(a + o + j);
        for (let j: usize = 0; j < rowB; j += 8) {
          store<f64>(dz + o + j, load<f64>(a + o + j) * (load<f64>(da + o + j) - s));
        }
      }
      break;
    }
    default: { // identity
      if (dz != da) copyF64(dz, da, nB);
    }
  }
}

/** a[:, j0..j1) = f(z[:, j0..j1)) for an element-wise activation (not softmax). */
export function activateCols(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64, j0: i32, j1: i32): void {
  if (j0 == 0 && j1 == cols) {
    activateImpl(a, z, rows, cols, act, alpha);
    return;
  }
  if (j1 <= j0) return;
  const rowB = <usize>cols << 3, o = <usize>j0 << 3;
  for (let r = 0; r < rows; r++) {
    const ro = <usize>r * rowB + o;
    activateImpl(a + ro, z + ro, 1, j1 - j0, act, alpha);
  }
}

/** dz[:, j0..j1) = da ⊙ f'(z) on those columns (element-wise activations). */
export function activateBackwardCols(
  dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64, j0: i32, j1: i32,
): void {
  if (j0 == 0 && j1 == cols) {
    activateBackwardImpl(dz, da, z, a, rows, cols, act, alpha);
    return;
  }
  if (j1 <= j0) return;
  const rowB = <usize>cols << 3, o = <usize>j0 << 3;
  for (let r = 0; r < rows; r++) {
    const ro = <usize>r * rowB + o;
    activateBackwardImpl(dz + ro, da + ro, z + ro, a + ro, 1, j1 - j0, act, alpha);
  }
}
