/**
 * Early stopping with the best epoch's parameters restored, on top of Network's onEpoch: after each epoch the
 * monitored loss (validation if there is a validation set, else training) is compared with the best so far; a copy
 * of the live parameters (getParameters is allowed inside onEpoch) is kept for the best epoch, and after `patience`
 * epochs without an improvement of more than minDelta onEpoch returns false. When training has ended, restore()
 * writes the kept copy back (setParameters is refused inside onEpoch, allowed after train returns), bit for bit.
 */
import type { Network } from '../network.js';
import type { EpochInfo, LayerParameters } from '../net/options.js';
import type { ResolvedEarlyStopping } from './options.js';

export class EarlyStopping {
  best = Infinity;
  /** 0-based, as onEpoch's epoch; -1 before the first epoch */
  bestEpoch = -1;
  stopped = false;
  private wait = 0;
  private lastEpoch = -1;
  private bestParams: LayerParameters[] | null = null;

  constructor(private readonly o: ResolvedEarlyStopping, private readonly onValidation: boolean) {}

  /** Called at the end of each epoch; false = stop. */
  observe(info: EpochInfo, net: Network): boolean {
    const v = this.onValidation ? info.validationLoss! : info.loss;
    this.lastEpoch = info.epoch;
    if (v < this.best - this.o.minDelta) {
      this.best = v;
      this.bestEpoch = info.epoch;
      this.wait = 0;
      if (this.o.restoreBest) this.bestParams = net.getParameters();
      return true;
    }
    if (++this.wait >= this.o.patience) {
      this.stopped = true;
      return false;
    }
    return true;
  }

  /** After training: the best epoch's parameters back in the network (when restoreBest and it was not the last). */
  restore(net: Network): void {
    if (this.bestParams && this.bestEpoch !== this.lastEpoch) net.setParameters(this.bestParams);
    this.bestParams = null;
  }
}
