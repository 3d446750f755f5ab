/**
 * The learning-rate schedules of the playground, as functions of the optimizer's step (0-based, counted over the
 * whole run). The page's settings are in epochs (`warmup`, `decayEpochs`); an epoch is `stepsPerEpoch` steps (the
 * training rows divided by the batch size, rounded up: the last batch may be partial).
 *
 * - warm-up (any schedule): during the first `warmup` epochs the rate rises linearly to `learningRate`
 *   (step s of W warm-up steps trains at learningRate · (s + 1) / W); the schedule below starts after it.
 * - constant:    learningRate
 * - step:        learningRate · decay^floor(e / decayEpochs)      (e = epochs since the warm-up, fractional)
 * - exponential: learningRate · decay^(e / decayEpochs)
 * - cosine:      from learningRate down to learningRate · decay along half a cosine over decayEpochs, then constant
 *
 * With fastnn's training controls, the page passes `(step) => learningRateAt(state, step, stepsPerEpoch)` as
 * TrainOptions.learningRate (evaluated for every step). Without them, the worker trains one epoch per call at
 * the rate of that epoch's first step (`learningRateAt(state, epoch · stepsPerEpoch, stepsPerEpoch)`).
 */

export const SCHEDULES = ['constant', 'step', 'exponential', 'cosine'];

/**
 * @param {{ learningRate: number, schedule: string, decay: number, decayEpochs: number, warmup: number }} s
 * @param {number} step the optimizer step, 0-based
 * @param {number} stepsPerEpoch
 */
export function learningRateAt(s, step, stepsPerEpoch) {
  const lr = s.learningRate;
  const warmSteps = s.warmup * stepsPerEpoch;
  if (step < warmSteps) return (lr * (step + 1)) / warmSteps;
  const since = step - warmSteps; // steps since the warm-up (an integer)
  const period = s.decayEpochs * stepsPerEpoch;
  switch (s.schedule) {
    case 'constant':
      return lr;
    case 'step':
      return lr * s.decay ** Math.floor(since / period);
    case 'exponential':
      return lr * s.decay ** (since / period);
    case 'cosine': {
      const p = Math.min(1, since / period), final = lr * s.decay;
      return final + (lr - final) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
    default:
      throw new Error(`unknown schedule '${s.schedule}' (expected ${SCHEDULES.join('|')})`);
  }
}

/**
 * How many epochs, from `epoch` on, start at the same rate as `epoch` (Infinity: every later one): the emulation
 * trains that many epochs in one call.
 */
export function sameRateEpochs(s, epoch) {
  if (epoch < s.warmup) return 1;
  const e = epoch - s.warmup;
  switch (s.schedule) {
    case 'constant':
      return Infinity;
    case 'step':
      return s.decay === 1 ? Infinity : s.decayEpochs - (e % s.decayEpochs);
    case 'exponential':
      return s.decay === 1 ? Infinity : 1;
    case 'cosine':
      return e >= s.decayEpochs || s.decay === 1 ? Infinity : 1;
    default:
      throw new Error(`unknown schedule '${s.schedule}' (expected ${SCHEDULES.join('|')})`);
  }
}
