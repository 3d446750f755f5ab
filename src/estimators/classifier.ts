/**
 * Classifier (API.md "Estimators"): labels in, labels out, over a softmax + cross-entropy Network (two classes
 * too), with scikit-learn MLPClassifier's defaults and standard input scaling. Both saved with the model.
 */
import type { Backend, BackendName } from '../backend.js';
import { ShapeError } from '../errors.js';
import type { ToOnnxOptions } from '../onnx/export.js';
import type { Input, Matrix } from '../matrix.js';
import { Network } from '../network.js';
import { splitRows } from '../net/split.js';
import { Estimator, checkShape, type FitPlan, type FitResult } from './estimator.js';
import { toFeatures, toLabels, takeRows, type Label } from './input.js';
import { LabelEncoder, classesOf } from './labels.js';
import { estimatorToOnnx } from './onnx.js';
import {
  resolveEstimatorOptions,
  resolveFitOptions,
  type EstimatorOptions,
  type FitOptions,
  type ResolvedFit,
} from './options.js';
import { applyScaler } from './scaler.js';
import {
  decodeClasses,
  decodeScaler,
  encodeOptions,
  encodeScaler,
  parseEstimatorJSON,
  type EstimatorJSON,
} from './serialization.js';

/**
 * A classifier for tabular data: labels in, labels out, over a softmax + cross-entropy {@link Network} (two classes
 * too), with scikit-learn MLPClassifier's defaults (one hidden layer of 100 relu units, Adam, learning rate 1e-3,
 * L2 1e-4, 200 epochs) and standard input scaling. `create()` loads the backend; `fit` learns the sizes from the data
 * and builds the network. The labels, the scaling and the parameters are saved with the model.
 *
 * @example
 * ```ts
 * import { Classifier } from 'fastnn';
 *
 * const clf = await Classifier.create({ hidden: [8], seed: 1 });
 * clf.fit([[0, 0], [0, 1], [1, 0], [1, 1]], ['no', 'yes', 'yes', 'no'], { epochs: 500, learningRate: 0.05 });
 * console.log(clf.predict([[0, 1], [1, 1]])); // [ 'yes', 'no' ]
 * ```
 */
export class Classifier extends Estimator {
  private encoder: LabelEncoder | null = null;

  /**
   * Loads the backend (default 'auto') and checks the options; fit learns the sizes from the data.
   * @throws OptionError for invalid options, BackendError when the backend cannot load.
   */
  static async create(options: EstimatorOptions = {}): Promise<Classifier> {
    const o = resolveEstimatorOptions('Classifier.create', options);
    const { backend, owns } = await Estimator.loadBackendOption('Classifier.create', o.backend);
    return new Classifier('Classifier', backend, owns, o);
  }

  /** The labels seen in fit, sorted (numbers ascending, strings as JavaScript sorts them): predictProba's columns. */
  get classes(): readonly Label[] {
    this.fitted('Classifier.classes');
    return this.encoder!.classes;
  }

  /**
   * Trains a fresh network on (x, labels) (a second fit starts over); returns the per-epoch losses.
   * @param x - the features, one sample per row (numbers; CSV strings must be converted first).
   * @param labels - one label per row; at least two distinct labels.
   * @param options - epochs, learning rate, optimizer, validation split, early stopping, weights, callbacks.
   * @throws ShapeError for rows of the wrong width, NaN or non-numeric values (naming the row and column);
   *   OptionError for bad options.
   */
  fit(x: Input, labels: readonly Label[], options: FitOptions = {}): FitResult {
    this.live('Classifier.fit');
    const { plan, fit, commit } = this.prepare('Classifier.fit', x, labels, options, false);
    return this.fitSync('Classifier.fit', plan, fit, commit);
  }

  /** fit without blocking the event loop (and with worker threads when created with threads > 1). */
  async fitAsync(x: Input, labels: readonly Label[], options: FitOptions = {}): Promise<FitResult> {
    this.live('Classifier.fitAsync');
    const { plan, fit, commit } = this.prepare('Classifier.fitAsync', x, labels, options, true);
    fit.signal?.throwIfAborted();
    return this.fitAsyncWith('Classifier.fitAsync', plan, fit, commit);
  }

  /** One probability per class (columns in `classes` order) for every row. */
  predictProba(x: Input): Matrix {
    const X = this.features('Classifier.predictProba', x);
    return this.network.predict(X);
  }

  /** The most probable label of every row. */
  predict(x: Input): Label[] {
    const X = this.features('Classifier.predict', x);
    const p = this.network.predict(X);
    return this.encoder!.decode(p);
  }

  /** Accuracy on (x, labels); a label not seen in fit is a ShapeError naming its row. */
  score(x: Input, labels: readonly Label[]): number {
    const X = this.features('Classifier.score', x);
    const given = toLabels('Classifier.score', labels, X.rows);
    const codes = this.encoder!.encode('Classifier.score', given);
    const predicted = this.encoder!.encode('Classifier.score', this.encoder!.decode(this.network.predict(X)));
    let hit = 0;
    for (let r = 0; r < codes.length; r++) if (codes[r] === predicted[r]) hit++;
    return hit / codes.length;
  }

