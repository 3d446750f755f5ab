/**
 * The loss table: one row per loss (formulas in src/abi.ts `loss`; kernels in src/kernels/js/loss.ts,
 * assembly/loss.ts, rust/src/act.rs). Network's options, the heap binder, the oracle and the tests read it.
 */
import { LOSS } from '../abi.js';
import type { Activation, Loss } from '../backend.js';

export interface LossSpec {
  readonly name: Loss;
  /** ABI code (src/abi-spec.json), the PLAN_LOSS plan word and the `kind` argument of loss */
  readonly code: number;
  /** the output activation it must be paired with; null: any */
  readonly output: Activation | null;
  /**
   * what the kernel's gradient d is taken with respect to: 'a' (then the output layer's activateBackward runs)
   * or 'z' (the fused, stable p - y of sigmoid + BCE and softmax + CE: activateBackward is skipped)
   */
  readonly gradient: 'a' | 'z';
}

export const LOSSES: { readonly [K in Loss]: LossSpec & { readonly name: K } } = {
  mse: { name: 'mse', code: LOSS.mse, output: null, gradient: 'a' },
  'binary-cross-entropy': {
    name: 'binary-cross-entropy',
    code: LOSS['binary-cross-entropy'],
    output: 'sigmoid',
    gradient: 'z',
  },
  'cross-entropy': { name: 'cross-entropy', code: LOSS['cross-entropy'], output: 'softmax', gradient: 'z' },
};

/** Every loss name, in ABI code order. */
export const LOSS_NAMES: readonly Loss[] = (Object.keys(LOSSES) as Loss[]).sort(
  (a, b) => LOSSES[a].code - LOSSES[b].code,
);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameNames: Same<Loss, keyof typeof LOSS> = true;
void sameNames;
