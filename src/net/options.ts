/**
 * Network and training options: the public option types, their defaults, and the one place that validates them
 * (every check throws OptionError/ShapeError before anything changes).
 */
import {
  DTYPES,
  type Activation,
  type Backend,
  type BackendName,
  type Dtype,
  type Loss,
  type Optimizer,
} from '../backend.js';
import {
  checkFiniteParams,
  checkOptions,
  checkTargets,
  describeElement,
  describeValue,
  optBool,
  optEnum,
  optInt,
  optPositive,
  optRange,
  toMatrix,
} from '../check.js';
import { OptionError, ShapeError } from '../errors.js';
import type { Input, Matrix } from '../matrix.js';
import { CONTROL_KEYS, resolveControls } from './controls.js';
import {
  ACTIVATIONS as ACTIVATION_SPECS,
  ACTIVATION_NAMES,
  COMMON_OPTIMIZER_OPTIONS,
  LOSSES as LOSS_SPECS,
  LOSS_NAMES,
  OPTIMIZERS as OPTIMIZER_SPECS,
  OPTIMIZER_NAMES,
  type NumericOption,
} from '../spec/index.js';
import { resolveEarlyStopping, type EarlyStoppingOptions, type ResolvedEarlyStopping } from './early-stopping.js';

export type { EarlyStoppingOptions } from './early-stopping.js';

/**
 * How the initial parameters are drawn from the seed: 'normal' = weights and biases N(0, 1), as the tutorial;
 * 'xavier' = weights N(0, 2 / (in + out)) and biases 0; 'he' = weights N(0, 2 / in) and biases 0 (variances shown).
 */
export type Init = 'normal' | 'xavier' | 'he';

/** The options of {@link Network.create}: only `layers` is required. */
export interface NetworkOptions {
  /** sizes, input first: [2, 2, 1] is the tutorial's network */
  layers: readonly number[];
  /** the hidden layers' activation; default 'sigmoid' */
  activation?: Activation;
  /** the output layer's activation; default: same as `activation`; 'softmax' is allowed only here */
  outputActivation?: Activation;
  /** default 'mse' (mean over all batch×output elements, as the tutorial's mse_loss) */
  loss?: Loss;
  /** 'normal' = N(0,1) as the tutorial; default 'xavier' ('he' for relu and leaky-relu) */
  init?: Init;
  /** seeds init, shuffling and dropout; omitted: a random seed, readable as net.seed */
  seed?: number;
  /**
   * a backend name, 'auto', or a loaded Backend to share (the caller keeps owning it); default 'auto': the fastest
   * backend that loads here; name one for bit-exact reruns across machines
   */
  backend?: BackendName | 'auto' | Backend;
  /**
   * worker threads sharing the backend's memory: an integer in [1, 16] or 'auto' (the logical CPUs, at most 16);
   * default 1. Any thread count gives the same bits as one thread. In a page that is not cross-origin isolated it
   * falls back to one thread with a warning.
   */
  threads?: number | 'auto';
  /** slope of leaky-relu for z < 0; default 0.01 */
  leakySlope?: number;
  /**
   * inverted dropout on the hidden layers' outputs while training: one rate for every hidden layer, or one per
   * hidden layer (layers.length - 2 of them); each in [0, 1); default 0 (none)
   */
  dropout?: number | readonly number[];
  /**
   * element type of parameters, optimizer state, activations, gradients and datasets: 'float32' halves their memory
   * and runs the float32 kernels; inputs are rounded to float32 on the way in; default 'float64'
   */
  dtype?: Dtype;
}

/** One dense layer's parameters, as getParameters returns them and setParameters takes them. */
export interface LayerParameters {
  /** out × in, row-major: row j = neuron j's incoming weights */
  weights: Float64Array;
  /** one per neuron of the layer (length out) */
  biases: Float64Array;
}

/** What onEpoch receives after each epoch. */
export interface EpochInfo {
  /** 0-based: the first epoch is 0 */
  epoch: number;
  /** the mean loss over the epoch's batches */
  loss: number;
  /** with TrainOptions.validation or validationSplit */
  validationLoss?: number;
  /** with validation data, when the network is a classifier (sigmoid or softmax output) and its targets are 0/1 */
  validationAccuracy?: number;
}

/** onEpoch's argument when the call has validation data (validation or validationSplit). */
export interface ValidatedEpochInfo extends EpochInfo {
  /** the loss on the validation data after this epoch */
  validationLoss: number;
}

