/**
 * Network: the public facade (API.md "Network"). It validates every call before anything changes, then hands the
 * work to the parts that own it:
 *   net/options.ts    option types, defaults and validation
 *   net/memory.ts     the memory plan: parameters, optimizer state, workspaces, the plan writer
 *   net/run.ts        TrainingRun: one train / trainAsync call's blocks, spans, snapshot and rewind
 *   net/inference.ts  predict / evaluate / gradients on the read workspace
 *   net/serialize.ts  JSON
 *   net/model.ts      the network as typed values (shape, seed, parameters): what ONNX export and import use
 * Concurrency model (docs/threads.md): while a run is open the network is busy: reads are served from their
 * own workspace (inside onEpoch with the live parameters, between trainAsync's slices with those of the last
 * completed epoch); writes are refused with NnError; dispose() ends the run with DisposedError after the current step.
 */
import type { Activation, Backend, BackendName, Dtype, Loss } from './backend.js';
import { hostOf, type KernelHost } from './backends/host.js';
import { ThreadPool, poolForSyncTrain } from './backends/threads.js';
import { checkOptions, describeValue, optBool, optInt, optPositive, toMatrix } from './check.js';
import { DisposedError, NnError, OptionError } from './errors.js';
import type { Input, Matrix } from './matrix.js';
import { backprop, evaluateAll, forwardAll } from './net/inference.js';
import { NetMemory, checkFits, type ParamPtrs, type StatePtrs } from './net/memory.js';
import { resolveBackend } from './net/backend-option.js';
import {
  MAX_WIDTH,
  checkData,
  checkParameters,
  checkSignal,
  checkThreads,
  randomSeed,
  resolveNetworkOptions,
  resolveTrainOptions,
  type LayerParameters,
  type NetworkOptions,
  type NetworkShape,
  type ResolvedTrain,
  type TrainOptions,
  type TrainResult,
  type ValidatedTrainOptions,
  type ValidatedTrainResult,
} from './net/options.js';
import { TrainingRun, type RunData } from './net/run.js';
import { Dataset, evaluateDataset, isDataset } from './net/dataset.js';
import { trainArgs } from './net/train-args.js';
import { StreamRun, type ChunkSource } from './net/stream.js';
import { startThreads, threadsPay } from './net/threads.js';
import { threadChoice } from './net/thread-choice.js';
import { yieldToEventLoop } from './net/yield.js';
import { encodeNetwork, parseNetworkJSON, type NetworkJSON } from './net/serialize.js';
import { Mulberry32 } from './rng.js';
import { checkModel, type NetworkModel } from './net/model.js';
import { toOnnx, type ToOnnxOptions } from './onnx/export.js';
import { onnxToModel } from './onnx/import.js';

export type {
  EarlyStoppingOptions,
  EpochInfo,
  Init,
  LayerParameters,
  NetworkOptions,
  TrainOptions,
  TrainResult,
  ValidatedEpochInfo,
  ValidatedTrainOptions,
  ValidatedTrainResult,
} from './net/options.js';
export type { NetworkJSON, OptimizerJSON } from './net/serialize.js';
export type { Chunk, ChunkSource } from './net/stream.js';
export { Dataset } from './net/dataset.js';

/** trainAsync's options: train's, plus an AbortSignal and the slice length on one thread. */
export type AsyncTrainOptions = TrainOptions & AsyncExtra;
/** trainAsync's own options, on top of {@link TrainOptions}. */
export interface AsyncExtra {
  /** Aborting it stops training: the parameters go back to those of the last completed epoch and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** On one thread, the longest stretch (in ms) of training between two yields to the event loop; default 8. */
  sliceMs?: number;
}
/** trainStream's own options, on top of {@link TrainOptions}. */
export interface StreamExtra {
  /** Aborting it stops training: the parameters go back to those of the last completed epoch and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** With `shuffle: true`, the rows of the seeded shuffle buffer (memory is bounded by it); an integer >= 1, default 10,000. */
  shuffleBuffer?: number;
}
/** What {@link Network.evaluate} returns. */
export interface EvaluateResult {
  /** The loss over all rows, as the network's loss defines it in training (without dropout). */
  loss: number;
  /**
   * The share of rows classified right (0..1), for a classifier only (sigmoid or softmax output, targets 0/1 or
   * one-hot): argmax for more than one output, a 0.5 threshold for one.
   */
  accuracy?: number;
}
/** What {@link Network.gradients} returns. */
export interface GradientsResult {
  /** The mean loss over the rows. */
  loss: number;
  /** ∂loss/∂parameter for every layer, in the layout of {@link Network.getParameters}. */
  gradients: LayerParameters[];
}
export { MAX_THREADS } from './net/options.js';

