/**
 * Network: layer sizes, parameters and training over one Backend (API.md "Network").
 *
 * Everything the network trains with lives in the backend's linear memory for the network's whole life:
 * parameters, gradients, activations, optimizer state and the `plan` (src/abi.ts) that describes them to
 * the fused `trainBatches` kernel, so one epoch crosses the JS/WASM boundary once and copies no parameters.
 * All validation happens here, before anything changes: a call that throws leaves the network as it was.
 */
import {
  ACT, HP_ALPHA, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_EPS, HP_LR, HP_SIZE, HP_STEP,
  L_A, L_ACT, L_B, L_DB, L_DW, L_DZ, L_NIN, L_NOUT, L_SB, L_SB2, L_SW, L_SW2, L_W, L_Z, LOSS, OPT,
  PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_OPT, PLAN_ORDER, PLAN_SAMPLES,
  PLAN_LOSSES, PLAN_T, PLAN_X0, PLAN_XDATA, PLAN_YDATA, SYNC_BYTES, planBytes,
} from './abi.js';
import type { Activation, Backend, BackendName, Loss, Optimizer } from './backend.js';
import { memoryIsShared } from './backends/heap.js';
import { loadBackend } from './backends/index.js';
import { ThreadPool, nodeThreadCount, poolForSyncTrain } from './backends/threads.js';
import {
  checkFiniteParams, checkOptions, checkTargets, describeValue, optBool, optEnum, optInt, optPositive, optRange, toMatrix,
} from './check.js';
import { BackendError, DisposedError, NnError, OptionError, ShapeError, TrainingError } from './errors.js';
import type { Input, Matrix } from './matrix.js';
import { mulberry32, normalFrom } from './rng.js';

export type Init = 'normal' | 'xavier' | 'he';

export interface NetworkOptions {
  /** sizes, input first: [2, 2, 1] is the tutorial's network */
  layers: readonly number[];
  /** hidden layers; default 'sigmoid' */
  activation?: Activation;
  /** default: same as `activation`; 'softmax' only here */
  outputActivation?: Activation;
  /** default 'mse' (mean over all batch×output elements, as the tutorial's mse_loss) */
  loss?: Loss;
  /** 'normal' = N(0,1) as the tutorial; default 'xavier' ('he' for relu and leaky-relu) */
  init?: Init;
  /** seeds init and shuffling; omitted: a random seed, readable as net.seed */
  seed?: number;
  /** default 'js'; 'auto' = the fastest backend that loads here */
  backend?: BackendName | 'auto' | Backend;
  /** worker threads sharing the backend's memory; default 1 */
  threads?: number | 'auto';
  /** slope of leaky-relu for z < 0; default 0.01 */
  leakySlope?: number;
}

export interface LayerParameters {
  /** out × in, row-major: row j = neuron j's incoming weights */
  weights: Float64Array;
  /** out */
  biases: Float64Array;
}

export interface EpochInfo {
  epoch: number;
  loss: number;
  /** with TrainOptions.validation */
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** default 32; 1 = the tutorial's per-sample SGD */
  batchSize?: number;
  /** default true (seeded); false = the data's own order, as the tutorial */
  shuffle?: boolean;
  /** default 'sgd' */
  optimizer?: Optimizer;
  /** momentum coefficient μ for 'momentum'; default 0.9 */
  momentum?: number;
  /** Adam β1, β2, ε; defaults 0.9, 0.999, 1e-8 */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 weight decay on the weights (not the biases); default 0 */
  weightDecay?: number;
  /** evaluated after each epoch and reported to onEpoch */
  validation?: { x: Input; y: Input };
  /** false stops training */
  onEpoch?: (info: EpochInfo) => void | false;
}

export interface TrainResult {
  epochs: number;
  /** losses[e] = mean loss over epoch e's batches */
  losses: number[];
}

export interface NetworkJSON {
  format: 'fastnn-network';
  version: 1;
  layers: number[];
  activations: Activation[];
  loss: Loss;
  leakySlope: number;
  seed: number;
  parameters: { weights: (number | '-0')[]; biases: (number | '-0')[] }[];
}

const ACTIVATIONS = Object.keys(ACT) as Activation[];
const LOSSES: readonly Loss[] = ['mse', 'binary-cross-entropy', 'cross-entropy'];
const OPTIMIZERS: readonly Optimizer[] = ['sgd', 'momentum', 'adam'];
const INITS: readonly Init[] = ['normal', 'xavier', 'he'];
const NETWORK_KEYS = ['layers', 'activation', 'outputActivation', 'loss', 'init', 'seed', 'backend', 'threads', 'leakySlope'] as const;
const TRAIN_KEYS = [
  'epochs', 'learningRate', 'batchSize', 'shuffle', 'optimizer', 'momentum', 'beta1', 'beta2', 'epsilon', 'weightDecay',
  'validation', 'onEpoch',
] as const;
const LOSS_CODE: Record<Loss, number> = { mse: LOSS.MSE, 'binary-cross-entropy': LOSS.BCE, 'cross-entropy': LOSS.CE };
/** Largest layer width accepted; keeps every size arithmetic exact in int32 byte offsets. */
const MAX_WIDTH = 1 << 24;
const PREDICT_ROWS = 256;
/** Most threads a network trains with (the AssemblyScript kernels reserve packing scratch for this many). */
export const MAX_THREADS = 16;

/** Blocks a network owns in its backend's memory; shared with the FinalizationRegistry (which must not hold the network). */
interface Owned {
  backend: Backend;
  ownsBackend: boolean;
  blocks: Set<number>;
  pool: ThreadPool | null;
}

const finalizer =
  typeof FinalizationRegistry === 'undefined'
    ? null
    : new FinalizationRegistry<Owned>((owned) => releaseOwned(owned));

function releaseOwned(owned: Owned): void {
  owned.pool?.terminate();
  owned.pool = null;
  if (owned.ownsBackend) owned.backend.dispose();
  else if (!owned.backend.disposed) for (const p of owned.blocks) owned.backend.freeBytes(p);
  owned.blocks.clear();
}

interface Workspace {
  cap: number; // rows of every activation buffer
  plan: number;
  hp: number;
  x0: number;
  t: number;
  z: number[];
  a: number[];
  dz: number[];
  dw: number[];
  db: number[];
}

interface OptState {
  kind: Optimizer;
  sw: number[];
  sw2: number[];
  sb: number[];
  sb2: number[];
}