/** The options of {@link Network.train} (and trainAsync, trainStream): `epochs` and `learningRate` are required. */
export interface TrainOptions {
  /** passes over the data; an integer >= 1 */
  epochs: number;
  /**
   * a number, or a function of the optimizer's step counter (0-based, continued across calls and checkpoints; see
   * `schedules`), evaluated for every step of the call before training starts
   */
  learningRate: number | ((step: number) => number);
  /** default 32; 1 = the tutorial's per-sample SGD */
  batchSize?: number;
  /** default true (seeded); false = the data's own order, as the tutorial */
  shuffle?: boolean;
  /** default 'sgd' */
  optimizer?: Optimizer;
  /** momentum coefficient μ for 'momentum'; default 0.9 */
  momentum?: number;
  /** Adam's (and AdamW's) β1, the decay of the first moment; default 0.9 */
  beta1?: number;
  /** Adam's (and AdamW's) β2, the decay of the second moment; default 0.999 */
  beta2?: number;
  /** Adam's (and AdamW's) ε, added to the second moment's square root; default 1e-8 */
  epsilon?: number;
  /** L2 weight decay on the weights (not the biases); default 0; with 'adamw' the decoupled decay */
  weightDecay?: number;
  /** > 0: scale every gradient by min(1, clipNorm / ||g||₂), the norm over all weights and biases together */
  clipNorm?: number;
  /** one finite weight >= 0 per row (not all 0): a batch's loss is Σ w·loss / Σ w; an all-0 batch is skipped */
  sampleWeight?: ArrayLike<number>;
  /** classification targets (one-hot rows, or one 0/1 output): a weight per class, multiplied into sampleWeight */
  classWeight?: 'balanced' | readonly number[];
  /** evaluated after each epoch and reported to onEpoch (not with validationSplit) */
  validation?: {
    /** the validation inputs */
    x: Input;
    /** the validation targets */
    y: Input;
  };
  /**
   * in (0, 1): hold out ceil(validationSplit · rows) rows of (x, y), chosen from the network's seed (the same rows on
   * every call), as the validation data; the others train, in their own order (not with validation)
   */
  validationSplit?: number;
  /** with validationSplit: hold out the same share of every class (one-hot y, or one output with 0/1 targets) */
  stratify?: boolean;
  /**
   * stop when the monitored loss (validation loss when there is validation data, else the training loss) has not
   * improved for `patience` epochs; `true` = { patience: 10, minDelta: 0, restoreBest: true }
   */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** after each epoch; returning false stops training (any other value continues) */
  onEpoch?: (info: EpochInfo) => void | boolean;
}

/** TrainOptions with validation data: onEpoch's info has validationLoss, and the result validationLosses. */
export type ValidatedTrainOptions = Omit<TrainOptions, 'onEpoch' | 'validation' | 'validationSplit'> &
  (
    | {
        /** evaluated after each epoch and reported to onEpoch */
        validation: {
          /** the validation inputs */
          x: Input;
          /** the validation targets */
          y: Input;
        };
        /** not with validation */
        validationSplit?: undefined;
      }
    | {
        /** in (0, 1): the share of rows held out as validation data (see TrainOptions.validationSplit) */
        validationSplit: number;
        /** not with validationSplit */
        validation?: undefined;
      }
  ) & {
    /** after each epoch, with the validation loss; returning false stops training */
    onEpoch?: (info: ValidatedEpochInfo) => void | boolean;
  };

/** What train, trainAsync and trainStream return. */
export interface TrainResult {
  /** epochs run */
  epochs: number;
  /** losses[e] = mean loss over epoch e's batches */
  losses: number[];
  /** with validation data: the validation loss after each epoch */
  validationLosses?: number[];
  /** with earlyStopping: the (0-based) epoch whose monitored loss was best; with restoreBest the network is at its end */
  bestEpoch?: number;
  /** true when earlyStopping's patience ran out (not when onEpoch stopped training) */
  stoppedEarly: boolean;
}

/** The result of a call with validation data. */
export type ValidatedTrainResult = TrainResult & {
  /** the validation loss after each epoch */
  validationLosses: number[];
};

