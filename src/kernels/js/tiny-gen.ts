/**
 * A shape-specialised small-layer kernel for the `js` backend, generated at run time (the idea of brain.js's
 * toFunction): for one plan shape (layer widths, activations, loss; SGD) it writes trainTiny's loop (tiny.ts) as
 * straight-line source with every weight, bias, z, a and dz in a local variable, compiles it once with
 * `new Function` and caches it per shape. Weights and biases are loaded from the heap at the start of a span and
 * written back at its end (with the last step's z/a/dz and the step counter); the losses go out per step as before.
 *
 * Same bits as trainTiny (and so as the general path): every expression is trainTiny's (and lossImpl's,
 * activateImpl's, activateBackwardImpl's) with the same operands in the same order: sums from 0 in index order
 * (forward over k, dx over j), the SGD step c - lr·(g·x + decay·c), the bias step b - lr·(g + 0·b).
 *
 * No injection path: the source is built only from numbers taken from the plan (widths, activation/loss codes
 * mapped through a fixed table, ABI word offsets) and fixed identifiers; no string from a user ever enters it.
 *
 * Where `new Function` is refused (a page whose Content-Security-Policy lacks 'unsafe-eval' throws EvalError),
 * the first failure is remembered and trainTiny's loop runs instead, silently: same results, no console output.
 */
import {
  ACT_IDENTITY,
  ACT_LEAKY_RELU,
  ACT_RELU,
  ACT_SIGMOID,
  ACT_SOFTMAX,
  ACT_SOFTPLUS,
  ACT_TANH,
  HP_ALPHA,
  HP_DECAY,
  HP_LR,
  HP_STEP,
  L_A,
  L_ACT,
  L_B,
  L_DZ,
  L_NIN,
  L_NOUT,
  L_W,
  L_Z,
  LOSS_BCE,
  LOSS_CE,
  LOSS_MSE,
  OPT_SGD,
  PLAN_HEADER,
  PLAN_HP,
  PLAN_LAYER_WORDS,
  PLAN_LAYERS,
  PLAN_LOSS,
  PLAN_LOSSES,
  PLAN_OPT,
  PLAN_ORDER,
  PLAN_XDATA,
  PLAN_YDATA,
} from '../../abi.js';
import type { F64, I32 } from './views.js';

/** A generated span: trainBatches(plan, first, count) for one shape. */
export type TinyKernel = (H: F64, I: I32, plan: number, first: number, count: number) => number;

/**
 * Generate only while the weights (Σ nIn·nOut) stay at most this many. Measured on Node 20 (medians of 300 calls,
 * generated / trainTiny's loop): 2-2-1 0.72–0.75×, 2-8-8-1 (88 weights) 0.59–0.65×, 3-16-4 (112) 0.63×, 4-10-10-3 (170)
 * 0.83–0.88×, but 8-8-8-8 (192) 1.05–2.7×, 16-16 (256) 1.5–3.5× and 4-16-16-3 (368) 1.35–3×: beyond ~150 weights V8
 * runs the straight-line function slower than the loop. (A variant that read the parameters in place instead of
 * holding them in locals was 30× slower than the loop at 368 weights, as if never optimized; it was dropped.)
 */
export const TINY_GEN_MAX_WEIGHTS = 128;

/**
 * Internal switches and counters (src/internal): `compile` is the one place `new Function` is called (a test
 * replaces it to throw EvalError, as a CSP page does); `evalRefused` is set by the first refusal; `runs` counts
 * spans run by generated code.
 */
export const tinyCodegen = {
  enabled: true,
  evalRefused: false,
  runs: 0,
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the generated kernel (see above); source built from plan numbers only
  compile: (params: string[], body: string): TinyKernel => new Function(...params, body) as TinyKernel,
};

const cache = new Map<string, TinyKernel | null>();

/** Forget every compiled kernel and the remembered refusal (tests). */
export function resetTinyCodegen(): void {
  cache.clear();
  tinyCodegen.evalRefused = false;
  tinyCodegen.runs = 0;
}