interface ResolvedTrain {
  epochs: number;
  lr: number;
  batch: number;
  shuffle: boolean;
  optimizer: Optimizer;
  beta1: number;
  beta2: number;
  eps: number;
  decay: number;
  validation: { x: Matrix; y: Matrix } | null;
  onEpoch: ((info: EpochInfo) => void | false) | null;
}

export class Network {
  readonly layers: readonly number[];
  readonly seed: number;
  readonly backend: Backend;
  /** per dense layer, input layer excluded */
  readonly activations: readonly Activation[];
  readonly loss: Loss;
  readonly leakySlope: number;

  private readonly owned: Owned;
  private readonly w: number[] = [];
  private readonly b: number[] = [];
  private ws: Workspace | null = null;
  private opt: OptState | null = null;
  private hpState = { beta1Pow: 1, beta2Pow: 1, step: 0 };
  private readonly shuffleRng: () => number;
  private isDisposed = false;
  private busy: string | null = null;
  private pool: ThreadPool | null = null;

  private constructor(
    backend: Backend,
    ownsBackend: boolean,
    layers: number[],
    activations: Activation[],
    loss: Loss,
    leakySlope: number,
    seed: number,
  ) {
    this.backend = backend;
    this.layers = Object.freeze(layers.slice());
    this.activations = Object.freeze(activations.slice());
    this.loss = loss;
    this.leakySlope = leakySlope;
    this.seed = seed;
    this.owned = { backend, ownsBackend, blocks: new Set(), pool: null };
    this.shuffleRng = mulberry32((seed ^ 0x9e3779b9) >>> 0);
    for (let l = 0; l + 1 < layers.length; l++) {
      this.w.push(this.alloc(layers[l + 1]! * layers[l]! * 8));
      this.b.push(this.alloc(layers[l + 1]! * 8));
    }
    finalizer?.register(this, this.owned, this);
  }

  /**
   * Creates a network with seeded initial parameters on a backend (default 'js').
   * @throws OptionError for invalid options, BackendError when the backend cannot load.
   */
  static async create(options: NetworkOptions): Promise<Network> {
    const o = checkOptions('Network.create', options, NETWORK_KEYS);
    const layers = checkLayers('Network.create', o.layers);
    const activation = optEnum('Network.create', 'activation', o.activation, ACTIVATIONS, 'sigmoid');
    if (activation === 'softmax' && layers.length > 2) {
      throw new OptionError(`Network.create: activation 'softmax' is only allowed on the output layer (use outputActivation: 'softmax')`);
    }
    const outputActivation = optEnum('Network.create', 'outputActivation', o.outputActivation, ACTIVATIONS, activation);
    const loss = optEnum('Network.create', 'loss', o.loss, LOSSES, 'mse');
    checkLossPairing('Network.create', loss, outputActivation);
    const init = optEnum('Network.create', 'init', o.init, INITS, activation === 'relu' || activation === 'leaky-relu' ? 'he' : 'xavier');
    const seed = o.seed === undefined ? randomSeed() : checkSeed('Network.create', o.seed);
    const leakySlope = optRange('Network.create', 'leakySlope', o.leakySlope, 0, 1, 0.01);
    const threads = checkThreads('Network.create', o.threads);
    const activations = layers.slice(1).map((_, i) => (i === layers.length - 2 ? outputActivation : activation));
    const { backend, owns } = await resolveBackend('Network.create', o.backend);
    try {
      checkFits('Network.create', backend, paramBytes(layers));
      const net = new Network(backend, owns, layers, activations, loss, leakySlope, seed);
      net.initialise(init);
      await net.startThreadsIfAsked(threads);
      return net;
    } catch (e) {
      if (owns) backend.dispose();
      throw e;
    }
  }

  /** Number of threads that train this network (1 when no worker threads run). */
  get threads(): number {
    return this.pool ? this.pool.size : 1;
  }

  /** Most batches one threaded command may run: each batch adds at most threads × (2·layers + 4) barrier arrivals. */
  private poolBatchLimit(): number {
    return Math.max(1, Math.floor(2 ** 30 / (this.threads * (2 * this.layers.length + 4))));
  }