export const ACTIVATIONS = ACTIVATION_NAMES;
export const LOSSES = LOSS_NAMES;
export const OPTIMIZERS = OPTIMIZER_NAMES;
export const INITS: readonly Init[] = ['normal', 'xavier', 'he'];
const NETWORK_KEYS = [
  'layers',
  'activation',
  'outputActivation',
  'loss',
  'init',
  'seed',
  'backend',
  'threads',
  'leakySlope',
  'dropout',
  'dtype',
] as const;
/** every optimizer's own options (spec tables) */
const OPTIMIZER_KEYS = [...new Set(OPTIMIZER_NAMES.flatMap((o) => OPTIMIZER_SPECS[o].options.map((n) => n.key)))];
const TRAIN_KEYS = [
  'epochs',
  'learningRate',
  'batchSize',
  'shuffle',
  'optimizer',
  ...OPTIMIZER_KEYS,
  ...COMMON_OPTIMIZER_OPTIONS.map((n) => n.key).filter((k) => k !== 'learningRate'),
  'validation',
  'validationSplit',
  'stratify',
  'earlyStopping',
  'onEpoch',
  ...CONTROL_KEYS,
];
/** Largest layer width (and batch size) accepted; keeps every size arithmetic exact in int32 byte offsets. */
export const MAX_WIDTH = 1 << 24;
/** Most threads a network trains with (the AssemblyScript kernels reserve packing scratch for this many). */
export const MAX_THREADS = 16;

/** What defines a network's math: sizes, activations per dense layer, loss, leaky slope, training dropout. */
export interface NetworkShape {
  layers: number[];
  activations: Activation[];
  loss: Loss;
  leakySlope: number;
  /** the dropout rate of each dense layer's output while training (length layers.length - 1; the output layer's 0) */
  dropout: number[];
  /** the element type of every data block */
  dtype: Dtype;
}

export interface ResolvedNetwork extends NetworkShape {
  init: Init;
  seed: number | undefined;
  threads: number | 'auto';
  backend: unknown;
}

export function resolveNetworkOptions(op: string, options: unknown): ResolvedNetwork {
  const o = checkOptions(op, options, NETWORK_KEYS);
  const layers = checkLayers(op, o.layers);
  const activation = optEnum(op, 'activation', o.activation, ACTIVATIONS, 'sigmoid');
  if (ACTIVATION_SPECS[activation].outputOnly && layers.length > 2) {
    throw new OptionError(
      `${op}: activation '${activation}' is only allowed on the output layer (use outputActivation: '${activation}')`,
    );
  }
  const outputActivation = optEnum(op, 'outputActivation', o.outputActivation, ACTIVATIONS, activation);
  const loss = optEnum(op, 'loss', o.loss, LOSSES, 'mse');
  checkLossPairing(op, loss, outputActivation);
  const init = optEnum(op, 'init', o.init, INITS, ACTIVATION_SPECS[activation].defaultInit);
  const seed = o.seed === undefined ? undefined : checkSeed(op, o.seed);
  const leakySlope = optRange(op, 'leakySlope', o.leakySlope, 0, 1, 0.01);
  const threads = checkThreads(op, o.threads);
  const activations = layers.slice(1).map((_, i) => (i === layers.length - 2 ? outputActivation : activation));
  const dropout = checkDropout(op, o.dropout, layers.length);
  const dtype = optEnum(op, 'dtype', o.dtype, DTYPES, 'float64');
  return { layers, activations, loss, leakySlope, dropout, dtype, init, seed, threads, backend: o.backend };
}

export interface ResolvedTrain {
  epochs: number;
  lr: number;
  batch: number;
  shuffle: boolean;
  optimizer: Optimizer;
  /** [hp slot, value] of every numeric option of the optimizer (spec tables), learningRate and weightDecay included */
  hp: [number, number][];
  validation: { x: Matrix; y: Matrix } | null;
  /** validationSplit (applied to the data by trainArgs (train-args.ts), which then sets `validation`) */
  split: { fraction: number; stratify: boolean } | null;
  earlyStopping: ResolvedEarlyStopping | null;
  onEpoch: ((info: EpochInfo) => void | boolean) | null;
  /** learningRate as a function (null: the number in hp) */
  schedule: ((step: number) => number) | null;
  /** 0: no clipping */
  clipNorm: number;
  /** validated sampleWeight (length checked against the data by the run), or null */
  sampleWeight: ArrayLike<number> | null;
  classWeight: 'balanced' | readonly number[] | null;
}

/** Validates training options and data against a network's shape; `copy` copies x and y (trainAsync keeps them). */
export function resolveTrain(
  op: string,
  shape: NetworkShape,
  x: Input,
  y: Input,
  options: unknown,
  extraKeys: readonly string[] = [],
  copy = false,
): { r: ResolvedTrain; X: Matrix; Y: Matrix; o: Record<string, unknown> } {
  const { r, o } = resolveTrainOptions(op, shape, options, extraKeys);
  const { X, Y } = checkTrainData(op, shape, x, y, copy);
  return { r, X, Y, o };
}

