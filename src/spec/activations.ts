/**
 * The activation table: one row per activation, the one place (with the kernels and src/abi-spec.json) that
 * says what an activation is. Network's options, the heap binder, the oracle, the tests and the bench read it.
 *
 * `f` and `backward` are the reference formulas the oracle (src/reference/oracle.ts) evaluates per neuron; the
 * kernels in src/kernels/js/activation.ts, assembly/activation.ts and rust/src/act.rs compute the same
 * formulas in the same order. softmax is not element-wise (its row formulas are in the oracle), so its f/backward are null.
 */
import { ACT, HP_ALPHA } from '../abi.js';
import type { Activation } from '../backend.js';
import type { NumericOption } from './optimizers.js';

export interface ActivationSpec {
  readonly name: Activation;
  /** ABI code (src/abi-spec.json), the L_ACT plan word and the kernels' `act` argument */
  readonly code: number;
  /** the option its parameter is set with (leaky-relu: leakySlope, in hp slot HP_ALPHA); null: no parameter */
  readonly parameter: NumericOption | null;
  /** only allowed on the output layer (softmax) */
  readonly outputOnly: boolean;
  /** per row (softmax) instead of per element; then f and backward are null (the oracle has its row formulas) */
  readonly rowWise: boolean;
  /** init Network picks when the option `init` is omitted */
  readonly defaultInit: 'xavier' | 'he';
  /**
   * the closure of the values a = f(z) can take (sigmoid's (0, 1) as [0, 1], so 0/1 targets are inside): training
   * with loss 'mse' refuses targets outside the output activation's range, which the network could never reach
   */
  readonly range: readonly [number, number];
  /**
   * a = f(z); `alpha` is the parameter (leaky-relu's slope), ignored by the others. `r` rounds every operation's
   * result (the float32 oracle passes Math.fround: transcendentals computed in f64 and rounded; alpha narrowed);
   * omitted, the identity, so the float64 values are unchanged
   */
  readonly f: ((z: number, alpha: number, r?: Round) => number) | null;
  /**
   * dz = da·f'(z), given z and a = f(z), written exactly as the kernels write it (from a where cheaper:
   * sigmoid a(1-a), tanh 1-a²; relu and leaky-relu pass or scale da, so no 0·da turns into -0)
   */
  readonly backward: ((da: number, z: number, a: number, alpha: number, r?: Round) => number) | null;
}

/** Rounds one operation's result to the element type (identity for float64, Math.fround for float32). */
export type Round = (x: number) => number;
const id: Round = (x) => x;

const LEAKY_SLOPE: NumericOption = { key: 'leakySlope', slot: HP_ALPHA, default: 0.01, min: 0, max: 1, maxOpen: true };

export const ACTIVATIONS: { readonly [K in Activation]: ActivationSpec & { readonly name: K } } = {
  identity: {
    name: 'identity',
    code: ACT.identity,
    parameter: null,
    outputOnly: false,
    rowWise: false,
    defaultInit: 'xavier',
    range: [-Infinity, Infinity],
    f: (z) => z,
    backward: (da) => da,
  },
  sigmoid: {
    name: 'sigmoid',
    code: ACT.sigmoid,
    parameter: null,
    outputOnly: false,
    rowWise: false,
    defaultInit: 'xavier',
    range: [0, 1],
    // tutorial: f(x) = 1 / (1 + e^(-x)), f'(x) = f(x)·(1 - f(x))
    f: (z, _alpha, r = id) => r(1 / r(1 + r(Math.exp(-z)))),
    backward: (da, _z, a, _alpha, r = id) => r(da * r(a * r(1 - a))),
  },
  tanh: {
    name: 'tanh',
    code: ACT.tanh,
    parameter: null,
    outputOnly: false,
    rowWise: false,
    defaultInit: 'xavier',
    range: [-1, 1],
    f: (z, _alpha, r = id) => r(Math.tanh(z)),
    backward: (da, _z, a, _alpha, r = id) => r(da * r(1 - r(a * a))),
  },
  relu: {
    name: 'relu',
    code: ACT.relu,
    parameter: null,
    outputOnly: false,
    rowWise: false,
    defaultInit: 'he',
    range: [0, Infinity],
    f: (z) => (z > 0 ? z : 0),
    backward: (da, z) => (z > 0 ? da : 0),
  },
  'leaky-relu': {
    name: 'leaky-relu',
    code: ACT['leaky-relu'],
    parameter: LEAKY_SLOPE,
    outputOnly: false,
    rowWise: false,
    defaultInit: 'he',
    range: [-Infinity, Infinity],
    f: (z, alpha, r = id) => (z > 0 ? z : r(r(alpha) * z)),
    backward: (da, z, _a, alpha, r = id) => (z > 0 ? da : r(r(alpha) * da)),
  },
  softmax: {
    name: 'softmax',
    code: ACT.softmax,
    parameter: null,
    outputOnly: true,
    rowWise: true,
    defaultInit: 'xavier',
    range: [0, 1],
    f: null,
    backward: null,
  },
  softplus: {
    name: 'softplus',
    code: ACT.softplus,
    parameter: null,
    outputOnly: false,
    rowWise: false,
    defaultInit: 'xavier',
    range: [0, Infinity],
    // log(1 + e^z) without overflow: max(z, 0) + log1p(e^(-|z|)); f'(z) = sigmoid(z)
    f: (z, _alpha, r = id) => r((z > 0 ? z : 0) + r(Math.log1p(r(Math.exp(-Math.abs(z)))))),
    backward: (da, z, _a, _alpha, r = id) => r(da * r(1 / r(1 + r(Math.exp(-z))))),
  },
};

/** Every activation name, in ABI code order (the order error messages list them in). */
export const ACTIVATION_NAMES: readonly Activation[] = (Object.keys(ACTIVATIONS) as Activation[]).sort(
  (a, b) => ACTIVATIONS[a].code - ACTIVATIONS[b].code,
);

// the table, the public Activation type and the ABI's ACT codes name the same activations
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameNames: Same<Activation, keyof typeof ACT> = true;
void sameNames;
