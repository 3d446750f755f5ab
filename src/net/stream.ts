/**
 * trainStream (API.md "Data larger than memory"): training from a source of chunks that is read once per epoch.
 * Rows are copied into a fixed buffer in backend memory (`cap` rows); whenever it is full, the whole batches in it
 * are trained in one kernel call and the rows left over move to its start, so batches are formed across chunk
 * boundaries and memory is bounded by the buffer, not by the dataset. With shuffle off, the batches, their order
 * and the per-batch losses are exactly those of train() on the concatenated data (bit for bit); with shuffle on, the
 * buffer's rows are permuted by the network's seeded generator before each flush (a shuffle buffer).
 * A bad chunk, a failing source, an abort, dispose() or a divergence restore the parameters, optimizer state and shuffle
 * generator of the last completed epoch. Every wait on the source is raced with the run's stop signal, so a source
 * that never answers cannot keep the network busy.
 */
import { PLAN_LOSSES } from '../abi.js';
import { checkOptions, describeValue } from '../check.js';
import { NnError, OptionError, SourceError } from '../errors.js';
import type { Input, Matrix } from '../matrix.js';
import type { Mulberry32 } from '../rng.js';
import { checkFits, type NetMemory, type StatePtrs, type Workspace } from './memory.js';
import { checkTrainData, type EpochInfo, type ResolvedTrain, type TrainResult } from './options.js';
import { divergence, endOfEpoch, reportEpoch, restoreBest, result, type RunState } from './run.js';
import { EarlyStopper } from './early-stopping.js';
import { Snapshot } from './snapshot.js';

/** One piece of a stream of training data: rows of inputs and their targets (the same number of rows; 0 is allowed). */
export interface Chunk {
  /** The chunk's input rows. */
  x: Input;
  /** The chunk's target rows, one per row of x. */
  y: Input;
}
/**
 * trainStream's data: a function called once per epoch that returns the dataset's chunks in order, e.g. a generator,
 * a file reader, or a Node or web stream adapted to an async iterable.
 */
export type ChunkSource = () => Iterable<Chunk> | AsyncIterable<Chunk>;

/** Runs `count` batches (numbered from 0) of the plan: on this thread or on the workers. */
export type BatchRunner = (plan: number, count: number) => Promise<void>;

export class StreamRun {
  state: RunState = 'running';
  private readonly ws: Workspace;
  private readonly cap: number;
  private readonly blocks: { x: number; y: number; order: number; losses: number };
  private readonly snapshot: Snapshot;
  /** the state at the end of the best epoch so far (earlyStopping.restoreBest) */
  private readonly best: Snapshot | null = null;
  private rows = 0;

  constructor(
    private readonly mem: NetMemory,
    private readonly op: string,
    private readonly r: ResolvedTrain,
    shuffleBuffer: number,
    private readonly rng: Mulberry32,
    private readonly evaluate: (
      X: import('../matrix.js').Matrix,
      Y: import('../matrix.js').Matrix,
    ) => { loss: number; accuracy?: number },
  ) {
    if (r.split) {
      throw new OptionError(
        `${op}: validationSplit needs all rows at once; with a stream, pass held-out rows as validation: { x, y }`,
      );
    }
    const { layers } = mem.shape;
    const nIn = layers[0]!,
      nOut = layers[layers.length - 1]!,
      batch = r.batch;
    // the buffer: shuffleBuffer rows when shuffling (at least one batch), else whole batches of about 8192 rows
    this.cap = r.shuffle ? Math.max(shuffleBuffer, batch) : batch * Math.max(1, Math.floor(8192 / batch));
    const nbMax = Math.ceil(this.cap / batch);
    const needed =
      mem.workspaceNeed('train', batch) +
      mem.optimizerNeed(r.optimizer) +
      Snapshot.bytes(mem, r.optimizer) * (r.earlyStopping?.restoreBest ? 2 : 1) +
      this.cap * (nIn + nOut) * mem.eb +
      this.cap * 4 +
      nbMax * 8 +
      64 +
      (r.validation ? mem.workspaceNeed('read', Math.min(256, r.validation.x.rows)) : 0);
    checkFits(op, mem.host, needed);
    const allocated: number[] = [];
    const alloc = (bytes: number): number => {
      const p = mem.alloc(bytes, false);
      allocated.push(p);
      return p;
    };
    try {
      this.ws = mem.workspace('train', batch);
      mem.ensureOptimizer(r.optimizer);
      this.blocks = {
        x: alloc(this.cap * nIn * mem.eb),
        y: alloc(this.cap * nOut * mem.eb),
        order: alloc(this.cap * 4),
        losses: alloc(nbMax * 8),
      };
      this.snapshot = new Snapshot(mem, this.ws.hp, rng, alloc);
      if (r.earlyStopping?.restoreBest) this.best = new Snapshot(mem, this.ws.hp, rng, alloc);
    } catch (e) {
      for (const p of allocated) mem.release(p);
      throw e;
    }
    mem.writePlanLayers(this.ws, mem);
    mem.writePlanTraining(this.ws, r, this.blocks.x, this.blocks.y, this.blocks.order, 0);
    mem.host.i32()[(this.ws.plan >> 2) + PLAN_LOSSES] = this.blocks.losses;
  }