/** The generated kernel for this plan, or null (codegen off or refused, or a shape/optimizer it does not cover). */
export function tinyKernelFor(I: I32, plan: number): TinyKernel | null {
  if (!tinyCodegen.enabled || tinyCodegen.evalRefused) return null;
  const P = plan >> 2;
  if (I[P + PLAN_OPT] !== OPT_SGD) return null;
  const L = I[P + PLAN_LAYERS]!;
  const shape: number[] = [I[P + PLAN_LOSS]!];
  for (let l = 0; l < L; l++) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
    shape.push(I[R + L_NIN]!, I[R + L_NOUT]!, I[R + L_ACT]!);
  }
  if (weightCount(shape) > TINY_GEN_MAX_WEIGHTS) return null;
  const key = shape.join(',');
  let k = cache.get(key);
  if (k === undefined) {
    k = null;
    const src = generate(shape);
    if (src !== null) {
      try {
        k = tinyCodegen.compile(['H', 'I', 'plan', 'first', 'count'], src);
      } catch (e) {
        // EvalError under a Content-Security-Policy without 'unsafe-eval': remember it, use trainTiny's loop from now
        // on. (Anything else would be a bug of generate(): that shape keeps the loop; the tests count the runs.)
        if (e instanceof EvalError) {
          tinyCodegen.evalRefused = true;
          return null;
        }
      }
    }
    cache.set(key, k);
  }
  return k;
}

/** Σ nIn·nOut of shape = [loss, (nIn, nOut, act) per layer]. */
function weightCount(shape: number[]): number {
  let n = 0;
  for (let i = 1; i + 2 < shape.length; i += 3) n += shape[i]! * shape[i + 1]!;
  return n;
}

/** f(z) as an expression over the local `z` (activateImpl's formulas); null for softmax and unknown codes. */
function actExpr(act: number, z: string): string | null {
  switch (act) {
    case ACT_SIGMOID:
      return `1 / (1 + Math.exp(-${z}))`;
    case ACT_TANH:
      return `Math.tanh(${z})`;
    case ACT_RELU:
      return `(${z} > 0 ? ${z} : 0)`;
    case ACT_LEAKY_RELU:
      return `(${z} > 0 ? ${z} : alpha * ${z})`;
    case ACT_SOFTPLUS:
      return `(${z} > 0 ? ${z} : 0) + Math.log1p(Math.exp(-Math.abs(${z})))`;
    case ACT_IDENTITY:
      return z;
    default:
      return null;
  }
}

/** da·f'(z) (activateBackwardImpl's element-wise formulas); null for softmax and unknown codes. */
function dactExpr(act: number, da: string, z: string, a: string): string | null {
  switch (act) {
    case ACT_SIGMOID:
      return `${da} * (${a} * (1 - ${a}))`;
    case ACT_TANH:
      return `${da} * (1 - ${a} * ${a})`;
    case ACT_RELU:
      return `(${z} > 0 ? ${da} : 0)`;
    case ACT_LEAKY_RELU:
      return `(${z} > 0 ? ${da} : alpha * ${da})`;
    case ACT_SOFTPLUS:
      return `${da} * (1 / (1 + Math.exp(-${z})))`;
    case ACT_IDENTITY:
      return da;
    default:
      return null;
  }
}

/**
 * The kernel's body for shape = [loss, (nIn, nOut, act) per layer], or null when not covered. Every interpolated
 * value is a number (or a name built from numbers); see the note on injection above.
 */