/** What the internal module (src/internal.ts) may see of a network: its memory plan and its threads. */
export interface NetworkInternals {
  readonly mem: NetMemory;
  readonly pool: ThreadPool | null;
}
const internals = new WeakMap<Network, () => NetworkInternals>();
/** @internal for src/internal.ts only */
export function networkInternals(net: Network): NetworkInternals {
  const f = internals.get(net);
  if (!f) throw new NnError('networkInternals: not a Network');
  return f();
}

let buildOnBackend: ((op: string, options: NetworkOptions, backend: Backend) => Network) | null = null;
/**
 * @internal for the estimators (src/estimators/) only: a network built synchronously on a backend that is already
 * loaded (the caller keeps owning it), on one thread. `options.backend` and `options.threads` must be absent.
 */
export function createNetworkOn(op: string, options: NetworkOptions, backend: Backend): Network {
  return buildOnBackend!(op, options, backend);
}

let readModel: ((op: string, net: Network) => NetworkModel) | null = null;
/** @internal for the estimators (src/estimators/) only: the network as typed values, for their ONNX export. */
export function networkModel(op: string, net: Network): NetworkModel {
  return readModel!(op, net);
}

/**
 * A dense feed-forward network on one {@link Backend}: seeded initialisation, mini-batch training with SGD, momentum,
 * Adam or AdamW, prediction, evaluation, JSON checkpoints and ONNX export. Every call validates its arguments and
 * throws a typed error before anything changes.
 *
 * While a training run is open (`trainAsync`, `trainStream`, or `train` inside `onEpoch`) the network is busy: reads
 * (`predict`, `evaluate`, `getParameters`, `toJSON`, ...) still work, calls that change the parameters throw
 * {@link NnError}, and `dispose()` ends the run with {@link DisposedError}.
 */
export class Network {
  static {
    buildOnBackend = (op, options, backend) => {
      const o = resolveNetworkOptions(op, options);
      if (o.backend !== undefined || o.threads !== 1)
        throw new NnError(`${op}: createNetworkOn takes the backend separately and builds on one thread`);
      if (backend.disposed) throw new DisposedError(`${op}: the ${backend.name} backend was disposed`);
      const seed = o.seed ?? randomSeed();
      const net = new Network(op, backend, hostOf(op, backend), false, o, seed);
      try {
        net.mem.initialise(o.init, seed);
      } catch (e) {
        net.dispose();
        throw e;
      }
      return net;
    };
    readModel = (op, net) => net.model(op);
  }

  /** The layer sizes, input first: `[2, 2, 1]` is two inputs, one hidden layer of two neurons and one output. */
  readonly layers: readonly number[];
  /** The seed of the initial parameters, the shuffling and the dropout masks (random when the options gave none). */
  readonly seed: number;
  /** The backend whose memory holds the parameters and whose kernels train them. */
  readonly backend: Backend;
  /** The activation of each dense layer (the input layer excluded): the hidden ones, then the output's. */
  readonly activations: readonly Activation[];
  /** The training loss. */
  readonly loss: Loss;
  /** The slope of leaky-relu for z < 0 (used only by leaky-relu layers). */
  readonly leakySlope: number;
  /** The training dropout rate of each hidden layer (0: none); predict, evaluate, gradients and ONNX never drop. */
  readonly dropout: readonly number[];
  /** the element type of parameters, optimizer state, activations, gradients and datasets ('float64' by default) */
  readonly dtype: Dtype;

