/**
 * The validation split of `train`'s `validationSplit` (and of the estimators): which rows are held out, drawn from
 * the network's seed alone, so the same seed and data hold out the same rows on every call, backend and thread
 * count, and a second train call never trains on the first call's validation rows. The shuffle generator is not
 * touched (checkpoints and the epochs' orders are the same as without a split).
 */
import { ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { Mulberry32 } from '../rng.js';
import type { ResolvedTrain } from './options.js';

/** Mixed into the seed so that the split's draws are not the initialisation's or the shuffle's. */
const SPLIT_SALT = 0x5bd1e995;

export interface SplitIndices {
  /** rows that train, ascending (the data's own order) */
  train: Int32Array;
  /** rows held out, ascending */
  validation: Int32Array;
}

/**
 * Holds out ceil(fraction · rows) rows (as scikit-learn's train_test_split) chosen by a seeded permutation.
 * With `strata` (one class id per row, any integers), every class gives its share: the held-out count is split over
 * the classes in proportion to their sizes, the remainders going to the largest fractional parts (ties: the smaller
 * class id), so each class keeps its proportion within one row. A remainder skips a class whose last training row it
 * would take while another class can give one (a classifier still trains on every class).
 * The caller checks that both parts are non-empty (see splitRows).
 */
export function splitIndices(
  rows: number,
  fraction: number,
  seed: number,
  strata: ArrayLike<number> | null = null,
): SplitIndices {
  const rng = new Mulberry32((seed ^ SPLIT_SALT) >>> 0);
  const k = heldOutCount(rows, fraction);
  const held = new Uint8Array(rows);
  if (strata === null) {
    for (const i of sample(range(rows), k, rng)) held[i] = 1;
  } else {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < rows; i++) {
      const c = strata[i]!;
      let g = groups.get(c);
      if (!g) groups.set(c, (g = []));
      g.push(i);
    }
    const ids = [...groups.keys()].sort((a, b) => a - b);
    const quota = ids.map((c) => (k * groups.get(c)!.length) / rows);
    const take = quota.map(Math.floor);
    let left = k - take.reduce((s, t) => s + t, 0);
    const byRemainder = ids.map((_, i) => i).sort((a, b) => quota[b]! - take[b]! - (quota[a]! - take[a]!) || a - b);
    for (const keep of [1, 0]) {
      for (const i of byRemainder) {
        if (left === 0) break;
        if (take[i]! < groups.get(ids[i]!)!.length - keep) {
          take[i]!++;
          left--;
        }
      }
    }
    ids.forEach((c, i) => {
      for (const r of sample(groups.get(c)!, take[i]!, rng)) held[r] = 1;
    });
  }
  const train = new Int32Array(rows - k),
    validation = new Int32Array(k);
  for (let i = 0, t = 0, v = 0; i < rows; i++) {
    if (held[i]) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}

/** Rows held out for `fraction` of `rows`: ceil(fraction · rows). */
export function heldOutCount(rows: number, fraction: number): number {
  return Math.ceil(fraction * rows);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The first k of a seeded Fisher-Yates shuffle of `items` (which it permutes). */
function sample(items: number[], k: number, rng: Mulberry32): number[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items.slice(0, k);
}

/**
 * splitIndices after checking that a row is left to train on (validationSplit of train and of the estimators).
 * @throws ShapeError when ceil(fraction · rows) is every row.
 */
export function splitRows(
  op: string,
  rows: number,
  fraction: number,
  seed: number,
  strata: ArrayLike<number> | null = null,
): SplitIndices {
  const k = heldOutCount(rows, fraction);
  if (rows - k < 1) {
    throw new ShapeError(
      `${op}: validationSplit ${fraction} of ${rows} row${rows === 1 ? '' : 's'} holds out ${k} and leaves none to train on (expected more rows or a smaller validationSplit)`,
    );
  }
  return splitIndices(rows, fraction, seed, strata);
}

/**
 * train's validationSplit: the training rows and (into r.validation) the held-out rows of (X, Y), as new matrices.
 * @throws ShapeError when no row would be left to train on, or stratify is set and y is not classification targets.
 */
export function applySplit(op: string, r: ResolvedTrain, X: Matrix, Y: Matrix, seed: number): { X: Matrix; Y: Matrix } {
  const split = r.split!;
  const n = X.rows,
    w = r.sampleWeight;
  if (w !== null && w.length !== n) {
    throw new ShapeError(
      `${op}: sampleWeight has ${w.length} weights but the data has ${n} rows (expected one weight per row of x, before validationSplit)`,
    );
  }
  const idx = splitRows(op, n, split.fraction, seed, split.stratify ? classIds(op, Y) : null);
  r.validation = { x: rowsOf(X, idx.validation), y: rowsOf(Y, idx.validation) };
  // the weights follow their rows: the held-out rows' weights are dropped (the validation loss is unweighted)
  if (w !== null) r.sampleWeight = Array.from(idx.train, (i) => w[i]!);
  return { X: rowsOf(X, idx.train), Y: rowsOf(Y, idx.train) };
}

/** The class of each row of classification targets: a one-hot row's index of its 1, or a single column's 0/1. */
export function classIds(op: string, Y: Matrix): Int32Array {
  const { rows, cols, data } = Y;
  const ids = new Int32Array(rows);
  const refuse = (r: number): never => {
    throw new ShapeError(
      `${op}: stratify needs classification targets (${cols === 1 ? 'a single column of 0 and 1' : 'one-hot rows: one 1, the rest 0'}), but y[${r}] is [${Array.from(data.subarray(r * cols, (r + 1) * cols)).join(', ')}]; drop stratify or pass such targets`,
    );
  };
  for (let r = 0; r < rows; r++) {
    if (cols === 1) {
      const v = data[r]!;
      if (v !== 0 && v !== 1) refuse(r);
      ids[r] = v;
      continue;
    }
    let hot = -1;
    for (let j = 0; j < cols; j++) {
      const v = data[r * cols + j]!;
      if (v === 1 && hot < 0) hot = j;
      else if (v !== 0) refuse(r);
    }
    if (hot < 0) refuse(r);
    ids[r] = hot;
  }
  return ids;
}

function rowsOf(m: Matrix, idx: Int32Array): Matrix {
  const { cols, data } = m;
  const out = new Float64Array(idx.length * cols);
  for (let i = 0; i < idx.length; i++) out.set(data.subarray(idx[i]! * cols, (idx[i]! + 1) * cols), i * cols);
  return { rows: idx.length, cols, data: out };
}
