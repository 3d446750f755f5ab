/**
 * Validation at the public boundary: shapes, finiteness, loss domains and options.
 * Every message names the operation, what was expected and what was received.
 */
import { OptionError, ShapeError } from './errors.js';
import type { Matrix } from './matrix.js';

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor?.name || 'typed array';
    return v instanceof DataView
      ? `a DataView of ${v.byteLength} bytes`
      : `a ${name} of length ${(v as unknown as ArrayLike<unknown>).length}`;
  }
  if (v instanceof ArrayBuffer) return `an ArrayBuffer of ${v.byteLength} bytes`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}
export { describe as describeValue };

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * What to do about a value that should have been a finite number, for the common causes: a CSV column left as text
 * ('5.1'), and missing values (NaN, null, undefined, ''). Empty when there is no specific advice.
 */
export function numberHint(v: unknown): string {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) {
    return ": convert the column to numbers first (Number(value), or your CSV parser's cast option)";
  }
  if (
    v === null ||
    v === undefined ||
    (typeof v === 'number' && Number.isNaN(v)) ||
    (typeof v === 'string' && v.trim() === '')
  ) {
    return ' (fill in or drop missing values first)';
  }
  return '';
}

/** Advice for a row that is not an array: a plain object is what a CSV parser gives with header columns. */
export function rowHint(v: unknown): string {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && isPlainObject(v)
    ? " (a row keyed by column name, as a CSV parser gives with columns: true? pass Object.values(row), or use the parser's array output)"
    : '';
}

/**
 * Element i of a caller's array for a message: a hole in a sparse array ([1, , 3]) is named as one, since it reads as
 * undefined. Validation walks arrays with index loops: map and forEach skip holes, so a check written with them passes.
 */
export function describeElement(a: ArrayLike<unknown>, i: number): string {
  return i in a ? describe(a[i]) : 'a hole (the array is sparse: give every element)';
}

/**
 * Index of the first NaN or ±Infinity, or -1. The hot path is branch-free: x·0 is 0 for every finite x and NaN
 * otherwise, so a block's sum of x·0 is 0 exactly when the whole block is finite (about 1.4x faster than testing
 * each value on large training sets).
 */
export function firstNonFinite(a: ArrayLike<number>): number {
  const n = a.length;
  for (let i0 = 0; i0 < n; i0 += 4096) {
    const end = Math.min(n, i0 + 4096);
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let i = i0;
    for (; i + 3 < end; i += 4) {
      s0 += a[i]! * 0;
      s1 += a[i + 1]! * 0;
      s2 += a[i + 2]! * 0;
      s3 += a[i + 3]! * 0;
    }
    for (; i < end; i++) s0 += a[i]! * 0;
    if (s0 + s1 + s2 + s3 !== 0) {
      for (let j = i0; j < end; j++) if (!Number.isFinite(a[j]!)) return j;
    }
  }
  return -1;
}

function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && (x as Matrix).data instanceof Float64Array;
}

/**
 * An Input as a row-major Float64Array, checking that it is rectangular, has `cols` columns (when given) and at
 * least one row, and that every value is a finite number. Arrays of rows are always copied; a Matrix is copied
 * only when `copy` is set: synchronous calls read it once, into backend memory, before they return, so they can
 * skip the copy (fastnn still never keeps or mutates it); trainAsync must copy, since the caller runs meanwhile.
 */
export function toMatrix(op: string, what: string, x: unknown, cols?: number, copy = false): Matrix {
  if (isMatrix(x)) {
    const { rows, cols: c, data } = x;
    if (!Number.isInteger(rows) || !Number.isInteger(c) || rows < 0 || c < 0 || data.length !== rows * c) {
      throw new ShapeError(
        `${op}: ${what} is a Matrix of ${String(rows)}×${String(c)} with data of length ${data.length} (expected non-negative integer rows and cols, and data of length rows·cols = ${Number(rows) * Number(c)})`,
      );
    }
    if (rows === 0) throw new ShapeError(`${op}: ${what} is empty (expected at least one row)`);
    if (cols !== undefined && c !== cols) throw new ShapeError(`${op}: ${what} has ${c} columns, expected ${cols}`);
    const bad = firstNonFinite(data);
    if (bad >= 0) {
      throw new ShapeError(
        `${op}: ${what}[${Math.floor(bad / c)}][${bad % c}] is ${data[bad]!}, expected a finite number${numberHint(data[bad])}`,
      );
    }
    return { rows, cols: c, data: copy ? data.slice() : data };
  }
  if (!Array.isArray(x)) {
    throw new ShapeError(`${op}: ${what} must be a Matrix or an array of rows, received ${describe(x)}`);
  }
  const rows = x.length;
  if (rows === 0) throw new ShapeError(`${op}: ${what} is empty (expected at least one row)`);
  const first: unknown = x[0];
  if (!Array.isArray(first) && !ArrayBuffer.isView(first)) {
    throw new ShapeError(
      `${op}: ${what}[0] must be an array of numbers, received ${describeElement(x, 0)}${rowHint(first)}`,
    );
  }
  const c = (first as ArrayLike<number>).length;
  if (cols !== undefined && c !== cols) throw new ShapeError(`${op}: ${what} rows have ${c} values, expected ${cols}`);
  if (c === 0) throw new ShapeError(`${op}: ${what} rows are empty (expected at least one column)`);
  const data = new Float64Array(rows * c);
  for (let r = 0; r < rows; r++) {
    const row: unknown = x[r];
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) {
      throw new ShapeError(
        `${op}: ${what}[${r}] must be an array of numbers, received ${describeElement(x, r)}${rowHint(row)}`,
      );
    }
    const rr = row as ArrayLike<unknown>;
    if (rr.length !== c) {
      throw new ShapeError(`${op}: ${what} is ragged: row ${r} has ${rr.length} values, row 0 has ${c}`);
    }
    for (let k = 0; k < c; k++) {
      const v = rr[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new ShapeError(
          `${op}: ${what}[${r}][${k}] is ${describeElement(rr, k)}, expected a finite number${k in rr ? numberHint(v) : ''}`,
        );
      }
      data[r * c + k] = v;
    }
  }
  return { rows, cols: c, data };
}