  /** An ONNX model: input scaling (Sub, Div) in front of the network; the output is predictProba's. */
  toONNX(options?: ToOnnxOptions): Uint8Array {
    const net = this.fitted('Classifier.toONNX');
    return estimatorToOnnx('Classifier.toONNX', net, options ?? {}, this.scaler, null, this.encoder!.classes);
  }

  /**
   * Plain JSON with everything fromJSON needs: the options, the input scaling, the labels and the network's
   * parameters (float64 round-trips exactly).
   * @throws NotFittedError before fit.
   */
  toJSON(): EstimatorJSON {
    const net = this.fitted('Classifier.toJSON');
    return {
      format: 'fastnn-estimator',
      version: 1,
      kind: 'classifier',
      options: encodeOptions(this.opts, this.seed),
      scaler: this.scaler && encodeScaler(this.scaler),
      classes: this.encoder!.classes.slice(),
      network: net.toJSON(),
    };
  }

  /** Loads a classifier saved by toJSON (the object or its text) onto a backend (default 'auto'). */
  static async fromJSON(json: unknown, backend?: BackendName | Backend | 'auto'): Promise<Classifier> {
    const j = parseEstimatorJSON(json, 'classifier');
    const o = resolveEstimatorOptions('Classifier.fromJSON', j.options);
    if (o.seed === undefined) throw new ShapeError('Classifier.fromJSON: options.seed is missing');
    const { backend: b, owns } = await Estimator.loadBackendOption('Classifier.fromJSON', backend);
    const c = new Classifier('Classifier', b, owns, o);
    try {
      const net = await Network.fromJSON(j.network, b);
      c.net = net;
      checkShape('Classifier.fromJSON', o, net);
      c.encoder = new LabelEncoder(decodeClasses(j.classes, net.layers[net.layers.length - 1]!));
      c.scaler = j.scaler === null ? null : decodeScaler('Classifier.fromJSON', 'scaler', j.scaler, net.layers[0]!);
      if ((c.scaler === null) !== (o.scale === 'none'))
        throw new ShapeError(`Classifier.fromJSON: scaler does not match options.scale '${o.scale}'`);
      return c;
    } catch (e) {
      c.dispose();
      throw e;
    }
  }

  private prepare(
    op: string,
    x: Input,
    labels: readonly Label[],
    options: FitOptions,
    async: boolean,
  ): { plan: FitPlan; fit: ResolvedFit; commit: (n: Network) => void } {
    const X = toFeatures(op, x);
    const y = toLabels(op, labels, X.rows);
    const fit = resolveFitOptions(op, options, X.rows, true, async);
    const classes = classesOf(y);
    if (classes.length < 2)
      throw new ShapeError(
        `${op}: labels hold only one class (${JSON.stringify(classes[0])}); a classifier needs at least 2`,
      );
    const encoder = new LabelEncoder(classes);
    const codes = encoder.encode(op, y);
    let trainRows: number[] | null = null;
    let validation: FitPlan['validation'] = null;
    let trainX = X,
      trainCodes = codes;
    if (fit.validationSplit !== undefined) {
      // Network's stratified split of the same seed: the rows `train` with validationSplit and stratify would hold out
      const s = splitRows(op, X.rows, fit.validationSplit, this.seed, codes);
      trainRows = Array.from(s.train);
      trainX = takeRows(X, trainRows);
      trainCodes = Int32Array.from(s.train, (r) => codes[r]!);
      validation = {
        x: takeRows(X, Array.from(s.validation)),
        y: encoder.oneHot(Int32Array.from(s.validation, (r) => codes[r]!)),
      };
    }
    const scaler = this.fitInputScaler(trainX);
    if (scaler) {
      trainX = applyScaler(scaler, trainX);
      if (validation) validation.x = applyScaler(scaler, validation.x);
    }
    const extra: Record<string, unknown> = {};
    if (fit.sampleWeight)
      extra.sampleWeight = trainRows ? Float64Array.from(trainRows, (r) => fit.sampleWeight![r]!) : fit.sampleWeight;
    if (fit.classWeight !== undefined) extra.classWeight = classWeightArray(op, fit.classWeight, classes);
    const plan: FitPlan = {
      outputs: classes.length,
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      x: trainX,
      y: encoder.oneHot(trainCodes),
      validation,
      extra,
    };
    return {
      plan,
      fit,
      commit: () => {
        this.encoder = encoder;
        this.scaler = scaler;
      },
    };
  }
}

/** classWeight by label as Network's per-class array (a label left out weighs 1, as in scikit-learn). */
function classWeightArray(
  op: string,
  w: 'balanced' | Record<string, number>,
  classes: readonly Label[],
): 'balanced' | number[] {
  if (w === 'balanced') return w;
  const names = new Map(classes.map((c, i) => [String(c), i]));
  const out = classes.map(() => 1);
  for (const [k, v] of Object.entries(w)) {
    const i = names.get(k);
    if (i === undefined)
      throw new ShapeError(
        `${op}: classWeight has the label '${k}', which is not one of the classes (${classes.map((c) => JSON.stringify(c)).join(', ')})`,
      );
    out[i] = v;
  }
  return out;
}
