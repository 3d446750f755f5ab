/**
 * The optimizer table: one row per optimizer (formulas in src/abi.ts; kernels in src/kernels/js/optim.ts,
 * assembly/optim.ts, rust/src/act.rs): its ABI code, its per-parameter state buffers and its options with
 * the hp slot each is written to and its default. Network's options and memory plan, the oracle and the
 * tests read it.
 */
import { HP_BETA1, HP_BETA2, HP_DECAY, HP_EPS, HP_LR, OPT } from '../abi.js';
import type { Optimizer } from '../backend.js';

/** A numeric option: its key in the options object, the hp slot it goes to, default and accepted range. */
export interface NumericOption {
  readonly key: string;
  /** HP_* slot (src/abi-spec.json) */
  readonly slot: number;
  /** undefined: required */
  readonly default: number | undefined;
  readonly min: number;
  readonly max: number;
  /** min itself is rejected (a positive number) */
  readonly minOpen?: boolean;
  /** max itself is rejected */
  readonly maxOpen?: boolean;
}

export interface OptimizerSpec {
  readonly name: Optimizer;
  /** ABI code (src/abi-spec.json), the PLAN_OPT plan word */
  readonly code: number;
  /**
   * per-parameter state buffers, each the shape of the parameter, in plan order: the first goes to
   * L_SW / L_SB, the second to L_SW2 / L_SB2 (momentum: v; adam: m, v)
   */
  readonly state: readonly string[];
  /** its own options (besides COMMON_OPTIMIZER_OPTIONS) */
  readonly options: readonly NumericOption[];
}

/** Options every optimizer takes. */
export const COMMON_OPTIMIZER_OPTIONS: readonly NumericOption[] = [
  { key: 'learningRate', slot: HP_LR, default: undefined, min: 0, max: Infinity, minOpen: true, maxOpen: true },
  { key: 'weightDecay', slot: HP_DECAY, default: 0, min: 0, max: Infinity, maxOpen: true },
];

export const OPTIMIZERS: { readonly [K in Optimizer]: OptimizerSpec & { readonly name: K } } = {
  sgd: { name: 'sgd', code: OPT.sgd, state: [], options: [] },
  momentum: {
    name: 'momentum',
    code: OPT.momentum,
    state: ['v'],
    options: [{ key: 'momentum', slot: HP_BETA1, default: 0.9, min: 0, max: 1, maxOpen: true }],
  },
  adam: {
    name: 'adam',
    code: OPT.adam,
    state: ['m', 'v'],
    options: [
      { key: 'beta1', slot: HP_BETA1, default: 0.9, min: 0, max: 1, maxOpen: true },
      { key: 'beta2', slot: HP_BETA2, default: 0.999, min: 0, max: 1, maxOpen: true },
      { key: 'epsilon', slot: HP_EPS, default: 1e-8, min: 0, max: Infinity, minOpen: true, maxOpen: true },
    ],
  },
  // Adam with decoupled weight decay (weightDecay is applied to the weights, not added to the gradient)
  adamw: {
    name: 'adamw',
    code: OPT.adamw,
    state: ['m', 'v'],
    options: [
      { key: 'beta1', slot: HP_BETA1, default: 0.9, min: 0, max: 1, maxOpen: true },
      { key: 'beta2', slot: HP_BETA2, default: 0.999, min: 0, max: 1, maxOpen: true },
      { key: 'epsilon', slot: HP_EPS, default: 1e-8, min: 0, max: Infinity, minOpen: true, maxOpen: true },
    ],
  },
};

/** Every optimizer name, in ABI code order. */
export const OPTIMIZER_NAMES: readonly Optimizer[] = (Object.keys(OPTIMIZERS) as Optimizer[]).sort(
  (a, b) => OPTIMIZERS[a].code - OPTIMIZERS[b].code,
);

/** The default of option `key` of optimizer `name` (e.g. optionDefault('adam', 'beta2') = 0.999). */
export function optionDefault(name: Optimizer, key: string): number | undefined {
  return [...OPTIMIZERS[name].options, ...COMMON_OPTIMIZER_OPTIONS].find((o) => o.key === key)?.default;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameNames: Same<Optimizer, keyof typeof OPT> = true;
void sameNames;