/** Targets must be in [0, 1] for binary cross-entropy, and rows must be probability distributions for cross-entropy. */
export function checkTargets(op: string, what: string, y: Matrix, loss: string): void {
  const { rows, cols, data } = y;
  if (loss === 'binary-cross-entropy') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < 0 || v > 1) {
        throw new ShapeError(
          `${op}: ${what}[${Math.floor(i / cols)}][${i % cols}] is ${v}, expected a value in [0, 1] for loss 'binary-cross-entropy'`,
        );
      }
    }
  } else if (loss === 'cross-entropy') {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const v = data[r * cols + j]!;
        if (v < 0) {
          throw new ShapeError(
            `${op}: ${what}[${r}][${j}] is ${v}, expected a probability (>= 0) for loss 'cross-entropy'`,
          );
        }
        s += v;
      }
      if (Math.abs(s - 1) > 1e-6) {
        throw new ShapeError(
          `${op}: ${what}[${r}] sums to ${s}, expected a probability distribution summing to 1 for loss 'cross-entropy'`,
        );
      }
    }
  }
}

/** Rejects anything but a plain object, and names unknown keys together with the valid ones. */
export function checkOptions(op: string, o: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new OptionError(`${op}: options must be an object, received ${describe(o)}`);
  }
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) {
      throw new OptionError(`${op}: unknown option '${key}' (expected ${known.join('|')})`);
    }
  }
  return o as Record<string, unknown>;
}

export function optInt(op: string, name: string, v: unknown, min: number, def?: number): number {
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new OptionError(`${op}: ${name} must be an integer >= ${min}, received ${describe(v)}`);
  }
  return v;
}

export function optPositive(op: string, name: string, v: unknown, def?: number): number {
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new OptionError(`${op}: ${name} must be a finite number > 0, received ${describe(v)}`);
  }
  return v;
}

/** A finite number in [lo, hi) (hi exclusive when `openHi`). */
export function optRange(
  op: string,
  name: string,
  v: unknown,
  lo: number,
  hi: number,
  def: number,
  openHi = true,
): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (openHi ? v >= hi : v > hi)) {
    throw new OptionError(
      `${op}: ${name} must be a number in [${lo}, ${hi}${openHi ? ')' : ']'}, received ${describe(v)}`,
    );
  }
  return v;
}

export function optEnum<T extends string>(op: string, name: string, v: unknown, valid: readonly T[], def?: T): T {
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'string' || !valid.includes(v as T)) {
    throw new OptionError(`${op}: unknown ${name} ${describe(v)} (expected ${valid.join('|')})`);
  }
  return v as T;
}

export function optBool(op: string, name: string, v: unknown, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') throw new OptionError(`${op}: ${name} must be a boolean, received ${describe(v)}`);
  return v;
}

/** Finite-value check of a parameter array, naming layer, row and column. */
export function checkFiniteParams(op: string, what: string, a: ArrayLike<number>, cols: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ShapeError(
        `${op}: ${what}[${Math.floor(i / cols)}][${i % cols}] is ${describeElement(a, i)}, expected a finite number`,
      );
    }
  }
}

/**
 * Saved-model arguments that are bytes (readFileSync without an encoding gives a Buffer): the advice to pass the text
 * or the parsed object, or null when `v` is not bytes.
 */
function bytesInsteadOfText(op: string, v: unknown): string | null {
  if (!(v instanceof ArrayBuffer) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) return null;
  const what =
    v instanceof ArrayBuffer
      ? 'an ArrayBuffer'
      : `a ${v.constructor?.name === 'Buffer' ? 'Buffer' : v.constructor?.name || 'typed array'}`;
  return `${op}: received ${what} (bytes), expected the saved model's JSON text or the parsed object; pass readFileSync(path, 'utf8') (or await (await fetch(url)).text()), or JSON.parse of it`;
}

/**
 * A saved model as given to a `fromJSON`: the parsed object, or its JSON text (parsed here). Bytes, a string that is
 * not JSON text (a file name or URL?) and malformed JSON are OptionErrors saying what to pass; `what` names the saved
 * thing in the message ("network", "model").
 */
export function parseSavedJSON(op: string, json: unknown, what: string): unknown {
  const bytes = bytesInsteadOfText(op, json);
  if (bytes !== null) throw new OptionError(bytes);
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch (cause) {
    const t = json.trim();
    if (!t.startsWith('{') && !t.startsWith('[')) {
      throw new OptionError(
        `${op}: received the string ${describe(t)}, which is not JSON text (a file name or URL?); pass the saved ${what}'s text ` +
          `(e.g. readFileSync(path, 'utf8') or await (await fetch(url)).text()) or the parsed object`,
        { cause },
      );
    }
    throw new OptionError(`${op}: the text is not JSON (${(cause as Error).message})`, { cause });
  }
}