  /** Starts worker threads when asked for more than one and the engine can share memory with workers. */
  private async startThreadsIfAsked(threads: number | 'auto'): Promise<void> {
    const n = threads === 'auto' ? Math.min(MAX_THREADS, await nodeThreadCount()) : threads;
    if (n <= 1) return;
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    if (!memoryIsShared(this.backend.memory) || isolated === false) {
      warnOnce(
        'fastnn: threads need shared memory that workers can use, which this page does not have (serve it cross-origin isolated: ' +
          'Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp); training on 1 thread',
      );
      return;
    }
    try {
      const ctl = this.alloc(SYNC_BYTES);
      this.pool = await ThreadPool.create(this.backend, n, ctl);
      this.owned.pool = this.pool;
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  // ------------------------------------------------------------------ memory
  private alloc(bytes: number, zero = true): number {
    const p = this.backend.allocBytes(bytes, zero);
    this.owned.blocks.add(p);
    return p;
  }

  private release(p: number): void {
    if (p === 0) return;
    this.owned.blocks.delete(p);
    this.backend.freeBytes(p);
  }

  /**
   * Every public method starts here. While trainAsync runs, calls that only read (getParameters, predict, evaluate,
   * gradients, toJSON — e.g. from onEpoch) are allowed: between slices no kernel is running, and every buffer they
   * overwrite is recomputed at the start of each training step. Calls that change parameters are refused.
   */
  private enter(op: string, changesParameters = false): void {
    if (this.isDisposed) throw new DisposedError(`${op}: the network was disposed`);
    if (this.backend.disposed) throw new DisposedError(`${op}: the network's ${this.backend.name} backend was disposed`);
    if (changesParameters && this.busy !== null) throw new NnError(`${op}: the network is busy with ${this.busy}; wait for it (or abort it) first`);
  }

  /** Frees the network's memory (and its backend, if the network loaded it). Later calls throw DisposedError. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    finalizer?.unregister(this);
    this.ws = null;
    this.opt = null;
    releaseOwned(this.owned);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  private initialise(init: Init): void {
    const rand = mulberry32(this.seed);
    const normal = normalFrom(rand);
    const F = this.backend.f64();
    for (let l = 0; l + 1 < this.layers.length; l++) {
      const nIn = this.layers[l]!, nOut = this.layers[l + 1]!;
      const std = init === 'normal' ? 1 : init === 'he' ? Math.sqrt(2 / nIn) : Math.sqrt(2 / (nIn + nOut));
      const w = this.w[l]! >> 3, b = this.b[l]! >> 3;
      for (let i = 0; i < nIn * nOut; i++) F[w + i] = std * normal();
      for (let j = 0; j < nOut; j++) F[b + j] = init === 'normal' ? normal() : 0;
    }
  }

  // ------------------------------------------------------------------ parameters
  /** Copies of every layer's weights (out × in, row-major) and biases. */
  getParameters(): LayerParameters[] {
    this.enter('getParameters');
    const F = this.backend.f64();
    return this.w.map((wp, l) => {
      const nIn = this.layers[l]!, nOut = this.layers[l + 1]!;
      return {
        weights: F.slice(wp >> 3, (wp >> 3) + nIn * nOut),
        biases: F.slice(this.b[l]! >> 3, (this.b[l]! >> 3) + nOut),
      };
    });
  }

  /** Validates every layer (count, lengths, finite values) before copying any in. */
  setParameters(params: LayerParameters[]): void {
    this.enter('setParameters', true);
    const L = this.layers.length - 1;
    if (!Array.isArray(params) || params.length !== L) {
      throw new ShapeError(`setParameters: expected ${L} layers, received ${describeValue(params)}`);
    }
    params.forEach((p, l) => {
      const nIn = this.layers[l]!, nOut = this.layers[l + 1]!;
      if (typeof p !== 'object' || p === null) throw new ShapeError(`setParameters: layer ${l} must be { weights, biases }, received ${describeValue(p)}`);
      const { weights, biases } = p as Partial<LayerParameters>;
      for (const [name, arr, n, cols] of [['weights', weights, nIn * nOut, nIn], ['biases', biases, nOut, nOut]] as const) {
        if (arr === undefined || arr === null || typeof (arr as ArrayLike<number>).length !== 'number') {
          throw new ShapeError(`setParameters: layer ${l} ${name} must be an array of ${n} numbers, received ${describeValue(arr)}`);
        }
        if (arr.length !== n) {
          throw new ShapeError(`setParameters: layer ${l} ${name} has length ${arr.length}, expected ${n} (${name === 'weights' ? `${nOut}×${nIn}` : nOut})`);
        }
        checkFiniteParams('setParameters', `layer ${l} ${name}`, arr, cols);
      }
    });
    const F = this.backend.f64();
    params.forEach((p, l) => {
      F.set(p.weights, this.w[l]! >> 3);
      F.set(p.biases, this.b[l]! >> 3);
    });
  }

  // ------------------------------------------------------------------ workspace and plan
  private ensureWorkspace(rows: number): Workspace {
    if (this.ws && this.ws.cap >= rows) return this.ws;
    this.freeWorkspace();
    const L = this.layers.length - 1;
    const cap = rows;
    const ws: Workspace = {
      cap,
      plan: this.alloc(planBytes(L)),
      hp: this.alloc(HP_SIZE * 8),
      x0: this.alloc(cap * this.layers[0]! * 8),
      t: this.alloc(cap * this.layers[L]! * 8),
      z: [], a: [], dz: [], dw: [], db: [],
    };
    for (let l = 0; l < L; l++) {
      const nIn = this.layers[l]!, nOut = this.layers[l + 1]!;
      ws.z.push(this.alloc(cap * nOut * 8));
      ws.a.push(this.alloc(cap * nOut * 8));
      ws.dz.push(this.alloc(cap * nOut * 8));
      ws.dw.push(this.alloc(nIn * nOut * 8));
      ws.db.push(this.alloc(nOut * 8));
    }
    this.ws = ws;
    this.writePlanLayers();
    return ws;
  }

  private freeWorkspace(): void {
    const ws = this.ws;
    if (!ws) return;
    for (const p of [ws.plan, ws.hp, ws.x0, ws.t, ...ws.z, ...ws.a, ...ws.dz, ...ws.dw, ...ws.db]) this.release(p);
    this.ws = null;
  }

  private workspaceBytes(rows: number): number {
    const L = this.layers.length - 1;
    let n = planBytes(L) + HP_SIZE * 8 + rows * (this.layers[0]! + this.layers[L]!) * 8 + 64;
    for (let l = 0; l < L; l++) n += (3 * rows * this.layers[l + 1]! + this.layers[l]! * this.layers[l + 1]! + this.layers[l + 1]!) * 8 + 80;
    return n;
  }

  private ensureOptimizer(kind: Optimizer): void {
    if (this.opt && this.opt.kind === kind) return;
    this.freeOptimizer();
    const st: OptState = { kind, sw: [], sw2: [], sb: [], sb2: [] };
    const L = this.layers.length - 1;
    for (let l = 0; l < L; l++) {
      const nw = this.layers[l]! * this.layers[l + 1]! * 8, nb = this.layers[l + 1]! * 8;
      st.sw.push(kind === 'sgd' ? 0 : this.alloc(nw));
      st.sb.push(kind === 'sgd' ? 0 : this.alloc(nb));
      st.sw2.push(kind === 'adam' ? this.alloc(nw) : 0);
      st.sb2.push(kind === 'adam' ? this.alloc(nb) : 0);
    }
    this.opt = st;
    this.hpState = { beta1Pow: 1, beta2Pow: 1, step: 0 };
  }

  private freeOptimizer(): void {
    const st = this.opt;
    if (!st) return;
    for (const p of [...st.sw, ...st.sw2, ...st.sb, ...st.sb2]) this.release(p);
    this.opt = null;
  }

  private optimizerBytes(kind: Optimizer): number {
    if (kind === 'sgd' || this.opt?.kind === kind) return 0;
    return paramBytes(this.layers) * (kind === 'adam' ? 2 : 1);
  }

  /** Layer records of the plan: sizes, activations and the offsets of every buffer. */
  private writePlanLayers(): void {
    const ws = this.ws!;
    const I = this.backend.i32();
    const P = ws.plan >> 2;
    const L = this.layers.length - 1;
    I[P + PLAN_LAYERS] = L;
    I[P + PLAN_LOSS] = LOSS_CODE[this.loss];
    I[P + PLAN_X0] = ws.x0;
    I[P + PLAN_T] = ws.t;
    I[P + PLAN_HP] = ws.hp;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      I[R + L_NIN] = this.layers[l]!;
      I[R + L_NOUT] = this.layers[l + 1]!;
      I[R + L_ACT] = ACT[this.activations[l]!];
      I[R + L_W] = this.w[l]!;
      I[R + L_B] = this.b[l]!;
      I[R + L_Z] = ws.z[l]!;
      I[R + L_A] = ws.a[l]!;
      I[R + L_DZ] = ws.dz[l]!;
      I[R + L_DW] = ws.dw[l]!;
      I[R + L_DB] = ws.db[l]!;
    }
    this.backend.f64()[(ws.hp >> 3) + HP_ALPHA] = this.leakySlope;
  }

  private writePlanTraining(r: ResolvedTrain, xData: number, yData: number, order: number, n: number): void {
    const ws = this.ws!, st = this.opt!;
    const I = this.backend.i32();
    const P = ws.plan >> 2;
    I[P + PLAN_BATCH] = r.batch;
    I[P + PLAN_OPT] = OPT[r.optimizer];
    I[P + PLAN_XDATA] = xData;
    I[P + PLAN_YDATA] = yData;
    I[P + PLAN_ORDER] = order;
    I[P + PLAN_SAMPLES] = n;
    for (let l = 0; l < this.layers.length - 1; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      I[R + L_SW] = st.sw[l]!;
      I[R + L_SW2] = st.sw2[l]!;
      I[R + L_SB] = st.sb[l]!;
      I[R + L_SB2] = st.sb2[l]!;
    }
    const F = this.backend.f64(), h = ws.hp >> 3;
    F[h + HP_LR] = r.lr;
    F[h + HP_BETA1] = r.beta1;
    F[h + HP_BETA2] = r.beta2;
    F[h + HP_EPS] = r.eps;
    F[h + HP_DECAY] = r.decay;
    F[h + HP_ALPHA] = this.leakySlope;
    F[h + HP_BETA1_POW] = this.hpState.beta1Pow;
    F[h + HP_BETA2_POW] = this.hpState.beta2Pow;
    F[h + HP_STEP] = this.hpState.step;
  }

  private readHpState(): void {
    const F = this.backend.f64(), h = this.ws!.hp >> 3;
    this.hpState = { beta1Pow: F[h + HP_BETA1_POW]!, beta2Pow: F[h + HP_BETA2_POW]!, step: F[h + HP_STEP]! };
  }

  // ------------------------------------------------------------------ inference
  /** Outputs for every row of x: rows × outputs. */
  predict(x: Input): Matrix {
    this.enter('predict');
    const X = toMatrix('predict', 'x', x, this.layers[0]);
    return this.forwardAll('predict', X, null).out;
  }

  /** Loss over (x, y) (the training loss's definition), and accuracy: argmax for > 1 output, 0.5 threshold for 1. */
  evaluate(x: Input, y: Input): { loss: number; accuracy?: number } {
    this.enter('evaluate');
    const X = toMatrix('evaluate', 'x', x, this.layers[0]);
    const Y = toMatrix('evaluate', 'y', y, this.layers[this.layers.length - 1]);
    if (X.rows !== Y.rows) throw new ShapeError(`evaluate: x has ${X.rows} rows but y has ${Y.rows} (expected one target row per input row)`);
    checkTargets('evaluate', 'y', Y, this.loss);
    return this.evaluateChecked(X, Y);
  }

  private evaluateChecked(X: Matrix, Y: Matrix): { loss: number; accuracy: number } {
    const { out, loss } = this.forwardAll('evaluate', X, Y);
    return { loss, accuracy: accuracy(out, Y) };
  }

  /** Forward pass in chunks of the workspace's rows; with targets, also the mean loss. */
  private forwardAll(op: string, X: Matrix, Y: Matrix | null): { out: Matrix; loss: number } {
    const rowsPerChunk = this.ws ? this.ws.cap : Math.min(PREDICT_ROWS, X.rows);
    checkFits(op, this.backend, this.ws ? 0 : this.workspaceBytes(rowsPerChunk));
    const ws = this.ensureWorkspace(rowsPerChunk);
    const L = this.layers.length - 1, nIn = this.layers[0]!, nOut = this.layers[L]!;
    const out = new Float64Array(X.rows * nOut);
    const raw = this.backend.raw;
    let total = 0;
    for (let r0 = 0; r0 < X.rows; r0 += ws.cap) {
      const rows = Math.min(ws.cap, X.rows - r0);
      this.backend.f64().set(X.data.subarray(r0 * nIn, (r0 + rows) * nIn), ws.x0 >> 3);
      this.backend.forwardBatch(ws.plan, rows);
      const F = this.backend.f64();
      out.set(F.subarray(ws.a[L - 1]! >> 3, (ws.a[L - 1]! >> 3) + rows * nOut), r0 * nOut);
      if (Y) {
        F.set(Y.data.subarray(r0 * nOut, (r0 + rows) * nOut), ws.t >> 3);
        total += raw.loss(ws.dz[L - 1]!, ws.a[L - 1]!, ws.z[L - 1]!, ws.t, rows, nOut, LOSS_CODE[this.loss]) * rows;
      }
    }
    return { out: { rows: X.rows, cols: nOut, data: out }, loss: total / X.rows };
  }

  /**
   * The gradient of the mean loss over (x, y) with respect to every parameter, by backprop (no update).
   * Used by gradientCheck; the same kernels and order as one training step.
   */
  gradients(x: Input, y: Input): { loss: number; gradients: LayerParameters[] } {
    this.enter('gradients');
    const X = toMatrix('gradients', 'x', x, this.layers[0]);
    const Y = toMatrix('gradients', 'y', y, this.layers[this.layers.length - 1]);
    if (X.rows !== Y.rows) throw new ShapeError(`gradients: x has ${X.rows} rows but y has ${Y.rows} (expected one target row per input row)`);
    checkTargets('gradients', 'y', Y, this.loss);
    checkFits('gradients', this.backend, this.ws && this.ws.cap >= X.rows ? 0 : this.workspaceBytes(X.rows));
    const ws = this.ensureWorkspace(X.rows);
    const raw = this.backend.raw;
    const L = this.layers.length - 1, rows = X.rows, alpha = this.leakySlope;
    const F = this.backend.f64();
    F.set(X.data, ws.x0 >> 3);
    F.set(Y.data, ws.t >> 3);
    this.backend.forwardBatch(ws.plan, rows);
    const nOutL = this.layers[L]!;
    const loss = raw.loss(ws.dz[L - 1]!, ws.a[L - 1]!, ws.z[L - 1]!, ws.t, rows, nOutL, LOSS_CODE[this.loss]);
    if (this.loss === 'mse') raw.activateBackward(ws.dz[L - 1]!, ws.dz[L - 1]!, ws.z[L - 1]!, ws.a[L - 1]!, rows, nOutL, ACT[this.activations[L - 1]!], alpha);
    for (let l = L - 1; l >= 0; l--) {
      const nIn = this.layers[l]!, nOut = this.layers[l + 1]!;
      const input = l > 0 ? ws.a[l - 1]! : ws.x0;
      raw.denseBackward(l > 0 ? ws.dz[l - 1]! : 0, ws.dw[l]!, ws.db[l]!, ws.dz[l]!, input, this.w[l]!, rows, nIn, nOut);
      if (l > 0) raw.activateBackward(ws.dz[l - 1]!, ws.dz[l - 1]!, ws.z[l - 1]!, ws.a[l - 1]!, rows, nIn, ACT[this.activations[l - 1]!], alpha);
    }
    const G = this.backend.f64();
    const gradients = ws.dw.map((dw, l) => ({
      weights: G.slice(dw >> 3, (dw >> 3) + this.layers[l]! * this.layers[l + 1]!),
      biases: G.slice(ws.db[l]! >> 3, (ws.db[l]! >> 3) + this.layers[l + 1]!),
    }));
    return { loss, gradients };
  }

  // ------------------------------------------------------------------ training
  private resolveTrain(op: string, x: Input, y: Input, options: unknown, extraKeys: readonly string[] = [], copy = false): {
    r: ResolvedTrain; X: Matrix; Y: Matrix;
  } {
    const o = checkOptions(op, options, [...TRAIN_KEYS, ...extraKeys]);
    const epochs = optInt(op, 'epochs', o.epochs, 1);
    const lr = optPositive(op, 'learningRate', o.learningRate);
    const batch = optInt(op, 'batchSize', o.batchSize, 1, 32);
    if (batch > MAX_WIDTH) throw new OptionError(`${op}: batchSize must be at most ${MAX_WIDTH}, received ${batch}`);
    const shuffle = optBool(op, 'shuffle', o.shuffle, true);
    const optimizer = optEnum(op, 'optimizer', o.optimizer, OPTIMIZERS, 'sgd');
    if (optimizer !== 'momentum' && o.momentum !== undefined) throw new OptionError(`${op}: momentum is an option of optimizer 'momentum', but optimizer is '${optimizer}'`);
    for (const k of ['beta1', 'beta2', 'epsilon'] as const) {
      if (optimizer !== 'adam' && o[k] !== undefined) throw new OptionError(`${op}: ${k} is an option of optimizer 'adam', but optimizer is '${optimizer}'`);
    }
    const beta1 = optimizer === 'momentum' ? optRange(op, 'momentum', o.momentum, 0, 1, 0.9) : optRange(op, 'beta1', o.beta1, 0, 1, 0.9);
    const beta2 = optRange(op, 'beta2', o.beta2, 0, 1, 0.999);
    const eps = optPositive(op, 'epsilon', o.epsilon, 1e-8);
    const decay = optRange(op, 'weightDecay', o.weightDecay, 0, Infinity, 0);
    if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') {
      throw new OptionError(`${op}: onEpoch must be a function, received ${describeValue(o.onEpoch)}`);
    }
    const nIn = this.layers[0]!, nOut = this.layers[this.layers.length - 1]!;
    const X = toMatrix(op, 'x', x, nIn, copy);
    const Y = toMatrix(op, 'y', y, nOut, copy);
    if (X.rows !== Y.rows) throw new ShapeError(`${op}: x has ${X.rows} rows but y has ${Y.rows} (expected one target row per input row)`);
    checkTargets(op, 'y', Y, this.loss);
    let validation: ResolvedTrain['validation'] = null;
    if (o.validation !== undefined) {
      const v = checkOptions(`${op}: validation`, o.validation, ['x', 'y']);
      // always copied: it is read after every epoch, and onEpoch (the caller's code) runs in between
      const vx = toMatrix(op, 'validation.x', v.x, nIn, true);
      const vy = toMatrix(op, 'validation.y', v.y, nOut, true);
      if (vx.rows !== vy.rows) throw new ShapeError(`${op}: validation.x has ${vx.rows} rows but validation.y has ${vy.rows}`);
      checkTargets(op, 'validation.y', vy, this.loss);
      validation = { x: vx, y: vy };
    }
    const r: ResolvedTrain = {
      epochs, lr, batch, shuffle, optimizer, beta1, beta2, eps, decay, validation,
      onEpoch: (o.onEpoch as ResolvedTrain['onEpoch']) ?? null,
    };
    return { r, X, Y };
  }

