/**
 * The page's learning-rate settings mapped onto fastnn's `schedules` helpers (docs/training-controls.md, which holds
 * the formulas). The page's settings are in epochs (`warmup`, `decayEpochs`); the helpers count optimizer steps, and
 * an epoch is `stepsPerEpoch` steps (the training rows divided by the batch size, rounded up: the last batch may be
 * partial).
 *
 * - constant:    schedules.constant(learningRate) (with a warm-up: an exponential schedule of decay 1)
 * - step:        schedules.step({ initial: learningRate, every: decayEpochs, factor: decay })
 * - exponential: schedules.exponential({ initial: learningRate, decay, every: decayEpochs })
 * - cosine:      schedules.cosine({ initial: learningRate, final: learningRate · decay, steps: decayEpochs })
 * each with `warmup` (converted to steps) as the helpers' linear warm-up.
 */

export const SCHEDULES = ['constant', 'step', 'exponential', 'cosine'];

/**
 * The schedule of the page's settings, `(step) => rate`, for TrainOptions.learningRate.
 * @param {{ learningRate: number, schedule: string, decay: number, decayEpochs: number, warmup: number }} s
 * @param {number} stepsPerEpoch
 * @param {object} schedules fastnn's `schedules` export
 */
export function scheduleFor(s, stepsPerEpoch, schedules) {
  const initial = s.learningRate;
  const warmup = s.warmup * stepsPerEpoch;
  const every = s.decayEpochs * stepsPerEpoch;
  switch (s.schedule) {
    case 'constant':
      return warmup === 0 ? schedules.constant(initial) : schedules.exponential({ initial, decay: 1, warmup });
    case 'step':
      return schedules.step({ initial, every, factor: s.decay, warmup });
    case 'exponential':
      return schedules.exponential({ initial, decay: s.decay, every, warmup });
    case 'cosine':
      return schedules.cosine({ initial, final: initial * s.decay, steps: every, warmup });
    default:
      throw new Error(`unknown schedule '${s.schedule}' (expected ${SCHEDULES.join('|')})`);
  }
}

/** Whether the settings give one rate for the whole run (the worker then passes a number, not a function). */
export function isConstant(s) {
  return s.warmup === 0 && (s.schedule === 'constant' || s.decay === 1);
}