function generate(shape: number[]): string | null {
  const lossKind = shape[0]!;
  if (lossKind !== LOSS_MSE && lossKind !== LOSS_BCE && lossKind !== LOSS_CE) return null;
  const L = (shape.length - 1) / 3;
  const nIn = (l: number): number => shape[1 + 3 * l]!;
  const nOut = (l: number): number => shape[2 + 3 * l]!;
  const act = (l: number): number => shape[3 + 3 * l]!;
  for (let l = 0; l < L; l++) {
    if (!Number.isInteger(nIn(l)) || !Number.isInteger(nOut(l)) || nIn(l) < 1 || nOut(l) < 1) return null;
    if (act(l) === ACT_SOFTMAX ? l !== L - 1 : actExpr(act(l), 'z') === null) return null;
  }
  const w = (l: number, j: number, k: number): string => `w${l}_${j}_${k}`;
  const b = (l: number, j: number): string => `b${l}_${j}`;
  const z = (l: number, j: number): string => `z${l}_${j}`;
  const a = (l: number, j: number): string => `a${l}_${j}`;
  const d = (l: number, j: number): string => `d${l}_${j}`;
  const inp = (l: number, k: number): string => (l === 0 ? `x${k}` : a(l - 1, k));
  const o: string[] = [];
  const P = 'P';
  o.push(`const ${P} = plan >> 2;`);
  o.push(
    `const xData = I[P + ${PLAN_XDATA}] >> 3, yData = I[P + ${PLAN_YDATA}] >> 3, order = I[P + ${PLAN_ORDER}] >> 2;`,
  );
  o.push(`const hp = I[P + ${PLAN_HP}] >> 3, lossesP = I[P + ${PLAN_LOSSES}], losses = lossesP >> 3;`);
  o.push(`const alpha = H[hp + ${HP_ALPHA}], lr = H[hp + ${HP_LR}], decay = H[hp + ${HP_DECAY}];`);
  for (let l = 0; l < L; l++) {
    const R = `P + ${PLAN_HEADER + l * PLAN_LAYER_WORDS}`;
    o.push(
      `const W${l} = I[${R} + ${L_W}] >> 3, B${l} = I[${R} + ${L_B}] >> 3, Z${l} = I[${R} + ${L_Z}] >> 3, A${l} = I[${R} + ${L_A}] >> 3, D${l} = I[${R} + ${L_DZ}] >> 3;`,
    );
    for (let j = 0; j < nOut(l); j++) {
      const ws: string[] = [];
      for (let k = 0; k < nIn(l); k++) ws.push(`${w(l, j, k)} = H[W${l} + ${j * nIn(l) + k}]`);
      o.push(`let ${ws.join(', ')}, ${b(l, j)} = H[B${l} + ${j}];`);
      o.push(`let ${z(l, j)} = H[Z${l} + ${j}], ${a(l, j)} = H[A${l} + ${j}], ${d(l, j)} = H[D${l} + ${j}];`);
    }
  }
  const n0 = nIn(0),
    nL = nOut(L - 1),
    last = L - 1,
    actL = act(last);
  o.push(`let step = H[hp + ${HP_STEP}], total = 0;`);
  o.push(`for (let i = first; i < first + count; i++) {`);
  o.push(`const s = I[order + i], xo = xData + s * ${n0}, to = yData + s * ${nL};`);
  for (let k = 0; k < n0; k++) o.push(`const x${k} = H[xo + ${k}];`);
  // forward: z = (Σ_k x_k·w_jk from 0, k in order) + b_j, a = f(z)
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < nOut(l); j++) {
      let sum = '0';
      for (let k = 0; k < nIn(l); k++) sum = `(${sum} + ${inp(l, k)} * ${w(l, j, k)})`;
      o.push(`${z(l, j)} = ${sum} + ${b(l, j)};`);
      if (act(l) !== ACT_SOFTMAX) o.push(`${a(l, j)} = ${actExpr(act(l), z(l, j))!};`);
    }
    if (act(l) === ACT_SOFTMAX) {
      // activateImpl's softmax: max, then e_j = exp(z_j - m) summed in j order, then a_j = e_j / s
      o.push(`{ let m = -Infinity;`);
      for (let j = 0; j < nOut(l); j++) o.push(`if (${z(l, j)} > m) m = ${z(l, j)};`);
      o.push(`let se = 0;`);
      for (let j = 0; j < nOut(l); j++) o.push(`${a(l, j)} = Math.exp(${z(l, j)} - m); se += ${a(l, j)};`);
      for (let j = 0; j < nOut(l); j++) o.push(`${a(l, j)} = ${a(l, j)} / se;`);
      o.push(`}`);
    }
  }
  // loss and the output layer's dz (lossImpl, then activateBackwardImpl for mse)
  o.push(`let loss;`);
  o.push(`{ let ls = 0;`);
  if (lossKind === LOSS_MSE && actL === ACT_SIGMOID) {
    o.push(`const f = 2 / ${nL};`);
    for (let j = 0; j < nL; j++) {
      o.push(`{ const v = ${a(last, j)}, e = v - H[to + ${j}]; ls += e * e; ${d(last, j)} = f * e * (v * (1 - v)); }`);
    }
    o.push(`loss = ls / ${nL};`);
  } else if (lossKind === LOSS_MSE) {
    o.push(`const f = 2 / ${nL};`);
    for (let j = 0; j < nL; j++)
      o.push(`{ const e = ${a(last, j)} - H[to + ${j}]; ls += e * e; ${d(last, j)} = f * e; }`);
    o.push(`loss = ls / ${nL};`);
    if (actL === ACT_SOFTMAX) {
      o.push(`let sd = 0;`);
      for (let j = 0; j < nL; j++) o.push(`sd += ${d(last, j)} * ${a(last, j)};`);
      for (let j = 0; j < nL; j++) o.push(`${d(last, j)} = ${a(last, j)} * (${d(last, j)} - sd);`);
    } else {
      for (let j = 0; j < nL; j++) o.push(`${d(last, j)} = ${dactExpr(actL, d(last, j), z(last, j), a(last, j))!};`);
    }
  } else if (lossKind === LOSS_BCE) {
    o.push(`const inv = 1 / ${nL};`);
    for (let j = 0; j < nL; j++) {
      const zj = z(last, j);
      o.push(
        `{ const ti = H[to + ${j}]; ls += (${zj} > 0 ? ${zj} : 0) - ti * ${zj} + Math.log1p(Math.exp(-Math.abs(${zj}))); ${d(last, j)} = (${a(last, j)} - ti) * inv; }`,
      );
    }
    o.push(`loss = ls / ${nL};`);
  } else {
    // cross-entropy, one row: log-sum-exp from z
    o.push(`let m = -Infinity;`);
    for (let j = 0; j < nL; j++) o.push(`if (${z(last, j)} > m) m = ${z(last, j)};`);
    o.push(`let e = 0;`);
    for (let j = 0; j < nL; j++) o.push(`e += Math.exp(${z(last, j)} - m);`);
    o.push(`const lse = m + Math.log(e), inv = 1 / 1;`);
    for (let j = 0; j < nL; j++) {
      o.push(
        `{ const tj = H[to + ${j}]; ls += tj * (lse - ${z(last, j)}); ${d(last, j)} = (${a(last, j)} - tj) * inv; }`,
      );
    }
    o.push(`loss = ls / 1;`);
  }
  o.push(`}`);
  o.push(`total += loss;`);
  o.push(`if (lossesP !== 0) H[losses + i] = loss;`);
  o.push(`step = step + 1;`);
  // backward: dx_k = Σ_j dz_j·w_jk (old weights, from 0 in j order), the SGD step, then dz below = dx ⊙ f'(z)
  for (let l = L - 1; l >= 0; l--) {
    if (l > 0) {
      for (let k = 0; k < nIn(l); k++) {
        let sum = '0';
        for (let j = 0; j < nOut(l); j++) sum = `(${sum} + ${d(l, j)} * ${w(l, j, k)})`;
        o.push(`const dx${l}_${k} = ${sum};`);
      }
    }
    for (let j = 0; j < nOut(l); j++) {
      for (let k = 0; k < nIn(l); k++) {
        const c = w(l, j, k);
        o.push(`${c} = ${c} - lr * (${d(l, j)} * ${inp(l, k)} + decay * ${c});`);
      }
      o.push(`${b(l, j)} = ${b(l, j)} - lr * (${d(l, j)} + 0 * ${b(l, j)});`);
    }
    if (l > 0) {
      for (let k = 0; k < nIn(l); k++) {
        o.push(`${d(l - 1, k)} = ${dactExpr(act(l - 1), `dx${l}_${k}`, z(l - 1, k), a(l - 1, k))!};`);
      }
    }
  }
  o.push(`}`);
  // write back: parameters, the last step's workspace, the step counter
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < nOut(l); j++) {
      for (let k = 0; k < nIn(l); k++) o.push(`H[W${l} + ${j * nIn(l) + k}] = ${w(l, j, k)};`);
      o.push(`H[B${l} + ${j}] = ${b(l, j)};`);
      o.push(`H[Z${l} + ${j}] = ${z(l, j)}; H[A${l} + ${j}] = ${a(l, j)}; H[D${l} + ${j}] = ${d(l, j)};`);
    }
  }
  o.push(`H[hp + ${HP_STEP}] = step;`);
  o.push(`return total;`);
  return o.join('\n');
}
