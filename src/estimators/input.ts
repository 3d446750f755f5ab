/**
 * Data as users have it: rows of numbers or typed arrays (or a Matrix), labels as strings or numbers, regression
 * targets as numbers or rows of numbers. Every check names the row and column, and says what to do: a CSV read
 * without conversion gives strings like '5.1', which are refused with the advice to convert them, never parsed here.
 */
import { describeValue, toMatrix } from '../check.js';
import { ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';

/** A class label of a {@link Classifier}: a string or a number. */
export type Label = string | number;

function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && (x as Matrix).data instanceof Float64Array;
}

function isRow(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Why a value is not a usable feature, or null when it is a finite number. */
function badValue(v: unknown): string | null {
  if (typeof v === 'number')
    return Number.isFinite(v) ? null : `${v}, expected a finite number (fill in or drop missing values first)`;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t !== '' && Number.isFinite(Number(t))) {
      return `the string '${v}', expected a number: convert the column to numbers first (Number(value), or your CSV parser's cast option)`;
    }
    return `the string ${describeValue(v)}, expected a finite number (encode non-numeric columns as numbers first)`;
  }
  return `${describeValue(v)}, expected a finite number`;
}

/**
 * Features as a row-major matrix: at least one row, every row `cols` wide when given (else as wide as row 0), every
 * value a finite number. Arrays of rows are copied; a Matrix is used as it is (never kept or mutated).
 */
export function toFeatures(op: string, x: unknown, cols?: number, what = 'x'): Matrix {
  if (isMatrix(x)) {
    if (cols !== undefined && x.cols !== cols) {
      throw new ShapeError(
        `${op}: ${what} has ${x.cols} columns, expected ${cols} (the number of features the model was fitted on)`,
      );
    }
    return toMatrix(op, what, x, cols);
  }
  if (!Array.isArray(x))
    throw new ShapeError(
      `${op}: ${what} must be an array of rows (arrays or typed arrays of numbers) or a Matrix, received ${describeValue(x)}`,
    );
  if (x.length === 0) throw new ShapeError(`${op}: ${what} is empty (expected at least one row)`);
  const first: unknown = x[0];
  if (!isRow(first))
    throw new ShapeError(
      `${op}: ${what}[0] must be an array of numbers (one row per sample), received ${describeValue(first)}`,
    );
  const c = cols ?? first.length;
  if (c === 0) throw new ShapeError(`${op}: ${what}[0] is empty (expected at least one feature)`);
  const data = new Float64Array(x.length * c);
  for (let r = 0; r < x.length; r++) {
    const row: unknown = x[r];
    if (!isRow(row))
      throw new ShapeError(`${op}: ${what}[${r}] must be an array of numbers, received ${describeValue(row)}`);
    if (row.length !== c) {
      const why = cols !== undefined ? 'the number of features the model was fitted on' : `as row 0`;
      throw new ShapeError(`${op}: ${what}[${r}] has ${row.length} values, expected ${c} (${why})`);
    }
    for (let k = 0; k < c; k++) {
      const v = row[k];
      const bad = badValue(v);
      if (bad !== null) throw new ShapeError(`${op}: ${what}[${r}][${k}] (row ${r}, column ${k}) is ${bad}`);
      data[r * c + k] = v as number;
    }
  }
  return { rows: x.length, cols: c, data };
}

/** Class labels: one per row, all strings or all finite numbers. */
export function toLabels(op: string, labels: unknown, rows: number, what = 'labels'): Label[] {
  if (!isRow(labels))
    throw new ShapeError(
      `${op}: ${what} must be an array of strings or numbers, one per row, received ${describeValue(labels)}`,
    );
  if (labels.length !== rows)
    throw new ShapeError(
      `${op}: ${what} has ${labels.length} entries but x has ${rows} rows (expected one label per row)`,
    );
  const out: Label[] = new Array<Label>(rows);
  let kind: 'string' | 'number' | null = null;
  for (let r = 0; r < rows; r++) {
    const v = labels[r];
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new ShapeError(`${op}: ${what}[${r}] is ${v}, expected a string or a finite number`);
    } else if (typeof v !== 'string') {
      throw new ShapeError(`${op}: ${what}[${r}] is ${describeValue(v)}, expected a string or a finite number`);
    }
    const k = typeof v as 'string' | 'number';
    kind ??= k;
    if (k !== kind) {
      throw new ShapeError(
        `${op}: ${what}[${r}] is the ${k} ${describeValue(v)} but ${what}[0] is a ${kind}: labels must be all strings or all numbers (convert them, e.g. labels.map(String))`,
      );
    }
    out[r] = v;
  }
  return out;
}

/** Regression targets: numbers or a typed array (one target) or rows of numbers (one column per target), one per row of x. */
export function toTargets(op: string, y: unknown, rows: number, cols?: number, what = 'y'): Matrix {
  // a flat array or typed array: one target per row (a typed array's elements are never rows)
  if ((Array.isArray(y) && y.length > 0 && !isRow(y[0])) || (isRow(y) && !Array.isArray(y) && y.length > 0)) {
    const data = new Float64Array(y.length);
    for (let r = 0; r < y.length; r++) {
      const bad = badValue(y[r]);
      if (bad !== null) throw new ShapeError(`${op}: ${what}[${r}] (row ${r}) is ${bad}`);
      data[r] = y[r] as number;
    }
    const m: Matrix = { rows: y.length, cols: 1, data };
    return checkTargetShape(op, m, rows, cols, what);
  }
  return checkTargetShape(op, toFeatures(op, y, undefined, what), rows, cols, what);
}

function checkTargetShape(op: string, y: Matrix, rows: number, cols: number | undefined, what: string): Matrix {
  if (y.rows !== rows)
    throw new ShapeError(`${op}: ${what} has ${y.rows} rows but x has ${rows} (expected one target per row)`);
  if (cols !== undefined && y.cols !== cols)
    throw new ShapeError(`${op}: ${what} has ${y.cols} targets per row, expected ${cols} (as in fit)`);
  return y;
}

/** The rows `idx` of m, in that order. */
export function takeRows(m: Matrix, idx: readonly number[]): Matrix {
  const c = m.cols;
  const data = new Float64Array(idx.length * c);
  idx.forEach((r, i) => data.set(m.data.subarray(r * c, r * c + c), i * c));
  return { rows: idx.length, cols: c, data };
}