/** Validates training options (everything but the data); `o` holds the checked object for the extra keys. */
export function resolveTrainOptions(
  op: string,
  shape: NetworkShape,
  options: unknown,
  extraKeys: readonly string[] = [],
): { r: ResolvedTrain; o: Record<string, unknown> } {
  const o = checkOptions(op, options, [...TRAIN_KEYS, ...extraKeys]);
  const epochs = optInt(op, 'epochs', o.epochs, 1);
  const batch = optInt(op, 'batchSize', o.batchSize, 1, 32);
  if (batch > MAX_WIDTH) throw new OptionError(`${op}: batchSize must be at most ${MAX_WIDTH}, received ${batch}`);
  const shuffle = optBool(op, 'shuffle', o.shuffle, true);
  const optimizer = optEnum(op, 'optimizer', o.optimizer, OPTIMIZERS, 'sgd');
  const own = OPTIMIZER_SPECS[optimizer].options;
  for (const k of OPTIMIZER_KEYS) {
    if (o[k] !== undefined && !own.some((n) => n.key === k)) {
      const owner = OPTIMIZER_NAMES.find((name) => OPTIMIZER_SPECS[name].options.some((n) => n.key === k))!;
      throw new OptionError(`${op}: ${k} is an option of optimizer '${owner}', but optimizer is '${optimizer}'`);
    }
  }
  const schedule = typeof o.learningRate === 'function' ? (o.learningRate as (step: number) => number) : null;
  // a schedule writes each step's rate itself; the hp slot holds a placeholder
  const hp: [number, number][] = [...COMMON_OPTIMIZER_OPTIONS, ...own].map((n) => [
    n.slot,
    n.key === 'learningRate' && schedule ? 0 : numericOption(op, n, o[n.key]),
  ]);
  const lr = hp[0]![1];
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') {
    throw new OptionError(`${op}: onEpoch must be a function, received ${describeValue(o.onEpoch)}`);
  }
  let validation: ResolvedTrain['validation'] = null;
  if (o.validation !== undefined) {
    const v = checkOptions(`${op}: validation`, o.validation, ['x', 'y']);
    // always copied: it is read after every epoch, and onEpoch (the caller's code) runs in between
    const d = checkTrainData(op, shape, v.x as Input, v.y as Input, true, 'validation.');
    validation = { x: d.X, y: d.Y };
  }
  let split: ResolvedTrain['split'] = null;
  if (o.validationSplit !== undefined) {
    const f = o.validationSplit;
    if (typeof f !== 'number' || !(f > 0 && f < 1)) {
      throw new OptionError(
        `${op}: validationSplit must be a number in (0, 1) (the share of rows held out), received ${describeValue(f)}`,
      );
    }
    if (validation) {
      throw new OptionError(
        `${op}: validation and validationSplit were both given; pass one (validation: your own held-out rows, or validationSplit: a share of x to hold out)`,
      );
    }
    split = { fraction: f, stratify: optBool(op, 'stratify', o.stratify, false) };
  } else if (o.stratify !== undefined) {
    throw new OptionError(`${op}: stratify applies only with validationSplit, received stratify without it`);
  }
  const r: ResolvedTrain = {
    epochs,
    lr,
    batch,
    shuffle,
    optimizer,
    hp,
    validation,
    split,
    earlyStopping: resolveEarlyStopping(op, o.earlyStopping),
    onEpoch: (o.onEpoch as ResolvedTrain['onEpoch']) ?? null,
    schedule,
    ...resolveControls(op, o),
  };
  return { r, o };
}

/** x and y as matrices of the network's input and output widths, one target row per input row, valid targets. */
export function checkData(
  op: string,
  shape: NetworkShape,
  x: Input,
  y: Input,
  copy = false,
  prefix = '',
): { X: Matrix; Y: Matrix } {
  const X = toMatrix(op, `${prefix}x`, x, shape.layers[0], copy);
  const nOut = shape.layers[shape.layers.length - 1]!;
  checkNotClassIndices(op, `${prefix}y`, y, nOut);
  const Y = toMatrix(op, `${prefix}y`, y, nOut, copy);
  if (X.rows !== Y.rows)
    throw new ShapeError(
      `${op}: ${prefix}x has ${X.rows} rows but ${prefix}y has ${Y.rows} (expected one target row per input row)`,
    );
  checkTargets(op, `${prefix}y`, Y, shape.loss);
  return { X, Y };
}

