/**
 * Early stopping (TrainOptions.earlyStopping): watches one loss per epoch (the validation loss when the call has
 * validation data, else the training loss), stops after `patience` epochs without an improvement of more than
 * `minDelta`, and with `restoreBest` keeps a copy of the whole training state (parameters, optimizer state and
 * counters, shuffle generator) of the best epoch, which the run copies back when it ends.
 */
import { checkOptions, describeValue, optBool, optInt } from '../check.js';
import { OptionError } from '../errors.js';

/**
 * When to stop training early: the monitored loss (the validation loss when there is validation data, else the
 * training loss) has not improved for `patience` epochs.
 */
export interface EarlyStoppingOptions {
  /** epochs without improvement before training stops; an integer >= 1, default 10 */
  patience?: number;
  /** an epoch improves when its loss is below the best so far minus minDelta; >= 0, default 0 */
  minDelta?: number;
  /** when training ends, go back to the best epoch's parameters and optimizer state; default true */
  restoreBest?: boolean;
}

export interface ResolvedEarlyStopping {
  patience: number;
  minDelta: number;
  restoreBest: boolean;
}

const KEYS = ['patience', 'minDelta', 'restoreBest'] as const;

/** `true` = { patience: 10, minDelta: 0, restoreBest: true }; false or undefined: off (null). */
export function resolveEarlyStopping(op: string, v: unknown): ResolvedEarlyStopping | null {
  if (v === undefined || v === false) return null;
  if (v === true) return { patience: 10, minDelta: 0, restoreBest: true };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new OptionError(
      `${op}: earlyStopping must be true, false or { ${KEYS.join(', ')} }, received ${describeValue(v)}`,
    );
  }
  const o = checkOptions(`${op}: earlyStopping`, v, KEYS);
  const patience = optInt(op, 'earlyStopping.patience', o.patience, 1, 10);
  const minDelta = o.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) {
    throw new OptionError(
      `${op}: earlyStopping.minDelta must be a finite number >= 0, received ${describeValue(o.minDelta)}`,
    );
  }
  const restoreBest = optBool(op, 'earlyStopping.restoreBest', o.restoreBest, true);
  return { patience, minDelta, restoreBest };
}

/** The bookkeeping of one run: the best loss and its epoch, and the epochs since. */
export class EarlyStopper {
  bestEpoch = -1;
  private best = Infinity;
  private wait = 0;
  stopped = false;

  constructor(readonly options: ResolvedEarlyStopping) {}

  /**
   * Records epoch `epoch`'s monitored loss. Returns 'best' when it improved (the caller saves the state), 'stop' when
   * patience ran out, else 'wait'. A non-finite loss never improves.
   */
  observe(epoch: number, loss: number): 'best' | 'wait' | 'stop' {
    if (loss < this.best - this.options.minDelta || (this.bestEpoch < 0 && Number.isFinite(loss))) {
      this.best = loss;
      this.bestEpoch = epoch;
      this.wait = 0;
      return 'best';
    }
    this.wait++;
    if (this.wait >= this.options.patience) {
      this.stopped = true;
      return 'stop';
    }
    return 'wait';
  }
}
