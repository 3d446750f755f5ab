/**
 * Evaluation metrics, as scikit-learn defines them: accuracy, the confusion matrix (rows: actual, columns: predicted),
 * per-class precision / recall / F1 (0 where a denominator is 0, as scikit-learn's zero_division=0), and for
 * regression MAE, RMSE and R² (each the mean over targets of the per-target value; R² of a constant target is 1 for
 * a perfect prediction and 0 otherwise, as scikit-learn's force_finite).
 */
import { describeValue } from '../check.js';
import { ShapeError } from '../errors.js';
import type { Input, Matrix } from '../matrix.js';
import { toTargets } from './input.js';

/** Labels as an array or a typed array (numeric labels straight from a Float64Array or Int32Array). */
function isLabels(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function checkPair(op: string, actual: unknown, predicted: unknown): asserts actual is ArrayLike<unknown> {
  for (const [name, v] of [
    ['actual', actual],
    ['predicted', predicted],
  ] as const) {
    if (!isLabels(v))
      throw new ShapeError(
        `metrics.${op}: ${name} must be an array (or typed array) of labels, received ${describeValue(v)}`,
      );
  }
  const a = actual as ArrayLike<unknown>,
    p = predicted as ArrayLike<unknown>;
  if (a.length !== p.length)
    throw new ShapeError(
      `metrics.${op}: actual has ${a.length} labels but predicted has ${p.length} (expected one prediction per label)`,
    );
  if (a.length === 0) throw new ShapeError(`metrics.${op}: no labels (expected at least one)`);
}

/** The labels seen in either array, sorted: numbers ascending, then strings, then anything else in order of appearance. */
function labelsOf(actual: ArrayLike<unknown>, predicted: ArrayLike<unknown>): unknown[] {
  const all = [...new Set([...Array.from(actual), ...Array.from(predicted)])];
  const rank = (v: unknown): number => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  return all
    .map((v, i) => ({ v, i }))
    .sort((a, b) => {
      const ra = rank(a.v),
        rb = rank(b.v);
      if (ra !== rb) return ra - rb;
      if (ra === 0) return (a.v as number) - (b.v as number);
      if (ra === 1) return (a.v as string) < (b.v as string) ? -1 : (a.v as string) > (b.v as string) ? 1 : 0;
      return a.i - b.i;
    })
    .map((e) => e.v);
}

function accuracy(actual: ArrayLike<unknown>, predicted: ArrayLike<unknown>): number {
  checkPair('accuracy', actual, predicted);
  let hit = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) hit++;
  return hit / actual.length;
}

function confusionMatrix(
  actual: ArrayLike<unknown>,
  predicted: ArrayLike<unknown>,
): {
  /** the labels seen in either array: numbers ascending, then strings sorted, then any others in order of appearance */
  labels: unknown[];
  /** rows: actual label, columns: predicted label, in `labels` order */
  matrix: number[][];
} {
  checkPair('confusionMatrix', actual, predicted);
  const labels = labelsOf(actual, predicted);
  const at = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < actual.length; i++) matrix[at.get(actual[i])!]![at.get(predicted[i])!]!++;
  return { labels, matrix };
}

