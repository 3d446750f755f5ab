/**
 * Regressor (API.md "Estimators"): an identity-output, mse Network trained on standardised targets, with
 * scikit-learn MLPRegressor's defaults and standard input scaling; predictions come back in the targets' units.
 * Input and target scaling are saved with the model.
 */
import type { Backend, BackendName } from '../backend.js';
import { ShapeError } from '../errors.js';
import type { Input, Matrix } from '../matrix.js';
import { Network } from '../network.js';
import { splitRows } from '../net/split.js';
import type { ToOnnxOptions } from '../onnx/export.js';
import { Estimator, checkShape, type FitPlan, type FitResult } from './estimator.js';
import { takeRows, toFeatures, toTargets } from './input.js';
import { metrics } from './metrics.js';
import { estimatorToOnnx } from './onnx.js';
import {
  resolveEstimatorOptions,
  resolveFitOptions,
  type EstimatorOptions,
  type FitOptions,
  type ResolvedFit,
} from './options.js';
import { applyScaler, fitScaler, invertScaler, type Scaler } from './scaler.js';
import { decodeScaler, encodeOptions, encodeScaler, parseEstimatorJSON, type EstimatorJSON } from './serialization.js';

/**
 * A regressor for tabular data: an identity-output, mse {@link Network} trained on standardised targets, with
 * scikit-learn MLPRegressor's defaults (one hidden layer of 100 relu units, Adam, learning rate 1e-3, L2 1e-4,
 * 200 epochs) and standard input scaling; predictions come back in the targets' units. `create()` loads the backend;
 * `fit` learns the sizes from the data and builds the network. Input and target scaling are saved with the model.
 */
export class Regressor extends Estimator {
  private targetScaler: Scaler | null = null;

  /**
   * Loads the backend (default 'auto') and checks the options; fit learns the sizes from the data.
   * @throws OptionError for invalid options, BackendError when the backend cannot load.
   */
  static async create(options: EstimatorOptions = {}): Promise<Regressor> {
    const o = resolveEstimatorOptions('Regressor.create', options);
    const { backend, owns } = await Estimator.loadBackendOption('Regressor.create', o.backend);
    return new Regressor('Regressor', backend, owns, o);
  }

  /**
   * Trains a fresh network on (x, y) (a second fit starts over); returns the per-epoch losses.
   * @param x - the features, one sample per row (numbers; CSV strings must be converted first).
   * @param y - the targets: one number per row, or rows of numbers (one column per target).
   * @param options - epochs, learning rate, optimizer, validation split, early stopping, weights, callbacks.
   * @throws ShapeError for rows of the wrong width, NaN or non-numeric values (naming the row and column);
   *   OptionError for bad options.
   */
  fit(x: Input, y: Input | ArrayLike<number>, options: FitOptions = {}): FitResult {
    this.live('Regressor.fit');
    const { plan, fit, commit } = this.prepare('Regressor.fit', x, y, options, false);
    return this.fitSync('Regressor.fit', plan, fit, commit);
  }

  /** fit without blocking the event loop (and with worker threads when created with threads > 1). */
  async fitAsync(x: Input, y: Input | ArrayLike<number>, options: FitOptions = {}): Promise<FitResult> {
    this.live('Regressor.fitAsync');
    const { plan, fit, commit } = this.prepare('Regressor.fitAsync', x, y, options, true);
    fit.signal?.throwIfAborted();
    return this.fitAsyncWith('Regressor.fitAsync', plan, fit, commit);
  }

  /** Predictions in the targets' units: rows × targets. */
  predict(x: Input): Matrix {
    const X = this.features('Regressor.predict', x);
    const p = this.network.predict(X);
    return invertScaler(this.targetScaler!, p);
  }

  /** R² on (x, y), the mean over targets. */
  score(x: Input, y: Input | ArrayLike<number>): number {
    const X = this.features('Regressor.score', x);
    const net = this.network;
    const Y = toTargets('Regressor.score', y, X.rows, net.layers[net.layers.length - 1]);
    return metrics.r2(Y, invertScaler(this.targetScaler!, net.predict(X)));
  }