  private readonly shape: NetworkShape;
  private readonly mem: NetMemory;
  private readonly rng: Mulberry32;
  private isDisposed = false;
  private run: OpenRun | null = null;
  private runOp = '';
  private stop: AbortController | null = null;
  private runRelease: () => void = () => undefined;
  private pool: ThreadPool | null = null;

  private constructor(
    op: string,
    backend: Backend,
    host: KernelHost,
    ownsBackend: boolean,
    shape: NetworkShape,
    seed: number,
  ) {
    this.backend = backend;
    this.shape = {
      ...shape,
      layers: shape.layers.slice(),
      activations: shape.activations.slice(),
      dropout: shape.dropout.slice(),
    };
    this.dropout = Object.freeze(shape.dropout.slice(0, -1));
    this.layers = Object.freeze(shape.layers.slice());
    this.activations = Object.freeze(shape.activations.slice());
    this.loss = shape.loss;
    this.leakySlope = shape.leakySlope;
    this.dtype = shape.dtype;
    this.seed = seed;
    this.rng = new Mulberry32((seed ^ 0x9e3779b9) >>> 0);
    this.mem = new NetMemory(op, backend, host, ownsBackend, this.shape, this);
    this.mem.seed = seed;
    internals.set(this, () => ({ mem: this.mem, pool: this.pool }));
  }

  /**
   * Creates a network with seeded initial parameters on a backend (default 'auto': the fastest that loads).
   * @param options - the layer sizes and, optionally, activations, loss, initialisation, seed, backend and threads.
   * @throws OptionError for invalid options, BackendError when the backend cannot load.
   */
  static async create(options: NetworkOptions): Promise<Network> {
    const o = resolveNetworkOptions('Network.create', options);
    const seed = o.seed ?? randomSeed();
    return Network.build('Network.create', o.backend, o, seed, o.threads, (net) => net.mem.initialise(o.init, seed));
  }

  /**
   * Loads a network saved by toJSON (an object or its JSON text) onto a backend (default 'auto': the fastest that loads).
   * Parameters are restored exactly; a checkpoint (`toJSON({ optimizer: true })`) also restores the optimizer state
   * and the shuffle position, so that training resumes bit for bit on the same backend build.
   * @param json - a {@link NetworkJSON} object, or its JSON text.
   * @param backend - a backend name, 'auto', or a loaded {@link Backend} (the network then shares it).
   * @param options - `threads`: worker threads, as {@link NetworkOptions.threads}; default 1.
   * @throws NnError (ShapeError/OptionError) for anything malformed; never a TypeError.
   */
  static async fromJSON(
    json: unknown,
    backend?: BackendName | 'auto' | Backend,
    options: { threads?: number | 'auto' } = {},
  ): Promise<Network> {
    const spec = parseNetworkJSON(json);
    const o = checkOptions('Network.fromJSON', options, ['threads']);
    const threads = checkThreads('Network.fromJSON', o.threads);
    return Network.build('Network.fromJSON', backend, spec, spec.seed, threads, (net) => {
      net.mem.writeParameters(spec.parameters);
      if (spec.optimizer) {
        checkFits('Network.fromJSON', net.mem.host, net.mem.optimizerNeed(spec.optimizer.kind));
        net.mem.writeOptimizer(spec.optimizer);
      }
      if (spec.shuffle !== undefined) net.rng.state = spec.shuffle;
    });
  }

  private static async build(
    op: string,
    backendOption: unknown,
    shape: NetworkShape,
    seed: number,
    threads: number | 'auto',
    fill: (net: Network) => void,
  ): Promise<Network> {
    const { backend, owns } = await resolveBackend(op, backendOption);
    let net: Network | null = null;
    try {
      net = new Network(op, backend, hostOf(op, backend), owns, shape, seed);
      fill(net);
      net.pool = await startThreads(net.mem, threads);
      return net;
    } catch (e) {
      if (net) net.dispose();
      else if (owns) backend.dispose();
      throw e;
    }
  }

