/**
 * The three optimizer steps of the `js` backend (formulas in src/abi.ts; the readable spec of
 * assembly/optim.ts and the optimizers in rust/src/act.rs). Element-wise over n parameters.
 */
import { HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_EPS, HP_LR } from '../../abi.js';
import type { F64 } from './views.js';

/** p -= lr·(g + decay·p) */
export function sgdImpl(D: F64, pp: number, gp: number, n: number, lr: number, decay: number): void {
  const p = pp >> 3,
    g = gp >> 3;
  for (let i = 0; i < n; i++) D[p + i] = D[p + i]! - lr * (D[g + i]! + decay * D[p + i]!);
}

/** v = μ·v + (g + decay·p); p -= lr·v */
export function momentumImpl(
  D: F64,
  pp: number,
  vp: number,
  gp: number,
  n: number,
  lr: number,
  mu: number,
  decay: number,
): void {
  const p = pp >> 3,
    v = vp >> 3,
    g = gp >> 3;
  for (let i = 0; i < n; i++) {
    const vi = mu * D[v + i]! + (D[g + i]! + decay * D[p + i]!);
    D[v + i] = vi;
    D[p + i] = D[p + i]! - lr * vi;
  }
}

/**
 * Adam with bias correction from the hp slots at byte offset hpp; `decay` passed explicitly (0 for biases).
 * Coupled (adam): the moments see g + decay·p; p -= lr·(m/(1-β1ᵗ))/(sqrt(v/(1-β2ᵗ)) + ε).
 * Decoupled (adamw): the moments see g alone; p -= lr·((m/(1-β1ᵗ))/(sqrt(v/(1-β2ᵗ)) + ε) + decay·p).
 */
export function adamImpl(
  D: F64,
  H: F64,
  pp: number,
  mp: number,
  vp: number,
  gp: number,
  n: number,
  hpp: number,
  decay: number,
  decoupled: boolean,
): void {
  const p = pp >> 3,
    m = mp >> 3,
    v = vp >> 3,
    g = gp >> 3,
    hp = hpp >>> 3;
  const lr = H[hp + HP_LR]!,
    b1 = H[hp + HP_BETA1]!,
    b2 = H[hp + HP_BETA2]!,
    eps = H[hp + HP_EPS]!;
  const c1 = 1 - H[hp + HP_BETA1_POW]!,
    c2 = 1 - H[hp + HP_BETA2_POW]!;
  for (let i = 0; i < n; i++) {
    const pi = D[p + i]!;
    const gi = decoupled ? D[g + i]! : D[g + i]! + decay * pi;
    const mi = b1 * D[m + i]! + (1 - b1) * gi;
    const vi = b2 * D[v + i]! + (1 - b2) * gi * gi;
    D[m + i] = mi;
    D[v + i] = vi;
    const mh = mi / c1,
      den = Math.sqrt(vi / c2) + eps;
    D[p + i] = decoupled ? pi - lr * (mh / den + decay * pi) : pi - (lr * mh) / den;
  }
}
