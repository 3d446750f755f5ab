/**
 * The validation split, held out before any scaling is fitted: seeded, and stratified for classifiers (each class
 * keeps its share in both parts). Both index lists come back in the data's order.
 */
import { ShapeError } from '../errors.js';
import { Mulberry32 } from '../rng.js';

export interface Split {
  train: number[];
  validation: number[];
}

function shuffle(a: number[], rng: Mulberry32): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function finish(op: string, fraction: number, rows: number, validation: number[]): Split {
  if (validation.length === 0 || validation.length === rows) {
    throw new ShapeError(`${op}: validationSplit ${fraction} of ${rows} rows leaves ${validation.length === 0 ? 'no validation rows' : 'no training rows'}; use more rows or another fraction`);
  }
  validation.sort((a, b) => a - b);
  const held = new Uint8Array(rows);
  for (const r of validation) held[r] = 1;
  const train: number[] = [];
  for (let r = 0; r < rows; r++) if (!held[r]) train.push(r);
  return { train, validation };
}

/**
 * Per class (in class order), its rows in a seeded random order; the first round(fraction · n) go to validation, at
 * most n - 1 so that training keeps every class.
 */
export function stratifiedSplit(op: string, codes: Int32Array, classes: number, fraction: number, seed: number): Split {
  const rng = new Mulberry32(seed);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  codes.forEach((c, r) => byClass[c]!.push(r));
  const validation: number[] = [];
  for (const rows of byClass) {
    shuffle(rows, rng);
    const n = Math.min(Math.round(fraction * rows.length), rows.length - 1);
    validation.push(...rows.slice(0, n));
  }
  return finish(op, fraction, codes.length, validation);
}

/** round(fraction · rows) rows, seeded, for validation. */
export function randomSplit(op: string, rows: number, fraction: number, seed: number): Split {
  const rng = new Mulberry32(seed);
  const all = Array.from({ length: rows }, (_, r) => r);
  shuffle(all, rng);
  return finish(op, fraction, rows, all.slice(0, Math.round(fraction * rows)));
}
