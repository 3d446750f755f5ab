/** metrics (API.md "Estimators") against values computed by hand (worked out in the comments). */
import { describe, expect, it } from 'vitest';
import { ShapeError, metrics } from '../src/index.js';

describe('classification metrics', () => {
  const actual = ['cat', 'cat', 'cat', 'dog', 'dog', 'fox'];
  const predicted = ['cat', 'dog', 'cat', 'dog', 'cat', 'dog'];

  it('accuracy: 3 of 6 right', () => {
    expect(metrics.accuracy(actual, predicted)).toBe(0.5);
    expect(metrics.accuracy([1, 2, 3], [1, 2, 3])).toBe(1);
  });

  it('confusionMatrix: rows actual, columns predicted, labels sorted', () => {
    expect(metrics.confusionMatrix(actual, predicted)).toEqual({
      labels: ['cat', 'dog', 'fox'],
      matrix: [
        [2, 1, 0], // cat: 2 as cat, 1 as dog
        [1, 1, 0], // dog: 1 as cat, 1 as dog
        [0, 1, 0], // fox: 1 as dog
      ],
    });
    expect(metrics.confusionMatrix([10, 2, 2], [2, 2, 1]).labels).toEqual([1, 2, 10]);
  });

  it('precisionRecallF1: per class; 0 where nothing was predicted', () => {
    const r = metrics.precisionRecallF1(actual, predicted);
    // cat: tp 2, predicted 3 -> p 2/3, support 3 -> r 2/3, f1 2/3
    // dog: tp 1, predicted 3 -> p 1/3, support 2 -> r 1/2, f1 = 2·(1/3)(1/2)/(1/3+1/2) = 0.4
    // fox: tp 0, predicted 0 -> p 0, r 0, f1 0
    expect(r.map((c) => c.label)).toEqual(['cat', 'dog', 'fox']);
    expect(r[0]!.precision).toBeCloseTo(2 / 3, 15);
    expect(r[0]!.recall).toBeCloseTo(2 / 3, 15);
    expect(r[0]!.f1).toBeCloseTo(2 / 3, 15);
    expect(r[0]!.support).toBe(3);
    expect(r[1]!.precision).toBeCloseTo(1 / 3, 15);
    expect(r[1]!.recall).toBe(0.5);
    expect(r[1]!.f1).toBeCloseTo(0.4, 15);
    expect(r[1]!.support).toBe(2);
    expect(r[2]).toEqual({ label: 'fox', precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('mismatched lengths and empty inputs are ShapeErrors', () => {
    expect(() => metrics.accuracy([1, 2], [1])).toThrow(ShapeError);
    expect(() => metrics.confusionMatrix([], [])).toThrow(/no labels/);
  });
});

describe('regression metrics', () => {
  const actual = [3, -0.5, 2, 7];
  const predicted = [2.5, 0, 2, 8];

  it('MAE: (0.5 + 0.5 + 0 + 1) / 4 = 0.5', () => {
    expect(metrics.meanAbsoluteError(actual, predicted)).toBe(0.5);
  });

  it('RMSE: sqrt((0.25 + 0.25 + 0 + 1) / 4) = sqrt(0.375)', () => {
    expect(metrics.rootMeanSquaredError(actual, predicted)).toBe(Math.sqrt(0.375));
  });

  it('R²: mean 2.875, SS_tot 29.1875, SS_res 1.5 -> 1 - 1.5/29.1875', () => {
    expect(metrics.r2(actual, predicted)).toBeCloseTo(1 - 1.5 / 29.1875, 15);
    // constant targets: 1 for a perfect prediction, else 0 (scikit-learn's force_finite)
    expect(metrics.r2([2, 2], [2, 2])).toBe(1);
    expect(metrics.r2([2, 2], [2, 3])).toBe(0);
  });

  it('two targets: the mean of the per-target values; rows, Matrix and flat arrays agree', () => {
    // target 0: actual [1, 3], predicted [2, 3]: MAE 0.5, RMSE sqrt(0.5), R² 1 - 1/2 = 0.5
    // target 1: actual [0, 4], predicted [0, 2]: MAE 1,   RMSE sqrt(2),   R² 1 - 4/8 = 0.5
    const a = [
        [1, 0],
        [3, 4],
      ],
      p = [
        [2, 0],
        [3, 2],
      ];
    expect(metrics.meanAbsoluteError(a, p)).toBe(0.75);
    expect(metrics.rootMeanSquaredError(a, p)).toBe((Math.sqrt(0.5) + Math.sqrt(2)) / 2);
    expect(metrics.r2(a, p)).toBe(0.5);
    const m = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 3, 4]) };
    expect(metrics.r2(m, p)).toBe(0.5);
    expect(metrics.meanAbsoluteError([[1], [2]], [1, 4])).toBe(1);
  });

  it('shape mismatches and non-numbers are ShapeErrors', () => {
    expect(() => metrics.r2([1, 2, 3], [1, 2])).toThrow(/predicted has 2 rows but x has 3/);
    expect(() => metrics.meanAbsoluteError([[1, 2]], [[1]])).toThrow(ShapeError);
    expect(() => metrics.rootMeanSquaredError([1, NaN], [1, 2])).toThrow(/actual\[1\] \(row 1\) is NaN/);
  });
});