  /** An ONNX model: input scaling (Sub, Div) in front, target un-scaling (Mul, Add) after the network. */
  toONNX(options?: ToOnnxOptions): Uint8Array {
    const net = this.fitted('Regressor.toONNX');
    return estimatorToOnnx('Regressor.toONNX', net, options ?? {}, this.scaler, this.targetScaler, null);
  }

  /**
   * Plain JSON with everything fromJSON needs: the options, the input and target scaling and the network's
   * parameters (float64 round-trips exactly).
   * @throws NotFittedError before fit.
   */
  toJSON(): EstimatorJSON {
    const net = this.fitted('Regressor.toJSON');
    return {
      format: 'fastnn-estimator',
      version: 1,
      kind: 'regressor',
      options: encodeOptions(this.opts, this.seed),
      scaler: this.scaler && encodeScaler(this.scaler),
      targetScaler: encodeScaler(this.targetScaler!),
      network: net.toJSON(),
    };
  }

  /** Loads a regressor saved by toJSON (the object or its text) onto a backend (default 'auto'). */
  static async fromJSON(json: unknown, backend?: BackendName | Backend | 'auto'): Promise<Regressor> {
    const j = parseEstimatorJSON(json, 'regressor');
    const o = resolveEstimatorOptions('Regressor.fromJSON', j.options);
    if (o.seed === undefined) throw new ShapeError('Regressor.fromJSON: options.seed is missing');
    const { backend: b, owns } = await Estimator.loadBackendOption('Regressor.fromJSON', backend);
    const r = new Regressor('Regressor', b, owns, o);
    try {
      const net = await Network.fromJSON(j.network, b);
      r.net = net;
      checkShape('Regressor.fromJSON', o, net);
      r.scaler = j.scaler === null ? null : decodeScaler('Regressor.fromJSON', 'scaler', j.scaler, net.layers[0]!);
      if ((r.scaler === null) !== (o.scale === 'none'))
        throw new ShapeError(`Regressor.fromJSON: scaler does not match options.scale '${o.scale}'`);
      r.targetScaler = decodeScaler(
        'Regressor.fromJSON',
        'targetScaler',
        j.targetScaler,
        net.layers[net.layers.length - 1]!,
      );
      if (r.targetScaler.kind !== 'standard')
        throw new ShapeError(`Regressor.fromJSON: targetScaler.kind is '${r.targetScaler.kind}', expected 'standard'`);
      return r;
    } catch (e) {
      r.dispose();
      throw e;
    }
  }

  private prepare(
    op: string,
    x: Input,
    y: Input | ArrayLike<number>,
    options: FitOptions,
    async: boolean,
  ): { plan: FitPlan; fit: ResolvedFit; commit: (n: Network) => void } {
    const X = toFeatures(op, x);
    const Y = toTargets(op, y, X.rows);
    const fit = resolveFitOptions(op, options, X.rows, false, async);
    let trainX = X,
      trainY = Y;
    let trainRows: number[] | null = null;
    let validation: FitPlan['validation'] = null;
    if (fit.validationSplit !== undefined) {
      // Network's split of the same seed: the rows `train` with validationSplit would hold out
      const s = splitRows(op, X.rows, fit.validationSplit, this.seed);
      trainRows = Array.from(s.train);
      const held = Array.from(s.validation);
      trainX = takeRows(X, trainRows);
      trainY = takeRows(Y, trainRows);
      validation = { x: takeRows(X, held), y: takeRows(Y, held) };
    }
    const scaler = this.fitInputScaler(trainX);
    const targetScaler = fitScaler('standard', trainY);
    if (scaler) trainX = applyScaler(scaler, trainX);
    if (validation)
      validation = {
        x: scaler ? applyScaler(scaler, validation.x) : validation.x,
        y: applyScaler(targetScaler, validation.y),
      };
    const extra: Record<string, unknown> = {};
    if (fit.sampleWeight)
      extra.sampleWeight = trainRows ? Float64Array.from(trainRows, (r) => fit.sampleWeight![r]!) : fit.sampleWeight;
    const plan: FitPlan = {
      outputs: Y.cols,
      outputActivation: 'identity',
      loss: 'mse',
      x: trainX,
      y: applyScaler(targetScaler, trainY),
      validation,
      extra,
    };
    return {
      plan,
      fit,
      commit: () => {
        this.scaler = scaler;
        this.targetScaler = targetScaler;
      },
    };
  }
}
