/**
 * What Classifier and Regressor share: the backend they load once (create), the seed, the input scaler, and one
 * fit: build a fresh network of the data's sizes, train it (validation, early stopping), and only then replace the
 * previous one. A fit that fails or is aborted leaves the estimator as it was.
 */
import type { Activation, Backend, Loss } from '../backend.js';
import { loadBackend } from '../backends/index.js';
import { describeValue } from '../check.js';
import { DisposedError, NotFittedError, OptionError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { resolveBackend } from '../net/backend-option.js';
import { randomSeed, type NetworkOptions, type TrainOptions, type TrainResult } from '../net/options.js';
import { Network, createNetworkOn } from '../network.js';
import { toFeatures } from './input.js';
import type { ResolvedEstimator, ResolvedFit } from './options.js';
import { applyScaler, fitScaler, type Scaler } from './scaler.js';

/** What fit and fitAsync return. */
export interface FitResult {
  /** epochs trained */
  epochs: number;
  /** mean training loss of each epoch */
  losses: number[];
  /** with validationSplit: the validation loss after each epoch */
  validationLosses?: number[];
  /** with earlyStopping: the (0-based) epoch whose monitored loss was best; with restoreBest the network ends there */
  bestEpoch?: number;
  /** true when earlyStopping's patience ran out (not when onEpoch stopped training) */
  stoppedEarly: boolean;
}

/** One fit's network and data, prepared by a Classifier or a Regressor. */
export interface FitPlan {
  outputs: number;
  outputActivation: Activation;
  loss: Loss;
  x: Matrix;
  y: Matrix;
  validation: { x: Matrix; y: Matrix } | null;
  /** extra Network train options (sampleWeight, classWeight) */
  extra: Record<string, unknown>;
}

/**
 * scikit-learn's `alpha` as Network's weightDecay (coupled L2, g += decay·w on the weights): scikit-learn adds
 * alpha·||W||²/(2·B) to each batch's loss, B its rows; its cross-entropy is fastnn's, and its squared error
 * Σ_outputs (p - y)²/(2B) is K/2 times fastnn's mse (mean over B·K elements). So the same objective, up to a
 * constant factor (to which Adam is insensitive), is decay = alpha/B (cross-entropy) or 2·alpha/(K·B) (mse). Only a
 * last, smaller batch differs: fastnn uses the full batch's decay there too.
 */
export function decayFromAlpha(alpha: number, batch: number, loss: Loss, outputs: number): number {
  return loss === 'mse' ? (2 * alpha) / (outputs * batch) : alpha / batch;
}

/** A loaded network must be the one its saved options describe (hidden sizes, hidden activation). */
export function checkShape(op: string, o: ResolvedEstimator, net: Network): void {
  const hidden = net.layers.slice(1, -1);
  if (net.dtype !== o.dtype)
    throw new ShapeError(`${op}: the network computes in ${net.dtype}, but options.dtype is '${o.dtype}'`);
  if (hidden.join() !== o.hidden.join() || net.activations.slice(0, -1).some((a) => a !== o.activation)) {
    throw new ShapeError(
      `${op}: the network (layers ${net.layers.join('-')}, activations ${net.activations.join(', ')}) does not match options.hidden [${o.hidden.join(', ')}] and options.activation '${o.activation}'`,
    );
  }
}

export abstract class Estimator {
  /** the seed of every fit: initial weights, shuffling, the validation split */
  readonly seed: number;
  protected net: Network | null = null;
  protected scaler: Scaler | null = null;
  protected isDisposed = false;

  protected constructor(
    protected readonly kind: 'Classifier' | 'Regressor',
    protected readonly backendRef: Backend,
    protected readonly ownsBackend: boolean,
    protected readonly opts: ResolvedEstimator,
  ) {
    this.seed = opts.seed ?? randomSeed();
  }

  /** Loads the backend named by the options (default 'auto'); a Backend passed in stays the caller's. */
  protected static async loadBackendOption(op: string, v: unknown): Promise<{ backend: Backend; owns: boolean }> {
    if (v === undefined) return { backend: await loadBackend('auto'), owns: true };
    return resolveBackend(op, v);
  }

  /** The trained network (after fit). */
  get network(): Network {
    return this.fitted(`${this.kind}.network`);
  }

  /** The backend the network trains on (loaded by create, or the one given in the options). */
  get backend(): Backend {
    return this.backendRef;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Frees the network (and the backend, if the estimator loaded it); later calls throw DisposedError. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.net?.dispose();
    this.net = null;
    if (this.ownsBackend) this.backendRef.dispose();
  }

  protected live(op: string): void {
    if (this.isDisposed) throw new DisposedError(`${op}: the ${this.kind.toLowerCase()} was disposed`);
  }

  /** Before fit: a NotFittedError naming the method called (after dispose: DisposedError, from live). */
  protected fitted(op: string): Network {
    this.live(op);
    if (!this.net) {
      throw new NotFittedError(
        `${op}: this ${this.kind.toLowerCase()} is not fitted yet; call fit (or fitAsync) first, or load a fitted one with ${this.kind}.fromJSON`,
      );
    }
    return this.net;
  }

  /** x checked against the fitted width and scaled as in fit. */
  protected features(op: string, x: unknown): Matrix {
    const net = this.fitted(op);
    const X = toFeatures(op, x, net.layers[0]);
    return this.scaler ? applyScaler(this.scaler, X) : X;
  }

  /** Fits the input scaler on the training rows (null for scale: 'none'). */
  protected fitInputScaler(x: Matrix): Scaler | null {
    return this.opts.scale === 'none' ? null : fitScaler(this.opts.scale, x);
  }

  private networkOptions(plan: FitPlan): NetworkOptions & Record<string, unknown> {
    const o: NetworkOptions & Record<string, unknown> = {
      layers: [plan.x.cols, ...this.opts.hidden, plan.outputs],
      activation: this.opts.activation,
      outputActivation: plan.outputActivation,
      loss: plan.loss,
      // scikit-learn's MLP starts from Glorot (Xavier) weights too
      init: 'xavier',
      seed: this.seed,
    };
    if (this.opts.dropout !== undefined) o.dropout = this.opts.dropout;
    if (this.opts.dtype !== 'float64') o.dtype = this.opts.dtype;
    return o;
  }

  /**
   * Trains a fresh network on the plan; `commit` receives it only when training succeeded (and replaces the old one).
   * Synchronous fit trains on one thread; threads > 1 need fitAsync (starting worker threads is asynchronous).
   */
  protected fitSync(op: string, plan: FitPlan, fit: ResolvedFit, commit: (net: Network) => void): FitResult {
    if (this.opts.threads !== 1) {
      throw new OptionError(
        `${op}: this ${this.kind.toLowerCase()} was created with threads: ${describeValue(this.opts.threads)}; worker threads start asynchronously, so use fitAsync (or threads: 1)`,
      );
    }
    const net = createNetworkOn(op, this.networkOptions(plan), this.backendRef);
    try {
      const session = new FitSession(plan, fit);
      const res = session.finish(net.train(plan.x, plan.y, session.trainOptions as unknown as TrainOptions));
      this.replace(net, commit);
      return res;
    } catch (e) {
      net.dispose();
      throw e;
    }
  }

  protected async fitAsyncWith(
    op: string,
    plan: FitPlan,
    fit: ResolvedFit,
    commit: (net: Network) => void,
  ): Promise<FitResult> {
    const options = this.networkOptions(plan);
    const net =
      this.opts.threads === 1
        ? createNetworkOn(op, options, this.backendRef)
        : await Network.create({ ...options, backend: this.backendRef, threads: this.opts.threads });
    try {
      this.live(op);
      const session = new FitSession(plan, fit);
      const t = { ...session.trainOptions, ...(fit.signal ? { signal: fit.signal } : {}) } as unknown as TrainOptions;
      const res = session.finish(await net.trainAsync(plan.x, plan.y, t));
      this.live(op);
      this.replace(net, commit);
      return res;
    } catch (e) {
      net.dispose();
      throw e;
    }
  }

  private replace(net: Network, commit: (net: Network) => void): void {
    const old = this.net;
    this.net = net;
    commit(net);
    old?.dispose();
  }
}

/** One fit's Network train options (validation and early stopping are Network's own) and its result as a FitResult. */
class FitSession {
  readonly trainOptions: Record<string, unknown>;

  constructor(plan: FitPlan, fit: ResolvedFit) {
    const batch = fit.batchSize ?? Math.min(200, plan.x.rows);
    const decay =
      fit.optimizer === 'adamw'
        ? fit.weightDecay
        : decayFromAlpha(fit.weightDecay, Math.min(batch, plan.x.rows), plan.loss, plan.outputs);
    const t: Record<string, unknown> = {
      epochs: fit.epochs,
      learningRate: fit.learningRate,
      batchSize: batch,
      optimizer: fit.optimizer,
      weightDecay: decay,
      ...plan.extra,
    };
    if (plan.validation) t.validation = plan.validation;
    if (fit.earlyStopping) t.earlyStopping = { ...fit.earlyStopping };
    if (fit.onEpoch) t.onEpoch = fit.onEpoch;
    this.trainOptions = t;
  }

  finish(res: TrainResult): FitResult {
    const out: FitResult = { epochs: res.epochs, losses: res.losses, stoppedEarly: res.stoppedEarly };
    if (res.validationLosses) out.validationLosses = res.validationLosses;
    if (res.bestEpoch !== undefined) out.bestEpoch = res.bestEpoch;
    return out;
  }
}