  /** Number of threads that train this network (1 when no worker threads run). */
  get threads(): number {
    return this.pool ? this.pool.size : 1;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * Frees the network's memory (and its backend, if the network loaded it); later calls throw DisposedError.
   * During a training run, the run ends with DisposedError after its current step and frees everything then.
   */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    if (this.run) {
      this.stop?.abort(new DisposedError(`${this.runOp}: the network was disposed during training`));
      return;
    }
    this.mem.releaseAll(this);
  }

  // ------------------------------------------------------------------ parameters
  /** Copies of every layer's weights (out × in, row-major: row j is neuron j's incoming weights) and biases. */
  getParameters(): LayerParameters[] {
    return this.mem.readParameters(this.readParams('getParameters'));
  }

  /**
   * Replaces every layer's weights and biases (the layout of getParameters). Validates every layer (count, lengths,
   * finite values) before copying any in.
   * @throws ShapeError when a layer is missing, has the wrong length or holds a non-finite value.
   */
  setParameters(params: LayerParameters[]): void {
    this.enter('setParameters', true);
    checkParameters('setParameters', this.layers, params);
    this.mem.writeParameters(params);
  }

  // ------------------------------------------------------------------ reads
  /**
   * Outputs for every row of x: rows × outputs (no dropout).
   * @throws ShapeError when x is ragged, has the wrong width or holds a non-finite value.
   */
  predict(x: Input): Matrix {
    const params = this.readParams('predict');
    const X = toMatrix('predict', 'x', x, this.layers[0]);
    return forwardAll('predict', this.mem, params, X, null).out;
  }

  /**
   * Loss over (x, y) (the training loss's definition), and, for a classifier (sigmoid or softmax output, targets 0/1 or
   * one-hot), accuracy: argmax for > 1 output, 0.5 threshold for 1. A regression network's result has no accuracy.
   */
  evaluate(x: Input, y: Input): EvaluateResult;
  /** Evaluates a Dataset made by dataset(): no per-call check or copy of the data. */
  evaluate(data: Dataset): EvaluateResult;
  evaluate(x: Input | Dataset, y?: Input): EvaluateResult {
    const params = this.readParams('evaluate');
    if (isDataset(x)) return evaluateDataset('evaluate', this.mem, params, x);
    const { X, Y } = checkData('evaluate', this.shape, x, y as Input);
    return evaluateAll('evaluate', this.mem, params, X, Y);
  }

  /**
   * Copies (x, y) into this network's backend memory once, checked against its widths and loss, for train,
   * trainAsync and evaluate without a per-call check and copy. Any network on the same backend with the same widths
   * can use it; dispose() frees it.
   */
  dataset(x: Input, y: Input): Dataset {
    this.enter('dataset');
    const { X, Y } = checkData('dataset', this.shape, x, y);
    return new Dataset('dataset', this.mem.host, X, Y, this.loss, this.dtype);
  }

  /**
   * The gradient of the mean loss over (x, y) with respect to every parameter, by backprop (no update).
   * Used by gradientCheck; the same kernels and order as one training step.
   */
  gradients(x: Input, y: Input): GradientsResult {
    const params = this.readParams('gradients');
    const { X, Y } = checkData('gradients', this.shape, x, y);
    return backprop('gradients', this.mem, params, X, Y);
  }

