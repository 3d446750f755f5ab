/**
 * Estimator and fit options (API.md "Estimators"): types, scikit-learn's MLP defaults, and validation (OptionError /
 * ShapeError before anything changes). The training controls (learning-rate functions, sampleWeight, classWeight,
 * dropout, 'adamw') are passed through to Network, which validates them like its own options.
 */
import { DTYPES, type Activation, type Backend, type BackendName, type Dtype } from '../backend.js';
import { checkOptions, describeValue, optEnum, optInt, optRange } from '../check.js';
import { OptionError, ShapeError } from '../errors.js';
import { resolveEarlyStopping, type EarlyStoppingOptions, type ResolvedEarlyStopping } from '../net/early-stopping.js';
import type { EpochInfo } from '../net/options.js';
import { ACTIVATIONS, MAX_WIDTH, checkSeed, checkThreads, resolveNetworkOptions } from '../net/options.js';
import { ACTIVATIONS as ACTIVATION_SPECS } from '../spec/index.js';
import type { ScaleKind } from './scaler.js';

export type { EarlyStoppingOptions } from '../net/early-stopping.js';

/** The options of {@link Classifier.create} and {@link Regressor.create}; all are optional. */
export interface EstimatorOptions {
  /** hidden layer sizes; default [100] */
  hidden?: readonly number[];
  /** hidden layers' activation; default 'relu' */
  activation?: Activation;
  /** input scaling fitted on the training rows and saved with the model; default 'standard' */
  scale?: ScaleKind | 'none';
  /** dropout rate on hidden layers (Network's `dropout`) */
  dropout?: number | readonly number[];
  /** seeds the initial weights, the shuffling and the validation split; omitted: a random seed (readable as .seed) */
  seed?: number;
  /** the network's element type (Network's `dtype`), saved with the model; default 'float64' */
  dtype?: Dtype;
  /** default 'auto' (the fastest backend that loads) */
  backend?: BackendName | Backend | 'auto';
  /** worker threads; default 1. More than 1 trains through fitAsync (starting workers is asynchronous) */
  threads?: number | 'auto';
}

/** The optimizers an estimator's fit can use (FitOptions.optimizer); default 'adam'. */
export type EstimatorOptimizer = 'sgd' | 'momentum' | 'adam' | 'adamw';

/** The options of fit and fitAsync; all are optional. */
export interface FitOptions {
  /** default 200 */
  epochs?: number;
  /** default 1e-3; or a function of the optimizer's step (see `schedules`) */
  learningRate?: number | ((step: number) => number);
  /** default 'adam' */
  optimizer?: EstimatorOptimizer;
  /** default min(200, training rows) */
  batchSize?: number;
  /**
   * L2 penalty, scikit-learn's `alpha`: each batch's loss gets alpha·||W||²/(2·batch rows) (weights, not biases);
   * default 1e-4. With 'adamw' it is the decoupled decay rate itself.
   */
  weightDecay?: number;
  /** in (0, 1): rows held out (seeded, stratified for classifiers) before scaling is fitted */
  validationSplit?: number;
  /**
   * Network's earlyStopping, passed through: true = { patience: 10, minDelta: 0, restoreBest: true }; monitors the
   * validation loss if any, else the training loss; with restoreBest the network ends at the best epoch's state.
   * Default off (see docs/estimators.md for why scikit-learn's tol stop is not reproduced).
   */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** one weight >= 0 per row */
  sampleWeight?: ArrayLike<number>;
  /** classifier: 'balanced' or a weight per label */
  classWeight?: 'balanced' | Record<string, number>;
  /** fitAsync only: aborting rejects and leaves the estimator as it was before the call */
  signal?: AbortSignal;
  /** after every epoch (0-based); false stops training */
  onEpoch?: (info: EpochInfo) => void | false;
}

export interface ResolvedEstimator {
  hidden: number[];
  activation: Activation;
  scale: ScaleKind | 'none';
  dropout: number | readonly number[] | undefined;
  seed: number | undefined;
  dtype: Dtype;
  threads: number | 'auto';
}

const ESTIMATOR_KEYS = ['hidden', 'activation', 'scale', 'dropout', 'seed', 'dtype', 'backend', 'threads'];
const FIT_KEYS = [
  'epochs',
  'learningRate',
  'optimizer',
  'batchSize',
  'weightDecay',
  'validationSplit',
  'earlyStopping',
  'sampleWeight',
  'classWeight',
  'signal',
  'onEpoch',
];
const HIDDEN_ACTIVATIONS = ACTIVATIONS.filter((a) => !ACTIVATION_SPECS[a].outputOnly);

export function resolveEstimatorOptions(op: string, options: unknown): ResolvedEstimator & { backend: unknown } {
  const o = checkOptions(op, options ?? {}, ESTIMATOR_KEYS);
  let hidden = [100];
  if (o.hidden !== undefined) {
    if (!Array.isArray(o.hidden))
      throw new OptionError(
        `${op}: hidden must be an array of layer sizes like [100], received ${describeValue(o.hidden)}`,
      );
    hidden = (o.hidden as unknown[]).map((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_WIDTH) {
        throw new OptionError(
          `${op}: hidden[${i}] must be an integer in [1, ${MAX_WIDTH}], received ${describeValue(s)}`,
        );
      }
      return s;
    });
  }
  const activation = optEnum(op, 'activation', o.activation, HIDDEN_ACTIVATIONS, 'relu');
  const scale = optEnum<ScaleKind | 'none'>(op, 'scale', o.scale, ['standard', 'minmax', 'none'], 'standard');
  if (o.dropout !== undefined) {
    resolveNetworkOptions(op, { layers: [1, ...hidden, 2], dropout: o.dropout });
  }
  const seed = o.seed === undefined ? undefined : checkSeed(op, o.seed);
  const threads = checkThreads(op, o.threads);
  const dtype = optEnum(op, 'dtype', o.dtype, DTYPES, 'float64');
  return {
    hidden,
    activation,
    scale,
    dropout: o.dropout as ResolvedEstimator['dropout'],
    seed,
    dtype,
    threads,
    backend: o.backend,
  };
}