/**
 * Targets given as class labels instead of rows of target values: a flat array of numbers ([0, 2, 1]), or one column
 * of class indices ([[0], [2], [1]]) for a network with several outputs. Refused with a ShapeError that says how to
 * give them (one-hot) or to use Classifier; anything else is left to toMatrix.
 */
function checkNotClassIndices(op: string, what: string, y: unknown, nOut: number): void {
  if (!Array.isArray(y) || y.length === 0) return;
  const oneHot =
    nOut > 1
      ? `one-hot them (rows of ${nOut}: class k is a 1 at index k, 0 elsewhere)`
      : 'give one row per sample ([[0], [1], ...])';
  if (typeof y[0] === 'number' || typeof y[0] === 'string') {
    throw new ShapeError(
      `${op}: ${what} is a flat array (${what}[0] is ${describeValue(y[0])}); expected one row of ${nOut} target value${nOut === 1 ? '' : 's'} per sample. ` +
        `For class labels, ${oneHot}, or use Classifier, which takes labels as they are.`,
    );
  }
  if (nOut === 1) return;
  const first: unknown = y[0];
  if (!(Array.isArray(first) || ArrayBuffer.isView(first)) || (first as ArrayLike<unknown>).length !== 1) return;
  // one column where several outputs are expected: class indices when every value is an integer in [0, nOut)
  for (const row of y as unknown[]) {
    if (!(Array.isArray(row) || ArrayBuffer.isView(row)) || (row as ArrayLike<unknown>).length !== 1) return;
    const v = (row as ArrayLike<unknown>)[0];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= nOut) return;
  }
  throw new ShapeError(
    `${op}: ${what} rows have 1 value, expected ${nOut}; the values look like class indices (integers in [0, ${nOut - 1}]): ${oneHot}, or use Classifier, which takes labels as they are.`,
  );
}

/** checkData for training: also refuses mse targets the output activation cannot reach (checkTargetRange). */
export function checkTrainData(
  op: string,
  shape: NetworkShape,
  x: Input,
  y: Input,
  copy = false,
  prefix = '',
): { X: Matrix; Y: Matrix } {
  const d = checkData(op, shape, x, y, copy, prefix);
  checkTargetRange(op, `${prefix}y`, d.Y, shape);
  return d;
}

/**
 * With loss 'mse', every target must lie in the output activation's range (spec table: sigmoid and softmax [0, 1],
 * tanh [-1, 1], relu [0, ∞)): a network trained towards a target it cannot reach learns nothing useful and says
 * nothing (a sigmoid output trained on targets of 40..240 predicts 1 everywhere).
 * @throws ShapeError naming the first such target's row and column, the range, and outputActivation: 'identity'.
 */
export function checkTargetRange(op: string, what: string, Y: Matrix, shape: NetworkShape): void {
  if (shape.loss !== 'mse') return;
  const act = shape.activations[shape.activations.length - 1]!;
  const [lo, hi] = ACTIVATION_SPECS[act].range;
  if (lo === -Infinity && hi === Infinity) return;
  const { cols, data } = Y;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v >= lo && v <= hi) continue;
    const range = `${lo === -Infinity ? '(-∞' : `[${lo}`}, ${hi === Infinity ? '∞)' : `${hi}]`}`;
    const classes =
      (act === 'sigmoid' || act === 'softmax') && Number.isInteger(v) && v > 1
        ? ' If the targets are class indices, one-hot them (one output per class, softmax and cross-entropy) or use Classifier.'
        : '';
    throw new ShapeError(
      `${op}: ${what}[${Math.floor(i / cols)}][${i % cols}] is ${v}, outside ${range}, the range of outputActivation '${act}', so with loss 'mse' ` +
        `the network can never reach it. For regression targets use outputActivation: 'identity' (or scale the targets into ${range}).${classes}`,
    );
  }
}

/** A numeric option of the spec tables: its default when omitted, else a finite number in its range. */
function numericOption(op: string, n: NumericOption, v: unknown): number {
  if (v === undefined && n.default !== undefined) return n.default;
  if (n.min === 0 && n.minOpen && n.max === Infinity) return optPositive(op, n.key, v);
  return optRange(op, n.key, v, n.min, n.max, NaN, n.maxOpen ?? false);
}