  // ------------------------------------------------------------------ training
  /**
   * Trains on (x, y): `epochs` passes in mini-batches of `batchSize` (the last may be partial), each step the
   * mean gradient over its batch. Returns the per-epoch mean batch loss.
   * @param x - the inputs, one sample per row (layers[0] columns).
   * @param y - the targets, one row per sample (layers.at(-1) columns).
   * @param options - epochs, learning rate, batch size, optimizer, validation, callbacks and training controls.
   * @throws OptionError or ShapeError for bad options or data, before anything changes.
   * @throws TrainingError when the loss or a parameter becomes NaN or infinite (the parameters are then those after
   *   the last finite epoch) or a training thread fails (the parameters are those after the last completed epoch).
   */
  train(x: Input, y: Input, options: ValidatedTrainOptions): ValidatedTrainResult;
  train(x: Input, y: Input, options: TrainOptions): TrainResult;
  /** Trains on a Dataset made by dataset(): no per-call check or copy of the data. */
  train(data: Dataset, options: ValidatedTrainOptions): ValidatedTrainResult;
  /** Trains on a Dataset made by dataset(): no per-call check or copy of the data. */
  train(data: Dataset, options: TrainOptions): TrainResult;
  train(
    a: Input | Dataset,
    b: Input | TrainOptions | ValidatedTrainOptions,
    c?: TrainOptions | ValidatedTrainOptions,
  ): TrainResult {
    this.enter('train', true);
    const { r, data, release } = trainArgs('train', this.shape, this.mem.host, a, b, c, [], false, this.seed);
    // null where this thread may not block (a page's main thread), or where steps are too small for threads
    const rows = Math.min(r.batch, data.rows);
    const pool = this.pool && threadsPay(this.shape.layers, rows) ? poolForSyncTrain(this.pool) : null;
    // whether the workers take part: timed on this network's first steps (net/thread-choice.ts)
    const choice = pool ? threadChoice(pool, this.shape.layers, rows) : null;
    // onEpoch, validation and early stopping need control back after every epoch
    const run = this.openRun(
      'train',
      r,
      data,
      r.onEpoch === null && r.validation === null && r.earlyStopping === null,
      release,
    );
    try {
      for (;;) {
        const { first, count } = run.chunk(Infinity);
        const t0 = performance.now();
        if (pool && choice) {
          // the barrier's arrival counter (an i32) must not overflow within one command
          const per = this.poolBatchLimit();
          choice.runSync(
            first,
            count,
            (f0, c0) => this.mem.host.trainBatches(run.plan, f0, c0),
            (f0, c0) => {
              for (let f = f0; f < f0 + c0; f += per) pool.run('train', run.plan, f, Math.min(per, f0 + c0 - f));
            },
          );
        } else this.mem.host.trainBatches(run.plan, first, count);
        const end = run.ran(count, performance.now() - t0);
        if (end) return end;
        this.checkStillLive('train');
        run.nextSpan();
      }
    } catch (e) {
      if (!this.isDisposed) run.abort();
      throw e;
    } finally {
      this.closeRun(run);
    }
  }

