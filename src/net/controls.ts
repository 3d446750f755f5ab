/**
 * The host side of the training controls (plan v2, src/abi.ts): validation of clipNorm, sampleWeight and
 * classWeight, the per-row weights a run copies into backend memory, and the table of a learning-rate schedule
 * evaluated before training starts. Every check throws before anything changes.
 */
import { describeValue, optPositive } from '../check.js';
import { OptionError, ShapeError } from '../errors.js';

export const CONTROL_KEYS = ['clipNorm', 'sampleWeight', 'classWeight'] as const;

/** clipNorm, sampleWeight (values) and classWeight (form) from a train call's checked options. */
export function resolveControls(
  op: string,
  o: Record<string, unknown>,
): { clipNorm: number; sampleWeight: ArrayLike<number> | null; classWeight: 'balanced' | readonly number[] | null } {
  const clipNorm = o.clipNorm === undefined ? 0 : optPositive(op, 'clipNorm', o.clipNorm);
  let sampleWeight: ArrayLike<number> | null = null;
  if (o.sampleWeight !== undefined) {
    const w = o.sampleWeight as ArrayLike<number> | null;
    if (typeof w !== 'object' || w === null || typeof w.length !== 'number') {
      throw new OptionError(
        `${op}: sampleWeight must be an array of numbers (one weight >= 0 per row), received ${describeValue(w)}`,
      );
    }
    let any = false;
    for (let i = 0; i < w.length; i++) {
      const v = w[i];
      if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
        throw new OptionError(`${op}: sampleWeight[${i}] must be a finite number >= 0, received ${describeValue(v)}`);
      }
      if (v > 0) any = true;
    }
    if (!any)
      throw new OptionError(`${op}: sampleWeight must have a weight > 0 (every one of its ${w.length} weights is 0)`);
    sampleWeight = w;
  }
  let classWeight: 'balanced' | readonly number[] | null = null;
  if (o.classWeight !== undefined) {
    const c = o.classWeight;
    if (c !== 'balanced' && !Array.isArray(c)) {
      throw new OptionError(
        `${op}: classWeight must be 'balanced' or an array of weights (one per class), received ${describeValue(c)}`,
      );
    }
    if (Array.isArray(c)) {
      c.forEach((v: unknown, i) => {
        if (typeof v !== 'number' || !(v >= 0) || v === Infinity)
          throw new OptionError(`${op}: classWeight[${i}] must be a finite number >= 0, received ${describeValue(v)}`);
      });
    }
    classWeight = c as 'balanced' | readonly number[];
  }
  return { clipNorm, sampleWeight, classWeight };
}

/**
 * The class of each of `rows` target rows (`cols` wide, row-major in y from float64 index `at`): the column of the
 * 1 of a one-hot row, or a single output's 0/1 target. OptionError for any other row.
 */
function classesOf(
  op: string,
  y: Float64Array | Float32Array,
  at: number,
  rows: number,
  cols: number,
): { cls: Int32Array; classes: number } {
  const cls = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = at + r * cols;
    if (cols === 1) {
      const v = y[base]!;
      if (v !== 0 && v !== 1)
        throw new OptionError(`${op}: classWeight needs 0/1 targets with one output, but y[${r}] is ${v}`);
      cls[r] = v;
      continue;
    }
    let hot = -1;
    for (let j = 0; j < cols; j++) {
      const v = y[base + j]!;
      if (v === 1 && hot < 0) hot = j;
      else if (v !== 0) {
        hot = -2;
        break;
      }
    }
    if (hot < 0)
      throw new OptionError(`${op}: classWeight needs one-hot target rows, but row ${r} of y is not one-hot`);
    cls[r] = hot;
  }
  return { cls, classes: cols === 1 ? 2 : cols };
}

/**
 * The weight of every row (sampleWeight times classWeight), or null when the call has neither. `y` holds the
 * targets from float64 index `at` (classWeight reads them).
 * @throws ShapeError when sampleWeight's length is not the number of rows; OptionError for a classWeight that does
 *   not fit the targets, or weights that are all 0 together.
 */
export function rowWeights(
  op: string,
  c: { sampleWeight: ArrayLike<number> | null; classWeight: 'balanced' | readonly number[] | null },
  rows: number,
  y: Float64Array | Float32Array,
  at: number,
  cols: number,
): Float64Array | null {
  if (c.sampleWeight === null && c.classWeight === null) return null;
  const w = new Float64Array(rows).fill(1);
  if (c.sampleWeight !== null) {
    if (c.sampleWeight.length !== rows) {
      throw new ShapeError(
        `${op}: sampleWeight has ${c.sampleWeight.length} weights but the data has ${rows} rows (expected one weight per row)`,
      );
    }
    for (let i = 0; i < rows; i++) w[i] = c.sampleWeight[i]!;
  }
  if (c.classWeight !== null) {
    const { cls, classes } = classesOf(op, y, at, rows, cols);
    let perClass: ArrayLike<number>;
    if (c.classWeight === 'balanced') {
      // scikit-learn's 'balanced': rows / (classes present · rows of that class)
      const count = new Float64Array(classes);
      for (let r = 0; r < rows; r++) count[cls[r]!]! += 1;
      let present = 0;
      for (const n of count) if (n > 0) present++;
      perClass = Array.from(count, (n) => (n > 0 ? rows / (present * n) : 0));
    } else {
      if (c.classWeight.length !== classes) {
        throw new OptionError(
          `${op}: classWeight has ${c.classWeight.length} weights but the targets have ${classes} classes (expected one weight per class)`,
        );
      }
      perClass = c.classWeight;
    }
    for (let r = 0; r < rows; r++) w[r] = w[r]! * perClass[cls[r]!]!;
  }
  if (!w.some((v) => v > 0))
    throw new OptionError(`${op}: every row's weight (sampleWeight × classWeight) is 0; nothing would train`);
  return w;
}

/**
 * The learning rate of the optimizer steps from..from+steps-1, evaluated before training starts.
 * @throws OptionError when the schedule throws or returns a non-finite or negative value.
 */
export function scheduleTable(
  op: string,
  schedule: (step: number) => number,
  from: number,
  steps: number,
): Float64Array {
  const out = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const step = from + i;
    let v: unknown;
    try {
      v = schedule(step);
    } catch (cause) {
      throw new OptionError(
        `${op}: learningRate(${step}) threw (${(cause as Error)?.message ?? String(cause)}); nothing was trained`,
        { cause },
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new OptionError(
        `${op}: learningRate(${step}) must return a finite number >= 0, received ${describeValue(v)}; nothing was trained`,
      );
    }
    out[i] = v;
  }
  return out;
}