export function checkLayers(op: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length < 2) {
    throw new OptionError(
      `${op}: layers must be an array of at least 2 sizes (input first), received ${describeValue(v)}`,
    );
  }
  // an index loop, not forEach: a hole ([2, , 1]) must be refused, not skipped
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_WIDTH) {
      throw new OptionError(
        `${op}: layers[${i}] must be an integer in [1, ${MAX_WIDTH}], received ${describeElement(v, i)}`,
      );
    }
    out[i] = s;
  }
  return out;
}

export function checkLossPairing(op: string, loss: Loss, out: Activation): void {
  const need = LOSS_SPECS[loss].output;
  if (need !== null && out !== need)
    throw new OptionError(`${op}: loss '${loss}' needs outputActivation '${need}', received '${out}'`);
}

/** The per-layer dropout rates (length layers.length - 1, the output layer's 0) from the `dropout` option. */
export function checkDropout(op: string, v: unknown, nLayers: number): number[] {
  const hidden = nLayers - 2;
  const rates = new Array<number>(nLayers - 1).fill(0);
  if (v === undefined) return rates;
  const check = (x: unknown, what: string): number => {
    if (typeof x !== 'number' || !(x >= 0 && x < 1))
      throw new OptionError(`${op}: ${what} must be a number in [0, 1), received ${describeValue(x)}`);
    return x;
  };
  if (typeof v === 'number') {
    const p = check(v, 'dropout');
    if (p > 0 && hidden === 0)
      throw new OptionError(
        `${op}: dropout applies to hidden layers, and layers has none (received dropout ${p}); add a hidden layer or omit dropout`,
      );
    for (let l = 0; l < hidden; l++) rates[l] = p;
    return rates;
  }
  if (!Array.isArray(v) || v.length !== hidden) {
    throw new OptionError(
      `${op}: dropout must be a number in [0, 1) or an array of ${hidden} rates (one per hidden layer), received ${describeValue(v)}`,
    );
  }
  v.forEach((x: unknown, l) => (rates[l] = check(x, `dropout[${l}]`)));
  return rates;
}

export function checkSeed(op: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new OptionError(`${op}: seed must be an integer in [0, 4294967295], received ${describeValue(v)}`);
  }
  return v;
}

export function checkThreads(op: string, v: unknown): number | 'auto' {
  if (v === undefined) return 1;
  if (v === 'auto') return 'auto';
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_THREADS) return v;
  throw new OptionError(
    `${op}: threads must be an integer in [1, ${MAX_THREADS}] or 'auto', received ${describeValue(v)}`,
  );
}

/** Validates every layer's parameters (count, lengths, finite values) against the layer sizes; ShapeError otherwise. */
export function checkParameters(
  op: string,
  layers: readonly number[],
  params: unknown,
): asserts params is LayerParameters[] {
  const L = layers.length - 1;
  if (!Array.isArray(params) || params.length !== L) {
    throw new ShapeError(`${op}: expected ${L} layers, received ${describeValue(params)}`);
  }
  // an index loop, not forEach: a hole (setParameters([, l1])) must be refused, not skipped
  for (let l = 0; l < L; l++) {
    const p: unknown = params[l];
    const nIn = layers[l]!,
      nOut = layers[l + 1]!;
    if (typeof p !== 'object' || p === null)
      throw new ShapeError(`${op}: layer ${l} must be { weights, biases }, received ${describeElement(params, l)}`);
    const { weights, biases } = p as Partial<LayerParameters>;
    for (const [name, arr, n, cols] of [
      ['weights', weights, nIn * nOut, nIn],
      ['biases', biases, nOut, nOut],
    ] as const) {
      if (arr === undefined || arr === null || typeof (arr as ArrayLike<number>).length !== 'number') {
        throw new ShapeError(
          `${op}: layer ${l} ${name} must be an array of ${n} numbers, received ${describeValue(arr)}`,
        );
      }
      if (arr.length !== n) {
        throw new ShapeError(
          `${op}: layer ${l} ${name} has length ${arr.length}, expected ${n} (${name === 'weights' ? `${nOut}×${nIn}` : nOut})`,
        );
      }
      checkFiniteParams(op, `layer ${l} ${name}`, arr, cols);
    }
  }
}

export function checkSignal(op: string, signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
    throw new OptionError(`${op}: signal must be an AbortSignal, received ${describeValue(signal)}`);
  }
  return signal;
}

/** A seed for a network created without one (readable as net.seed). */
export function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 0x100000000);
}