  /**
   * train() without blocking the caller's event loop. With worker threads the epochs run on the workers while
   * this thread awaits them; on one thread they run in slices of about `sliceMs` (default 8 ms) with a yield to
   * the event loop between slices. Aborting (signal) restores the parameters of the last completed epoch and
   * rejects with the signal's reason. The call settles after the caller's synchronous code has run, never during it.
   */
  async trainAsync(x: Input, y: Input, options: ValidatedTrainOptions & AsyncExtra): Promise<ValidatedTrainResult>;
  async trainAsync(x: Input, y: Input, options: AsyncTrainOptions): Promise<TrainResult>;
  async trainAsync(data: Dataset, options: ValidatedTrainOptions & AsyncExtra): Promise<ValidatedTrainResult>;
  async trainAsync(data: Dataset, options: AsyncTrainOptions): Promise<TrainResult>;
  async trainAsync(
    a: Input | Dataset,
    b: Input | AsyncTrainOptions | (ValidatedTrainOptions & AsyncExtra),
    c?: AsyncTrainOptions | (ValidatedTrainOptions & AsyncExtra),
  ): Promise<TrainResult> {
    this.enter('trainAsync', true);
    const { r, data, o, release } = trainArgs(
      'trainAsync',
      this.shape,
      this.mem.host,
      a,
      b,
      c,
      ['signal', 'sliceMs'],
      true,
      this.seed,
    );
    const signal = checkSignal('trainAsync', o.signal);
    const sliceMs = optPositive('trainAsync', 'sliceMs', o.sliceMs, 8);
    signal?.throwIfAborted();
    const run = this.openRun('trainAsync', r, data, false, release);
    const rows = Math.min(r.batch, data.rows);
    const pool = this.pool && threadsPay(this.shape.layers, rows) ? this.pool : null;
    const choice = pool ? threadChoice(pool, this.shape.layers, rows) : null;
    const stop = this.stop!;
    const onAbort = (): void => stop.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort);
    try {
      // the caller gets its promise (and the network is busy) before any training: even a run short enough to fit
      // in one slice settles later, never while the caller's synchronous code still runs
      await yieldToEventLoop();
      this.checkStillLive('trainAsync');
      stop.signal.throwIfAborted();
      let sliceStart = performance.now();
      for (;;) {
        let end: TrainResult | null;
        if (pool && choice && choice.verdict !== false) {
          const { first, count } = run.chunk(Infinity);
          const t0 = performance.now();
          const per = this.poolBatchLimit();
          await choice.runAsync(
            first,
            count,
            (f0, c0) => this.mem.host.trainBatches(run.plan, f0, c0),
            async (f0, c0) => {
              for (let f = f0; f < f0 + c0; f += per)
                await pool.runAsync('trainAsync', run.plan, f, Math.min(per, f0 + c0 - f), stop.signal);
            },
          );
          end = run.ran(count, performance.now() - t0);
        } else {
          const { first, count } = run.chunk(sliceMs - (performance.now() - sliceStart));
          const t0 = performance.now();
          this.mem.host.trainBatches(run.plan, first, count);
          const ms = performance.now() - t0;
          // (the calling thread's verdict is timed too: a later trial may find the pool faster)
          choice?.spent(ms);
          end = run.ran(count, ms);
        }
        if (end) return end;
        this.checkStillLive('trainAsync');
        stop.signal.throwIfAborted();
        run.nextSpan();
        // (with threads, awaiting the workers already yielded whenever a span took time: a yield per span would
        // add a task turn, 1 ms in Node, to every short epoch)
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
        this.checkStillLive('trainAsync');
        stop.signal.throwIfAborted();
      }
    } catch (e) {
      if (!this.isDisposed) run.abort();
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.closeRun(run);
    }
  }

  /**
   * Trains on data larger than memory, from a source of chunks read once per epoch: batches are formed across
   * chunk boundaries, memory is bounded by the buffer (`shuffleBuffer` rows when shuffling, default 10,000; about
   * 8,192 rows otherwise), and with shuffle off the result equals train() on the concatenated data bit for bit.
   * Never blocks the event loop for long (like trainAsync; threads train each flush on the workers).
   * A learningRate function, sampleWeight, classWeight and validationSplit are not supported here.
   * @param source - called once per epoch; returns an iterable or async iterable of {@link Chunk}s in the data's order.
   * @throws SourceError when the source throws or yields something that is not a chunk; a chunk with bad shapes or
   *   values rejects with ShapeError naming the epoch, the chunk and the row.
   */
  async trainStream(
    source: ChunkSource,
    options: Omit<ValidatedTrainOptions, 'validationSplit' | 'stratify'> & StreamExtra,
  ): Promise<ValidatedTrainResult>;
  async trainStream(
    source: ChunkSource,
    options: Omit<TrainOptions, 'validationSplit' | 'stratify'> & StreamExtra,
  ): Promise<TrainResult>;
  async trainStream(
    source: ChunkSource,
    options: (TrainOptions | ValidatedTrainOptions) & StreamExtra,
  ): Promise<TrainResult> {
    this.enter('trainStream', true);
    const op = 'trainStream';
    if (typeof source !== 'function')
      throw new OptionError(
        `${op}: source must be a function returning an iterable of { x, y } chunks, received ${describeValue(source)}`,
      );
    const { r, o } = resolveTrainOptions(op, this.shape, options, ['signal', 'shuffleBuffer']);
    if (r.schedule || r.sampleWeight || r.classWeight) {
      const what = r.schedule ? 'a learningRate function' : r.sampleWeight ? 'sampleWeight' : 'classWeight';
      throw new OptionError(
        `${op}: ${what} is not supported by trainStream (its rows and steps are not known before training); use train() or trainAsync(), or a numeric learningRate`,
      );
    }
    const signal = checkSignal(op, o.signal);
    const shuffleBuffer = optInt(op, 'shuffleBuffer', o.shuffleBuffer, 1, 10_000);
    if (shuffleBuffer > MAX_WIDTH)
      throw new OptionError(`${op}: shuffleBuffer must be at most ${MAX_WIDTH}, received ${shuffleBuffer}`);
    signal?.throwIfAborted();
    const run = new StreamRun(this.mem, op, r, shuffleBuffer, this.rng, (vx, vy) =>
      evaluateAll(op, this.mem, this.mem, vx, vy),
    );
    const stop = this.beginRun(op, run);
    const onAbort = (): void => stop.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort);
    // a wait on the source also ends when the backend is disposed (the network's own dispose() aborts `stop`)
    const host = this.mem.host;
    const onBackendDisposed = (): void =>
      stop.abort(new DisposedError(`${op}: the network's ${this.backend.name} backend was disposed during training`));
    host.disposal.addEventListener('abort', onBackendDisposed);
    try {
      return await run.train(
        source,
        async (plan, count) => {
          const pool = this.pool;
          if (!pool || !threadsPay(this.shape.layers, r.batch)) {
            this.mem.host.trainBatches(plan, 0, count);
            return;
          }
          const per = this.poolBatchLimit();
          await threadChoice(pool, this.shape.layers, r.batch).runAsync(
            0,
            count,
            (f0, c0) => this.mem.host.trainBatches(plan, f0, c0),
            async (f0, c0) => {
              for (let f = f0; f < f0 + c0; f += per)
                await pool.runAsync(op, plan, f, Math.min(per, f0 + c0 - f), stop.signal);
            },
          );
        },
        () => {
          this.checkStillLive(op);
          stop.signal.throwIfAborted();
        },
        stop.signal,
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
      host.disposal.removeEventListener('abort', onBackendDisposed);
      this.closeRun(run);
    }
  }

  // ------------------------------------------------------------------ save
  /**
   * Versioned plain JSON; float64 values round-trip exactly (-0 is written as the string "-0"). With
   * `{ optimizer: true }` a checkpoint (version 2): also the optimizer state and the shuffle generator's position,
   * so that training resumes bit for bit. (JSON.stringify(net) calls toJSON with a string key: plain JSON.)
   * @param options - `optimizer: true` writes a checkpoint; a string (the key JSON.stringify passes) is ignored.
   */
  toJSON(options?: { optimizer?: boolean } | string): NetworkJSON {
    const st = this.readState('toJSON');
    let withOptimizer = false;
    if (options !== undefined && typeof options !== 'string') {
      const o = checkOptions('toJSON', options, ['optimizer']);
      withOptimizer = optBool('toJSON', 'optimizer', o.optimizer, false);
    }
    const params = this.mem.readParameters(st);
    return encodeNetwork(
      this.shape,
      this.seed,
      params,
      withOptimizer ? { optimizer: this.mem.readOptimizer(st), rngState: st.rngState } : undefined,
    );
  }

  // ------------------------------------------------------------------ ONNX (src/onnx/)
  /**
   * An ONNX model (opset 13) of this network: input `input` [N, layers[0]], output `output` [N, layers.at(-1)];
   * float32 tensors for a float32 network unless `dtype` says otherwise.
   * @param options - `dtype`: the tensors' element type; default the network's own.
   */
  toONNX(options?: ToOnnxOptions): Uint8Array {
    return toOnnx(this.model('toONNX'), options);
  }

  /**
   * Loads an ONNX model of a dense network: fastnn's own exports (exactly, float64), or graphs by other tools made of
   * Gemm (any transB, alpha = beta = 1) or MatMul + Add layers, each followed by a supported activation, with float32
   * or float64 initializers. The loss is 'cross-entropy' after softmax and 'mse' otherwise.
   * @param model - the ModelProto's bytes.
   * @param backend - a backend name, 'auto' (the default), or a loaded {@link Backend}.
   * @throws NnError naming the first unsupported node's op type (and its name, if it has one).
   */
  static async fromONNX(model: Uint8Array | ArrayBuffer, backend?: BackendName | Backend | 'auto'): Promise<Network> {
    const op = 'Network.fromONNX';
    const m = onnxToModel(model);
    checkModel(op, m);
    return Network.build(op, backend, m, m.seed, checkThreads(op, undefined), (net) =>
      net.mem.writeParameters(m.parameters),
    );
  }

  /** The network as typed values (shape, seed, a copy of the parameters): what ONNX export writes. */
  private model(op: string): NetworkModel {
    const parameters = this.mem.readParameters(this.readParams(op));
    return {
      ...this.shape,
      layers: this.shape.layers.slice(),
      activations: this.shape.activations.slice(),
      dropout: this.shape.dropout.slice(),
      seed: this.seed,
      parameters,
    };
  }

  // ------------------------------------------------------------------ internals
  /**
   * Every public method starts here: refuses calls on a disposed network or backend, and calls that change the
   * parameters while a training run is open (reads are served from their own workspace, see readParams).
   */
  private enter(op: string, changesParameters = false): void {
    if (this.isDisposed) throw new DisposedError(`${op}: the network was disposed`);
    if (this.mem.host.disposed)
      throw new DisposedError(`${op}: the network's ${this.backend.name} backend was disposed`);
    if (changesParameters && this.run) {
      throw new NnError(
        `${op}: the network is busy with ${this.runOp}; wait for it (or abort it) first, and do not call ${op} from onEpoch`,
      );
    }
  }

  /** enter() for reads: where the parameters come from (the live ones, or a running training's snapshot). */
  private readParams(op: string): ParamPtrs {
    this.enter(op);
    return this.readState(op);
  }

  /** enter() for reads of the whole training state (checkpoints). */
  private readState(op: string): StatePtrs {
    this.enter(op);
    return (
      this.run?.readState() ?? { w: this.mem.w, b: this.mem.b, opt: this.mem.opt, hp: null, rngState: this.rng.state }
    );
  }

  private checkStillLive(op: string): void {
    if (this.isDisposed) throw new DisposedError(`${op}: the network was disposed during training`);
    if (this.mem.host.disposed)
      throw new DisposedError(`${op}: the network's ${this.backend.name} backend was disposed during training`);
  }

  private openRun(op: string, r: ResolvedTrain, data: RunData, multiEpoch: boolean, release: () => void): TrainingRun {
    let run: TrainingRun;
    try {
      run = new TrainingRun(this.mem, op, r, data, multiEpoch, this.rng, (vx, vy) =>
        evaluateAll(op, this.mem, this.mem, vx, vy),
      );
    } catch (e) {
      release();
      throw e;
    }
    this.beginRun(op, run, release);
    return run;
  }

  /** The network is busy with `run` until closeRun; `stop` ends it early (dispose, the caller's signal). */
  private beginRun(op: string, run: OpenRun, release: () => void = () => undefined): AbortController {
    this.runRelease = release;
    this.run = run;
    this.runOp = op;
    this.stop = new AbortController();
    return this.stop;
  }

  private closeRun(run: OpenRun): void {
    run.close();
    this.runRelease();
    this.runRelease = () => undefined;
    this.run = null;
    this.stop = null;
    if (this.isDisposed) this.mem.releaseAll(this);
  }

  /** Most batches one threaded command may run: each batch adds at most threads × (2·layers + 4) barrier arrivals. */
  private poolBatchLimit(): number {
    return Math.max(1, Math.floor(2 ** 30 / (this.threads * (2 * this.layers.length + 4))));
  }
}

// ---------------------------------------------------------------------- helpers

/** What a network holds while it trains: a TrainingRun (train, trainAsync) or a StreamRun (trainStream). */
interface OpenRun {
  readState(): StatePtrs | null;
  close(): void;
}
