/**
 * Optimizer steps over n parameters p with gradient g (all float64, in place on p and the state).
 *   sgd     : p -= lr·(g + decay·p)
 *   momentum: v = mu·v + (g + decay·p);  p -= lr·v
 *   adam    : g' = g + decay·p; m = β1·m + (1-β1)·g'; v = β2·v + (1-β2)·g'²;
 *             p -= lr·(m/(1-β1ᵗ)) / (sqrt(v/(1-β2ᵗ)) + ε)
 * The f64x2 loops evaluate the same expressions lane by lane (IEEE add, mul, div, sqrt), so they round
 * exactly like the scalar loop.
 */
import { f64at, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_EPS, HP_LR } from './common';

export function sgdStep(p: usize, g: usize, n: i32, lr: f64, decay: f64): void {
  const nB = <usize>n << 3;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f64x2.splat(lr), vd = f64x2.splat(decay);
    for (; i + 16 <= nB; i += 16) {
      const pi = v128.load(p + i);
      v128.store(p + i, f64x2.sub(pi, f64x2.mul(vlr, f64x2.add(v128.load(g + i), f64x2.mul(vd, pi)))));
    }
  }
  for (; i < nB; i += 8) {
    const pi = load<f64>(p + i);
    store<f64>(p + i, pi - lr * (load<f64>(g + i) + decay * pi));
  }
}

export function momentumStep(p: usize, v: usize, g: usize, n: i32, lr: f64, mu: f64, decay: f64): void {
  const nB = <usize>n << 3;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f64x2.splat(lr), vmu = f64x2.splat(mu), vd = f64x2.splat(decay);
    for (; i + 16 <= nB; i += 16) {
      const pi = v128.load(p + i);
      const vi = f64x2.add(f64x2.mul(vmu, v128.load(v + i)), f64x2.add(v128.load(g + i), f64x2.mul(vd, pi)));
      v128.store(v + i, vi);
      v128.store(p + i, f64x2.sub(pi, f64x2.mul(vlr, vi)));
    }
  }
  for (; i < nB; i += 8) {
    const pi = load<f64>(p + i);
    const vi = mu * load<f64>(v + i) + (load<f64>(g + i) + decay * pi);
    store<f64>(v + i, vi);
    store<f64>(p + i, pi - lr * vi);
  }
}

/** Adam with an explicit decay (trainBatches passes 0 for biases). */
export function adamStepDecay(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize, decay: f64): void {
  const lr = f64at(hp, HP_LR), b1 = f64at(hp, HP_BETA1), b2 = f64at(hp, HP_BETA2), eps = f64at(hp, HP_EPS);
  const c1 = 1.0 - f64at(hp, HP_BETA1_POW), c2 = 1.0 - f64at(hp, HP_BETA2_POW);
  const nB = <usize>n << 3;
  const ob1 = 1.0 - b1, ob2 = 1.0 - b2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f64x2.splat(lr), vb1 = f64x2.splat(b1), vb2 = f64x2.splat(b2), veps = f64x2.splat(eps);
    const vc1 = f64x2.splat(c1), vc2 = f64x2.splat(c2), vob1 = f64x2.splat(ob1), vob2 = f64x2.splat(ob2);
    const vd = f64x2.splat(decay);
    for (; i + 16 <= nB; i += 16) {
      const pi = v128.load(p + i);
      const gi = f64x2.add(v128.load(g + i), f64x2.mul(vd, pi));
      const mi = f64x2.add(f64x2.mul(vb1, v128.load(m + i)), f64x2.mul(vob1, gi));
      const vi = f64x2.add(f64x2.mul(vb2, v128.load(v + i)), f64x2.mul(f64x2.mul(vob2, gi), gi));
      v128.store(m + i, mi);
      v128.store(v + i, vi);
      const step = f64x2.div(f64x2.mul(vlr, f64x2.div(mi, vc1)), f64x2.add(f64x2.sqrt(f64x2.div(vi, vc2)), veps));
      v128.store(p + i, f64x2.sub(pi, step));
    }
  }
  for (; i < nB; i += 8) {
    const pi = load<f64>(p + i);
    const gi = load<f64>(g + i) + decay * pi;
    const mi = b1 * load<f64>(m + i) + ob1 * gi;
    const vi = b2 * load<f64>(v + i) + ob2 * gi * gi;
    store<f64>(m + i, mi);
    store<f64>(v + i, vi);
    store<f64>(p + i, pi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps));
  }
}

/** adamStep(p, m, v, g, n, hp): hyper-parameters (and decay) from the f64 slots at hp. */
export function adamStep(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize): void {
  adamStepDecay(p, m, v, g, n, hp, f64at(hp, HP_DECAY));
}

/** AdamW (decoupled decay; trainBatches passes 0 for biases): p -= lr·((m/(1-β1ᵗ))/(sqrt(v/(1-β2ᵗ)) + ε) + decay·p). */
export function adamwStep(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize, decay: f64): void {
  const lr = f64at(hp, HP_LR), b1 = f64at(hp, HP_BETA1), b2 = f64at(hp, HP_BETA2), eps = f64at(hp, HP_EPS);
  const c1 = 1.0 - f64at(hp, HP_BETA1_POW), c2 = 1.0 - f64at(hp, HP_BETA2_POW);
  const ob1 = 1.0 - b1, ob2 = 1.0 - b2;
  const nB = <usize>n << 3;
  for (let i: usize = 0; i < nB; i += 8) {
    const gi = load<f64>(g + i);
    const mi = b1 * load<f64>(m + i) + ob1 * gi;
    const vi = b2 * load<f64>(v + i) + ob2 * gi * gi;
    store<f64>(m + i, mi);
    store<f64>(v + i, vi);
    const pi = load<f64>(p + i);
    store<f64>(p + i, pi - lr * ((mi / c1) / (Math.sqrt(vi / c2) + eps) + decay * pi));
  }
}