function precisionRecallF1(
  actual: ArrayLike<unknown>,
  predicted: ArrayLike<unknown>,
): {
  /** the label these figures are about */
  label: unknown;
  /** of the rows predicted as this label, the share that have it */
  precision: number;
  /** of the rows that have this label, the share predicted as it */
  recall: number;
  /** the harmonic mean of precision and recall */
  f1: number;
  /** the number of rows that have this label */
  support: number;
}[] {
  checkPair('precisionRecallF1', actual, predicted);
  const { labels, matrix } = confusionMatrix(actual, predicted);
  return labels.map((label, i) => {
    const tp = matrix[i]![i]!;
    const support = matrix[i]!.reduce((s, v) => s + v, 0);
    const predictedCount = matrix.reduce((s, row) => s + row[i]!, 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
}

function regressionPair(op: string, actual: unknown, predicted: unknown): [Matrix, Matrix] {
  if (!Array.isArray(actual) && (typeof actual !== 'object' || actual === null))
    throw new ShapeError(
      `metrics.${op}: actual must be numbers, rows of numbers or a Matrix, received ${describeValue(actual)}`,
    );
  const a = toTargets(
    `metrics.${op}`,
    actual,
    (actual as { rows?: number; length?: number }).rows ?? (actual as unknown[]).length,
    undefined,
    'actual',
  );
  const p = toTargets(`metrics.${op}`, predicted, a.rows, a.cols, 'predicted');
  return [a, p];
}

/** Mean over targets of f(per-target values). */
function perTarget(a: Matrix, f: (col: number) => number): number {
  let s = 0;
  for (let j = 0; j < a.cols; j++) s += f(j);
  return s / a.cols;
}

function meanAbsoluteError(actual: Input | ArrayLike<number>, predicted: Input | ArrayLike<number>): number {
  const [a, p] = regressionPair('meanAbsoluteError', actual, predicted);
  return perTarget(a, (j) => {
    let s = 0;
    for (let r = 0; r < a.rows; r++) s += Math.abs(a.data[r * a.cols + j]! - p.data[r * a.cols + j]!);
    return s / a.rows;
  });
}

function rootMeanSquaredError(actual: Input | ArrayLike<number>, predicted: Input | ArrayLike<number>): number {
  const [a, p] = regressionPair('rootMeanSquaredError', actual, predicted);
  return perTarget(a, (j) => {
    let s = 0;
    for (let r = 0; r < a.rows; r++) s += (a.data[r * a.cols + j]! - p.data[r * a.cols + j]!) ** 2;
    return Math.sqrt(s / a.rows);
  });
}

function r2(actual: Input | ArrayLike<number>, predicted: Input | ArrayLike<number>): number {
  const [a, p] = regressionPair('r2', actual, predicted);
  return perTarget(a, (j) => {
    let mean = 0;
    for (let r = 0; r < a.rows; r++) mean += a.data[r * a.cols + j]!;
    mean /= a.rows;
    let res = 0,
      tot = 0;
    for (let r = 0; r < a.rows; r++) {
      const y = a.data[r * a.cols + j]!;
      res += (y - p.data[r * a.cols + j]!) ** 2;
      tot += (y - mean) ** 2;
    }
    if (tot === 0) return res === 0 ? 1 : 0;
    return 1 - res / tot;
  });
}

/**
 * Evaluation metrics as scikit-learn defines them: accuracy, the confusion matrix and per-class precision / recall /
 * F1 for labels (arrays or typed arrays); MAE, RMSE and R² for regression targets.
 */
export const metrics = {
  /**
   * The share of rows whose predicted label equals the actual one (`===`), in 0..1.
   * @throws ShapeError when the arrays differ in length or are empty.
   */
  accuracy,
  /**
   * Counts of (actual, predicted) pairs: `matrix[i][j]` is the number of rows of actual label `labels[i]` predicted as
   * `labels[j]`.
   * @throws ShapeError when the arrays differ in length or are empty.
   */
  confusionMatrix,
  /**
   * Precision, recall and F1 of every label (in confusionMatrix's label order); 0 where a denominator is 0.
   * @throws ShapeError when the arrays differ in length or are empty.
   */
  precisionRecallF1,
  /**
   * The mean absolute error, averaged over targets. Targets are numbers (one per row), rows of numbers, or a Matrix.
   * @throws ShapeError when the shapes differ or a value is not a finite number.
   */
  meanAbsoluteError,
  /**
   * The root of the mean squared error of each target, averaged over targets.
   * @throws ShapeError when the shapes differ or a value is not a finite number.
   */
  rootMeanSquaredError,
  /**
   * The coefficient of determination R² of each target, averaged over targets; for a constant target, 1 when the
   * prediction is exact and 0 otherwise.
   * @throws ShapeError when the shapes differ or a value is not a finite number.
   */
  r2,
};