  /** Bytes of backend memory the run holds for its buffer (for the memory figure in docs/checkpoints-and-streaming.md and the tests). */
  get bufferRows(): number {
    return this.cap;
  }

  /** Between steps: the state at the start of the current epoch (see TrainingRun.readState). */
  readState(): StatePtrs | null {
    return this.state === 'running' ? this.snapshot.ptrs() : null;
  }

  /**
   * Trains every epoch. `live` throws if the network or its backend were disposed or the signal aborted; it is
   * called between chunks and flushes.
   */
  async train(source: ChunkSource, runBatches: BatchRunner, live: () => void, stop: AbortSignal): Promise<TrainResult> {
    const { r } = this;
    const losses: number[] = [],
      validationLosses: number[] = [];
    const stopper = r.earlyStopping ? new EarlyStopper(r.earlyStopping) : null;
    const race = new StopRace(stop);
    try {
      for (let epoch = 0; epoch < r.epochs; epoch++) {
        this.snapshot.save();
        let loss: number;
        try {
          loss = await this.epoch(epoch, source, runBatches, live, stop, race);
        } catch (e) {
          if (!this.mem.host.disposed && this.state !== 'closed') {
            this.snapshot.restore();
            this.mem.readHp(this.ws);
          }
          throw e;
        }
        losses.push(loss);
        this.mem.readHp(this.ws);
        const info: EpochInfo = { epoch, loss };
        const verdict = reportEpoch(this, r, this.evaluate, info);
        if (info.validationLoss !== undefined) validationLosses.push(info.validationLoss);
        if (verdict === false || (stopper && endOfEpoch(stopper, this.best, info, this.rng))) break;
        live();
      }
    } finally {
      race.close();
    }
    if (stopper && this.best) restoreBest(stopper, this.best, losses.length - 1, () => this.mem.readHp(this.ws));
    return result(losses.length, losses, r, validationLosses, stopper);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const { mem } = this;
    if (mem.host.disposed || !mem.owned.blocks.has(this.snapshot.ptr)) return;
    mem.host.i32()[(this.ws.plan >> 2) + PLAN_LOSSES] = 0;
    for (const p of [this.snapshot.ptr, this.blocks.losses, this.blocks.order, this.blocks.y, this.blocks.x])
      mem.release(p);
    if (this.best) mem.release(this.best.ptr);
  }

