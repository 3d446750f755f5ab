/** Small seeded tabular data sets for the estimator suites. */
import { mulberry32, normal } from './rng.js';

/** `perClass` rows per class around well-separated centres, features on very different scales (as real tables). */
export function blobs(
  classes: readonly (string | number)[],
  perClass: number,
  seed: number,
  noise = 0.6,
): { x: number[][]; labels: (string | number)[] } {
  const n = normal(mulberry32(seed));
  const scales = [1, 100, 0.01, 10];
  const x: number[][] = [],
    labels: (string | number)[] = [];
  for (let r = 0; r < perClass; r++) {
    classes.forEach((c, i) => {
      x.push(
        scales.map(
          (s, k) => s * ((k === i % 4 ? 3 : 0) + (k === (i + 1) % 4 ? 2 * Math.floor(i / 4) : 0) + noise * n()) + 5 * s,
        ),
      );
      labels.push(c);
    });
  }
  return { x, labels };
}

/** y = 120·x0 - 40·x1 + 3·x2·x2 + 200 (+ noise): targets far outside [0, 1]; two targets when `two`. */
export function regression(rows: number, seed: number, two = false): { x: number[][]; y: number[] | number[][] } {
  const n = normal(mulberry32(seed));
  const x = Array.from({ length: rows }, () => [n(), 10 * n(), n(), 0.1 * n()]);
  const f = (r: number[]): number => 120 * r[0]! - 4 * r[1]! + 3 * r[2]! * r[2]! + 200 + n();
  return { x, y: two ? x.map((r) => [f(r), -0.5 * f(r) + 7]) : x.map(f) };
}