  /**
   * Trains on (x, y): `epochs` passes in mini-batches of `batchSize` (the last may be partial), each step the
   * mean gradient over its batch. Returns the per-epoch mean batch loss.
   * @throws TrainingError when the loss becomes NaN or infinite (the parameters are then those after the last
   *   finite epoch) or a training thread fails (the parameters are those after the last completed epoch).
   */
  train(x: Input, y: Input, options: TrainOptions): TrainResult {
    this.enter('train', true);
    const { r, X, Y } = this.resolveTrain('train', x, y, options);
    const pool = poolForSyncTrain(this.pool); // null where this thread may not block (a page's main thread)
    const run = this.startRun('train', r, X, Y, r.onEpoch === null && r.validation === null);
    try {
      for (;;) {
        const { first, count } = run.chunk(Infinity);
        const t0 = performance.now();
        if (pool) {
          // the barrier's arrival counter (an i32) must not overflow within one command
          const per = this.poolBatchLimit();
          for (let f = first; f < first + count; f += per) pool.run('train', run.plan, f, Math.min(per, first + count - f));
        } else this.backend.trainBatches(run.plan, first, count);
        const end = run.ran(count, performance.now() - t0);
        if (end) return end;
      }
    } catch (e) {
      run.abort();
      throw e;
    } finally {
      run.close();
    }
  }

