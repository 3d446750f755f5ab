/**
 * Learning-rate schedules: helpers that return a (step) => number for TrainOptions.learningRate. `step` is the
 * optimizer's step counter (0-based, continued across train calls and checkpoints). Every helper validates its
 * options when it is called (OptionError), so a bad schedule fails where it is written.
 */
import { describeValue } from './check.js';
import { OptionError } from './errors.js';

/** A learning rate as a function of the optimizer's step counter (0-based): TrainOptions.learningRate takes one. */
export type Schedule = (step: number) => number;

function num(op: string, key: string, v: unknown, lo: number, open = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (open ? v <= lo : v < lo)) {
    throw new OptionError(
      `${op}: ${key} must be a finite number ${open ? '>' : '>='} ${lo}, received ${describeValue(v)}`,
    );
  }
  return v;
}

function int(op: string, key: string, v: unknown, lo: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo) {
    throw new OptionError(`${op}: ${key} must be an integer >= ${lo}, received ${describeValue(v)}`);
  }
  return v;
}

function opts(op: string, o: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new OptionError(`${op}: expected an options object, received ${describeValue(o)}`);
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new OptionError(`${op}: unknown option '${k}' (expected ${keys.join('|')})`);
  return o as Record<string, unknown>;
}

/** A linear warm-up from ~0 to `initial` over the first `warmup` steps (rate · (step + 1) / warmup), then `after`. */
function withWarmup(initial: number, warmup: number, after: Schedule): Schedule {
  return warmup === 0 ? after : (step) => (step < warmup ? (initial * (step + 1)) / warmup : after(step - warmup));
}

/**
 * Learning-rate schedules: each helper validates its options when called (OptionError) and returns a
 * {@link Schedule} for TrainOptions.learningRate. `step` continues across train calls and checkpoints.
 *
 * @example
 * ```ts
 * import { schedules } from 'fastnn';
 *
 * const lr = schedules.cosine({ initial: 0.01, steps: 1000, warmup: 100 });
 * net.train(x, y, { epochs: 20, learningRate: lr, optimizer: 'adam' });
 * ```
 */
export const schedules = {
  /**
   * The same rate at every step.
   * @param lr - the rate, a finite number >= 0.
   */
  constant(lr: number): Schedule {
    const v = num('schedules.constant', 'lr', lr, 0);
    return () => v;
  },

  /**
   * initial · factor^floor(step / every), after an optional linear warm-up of `warmup` steps.
   * @param options.initial - the starting rate, >= 0.
   * @param options.every - steps between two drops, an integer >= 1.
   * @param options.factor - the factor of each drop, >= 0 (e.g. 0.5).
   * @param options.warmup - steps of linear warm-up from about 0 to `initial` first (rate · (step + 1) / warmup); default 0.
   */
  step(options: { initial: number; every: number; factor: number; warmup?: number }): Schedule {
    const op = 'schedules.step';
    const o = opts(op, options, ['initial', 'every', 'factor', 'warmup']);
    const initial = num(op, 'initial', o.initial, 0),
      every = int(op, 'every', o.every, 1);
    const factor = num(op, 'factor', o.factor, 0),
      warmup = o.warmup === undefined ? 0 : int(op, 'warmup', o.warmup, 0);
    return withWarmup(initial, warmup, (s) => initial * factor ** Math.floor(s / every));
  },

  /**
   * initial · decay^(step / every) (every defaults to 1: a smooth decay), after an optional warm-up.
   * @param options.initial - the starting rate, >= 0.
   * @param options.decay - the factor per `every` steps, >= 0 (e.g. 0.96).
   * @param options.every - steps per factor of `decay`, > 0; default 1.
   * @param options.warmup - steps of linear warm-up from about 0 to `initial` first; default 0.
   */
  exponential(options: { initial: number; decay: number; every?: number; warmup?: number }): Schedule {
    const op = 'schedules.exponential';
    const o = opts(op, options, ['initial', 'decay', 'every', 'warmup']);
    const initial = num(op, 'initial', o.initial, 0),
      decay = num(op, 'decay', o.decay, 0);
    const every = o.every === undefined ? 1 : num(op, 'every', o.every, 0, true);
    const warmup = o.warmup === undefined ? 0 : int(op, 'warmup', o.warmup, 0);
    return withWarmup(initial, warmup, (s) => initial * decay ** (s / every));
  },

  /**
   * Cosine decay from `initial` to `final` (default 0) over `steps` steps after the warm-up (the rate stays at
   * `final` afterwards): final + (initial - final) · (1 + cos(π · min(step, steps) / steps)) / 2.
   * With `warmup`, the rate first rises linearly over `warmup` steps (so the whole schedule is warmup + steps long).
   * @param options.initial - the rate at the start of the decay, >= 0.
   * @param options.final - the rate at the end and after, >= 0; default 0.
   * @param options.steps - the length of the decay in steps, an integer >= 1.
   * @param options.warmup - steps of linear warm-up from about 0 to `initial` first; default 0.
   */
  cosine(options: { initial: number; final?: number; steps: number; warmup?: number }): Schedule {
    const op = 'schedules.cosine';
    const o = opts(op, options, ['initial', 'final', 'steps', 'warmup']);
    const initial = num(op, 'initial', o.initial, 0),
      final = o.final === undefined ? 0 : num(op, 'final', o.final, 0);
    const steps = int(op, 'steps', o.steps, 1),
      warmup = o.warmup === undefined ? 0 : int(op, 'warmup', o.warmup, 0);
    return withWarmup(
      initial,
      warmup,
      (s) => final + ((initial - final) * (1 + Math.cos((Math.PI * Math.min(s, steps)) / steps))) / 2,
    );
  },
};
