/**
 * The playground's 2-D data sets (after TensorFlow Playground's), drawn from a seeded generator so that the
 * same seed, noise, size and split always give the same points, in the same order, on every page load.
 * Coordinates lie in about [-6, 6]². Classification labels are 0 or 1; regression targets lie in [-1, 1].
 */

/** The data sets of each problem type (the first is the problem's default). */
export const PROBLEMS = {
  classification: ['circle', 'xor', 'gaussians', 'spiral'],
  regression: ['plane', 'multi-gaussian'],
};
export const DATASETS = [...PROBLEMS.classification, ...PROBLEMS.regression];
/** 'classification' or 'regression': the problem type a data set belongs to. */
export const problemOf = (dataset) => (PROBLEMS.regression.includes(dataset) ? 'regression' : 'classification');
/** Half-width of the square the page draws (and the decision-boundary grid covers). */
export const DOMAIN = 6;

/** Cell centres of an n×n lattice over the drawn square ((x1, x2) pairs): row i from the top (x2 = +DOMAIN), column j from the left. */
export function lattice(n) {
  const g = new Float64Array(n * n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      g[(i * n + j) * 2] = -DOMAIN + ((j + 0.5) * 2 * DOMAIN) / n;
      g[(i * n + j) * 2 + 1] = DOMAIN - ((i + 0.5) * 2 * DOMAIN) / n;
    }
  }
  return g;
}

/** mulberry32: a 32-bit seeded generator returning uniform numbers in [0, 1) (fastnn's own, src/rng.ts). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (rand, a, b) => a + (b - a) * rand();

/** One N(mean, variance) draw (Box-Muller). */
function normal(rand, mean, variance) {
  let u = 0;
  while (u === 0) u = rand();
  return mean + Math.sqrt(variance) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Points inside radius 2.5 are 1, points in the ring 3.5..5 are 0; noise moves points (labels follow the moved point). */
function circle(n, noise, rand, push) {
  const radius = 5;
  const add = (rMin, rMax) => {
    const r = uniform(rand, rMin, rMax),
      angle = uniform(rand, 0, 2 * Math.PI);
    const x = r * Math.sin(angle) + uniform(rand, -radius, radius) * noise;
    const y = r * Math.cos(angle) + uniform(rand, -radius, radius) * noise;
    push(x, y, Math.hypot(x, y) < radius * 0.5 ? 1 : 0);
  };
  for (let i = 0; i < n / 2; i++) add(0, radius * 0.5);
  for (let i = n / 2; i < n; i++) add(radius * 0.7, radius);
}

/** Label 1 where x·y ≥ 0 (decided before the noise moves the point). */
function xor(n, noise, rand, push) {
  const pad = 0.3;
  for (let i = 0; i < n; i++) {
    let x = uniform(rand, -5, 5);
    x += x > 0 ? pad : -pad;
    let y = uniform(rand, -5, 5);
    y += y > 0 ? pad : -pad;
    const label = x * y >= 0 ? 1 : 0;
    push(x + uniform(rand, -5, 5) * noise, y + uniform(rand, -5, 5) * noise, label);
  }
}

/** Two Gaussian blobs at (2, 2) (label 1) and (-2, -2) (label 0); noise widens them (variance 0.5 .. 4). */
function gaussians(n, noise, rand, push) {
  const variance = 0.5 + (4 - 0.5) * (noise / 0.5);
  for (let i = 0; i < n; i++) {
    const label = i < n / 2 ? 1 : 0,
      c = label ? 2 : -2;
    push(normal(rand, c, variance), normal(rand, c, variance), label);
  }
}

/** Two interleaved spiral arms, 1.75 turns each. */
function spiral(n, noise, rand, push) {
  const half = n / 2;
  const arm = (count, deltaT, label) => {
    for (let i = 0; i < count; i++) {
      const r = (i / half) * 5,
        t = ((1.75 * i) / half) * 2 * Math.PI + deltaT;
      push(r * Math.sin(t) + uniform(rand, -1, 1) * noise, r * Math.cos(t) + uniform(rand, -1, 1) * noise, label);
    }
  };
  arm(Math.ceil(half), 0, 1);
  arm(n - Math.ceil(half), Math.PI, 0);
}

/** Regression: the target is (x₁ + x₂) / 10 at the noisy point, so it runs from -1 to 1 across the square. */
function plane(n, noise, rand, push) {
  const radius = 6;
  for (let i = 0; i < n; i++) {
    const x = uniform(rand, -radius, radius),
      y = uniform(rand, -radius, radius);
    const nx = uniform(rand, -radius, radius) * noise,
      ny = uniform(rand, -radius, radius) * noise;
    push(x, y, Math.min(1, Math.max(-1, (x + nx + y + ny) / 10)));
  }
}

/**
 * Regression: six bumps of height ±1 (alternating signs on a 3×2 lattice) that fall linearly to 0 at distance 2 from
 * their centres; a point's target is the bump of largest magnitude there, taken at the noisy point.
 */
function multiGaussian(n, noise, rand, push) {
  const bumps = [
    [-4, 2.5, 1],
    [0, 2.5, -1],
    [4, 2.5, 1],
    [-4, -2.5, -1],
    [0, -2.5, 1],
    [4, -2.5, -1],
  ];
  const target = (x, y) => {
    let t = 0;
    for (const [cx, cy, sign] of bumps) {
      const v = sign * Math.min(1, Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2));
      if (Math.abs(v) > Math.abs(t)) t = v;
    }
    return t;
  };
  const radius = 6;
  for (let i = 0; i < n; i++) {
    const x = uniform(rand, -radius, radius),
      y = uniform(rand, -radius, radius);
    const nx = uniform(rand, -radius, radius) * noise,
      ny = uniform(rand, -radius, radius) * noise;
    push(x, y, target(x + nx, y + ny));
  }
}

const GENERATORS = { circle, xor, gaussians, spiral, plane, 'multi-gaussian': multiGaussian };

/**
 * Generates `points` samples of `dataset`, shuffles them (seeded) and splits them: the first
 * round(points · split) are the training set, the rest the test set.
 * @returns {{ train: { x: Float64Array, labels: Uint8Array | Float64Array }, test: { x: Float64Array, labels: Uint8Array | Float64Array } }}
 *   x holds (x, y) pairs row by row; labels are a Uint8Array of 0/1 (classification) or a Float64Array of targets
 *   in [-1, 1] (regression).
 */
export function makeData({ dataset, points, noise, split, seed }) {
  const Labels = problemOf(dataset) === 'regression' ? Float64Array : Uint8Array;
  const gen = GENERATORS[dataset];
  if (!gen) throw new Error(`unknown dataset '${dataset}' (expected ${DATASETS.join('|')})`);
  const rand = mulberry32(seed);
  const xs = [],
    ys = [],
    labels = [];
  gen(points, noise, rand, (x, y, label) => {
    xs.push(x);
    ys.push(y);
    labels.push(label);
  });
  const order = xs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nTrain = Math.min(points - 1, Math.max(1, Math.round(points * split)));
  const pick = (ids) => {
    const x = new Float64Array(ids.length * 2),
      l = new Labels(ids.length);
    ids.forEach((id, r) => {
      x[2 * r] = xs[id];
      x[2 * r + 1] = ys[id];
      l[r] = labels[id];
    });
    return { x, labels: l };
  };
  return { train: pick(order.slice(0, nTrain)), test: pick(order.slice(nTrain)) };
}
