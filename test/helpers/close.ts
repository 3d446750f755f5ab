import { expect } from 'vitest';
import type { Tolerance } from './backends.js';

/**
 * Element-wise |a-b| <= atol + rtol·max(|a|,|b|) (STYLE.md §9); the failure message shows the first bad
 * index, both values and the shape.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what = 'values',
  cols?: number,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!,
      b = expected[i]!;
    const ok = Math.abs(a - b) <= tol.atol + tol.rtol * Math.max(Math.abs(a), Math.abs(b));
    if (!ok || Number.isNaN(a) !== Number.isNaN(b)) {
      const at = cols ? `[${Math.floor(i / cols)}][${i % cols}]` : `[${i}]`;
      expect.fail(
        `${what}${at} (of ${cols ? `${actual.length / cols}×${cols}` : actual.length}): got ${a}, expected ${b} ` +
          `(|diff| ${Math.abs(a - b)}, rtol ${tol.rtol}, atol ${tol.atol})`,
      );
    }
  }
}