  /**
   * train() without blocking the caller's event loop. With worker threads the epochs run on the workers while
   * this thread awaits them; on one thread they run in slices of about `sliceMs` (default 8 ms) with a yield to
   * the event loop between slices. Aborting (signal) restores the parameters of the last completed epoch and
   * rejects with the signal's reason.
   */
  async trainAsync(x: Input, y: Input, options: TrainOptions & { signal?: AbortSignal; sliceMs?: number }): Promise<TrainResult> {
    this.enter('trainAsync', true);
    const { r, X, Y } = this.resolveTrain('trainAsync', x, y, options, ['signal', 'sliceMs'], true);
    const o = options as { signal?: unknown; sliceMs?: unknown };
    const signal = o.signal;
    if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
      throw new OptionError(`trainAsync: signal must be an AbortSignal, received ${describeValue(signal)}`);
    }
    const sliceMs = optPositive('trainAsync', 'sliceMs', o.sliceMs, 8);
    signal?.throwIfAborted();
    const run = this.startRun('trainAsync', r, X, Y, false);
    this.busy = 'trainAsync';
    try {
      let sliceStart = performance.now();
      for (;;) {
        let end: TrainResult | null;
        if (this.pool) {
          const { first, count } = run.chunk(Infinity);
          const t0 = performance.now();
          const per = this.poolBatchLimit();
          for (let f = first; f < first + count; f += per) await this.pool.runAsync('trainAsync', run.plan, f, Math.min(per, first + count - f), signal);
          end = run.ran(count, performance.now() - t0);
        } else {
          const { first, count } = run.chunk(sliceMs - (performance.now() - sliceStart));
          const t0 = performance.now();
          this.backend.trainBatches(run.plan, first, count);
          end = run.ran(count, performance.now() - t0);
        }
        if (end) return end;
        if (this.pool || performance.now() - sliceStart >= sliceMs) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
        if (this.isDisposed) throw new DisposedError('trainAsync: the network was disposed during training');
        signal?.throwIfAborted();
      }
    } catch (e) {
      run.abort();
      throw e;
    } finally {
      this.busy = null;
      run.close();
    }
  }

  /**
   * The training loop as resumable chunks of batches, shared by train and trainAsync. Memory (data, sample
   * orders, per-batch losses, snapshot) is allocated after validation and freed by close().
   *
   * Epochs run in spans: without onEpoch and validation, train() hands the backend many epochs at once (their
   * shuffled orders back to back; one boundary crossing for e.g. all 1000 epochs of the tutorial); otherwise a
   * span is one epoch. Parameters and optimizer state are snapshotted at each span start; a divergence, a failure
   * or an abort restores the snapshot and replays the span's completed epochs (training is deterministic), so
   * the network is left exactly at the end of its last completed epoch. Epoch losses are summed from the
   * per-batch losses in batch order, so they do not depend on how the batches were chunked.
   */
  private startRun(op: string, r: ResolvedTrain, X: Matrix, Y: Matrix, multiEpoch: boolean) {
    const n = X.rows, nIn = this.layers[0]!, nOut = this.layers[this.layers.length - 1]!;
    const nb = Math.ceil(n / r.batch);
    const spanMax = multiEpoch ? Math.max(1, Math.min(r.epochs, Math.floor(2 ** 20 / n))) : 1;
    const needed =
      (this.ws && this.ws.cap >= r.batch ? 0 : this.workspaceBytes(r.batch)) +
      this.optimizerBytes(r.optimizer) * 2 + paramBytes(this.layers) +
      n * (nIn + nOut) * 8 + n * spanMax * 4 + nb * spanMax * 8 + 256;
    checkFits(op, this.backend, needed);
    this.ensureWorkspace(r.batch);
    this.ensureOptimizer(r.optimizer);
    const ws = this.ws!;
    // every one of these is written whole before it is read: no zero-filling (tens of MB for real data sets)
    const xData = this.alloc(n * nIn * 8, false);
    const yData = this.alloc(n * nOut * 8, false);
    const order = this.alloc(n * spanMax * 4, false);
    const batchLosses = this.alloc(nb * spanMax * 8, false);
    const stateBlocks = this.stateBlocks();
    let snapshotBytes = 0;
    for (const [, bytes] of stateBlocks) snapshotBytes += bytes;
    const snapshot = this.alloc(snapshotBytes, false);
    let F = this.backend.f64();
    F.set(X.data, xData >> 3);
    F.set(Y.data, yData >> 3);
    this.writePlanTraining(r, xData, yData, order, n);
    this.backend.i32()[(ws.plan >> 2) + PLAN_LOSSES] = batchLosses;
    const losses: number[] = [];
    let epoch = 0; // epochs completed
    let spanEpochs = 0; // epochs in the current span
    let doneInSpan = 0; // epochs of the current span completed and reported
    let batchDone = 0; // batches of the current span run
    let perBatchMs = 0;
    let closed = false;
    let closedState = false; // the state was already rewound

    const copyState = (toSnapshot: boolean): void => {
      F = this.backend.f64();
      let off = snapshot;
      for (const [p, bytes] of stateBlocks) {
        if (toSnapshot) F.copyWithin(off >> 3, p >> 3, (p + bytes) >> 3);
        else F.copyWithin(p >> 3, off >> 3, (off + bytes) >> 3);
        off += bytes;
      }
    };
    /** Back to the end of the last completed epoch: the span's snapshot, then its completed epochs again. */
    const rewind = (): void => {
      copyState(false);
      if (doneInSpan > 0) this.backend.trainBatches(ws.plan, 0, doneInSpan * nb);
      this.readHpState();
    };
    const startSpan = (): void => {
      spanEpochs = Math.min(spanMax, r.epochs - epoch);
      const I = this.backend.i32();
      for (let e = 0; e < spanEpochs; e++) {
        const o = (order >> 2) + e * n;
        for (let i = 0; i < n; i++) I[o + i] = i;
        if (r.shuffle) {
          for (let i = n - 1; i > 0; i--) {
            const j = Math.floor(this.shuffleRng() * (i + 1));
            const t = I[o + i]!;
            I[o + i] = I[o + j]!;
            I[o + j] = t;
          }
        }
      }
      copyState(true);
      doneInSpan = 0;
      batchDone = 0;
    };
    startSpan();

    const self = this;
    return {
      plan: ws.plan,
      /** The next batches to run: the rest of the span, or about `budgetMs` worth of them (at least one). */
      chunk(budgetMs: number): { first: number; count: number } {
        const left = spanEpochs * nb - batchDone;
        const count = budgetMs === Infinity ? left : perBatchMs === 0 ? 1 : Math.max(1, Math.min(left, Math.floor(budgetMs / perBatchMs)));
        return { first: batchDone, count };
      },
      /** Records `count` batches that ran; reports every epoch they completed; says whether training is over. */
      ran(count: number, ms: number): TrainResult | null {
        const dt = ms / count;
        perBatchMs = perBatchMs === 0 ? dt : 0.7 * perBatchMs + 0.3 * dt;
        batchDone += count;
        while (batchDone >= (doneInSpan + 1) * nb) {
          const L = self.backend.f64(), base = (batchLosses >> 3) + doneInSpan * nb;
          let sum = 0;
          for (let b = 0; b < nb; b++) sum += L[base + b]!;
          const loss = sum / nb;
          if (!Number.isFinite(loss)) {
            rewind();
            closedState = true;
            throw new TrainingError(
              `${op}: loss became ${String(loss)} in epoch ${epoch} (of ${r.epochs}); ` +
                (epoch === 0 ? 'the parameters are unchanged (those from before this call). ' : `the parameters are those after epoch ${epoch - 1}. `) +
                `Try a lower learningRate (now ${r.lr}) or normalise the inputs.`,
            );
          }
          losses.push(loss);
          doneInSpan++;
          epoch++;
          if (doneInSpan < spanEpochs) continue; // only single-epoch spans report as they go (no onEpoch in multi-epoch spans)
          self.readHpState();
          const info: EpochInfo = { epoch: epoch - 1, loss };
          if (r.validation) {
            const v = self.evaluateChecked(r.validation.x, r.validation.y);
            info.validationLoss = v.loss;
            info.validationAccuracy = v.accuracy;
          }
          const verdict = r.onEpoch ? r.onEpoch(info) : undefined;
          if (verdict === false || epoch >= r.epochs) return { epochs: epoch, losses };
          startSpan();
          return null;
        }
        return null;
      },
      /** After a failure or an abort: the parameters and optimizer state of the last completed epoch. */
      abort(): void {
        if (!closed && !closedState && !self.isDisposed && (doneInSpan < spanEpochs || batchDone > doneInSpan * nb)) rewind();
      },
      close(): void {
        if (closed || self.isDisposed) return;
        closed = true;
        self.backend.i32()[(ws.plan >> 2) + PLAN_LOSSES] = 0; // the plan must not point at freed memory
        self.release(snapshot);
        self.release(batchLosses);
        self.release(order);
        self.release(yData);
        self.release(xData);
      },
    };
  }

  /** [pointer, bytes] of every block that a training step changes (parameters, optimizer state, hp). */
  private stateBlocks(): [number, number][] {
    const out: [number, number][] = [];
    for (let l = 0; l + 1 < this.layers.length; l++) {
      const nw = this.layers[l]! * this.layers[l + 1]! * 8, nb = this.layers[l + 1]! * 8;
      out.push([this.w[l]!, nw], [this.b[l]!, nb]);
      const st = this.opt!;
      for (const [p, bytes] of [[st.sw[l]!, nw], [st.sw2[l]!, nw], [st.sb[l]!, nb], [st.sb2[l]!, nb]] as const) {
        if (p !== 0) out.push([p, bytes]);
      }
    }
    out.push([this.ws!.hp, HP_SIZE * 8]);
    return out;
  }

  // ------------------------------------------------------------------ save / load
  /** Versioned plain JSON; float64 values round-trip exactly (-0 is written as the string "-0"). */
  toJSON(): NetworkJSON {
    this.enter('toJSON');
    const enc = (a: Float64Array): (number | '-0')[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));
    return {
      format: 'fastnn-network',
      version: 1,
      layers: this.layers.slice(),
      activations: this.activations.slice(),
      loss: this.loss,
      leakySlope: this.leakySlope,
      seed: this.seed,
      parameters: this.getParameters().map((p) => ({ weights: enc(p.weights), biases: enc(p.biases) })),
    };
  }

  /**
   * Loads a network saved by toJSON (an object or its JSON text) onto a backend (default 'js').
   * @throws NnError (ShapeError/OptionError) for anything malformed; never a TypeError.
   */
  static async fromJSON(json: unknown, backend?: BackendName | 'auto' | Backend, options: { threads?: number | 'auto' } = {}): Promise<Network> {
    const spec = parseNetworkJSON(json);
    const o = checkOptions('Network.fromJSON', options, ['threads']);
    const threads = checkThreads('Network.fromJSON', o.threads);
    const { backend: be, owns } = await resolveBackend('Network.fromJSON', backend);
    try {
      checkFits('Network.fromJSON', be, paramBytes(spec.layers));
      const net = new Network(be, owns, spec.layers, spec.activations, spec.loss, spec.leakySlope, spec.seed);
      net.setParameters(spec.parameters);
      await net.startThreadsIfAsked(threads);
      return net;
    } catch (e) {
      if (owns) be.dispose();
      throw e;
    }
  }
}

