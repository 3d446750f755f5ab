/**
 * Labels in, labels out: the sorted class list (numbers ascending, strings as JavaScript sorts them), labels to
 * class indices and one-hot rows for training, and probabilities back to labels by argmax.
 */
import { describeValue } from '../check.js';
import { ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import type { Label } from './input.js';

/** The distinct labels, sorted: numbers ascending, strings by UTF-16 code units (Array.prototype.sort). */
export function classesOf(labels: readonly Label[]): Label[] {
  const distinct = [...new Set(labels)];
  return typeof distinct[0] === 'number' ? (distinct as number[]).sort((a, b) => a - b) : (distinct as string[]).sort();
}

export class LabelEncoder {
  private readonly index = new Map<Label, number>();
  constructor(readonly classes: readonly Label[]) {
    classes.forEach((c, i) => this.index.set(c, i));
  }

  /** The class index of every label; an unknown label is a ShapeError naming its row. */
  encode(op: string, labels: readonly Label[], what = 'labels'): Int32Array {
    const out = new Int32Array(labels.length);
    for (let r = 0; r < labels.length; r++) {
      const i = this.index.get(labels[r]!);
      if (i === undefined) {
        const known = this.classes.map((c) => describeValue(c)).join(', ');
        throw new ShapeError(
          `${op}: ${what}[${r}] is ${describeValue(labels[r])}, which is not one of the classes seen in fit (${known})`,
        );
      }
      out[r] = i;
    }
    return out;
  }

  /** One-hot rows (rows × classes). */
  oneHot(codes: Int32Array): Matrix {
    const k = this.classes.length;
    const data = new Float64Array(codes.length * k);
    codes.forEach((c, r) => (data[r * k + c] = 1));
    return { rows: codes.length, cols: k, data };
  }

  /** The label of each row's largest probability (the first one on ties). */
  decode(proba: Matrix): Label[] {
    const { rows, cols, data } = proba;
    const out: Label[] = new Array<Label>(rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let j = 1; j < cols; j++) if (data[r * cols + j]! > data[r * cols + best]!) best = j;
      out[r] = this.classes[best]!;
    }
    return out;
  }
}
