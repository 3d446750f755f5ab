/**
 * gradientCheck: compares a network's backprop gradients with central finite differences of its loss,
 * (L(θ+h) - L(θ-h)) / 2h with h = 1e-6·max(1, |θ|), so users can verify a network themselves.
 * The network's parameters are restored exactly afterwards.
 */
import { OptionError } from './errors.js';
import type { Input } from './matrix.js';
import type { Network } from './network.js';
import { mulberry32 } from './rng.js';

/** What {@link gradientCheck} returns. */
export interface GradientCheckResult {
  /** largest |g - ĝ| / max(1e-8, |g| + |ĝ|) over the checked parameters, counting only differences above the finite-difference noise */
  maxRelativeError: number;
  /** largest |g - ĝ| */
  maxAbsoluteError: number;
  /** where the largest relative error is: layer, and index into that layer's weights (or biases) */
  worst: {
    /** the layer (0 = the first dense layer) */
    layer: number;
    /** whether the parameter is a weight or a bias */
    kind: 'weights' | 'biases';
    /** the index into that layer's weights (row-major, out × in) or biases */
    index: number;
    /** the gradient by backprop, g */
    backprop: number;
    /** the central finite difference, ĝ */
    numeric: number;
  } | null;
  /** parameters checked */
  checked: number;
}

/**
 * Compares a network's backprop gradients on (x, y) with central finite differences of its loss,
 * (L(θ+h) - L(θ-h)) / 2h with h = 1e-6·max(1, |θ|). The network's parameters are restored exactly afterwards.
 * A correct network gives a maxRelativeError of about 1e-6 or less.
 * @param network - the network to check (not busy training).
 * @param x - the inputs.
 * @param y - the targets.
 * @param options - optional limits.
 * @param options.parameters - check at most this many parameters (a seeded sample), default all.
 * @param options.seed - the seed of that sample; default 1.
 * @throws OptionError when `parameters` is not >= 1; ShapeError for bad x or y.
 */
export function gradientCheck(
  network: Network,
  x: Input,
  y: Input,
  options: { parameters?: number; seed?: number } = {},
): GradientCheckResult {
  const limit = options.parameters ?? Infinity;
  if (!(limit >= 1))
    throw new OptionError(`gradientCheck: parameters must be >= 1, received ${String(options.parameters)}`);
  const { gradients } = network.gradients(x, y);
  const params = network.getParameters();
  const all: { layer: number; kind: 'weights' | 'biases'; index: number }[] = [];
  params.forEach((p, layer) => {
    for (let i = 0; i < p.weights.length; i++) all.push({ layer, kind: 'weights', index: i });
    for (let i = 0; i < p.biases.length; i++) all.push({ layer, kind: 'biases', index: i });
  });
  let picked = all;
  if (all.length > limit) {
    const rand = mulberry32(options.seed ?? 1);
    picked = all
      .map((v) => ({ v, k: rand() }))
      .sort((a, b) => a.k - b.k)
      .slice(0, limit)
      .map((e) => e.v);
  }
  const work = params.map((p) => ({ weights: p.weights.slice(), biases: p.biases.slice() }));
  const result: GradientCheckResult = { maxRelativeError: 0, maxAbsoluteError: 0, worst: null, checked: picked.length };
  try {
    for (const at of picked) {
      const arr = work[at.layer]![at.kind];
      const theta = arr[at.index]!;
      const h = 1e-6 * Math.max(1, Math.abs(theta));
      arr[at.index] = theta + h;
      network.setParameters(work);
      const lp = network.evaluate(x, y).loss;
      arr[at.index] = theta - h;
      network.setParameters(work);
      const lm = network.evaluate(x, y).loss;
      arr[at.index] = theta;
      const numeric = (lp - lm) / (2 * h);
      const backprop = gradients[at.layer]![at.kind][at.index]!;
      const abs = Math.abs(backprop - numeric);
      // rounding in L(θ±h) alone makes the difference quotient uncertain by about ε·|L|/h
      const noise = (10 * Number.EPSILON * Math.max(Math.abs(lp), Math.abs(lm))) / h;
      const rel = abs <= noise ? 0 : abs / Math.max(1e-8, Math.abs(backprop) + Math.abs(numeric));
      result.maxAbsoluteError = Math.max(result.maxAbsoluteError, abs);
      if (rel > result.maxRelativeError || result.worst === null) {
        result.maxRelativeError = Math.max(result.maxRelativeError, rel);
        if (rel >= result.maxRelativeError) result.worst = { ...at, backprop, numeric };
      }
    }
  } finally {
    network.setParameters(params);
  }
  return result;
}