// ---------------------------------------------------------------------- helpers

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function accuracy(out: Matrix, Y: Matrix): number {
  const { rows, cols } = out;
  let hit = 0;
  for (let r = 0; r < rows; r++) {
    if (cols === 1) {
      if (out.data[r]! >= 0.5 === Y.data[r]! >= 0.5) hit++;
    } else {
      let pa = 0, ta = 0;
      for (let j = 1; j < cols; j++) {
        if (out.data[r * cols + j]! > out.data[r * cols + pa]!) pa = j;
        if (Y.data[r * cols + j]! > Y.data[r * cols + ta]!) ta = j;
      }
      if (pa === ta) hit++;
    }
  }
  return hit / rows;
}

function paramBytes(layers: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < layers.length; l++) n += (layers[l]! * layers[l + 1]! + layers[l + 1]!) * 8 + 32;
  return n;
}

function checkFits(op: string, backend: Backend, bytes: number): void {
  const avail = backend.available();
  if (bytes > avail) {
    throw new ShapeError(
      `${op}: needs ${(bytes / 2 ** 20).toFixed(1)} MiB of ${backend.name} memory, but only ${(avail / 2 ** 20).toFixed(1)} MiB are available (the WebAssembly limit is 2 GiB); use fewer samples per call, a smaller batchSize or smaller layers`,
    );
  }
}

