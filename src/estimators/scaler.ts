/**
 * Per-column affine scaling fitted on the training rows and saved with the model: x' = (x - shift) / scale.
 * 'standard': shift = mean, scale = standard deviation (population, as scikit-learn's StandardScaler);
 * 'minmax': shift = min, scale = max - min. A constant column gets scale 1 (as scikit-learn), so it maps to 0.
 * The same two operations (subtract, divide; multiply, add to undo) are what estimator.toONNX() writes as nodes,
 * so ONNX Runtime reproduces them exactly in float64.
 */
import type { Matrix } from '../matrix.js';

/**
 * An estimator's input scaling, x' = (x - shift) / scale per column, fitted on the training rows: 'standard' =
 * mean and population standard deviation; 'minmax' = min and max - min. A constant column gets scale 1.
 */
export type ScaleKind = 'standard' | 'minmax';

export interface Scaler {
  readonly kind: ScaleKind;
  readonly shift: Float64Array;
  readonly scale: Float64Array;
}

export function fitScaler(kind: ScaleKind, m: Matrix): Scaler {
  const { rows, cols, data } = m;
  const shift = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let k = 0; k < cols; k++) {
    if (kind === 'standard') {
      let s = 0;
      for (let r = 0; r < rows; r++) s += data[r * cols + k]!;
      const mean = s / rows;
      let ss = 0;
      for (let r = 0; r < rows; r++) {
        const d = data[r * cols + k]! - mean;
        ss += d * d;
      }
      const sd = Math.sqrt(ss / rows);
      shift[k] = mean;
      scale[k] = sd > 0 ? sd : 1;
    } else {
      let lo = Infinity,
        hi = -Infinity;
      for (let r = 0; r < rows; r++) {
        const v = data[r * cols + k]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      shift[k] = lo;
      scale[k] = hi > lo ? hi - lo : 1;
    }
  }
  return { kind, shift, scale };
}

/** (x - shift) / scale, column-wise, into a new matrix. */
export function applyScaler(s: Scaler, m: Matrix): Matrix {
  const { rows, cols, data } = m;
  const out = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) out[r * cols + k] = (data[r * cols + k]! - s.shift[k]!) / s.scale[k]!;
  }
  return { rows, cols, data: out };
}

/** x·scale + shift, column-wise, into a new matrix (undoes applyScaler up to rounding). */
export function invertScaler(s: Scaler, m: Matrix): Matrix {
  const { rows, cols, data } = m;
  const out = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) out[r * cols + k] = data[r * cols + k]! * s.scale[k]! + s.shift[k]!;
  }
  return { rows, cols, data: out };
}