  // ---------------------------------------------------------------- one epoch
  private async epoch(
    epoch: number,
    source: ChunkSource,
    runBatches: BatchRunner,
    live: () => void,
    stop: AbortSignal,
    race: StopRace,
  ): Promise<number> {
    const { mem, op } = this;
    const { layers } = mem.shape;
    const nIn = layers[0]!,
      nOut = layers[layers.length - 1]!;
    const batchLosses: number[] = [];
    this.rows = 0;
    let c = 0,
      seen = 0; // the chunk being read and the rows read before it, for the messages
    const failed = (what: string, e: unknown): Error => {
      // an abort or dispose that happened meanwhile wins: the source may fail because of it (a stream closed by it)
      if (stop.aborted) return stop.reason as Error;
      return new SourceError(
        `${op}: epoch ${epoch}, chunk ${c} (after ${seen} rows of this epoch): ${what}: ${message(e)}`,
        { epoch, chunk: c, rows: seen },
        { cause: e },
      );
    };
    let it: unknown;
    try {
      it = source();
    } catch (e) {
      throw failed('source() threw', e);
    }
    // the iterator and its next(), read once (as for await does); a hostile object's getters may throw
    let isAsync = false,
      getIterator: (() => unknown) | null = null;
    try {
      if (typeof it === 'object' && it !== null) {
        const a: unknown = (it as AsyncIterable<Chunk>)[Symbol.asyncIterator];
        const f: unknown = typeof a === 'function' ? a : (it as Iterable<Chunk>)[Symbol.iterator];
        isAsync = typeof a === 'function';
        if (typeof f === 'function') getIterator = () => (f as (this: unknown) => unknown).call(it);
      }
    } catch (e) {
      throw failed('reading its [Symbol.asyncIterator] or [Symbol.iterator] threw', e);
    }
    if (!getIterator) {
      const got =
        typeof it === 'object' && it !== null
          ? 'an object with neither [Symbol.iterator] nor [Symbol.asyncIterator]'
          : describeValue(it);
      throw new OptionError(
        `${op}: source() must return an iterable or async iterable of { x, y } chunks, received ${got}`,
      );
    }
    const method = `[Symbol.${isAsync ? 'asyncIterator' : 'iterator'}]()`;
    let iter: unknown, next: unknown;
    try {
      iter = getIterator();
    } catch (e) {
      throw failed(`its ${method} threw`, e);
    }
    try {
      next = typeof iter === 'object' && iter !== null ? (iter as { next?: unknown }).next : undefined;
    } catch (e) {
      throw failed(`reading next of what its ${method} returned threw`, e);
    }
    if (typeof next !== 'function') {
      const got = typeof iter === 'object' && iter !== null ? 'an object without a next() method' : describeValue(iter);
      throw new SourceError(
        `${op}: epoch ${epoch}: the source's ${method} returned ${got}, expected an iterator (an object with a next() method)`,
        { epoch, chunk: 0, rows: 0 },
      );
    }
    const nextOf = next as (this: unknown) => unknown;
    let finished = false; // the iterator is done (or failed itself): nothing to close
    try {
      let last = performance.now();
      for (; ; c++) {
        let res: unknown;
        try {
          res = nextOf.call(iter);
        } catch (e) {
          finished = true;
          throw failed('next() threw', e);
        }
        if (isThenable(res)) {
          res = await race.wait(res, (e) => {
            finished = true;
            return failed('next() rejected', e);
          });
        }
        live();
        // an iterator that broke its protocol or failed is not closed (as for await does)
        if (res === null || typeof res !== 'object') {
          finished = true;
          throw failed(
            'next() returned a malformed result',
            new TypeError(`expected an iterator result { value, done }, received ${describeValue(res)}`),
          );
        }
        let done: unknown, chunk: unknown;
        try {
          ({ done, value: chunk } = res as IteratorResult<unknown, unknown>);
        } catch (e) {
          finished = true;
          throw failed("reading next()'s result threw", e);
        }
        if (done) {
          finished = true;
          break;
        }
        // like for await: a synchronous iterator may yield promises of chunks
        if (!isAsync && isThenable(chunk)) {
          chunk = await race.wait(chunk, (e) => failed('the chunk it yielded rejected', e));
          live();
        }
        const where = `${op}: epoch ${epoch}, chunk ${c}`;
        if (typeof chunk !== 'object' || chunk === null)
          throw new OptionError(`${where}: expected { x, y }, received ${chunk === null ? 'null' : typeof chunk}`);
        let X: Matrix, Y: Matrix;
        try {
          checkOptions(where, chunk, ['x', 'y']);
          const ch = chunk as Chunk;
          if (rowCount(ch.x) === 0 && rowCount(ch.y) === 0) continue; // empty chunks are allowed and skipped
          ({ X, Y } = checkTrainData(where, mem.shape, ch.x, ch.y));
        } catch (e) {
          if (e instanceof NnError) throw e;
          throw failed('reading the chunk threw', e); // a getter or proxy of the source's
        }
        for (let off = 0; off < X.rows;) {
          const take = Math.min(this.cap - this.rows, X.rows - off);
          mem.writeElems(X.data.subarray(off * nIn, (off + take) * nIn), this.blocks.x + this.rows * nIn * mem.eb);
          mem.writeElems(Y.data.subarray(off * nOut, (off + take) * nOut), this.blocks.y + this.rows * nOut * mem.eb);
          this.rows += take;
          off += take;
          if (this.rows === this.cap) {
            await this.flush(false, batchLosses, runBatches);
            live();
          }
        }
        seen += X.rows;
        if (performance.now() - last > 8) {
          await new Promise((res) => setTimeout(res, 0)); // a synchronous source must not block the event loop
          live();
          last = performance.now();
        }
      }
    } finally {
      if (!finished) closeIterator(iter as Iterator<unknown>);
    }
    await this.flush(true, batchLosses, runBatches);
    if (batchLosses.length === 0) throw new NnError(`${op}: epoch ${epoch}: the source yielded no rows`);
    let sum = 0;
    for (const l of batchLosses) sum += l;
    const loss = sum / batchLosses.length;
    if (!Number.isFinite(loss) || !mem.parametersFinite()) {
      throw divergence(
        op,
        Number.isFinite(loss) ? 'the parameters became non-finite' : `loss became ${String(loss)}`,
        epoch,
        this.r,
      );
    }
    return loss;
  }