function checkLayers(op: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length < 2) {
    throw new OptionError(`${op}: layers must be an array of at least 2 sizes (input first), received ${describeValue(v)}`);
  }
  v.forEach((s: unknown, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_WIDTH) {
      throw new OptionError(`${op}: layers[${i}] must be an integer in [1, ${MAX_WIDTH}], received ${describeValue(s)}`);
    }
  });
  return v.slice() as number[];
}

function checkLossPairing(op: string, loss: Loss, out: Activation): void {
  if (loss === 'binary-cross-entropy' && out !== 'sigmoid') {
    throw new OptionError(`${op}: loss 'binary-cross-entropy' needs outputActivation 'sigmoid', received '${out}'`);
  }
  if (loss === 'cross-entropy' && out !== 'softmax') {
    throw new OptionError(`${op}: loss 'cross-entropy' needs outputActivation 'softmax', received '${out}'`);
  }
}

function checkSeed(op: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new OptionError(`${op}: seed must be an integer in [0, 4294967295], received ${describeValue(v)}`);
  }
  return v;
}

function checkThreads(op: string, v: unknown): number | 'auto' {
  if (v === undefined) return 1;
  if (v === 'auto') return 'auto';
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_THREADS) return v;
  throw new OptionError(`${op}: threads must be an integer in [1, ${MAX_THREADS}] or 'auto', received ${describeValue(v)}`);
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  console.warn(message);
}

