/**
 * The input features the network can be given, computed from a point's coordinates (x1, x2) as TensorFlow
 * Playground does: the raw coordinates, their squares, their product and their sines. The network's input layer
 * has one unit per chosen feature, in FEATURES order.
 */

/** Every feature: its key in the URL (`features=x1,x2,x1x2`), its label, and its value at (x1, x2). */
export const FEATURES = [
  { key: 'x1', label: 'x₁', f: (a) => a },
  { key: 'x2', label: 'x₂', f: (a, b) => b },
  { key: 'x1sq', label: 'x₁²', f: (a) => a * a },
  { key: 'x2sq', label: 'x₂²', f: (a, b) => b * b },
  { key: 'x1x2', label: 'x₁x₂', f: (a, b) => a * b },
  { key: 'sinx1', label: 'sin x₁', f: (a) => Math.sin(a) },
  { key: 'sinx2', label: 'sin x₂', f: (a, b) => Math.sin(b) },
];
export const FEATURE_KEYS = FEATURES.map((f) => f.key);

/**
 * The feature rows of `points` ((x1, x2) pairs, row by row) for the chosen feature keys.
 * @param {Float64Array} points
 * @param {readonly string[]} keys
 * @returns {Float64Array} rows × keys.length, row-major
 */
export function featurize(points, keys) {
  const fs = keys.map((k) => {
    const feature = FEATURES.find((f) => f.key === k);
    if (!feature) throw new Error(`unknown feature '${k}' (expected ${FEATURE_KEYS.join('|')})`);
    return feature.f;
  });
  const rows = points.length / 2,
    n = fs.length;
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const a = points[2 * r],
      b = points[2 * r + 1];
    for (let k = 0; k < n; k++) out[r * n + k] = fs[k](a, b);
  }
  return out;
}
