/**
 * Element-wise activations a = f(z) and their backward dz = da ⊙ f'(z) (softmax: per row).
 * Codes are ACT_* (src/abi.ts ACT). Formulas follow src/kernels/js/ exactly; Math is
 * AssemblyScript's own (musl-derived), which differs from V8's by at most an ulp or so.
 *
 * Generic over the element type T (f64 or f32; the exports activate / activateBackward are the f64 instances):
 * every operation is done in T; a transcendental (exp, log1p, tanh) is computed in f64 from the T value and
 * rounded to T, and the leaky slope alpha (an f64 hyper-parameter) is narrowed to T once.
 */
import { ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_TANH, copyEl } from './common';

/** e^v computed in f64, rounded to T. */
// @ts-ignore: decorator
@inline
export function expT<T>(v: T): T {
  return <T>Math.exp(<f64>v);
}

/** a = f(z) on rows×cols (float64); `a` may alias `z`. */
export function activate(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64): void {
  assert(((a | z) & 15) == 0 && rows >= 0 && cols >= 0); // debug build only
  activateImpl<f64>(a, z, rows, cols, act, alpha);
}

/** activate without the alignment check (trainBatchesThreaded passes slices that start anywhere). */
export function activateImpl<T>(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64): void {
  const E = sizeof<T>();
  const nB = <usize>(rows * cols) << alignof<T>();
  switch (act) {
    case ACT_SIGMOID: {
      for (let i: usize = 0; i < nB; i += E) store<T>(a + i, <T>1 / (<T>1 + expT<T>(-load<T>(z + i))));
      break;
    }
    case ACT_TANH: {
      for (let i: usize = 0; i < nB; i += E) store<T>(a + i, <T>Math.tanh(<f64>load<T>(z + i)));
      break;
    }
    case ACT_RELU: {
      for (let i: usize = 0; i < nB; i += E) { const v = load<T>(z + i); store<T>(a + i, v > 0 ? v : <T>0); }
      break;
    }
    case ACT_LEAKY_RELU: {
      const al = <T>alpha;
      for (let i: usize = 0; i < nB; i += E) { const v = load<T>(z + i); store<T>(a + i, v > 0 ? v : al * v); }
      break;
    }
    case ACT_SOFTPLUS: { // max(z, 0) + log1p(e^(-|z|))
      for (let i: usize = 0; i < nB; i += E) {
        const v = load<T>(z + i);
        store<T>(a + i, (v > 0 ? v : <T>0) + <T>Math.log1p(<f64>expT<T>(-abs<T>(v))));
      }
      break;
    }
    case ACT_SOFTMAX: {
      const rowB = <usize>cols << alignof<T>();
      for (let r = 0; r < rows; r++) {
        const zr = z + <usize>r * rowB, ar = a + <usize>r * rowB;
        let m = <T>-Infinity;
        for (let j: usize = 0; j < rowB; j += E) { const v = load<T>(zr + j); if (v > m) m = v; }
        let s: T = 0;
        for (let j: usize = 0; j < rowB; j += E) { const e = expT<T>(load<T>(zr + j) - m); store<T>(ar + j, e); s += e; }
        for (let j: usize = 0; j < rowB; j += E) store<T>(ar + j, load<T>(ar + j) / s);
      }
      break;
    }
    default: { // identity
      if (a != z) copyEl<T>(a, z, nB);
    }
  }
}

/**
 * dz = da ⊙ f'(z) (float64): sigmoid a(1-a), tanh 1-a², relu/leaky and softplus (sigmoid(z)) from z; softmax
 * dz[r,j] = a[r,j]·(da[r,j] - Σ_k da[r,k]·a[r,k]). `dz` may alias `da`.
 */
export function activateBackward(
  dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64,
): void {
  assert(((dz | da | z | a) & 15) == 0 && rows >= 0 && cols >= 0); // debug build only
  activateBackwardImpl<f64>(dz, da, z, a, rows, cols, act, alpha);
}

/** activateBackward without the alignment check. */
export function activateBackwardImpl<T>(
  dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64,
): void {
  const E = sizeof<T>();
  const nB = <usize>(rows * cols) << alignof<T>();
  switch (act) {
    case ACT_SIGMOID: {
      for (let i: usize = 0; i < nB; i += E) {
        const v = load<T>(a + i);
        store<T>(dz + i, load<T>(da + i) * (v * (<T>1 - v)));
      }
      break;
    }
    case ACT_TANH: {
      for (let i: usize = 0; i < nB; i += E) {
        const v = load<T>(a + i);
        store<T>(dz + i, load<T>(da + i) * (<T>1 - v * v));
      }
      break;
    }
    case ACT_RELU: {
      for (let i: usize = 0; i < nB; i += E) store<T>(dz + i, load<T>(z + i) > 0 ? load<T>(da + i) : <T>0);
      break;
    }
    case ACT_LEAKY_RELU: {
      const al = <T>alpha;
      for (let i: usize = 0; i < nB; i += E) {
        const d = load<T>(da + i);
        store<T>(dz + i, load<T>(z + i) > 0 ? d : al * d);
      }
      break;
    }
    case ACT_SOFTPLUS: { // f'(z) = sigmoid(z)
      for (let i: usize = 0; i < nB; i += E) {
        store<T>(dz + i, load<T>(da + i) * (<T>1 / (<T>1 + expT<T>(-load<T>(z + i)))));
      }
      break;
    }
    case ACT_SOFTMAX: {
      const rowB = <usize>cols << alignof<T>();
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * rowB;
        let s: T = 0;
        for (let j: usize = 0; j < rowB; j += E) s += load<T>(da + o + j) * load<T>(a + o + j);
        for (let j: usize = 0; j < rowB; j += E) {
          store<T>(dz + o + j, load<T>(a + o + j) * (load<T>(da + o + j) - s));
        }
      }
      break;
    }
    default: { // identity
      if (dz != da) copyEl<T>(dz, da, nB);
    }
  }
}

/** a[:, j0..j1) = f(z[:, j0..j1)) for an element-wise activation (not softmax). */
export function activateCols<T>(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64, j0: i32, j1: i32): void {
  if (j0 == 0 && j1 == cols) {
    activateImpl<T>(a, z, rows, cols, act, alpha);
    return;
  }
  if (j1 <= j0) return;
  const rowB = <usize>cols << alignof<T>(), o = <usize>j0 << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const ro = <usize>r * rowB + o;
    activateImpl<T>(a + ro, z + ro, 1, j1 - j0, act, alpha);
  }
}

/** dz[:, j0..j1) = da ⊙ f'(z) on those columns (element-wise activations). */
export function activateBackwardCols<T>(
  dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64, j0: i32, j1: i32,
): void {
  if (j0 == 0 && j1 == cols) {
    activateBackwardImpl<T>(dz, da, z, a, rows, cols, act, alpha);
    return;
  }
  if (j1 <= j0) return;
  const rowB = <usize>cols << alignof<T>(), o = <usize>j0 << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const ro = <usize>r * rowB + o;
    activateBackwardImpl<T>(dz + ro, da + ro, z + ro, a + ro, 1, j1 - j0, act, alpha);
  }
}
