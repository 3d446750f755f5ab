import { ShapeError } from './errors.js';

/** A row-major float64 matrix: element (r, c) is data[r * cols + c]. */
export interface Matrix {
  /** The number of rows (samples). */
  readonly rows: number;
  /** The number of columns (features or outputs). */
  readonly cols: number;
  /** The rows × cols values, row after row. */
  readonly data: Float64Array;
}

/** One sample per row: a Matrix, or an array of equal-length rows (number arrays or typed arrays). */
export type Input = Matrix | readonly ArrayLike<number>[];

/**
 * Makes a Matrix, copying `data` in (fastnn never keeps a caller's array). Without `data` it is zero-filled.
 * @throws ShapeError when the sizes are not non-negative integers or `data` has the wrong length.
 */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ShapeError(
      `matrix: rows and cols must be non-negative integers, received ${String(rows)}×${String(cols)}`,
    );
  }
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) {
      throw new ShapeError(`matrix: data has length ${data.length}, expected ${rows * cols} (${rows}×${cols})`);
    }
    out.set(data);
    // a hole in a sparse array would be copied in as NaN: name it (looked for only where a NaN appeared)
    if (Array.isArray(data)) {
      for (let i = 0; i < out.length; i++) {
        if (Number.isNaN(out[i]!) && !(i in data))
          throw new ShapeError(`matrix: data[${i}] is a hole (the array is sparse: give every element)`);
      }
    }
  }
  return { rows, cols, data: out };
}