function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 0x100000000);
}

async function resolveBackend(op: string, v: unknown): Promise<{ backend: Backend; owns: boolean }> {
  if (v === undefined) return { backend: await loadBackend('js'), owns: true };
  if (typeof v === 'string') {
    if (v !== 'js' && v !== 'assemblyscript' && v !== 'rust' && v !== 'auto') {
      throw new OptionError(`${op}: unknown backend '${v}' (expected js|assemblyscript|rust|auto)`);
    }
    return { backend: await loadBackend(v), owns: true };
  }
  if (typeof v === 'object' && v !== null && typeof (v as Backend).allocBytes === 'function' && typeof (v as Backend).name === 'string') {
    const b = v as Backend;
    if (b.disposed) throw new DisposedError(`${op}: the ${b.name} backend passed in was disposed`);
    return { backend: b, owns: false };
  }
  throw new BackendError(`${op}: backend must be 'js', 'assemblyscript', 'rust' or a Backend from loadBackend(), received ${describeValue(v)}`);
}

interface ParsedNetwork {
  layers: number[];
  activations: Activation[];
  loss: Loss;
  leakySlope: number;
  seed: number;
  parameters: LayerParameters[];
}

const JSON_KEYS = ['format', 'version', 'layers', 'activations', 'loss', 'leakySlope', 'seed', 'parameters'];
/** Most parameters a saved network may declare (2^28 float64 = 2 GiB: more cannot fit in WebAssembly memory). */
const MAX_PARAMS = 2 ** 28;

function parseNetworkJSON(json: unknown): ParsedNetwork {
  const op = 'Network.fromJSON';
  let j: unknown = json;
  if (typeof j === 'string') {
    try {
      j = JSON.parse(j);
    } catch (cause) {
      throw new NnError(`${op}: the text is not JSON (${(cause as Error).message})`, { cause });
    }
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new NnError(`${op}: expected a saved network object, received ${describeValue(j)}`);
  const o = j as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!JSON_KEYS.includes(k)) throw new NnError(`${op}: unexpected key '${k}' (expected ${JSON_KEYS.join('|')})`);
  }
  if (o.format !== 'fastnn-network') throw new NnError(`${op}: format must be 'fastnn-network', received ${describeValue(o.format)}`);
  if (o.version !== 1) throw new NnError(`${op}: unsupported version ${describeValue(o.version)} (this fastnn reads version 1)`);
  const layers = checkLayers(op, o.layers);
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) total += layers[l]! * layers[l + 1]! + layers[l + 1]!;
  if (total > MAX_PARAMS) throw new NnError(`${op}: layers [${layers.join(', ')}] declare ${total} parameters, more than ${MAX_PARAMS} fit in memory`);
  if (!Array.isArray(o.activations) || o.activations.length !== layers.length - 1) {
    throw new NnError(`${op}: activations must be an array of ${layers.length - 1} names, received ${describeValue(o.activations)}`);
  }
  const activations = o.activations.map((a: unknown, i) => optEnum(op, `activations[${i}]`, a, ACTIVATIONS));
  activations.forEach((a, i) => {
    if (a === 'softmax' && i < activations.length - 1) throw new NnError(`${op}: activations[${i}] is 'softmax', which is only allowed on the output layer`);
  });
  const loss = optEnum(op, 'loss', o.loss, LOSSES);
  checkLossPairing(op, loss, activations[activations.length - 1]!);
  const leakySlope = optRange(op, 'leakySlope', o.leakySlope, 0, 1, 0.01);
  const seed = checkSeed(op, o.seed);
  if (!Array.isArray(o.parameters) || o.parameters.length !== layers.length - 1) {
    throw new NnError(`${op}: parameters must be an array of ${layers.length - 1} layers, received ${describeValue(o.parameters)}`);
  }
  const parameters = o.parameters.map((p: unknown, l): LayerParameters => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new NnError(`${op}: parameters[${l}] must be { weights, biases }, received ${describeValue(p)}`);
    const q = p as Record<string, unknown>;
    for (const k of Object.keys(q)) {
      if (k !== 'weights' && k !== 'biases') throw new NnError(`${op}: parameters[${l}] has unexpected key '${k}' (expected weights|biases)`);
    }
    const nIn = layers[l]!, nOut = layers[l + 1]!;
    return {
      weights: decodeArray(op, `parameters[${l}].weights`, q.weights, nIn * nOut),
      biases: decodeArray(op, `parameters[${l}].biases`, q.biases, nOut),
    };
  });
  return { layers, activations, loss, leakySlope, seed, parameters };
}

function decodeArray(op: string, what: string, v: unknown, n: number): Float64Array {
  if (!Array.isArray(v) || v.length !== n) throw new NnError(`${op}: ${what} must be an array of ${n} numbers, received ${describeValue(v)}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e: unknown = v[i];
    if (typeof e === 'number' && Number.isFinite(e)) out[i] = e;
    else if (e === '-0') out[i] = -0;
    else throw new NnError(`${op}: ${what}[${i}] is ${describeValue(e)}, expected a finite number`);
  }
  return out;
}
