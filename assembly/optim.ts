/**
 * Optimizer steps over n parameters p with gradient g (in place on p and the state).
 *   sgd     : p -= lr·(g + decay·p)
 *   momentum: v = mu·v + (g + decay·p);  p -= lr·v
 *   adam    : g' = g + decay·p; m = β1·m + (1-β1)·g'; v = β2·v + (1-β2)·g'²;
 *             p -= lr·(m/(1-β1ᵗ)) / (sqrt(v/(1-β2ᵗ)) + ε)
 * The v128 loops evaluate the same expressions lane by lane (IEEE add, mul, div, sqrt), so they round
 * exactly like the scalar loop.
 *
 * Generic over the element type T (f64 or f32; the exports sgdStep, momentumStep, adamStep are the f64
 * instances): the hyper-parameters are computed in f64 as for float64 (1-β, the bias corrections 1-βᵗ) and
 * narrowed to T once; every element operation is in T.
 */
import { f64at, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_EPS, HP_LR } from './common';

/** The float64 export. */
export function sgdStep(p: usize, g: usize, n: i32, lr: f64, decay: f64): void {
  sgdStepT<f64>(p, g, n, lr, decay);
}

export function sgdStepT<T>(p: usize, g: usize, n: i32, lr64: f64, decay64: f64): void {
  const lr = <T>lr64, decay = <T>decay64;
  const nB = <usize>n << alignof<T>();
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = v128.splat<T>(lr), vd = v128.splat<T>(decay);
    for (; i + 16 <= nB; i += 16) {
      const pi = v128.load(p + i);
      v128.store(p + i, v128.sub<T>(pi, v128.mul<T>(vlr, v128.add<T>(v128.load(g + i), v128.mul<T>(vd, pi)))));
    }
  }
  for (; i < nB; i += sizeof<T>()) {
    const pi = load<T>(p + i);
    store<T>(p + i, pi - lr * (load<T>(g + i) + decay * pi));
  }
}

/** The float64 export. */
export function momentumStep(p: usize, v: usize, g: usize, n: i32, lr: f64, mu: f64, decay: f64): void {
  momentumStepT<f64>(p, v, g, n, lr, mu, decay);
}

export function momentumStepT<T>(p: usize, v: usize, g: usize, n: i32, lr64: f64, mu64: f64, decay64: f64): void {
  const lr = <T>lr64, mu = <T>mu64, decay = <T>decay64;
  const nB = <usize>n << alignof<T>();
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = v128.splat<T>(lr), vmu = v128.splat<T>(mu), vd = v128.splat<T>(decay);
    for (; i + 16 <= nB; i += 16) {
      const pi = v128.load(p + i);
      const vi = v128.add<T>(v128.mul<T>(vmu, v128.load(v + i)), v128.add<T>(v128.load(g + i), v128.mul<T>(vd, pi)));
      v128.store(v + i, vi);
      v128.store(p + i, v128.sub<T>(pi, v128.mul<T>(vlr, vi)));
    }
  }
  for (; i < nB; i += sizeof<T>()) {
    const pi = load<T>(p + i);
    const vi = mu * load<T>(v + i) + (load<T>(g + i) + decay * pi);
    store<T>(v + i, vi);
    store<T>(p + i, pi - lr * vi);
  }
}

/** Adam with an explicit decay (trainBatches passes 0 for biases). */
export function adamStepDecay<T>(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize, decay64: f64): void {
  const lr = <T>f64at(hp, HP_LR), b1 = <T>f64at(hp, HP_BETA1), b2 = <T>f64at(hp, HP_BETA2), eps = <T>f64at(hp, HP_EPS);
  const c1 = <T>(1.0 - f64at(hp, HP_BETA1_POW)), c2 = <T>(1.0 - f64at(hp, HP_BETA2_POW));
  const decay = <T>decay64;
  const nB = <usize>n << alignof<T>();
  const ob1 = <T>(1.0 - f64at(hp, HP_BETA1)), ob2 = <T>(1.0 - f64at(hp, HP_BETA2));
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = v128.splat<T>(lr), vb1 = v128.splat<T>(b1), vb2 = v128.splat<T>(b2), veps = v128.splat<T>(eps);
    const vc1 = v128.splat<T>(c1), vc2 = v128.splat<T>(c2), vob1 = v128.splat<T>(ob1), vob2 = v128.splat<T>(ob2);
    const vd = v128.splat<T>(decay);
    for (; i + 16 <= nB; i += 16) {
      const pi = v128.load(p + i);
      const gi = v128.add<T>(v128.load(g + i), v128.mul<T>(vd, pi));
      const mi = v128.add<T>(v128.mul<T>(vb1, v128.load(m + i)), v128.mul<T>(vob1, gi));
      const vi = v128.add<T>(v128.mul<T>(vb2, v128.load(v + i)), v128.mul<T>(v128.mul<T>(vob2, gi), gi));
      v128.store(m + i, mi);
      v128.store(v + i, vi);
      const step = v128.div<T>(v128.mul<T>(vlr, v128.div<T>(mi, vc1)), v128.add<T>(v128.sqrt<T>(v128.div<T>(vi, vc2)), veps));
      v128.store(p + i, v128.sub<T>(pi, step));
    }
  }
  for (; i < nB; i += sizeof<T>()) {
    const pi = load<T>(p + i);
    const gi = load<T>(g + i) + decay * pi;
    const mi = b1 * load<T>(m + i) + ob1 * gi;
    const vi = b2 * load<T>(v + i) + ob2 * gi * gi;
    store<T>(m + i, mi);
    store<T>(v + i, vi);
    store<T>(p + i, pi - (lr * (mi / c1)) / (sqrt<T>(vi / c2) + eps));
  }
}

/** adamStep(p, m, v, g, n, hp) (float64): hyper-parameters (and decay) from the f64 slots at hp. */
export function adamStep(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize): void {
  adamStepDecay<f64>(p, m, v, g, n, hp, f64at(hp, HP_DECAY));
}

/** AdamW (decoupled decay; trainBatches passes 0 for biases): p -= lr·((m/(1-β1ᵗ))/(sqrt(v/(1-β2ᵗ)) + ε) + decay·p). */
export function adamwStep<T>(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize, decay64: f64): void {
  const lr = <T>f64at(hp, HP_LR), b1 = <T>f64at(hp, HP_BETA1), b2 = <T>f64at(hp, HP_BETA2), eps = <T>f64at(hp, HP_EPS);
  const c1 = <T>(1.0 - f64at(hp, HP_BETA1_POW)), c2 = <T>(1.0 - f64at(hp, HP_BETA2_POW));
  const ob1 = <T>(1.0 - f64at(hp, HP_BETA1)), ob2 = <T>(1.0 - f64at(hp, HP_BETA2));
  const decay = <T>decay64;
  const nB = <usize>n << alignof<T>();
  for (let i: usize = 0; i < nB; i += sizeof<T>()) {
    const gi = load<T>(g + i);
    const mi = b1 * load<T>(m + i) + ob1 * gi;
    const vi = b2 * load<T>(v + i) + ob2 * gi * gi;
    store<T>(m + i, mi);
    store<T>(v + i, vi);
    const pi = load<T>(p + i);
    store<T>(p + i, pi - lr * ((mi / c1) / (sqrt<T>(vi / c2) + eps) + decay * pi));
  }
}