export interface ResolvedFit {
  epochs: number;
  learningRate: number | ((step: number) => number);
  optimizer: EstimatorOptimizer;
  /** undefined: min(200, training rows) */
  batchSize: number | undefined;
  weightDecay: number;
  validationSplit: number | undefined;
  earlyStopping: ResolvedEarlyStopping | null;
  sampleWeight: Float64Array | undefined;
  classWeight: 'balanced' | Record<string, number> | undefined;
  signal: AbortSignal | undefined;
  onEpoch: ((info: EpochInfo) => void | false) | undefined;
}

/** Validates fit options against the data's row count; `async` allows `signal`. */
export function resolveFitOptions(
  op: string,
  options: unknown,
  rows: number,
  classifier: boolean,
  async: boolean,
): ResolvedFit {
  const o = checkOptions(op, options ?? {}, FIT_KEYS);
  const epochs = optInt(op, 'epochs', o.epochs, 1, 200);
  let learningRate: ResolvedFit['learningRate'] = 1e-3;
  if (typeof o.learningRate === 'function') {
    learningRate = o.learningRate as (step: number) => number;
  } else if (o.learningRate !== undefined) {
    if (typeof o.learningRate !== 'number' || !Number.isFinite(o.learningRate) || o.learningRate <= 0) {
      throw new OptionError(
        `${op}: learningRate must be a finite number > 0 (or a function of the step), received ${describeValue(o.learningRate)}`,
      );
    }
    learningRate = o.learningRate;
  }
  const optimizer = optEnum<EstimatorOptimizer>(
    op,
    'optimizer',
    o.optimizer,
    ['sgd', 'momentum', 'adam', 'adamw'],
    'adam',
  );
  const batchSize = o.batchSize === undefined ? undefined : optInt(op, 'batchSize', o.batchSize, 1);
  if (batchSize !== undefined && batchSize > MAX_WIDTH)
    throw new OptionError(`${op}: batchSize must be at most ${MAX_WIDTH}, received ${batchSize}`);
  const weightDecay = optRange(op, 'weightDecay', o.weightDecay, 0, Infinity, 1e-4);
  const validationSplit =
    o.validationSplit === undefined ? undefined : optRange(op, 'validationSplit', o.validationSplit, 0, 1, 0);
  if (validationSplit === 0)
    throw new OptionError(
      `${op}: validationSplit must be a number in (0, 1), received 0 (leave it out for no validation)`,
    );
  const earlyStopping = resolveEarlyStopping(op, o.earlyStopping);
  let sampleWeight: Float64Array | undefined;
  if (o.sampleWeight !== undefined) {
    const w = o.sampleWeight as ArrayLike<unknown>;
    if (typeof w !== 'object' || w === null || typeof w.length !== 'number') {
      throw new OptionError(
        `${op}: sampleWeight must be an array of numbers, one per row, received ${describeValue(o.sampleWeight)}`,
      );
    }
    if (w.length !== rows)
      throw new ShapeError(
        `${op}: sampleWeight has ${w.length} entries but x has ${rows} rows (expected one weight per row)`,
      );
    sampleWeight = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const v = w[r];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new ShapeError(`${op}: sampleWeight[${r}] is ${describeValue(v)}, expected a finite number >= 0`);
      sampleWeight[r] = v;
    }
  }
  let classWeight: ResolvedFit['classWeight'];
  if (o.classWeight !== undefined) {
    if (!classifier)
      throw new OptionError(`${op}: classWeight is an option of Classifier (a regressor has no classes)`);
    if (o.classWeight !== 'balanced') {
      if (typeof o.classWeight !== 'object' || o.classWeight === null || Array.isArray(o.classWeight)) {
        throw new OptionError(
          `${op}: classWeight must be 'balanced' or an object { label: weight }, received ${describeValue(o.classWeight)}`,
        );
      }
      for (const [k, v] of Object.entries(o.classWeight)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
          throw new OptionError(
            `${op}: classWeight['${k}'] must be a finite number >= 0, received ${describeValue(v)}`,
          );
      }
    }
    classWeight = o.classWeight as ResolvedFit['classWeight'];
  }
  if (o.signal !== undefined) {
    if (!async)
      throw new OptionError(`${op}: signal is an option of fitAsync (fit is synchronous and cannot be aborted)`);
    if (!(typeof AbortSignal !== 'undefined' && o.signal instanceof AbortSignal)) {
      throw new OptionError(`${op}: signal must be an AbortSignal, received ${describeValue(o.signal)}`);
    }
  }
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function')
    throw new OptionError(`${op}: onEpoch must be a function, received ${describeValue(o.onEpoch)}`);
  return {
    epochs,
    learningRate,
    optimizer,
    batchSize,
    weightDecay,
    validationSplit,
    earlyStopping,
    sampleWeight,
    classWeight,
    signal: o.signal,
    onEpoch: o.onEpoch as ResolvedFit['onEpoch'],
  };
}