  /** Trains the whole batches in the buffer (all of them, the last one partial, when `final`); keeps the rest. */
  private async flush(final: boolean, batchLosses: number[], runBatches: BatchRunner): Promise<void> {
    const n = this.rows,
      batch = this.r.batch;
    if (n === 0) return;
    const { mem } = this;
    const I = mem.host.i32(),
      o = this.blocks.order >> 2;
    for (let i = 0; i < n; i++) I[o + i] = i;
    if (this.r.shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(this.rng.next() * (i + 1));
        const t = I[o + i]!;
        I[o + i] = I[o + j]!;
        I[o + j] = t;
      }
    }
    const k = final ? Math.ceil(n / batch) : Math.floor(n / batch);
    if (k > 0) {
      mem.writePlanData(this.ws, this.blocks.x, this.blocks.y, this.blocks.order, n); // the step counters stay in hp
      await runBatches(this.ws.plan, k);
      const F = mem.host.f64();
      for (let b = 0; b < k; b++) batchLosses.push(F[(this.blocks.losses >> 3) + b]!);
    }
    // rows not trained yet (fewer than a batch) move to the buffer's start, in their order
    const left = n - k * batch;
    if (left > 0) {
      const { layers } = mem.shape;
      const nIn = layers[0]!,
        nOut = layers[layers.length - 1]!;
      const J = mem.host.i32(),
        eb = mem.eb;
      const keep = Array.from({ length: left }, (_, i) => J[o + k * batch + i]!);
      // copies widen exactly and round back to the same values
      const xs = keep.map((row) => mem.readElems(this.blocks.x + row * nIn * eb, nIn));
      const ys = keep.map((row) => mem.readElems(this.blocks.y + row * nOut * eb, nOut));
      xs.forEach((v, i) => mem.writeElems(v, this.blocks.x + i * nIn * eb));
      ys.forEach((v, i) => mem.writeElems(v, this.blocks.y + i * nOut * eb));
    }
    this.rows = Math.max(0, left);
  }
}

/** Rows of an Input without validating it (-1 when it is not one): to recognise empty chunks. */
function rowCount(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'object' && v !== null && typeof (v as { rows?: unknown }).rows === 'number')
    return (v as { rows: number }).rows;
  return -1;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Awaits the promises of the user's source raced with `stop` (the caller's signal, dispose() of the network or of its
 * backend), so a source that never settles cannot keep the run open. One abort listener serves the whole run (adding
 * and removing one per chunk cost as much as the rest of a small chunk's handling); at most one wait is pending.
 */
class StopRace {
  private pending: ((reason: unknown) => void) | null = null;
  private readonly onStop = (): void => {
    const reject = this.pending;
    this.pending = null;
    reject?.(this.stop.reason);
  };

  constructor(private readonly stop: AbortSignal) {
    stop.addEventListener('abort', this.onStop);
  }

  close(): void {
    this.stop.removeEventListener('abort', this.onStop);
  }

  /** `p`'s value; its rejection becomes `failed(reason)`; after an abort its late outcome is ignored (but handled). */
  wait<T>(p: PromiseLike<T>, failed: (e: unknown) => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settled = Promise.resolve(p);
      if (this.stop.aborted) {
        settled.then(undefined, () => undefined);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with the signal's reason, as fetch() does
        reject(this.stop.reason);
        return;
      }
      this.pending = reject;
      settled.then(
        (v) => {
          if (this.pending === reject) this.pending = null;
          resolve(v);
        },
        (e: unknown) => {
          if (this.pending === reject) this.pending = null;
          reject(failed(e));
        },
      );
    });
  }
}

/**
 * Tells an iterator the epoch ended early (as for await does): return() lets a generator run its finally blocks and
 * a stream adapter close its file or socket. It is not awaited: after an abort the source may never answer, and
 * what it throws or rejects with then cannot replace the error that ended the epoch.
 */
function closeIterator(iter: Iterator<unknown> | AsyncIterator<unknown>): void {
  try {
    const ret = (iter as { return?: unknown }).return;
    if (typeof ret !== 'function') return;
    const r: unknown = (ret as (this: unknown) => unknown).call(iter);
    if (isThenable(r)) Promise.resolve(r).then(undefined, () => undefined);
  } catch {
    // see above: the epoch's own error is the one reported
  }
}

function message(e: unknown): string {
  try {
    if (e instanceof Error) return `${String(e.name)}: ${String(e.message)}`;
    return describeValue(e);
  } catch {
    return 'a value that cannot be read';
  }
}
