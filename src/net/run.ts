/**
 * One training run: the owner of everything a train / trainAsync call allocates (data, sample orders, per-batch
 * losses, the snapshot) and of its progress through the epochs. Network creates one per call and closes it in
 * `finally`; while it is open the network is busy (writes are refused) and reads use their own workspace.
 *
 * Epochs run in spans: without onEpoch and validation, train() hands the backend many epochs at once (their
 * shuffled orders back to back; one boundary crossing for e.g. all 1000 epochs of the tutorial); otherwise a span
 * is one epoch. Parameters and optimizer state are copied to the snapshot at each span start; a divergence, a
 * failure or an abort restores the snapshot and replays the span's completed epochs (training is deterministic),
 * so the network is left exactly at the end of its last completed epoch. Epoch losses are summed from the
 * per-batch losses in batch order, so they do not depend on how the batches were chunked.
 */
import { PLAN_LOSSES, PLAN_LRS, PLAN_WEIGHTS } from '../abi.js';
import { rowWeights, scheduleTable } from './controls.js';
import { TrainingError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import type { Mulberry32 } from '../rng.js';
import { elemView } from './elements.js';
import { checkFits, type NetMemory, type StatePtrs, type Workspace } from './memory.js';
import { Snapshot } from './snapshot.js';
import { EarlyStopper } from './early-stopping.js';
import type { EpochInfo, ResolvedTrain, TrainResult } from './options.js';

export type RunState = 'running' | 'callback' | 'closed';

let planHookForTest: ((plan: number, i32: Int32Array) => void) | null = null;
/** Test hook (src/internal.ts): called after every run has written its plan, e.g. to corrupt it so a kernel traps. */
export function setPlanHookForTest(hook: ((plan: number, i32: Int32Array) => void) | null): void {
  planHookForTest = hook;
}

/** The TrainingError of a run whose loss or parameters stopped being finite in `epoch`. */
export function divergence(op: string, what: string, epoch: number, r: ResolvedTrain): TrainingError {
  return new TrainingError(
    `${op}: ${what} in epoch ${epoch} (of ${r.epochs}); ` +
      (epoch === 0
        ? 'the parameters are unchanged (those from before this call). '
        : `the parameters are those after epoch ${epoch - 1}. `) +
      (r.schedule ? 'Try a schedule with lower rates' : `Try a lower learningRate (now ${r.lr})`) +
      ' or normalise the inputs.',
  );
}

/**
 * The end of an epoch: validation, then onEpoch, with the run in its 'callback' state (reads see the live
 * parameters). Returns onEpoch's verdict (false stops training).
 */
export function reportEpoch(
  run: { state: RunState },
  r: ResolvedTrain,
  evaluate: (X: Matrix, Y: Matrix) => { loss: number; accuracy?: number },
  info: EpochInfo,
): void | boolean {
  run.state = 'callback';
  try {
    if (r.validation) {
      const v = evaluate(r.validation.x, r.validation.y);
      info.validationLoss = v.loss;
      if (v.accuracy !== undefined) info.validationAccuracy = v.accuracy;
    }
    // a copy: what the run records (validation loss, early stopping) does not depend on what onEpoch does to it
    return r.onEpoch ? r.onEpoch({ ...info }) : undefined;
  } finally {
    if (run.state === 'callback') run.state = 'running';
  }
}

/**
 * Early stopping's part of the end of an epoch (after onEpoch): records the monitored loss (validation loss when there
 * is one), saves the state as the best when it improved; true when patience ran out.
 */
export function endOfEpoch(stopper: EarlyStopper, best: Snapshot | null, info: EpochInfo, rng: Mulberry32): boolean {
  const verdict = stopper.observe(info.epoch, info.validationLoss ?? info.loss);
  if (verdict === 'best') best?.save(rng.state);
  return verdict === 'stop';
}

/**
 * At the end of a run with restoreBest: back to the best epoch's state (the snapshot also puts the shuffle generator
 * back), unless the last epoch was the best.
 */
export function restoreBest(stopper: EarlyStopper, best: Snapshot, lastEpoch: number, readHp: () => void): void {
  if (stopper.bestEpoch < 0 || stopper.bestEpoch === lastEpoch) return;
  best.restore();
  readHp();
}

/** A run's TrainResult: validationLosses with validation data, bestEpoch with early stopping. */
export function result(
  epochs: number,
  losses: number[],
  r: ResolvedTrain,
  validationLosses: number[],
  stopper: EarlyStopper | null,
): TrainResult {
  const out: TrainResult = { epochs, losses, stoppedEarly: stopper?.stopped ?? false };
  if (r.validation) out.validationLosses = validationLosses.slice();
  if (stopper && stopper.bestEpoch >= 0) out.bestEpoch = stopper.bestEpoch;
  return out;
}

/** A run's data: matrices to copy into backend memory, or the blocks of a resident Dataset (used in place). */
export type RunData = { rows: number; X: Matrix; Y: Matrix } | { rows: number; x: number; y: number };

/**
 * The mean batch loss of each of `epochs` epochs of `nb` batches, from the per-batch losses at float64 index `at`,
 * and the first epoch whose loss is not finite (-1: none). One pass: a 1000-epoch span of a small network is 1000
 * epochs to sum, a noticeable part of its train call.
 */
function epochLosses(
  L: Float64Array,
  at: number,
  nb: number,
  epochs: number,
  skipped: Uint8Array | null,
): { losses: number[]; bad: number } {
  const losses: number[] = [];
  let bad = -1;
  for (let e = 0, base = at; e < epochs; e++, base += nb) {
    let sum = 0;
    for (let b = 0; b < nb; b++) sum += L[base + b]!;
    // batches skipped for all-zero sample weights have no loss
    let ran = nb;
    if (skipped) for (let b = 0; b < nb; b++) ran -= skipped[e * nb + b]!;
    const loss = ran === 0 ? 0 : sum / ran;
    if (bad < 0 && !Number.isFinite(loss)) bad = e;
    losses.push(loss);
  }
  return { losses, bad };
}

export class TrainingRun {
  readonly plan: number;
  /** Batches per epoch. */
  readonly nb: number;
  state: RunState = 'running';
  private readonly ws: Workspace;
  private readonly n: number;
  private readonly spanMax: number;
  private readonly blocks: {
    xData: number;
    yData: number;
    order: number;
    losses: number;
    lrs: number;
    weights: number;
  };
  /** a learning-rate schedule's value for each step of the call from the step counter `lrFrom` on */
  private readonly lrTable: Float64Array | null;
  private readonly lrFrom: number;
  /** the row weights (sampleWeight × classWeight) and, per batch of the span, whether all of its rows weigh 0 */
  private readonly rowW: Float64Array | null;
  private skipped: Uint8Array | null = null;
  /** the data blocks are this run's (copied in), not a Dataset's */
  private readonly ownsData: boolean;
  private readonly snapshot: Snapshot;
  private readonly stopper: EarlyStopper | null;
  /** the state at the end of the best epoch so far (earlyStopping.restoreBest) */
  private readonly best: Snapshot | null = null;
  private losses: number[] = [];
  private readonly validationLosses: number[] = [];
  /** epochs completed */
  private epoch = 0;
  /** epochs in the current span */
  private spanEpochs = 0;
  /** epochs of the current span completed and reported */
  private doneInSpan = 0;
  /** batches of the current span run */
  private batchDone = 0;
  private perBatchMs = 0;
  /** the parameters are already those of the last completed epoch (no rewind needed) */
  private atEpochEnd = true;
  /** the shuffle generator's state after drawing the orders of the current span's first e epochs, e = 0..spanEpochs */
  private spanRng: number[] = [];

  /**
   * Checks that everything fits, then allocates; a failure frees whatever was allocated.
   * @param evaluate validation after each epoch (reads use the network's read workspace)
   */
  constructor(
    private readonly mem: NetMemory,
    private readonly op: string,
    private readonly r: ResolvedTrain,
    data: RunData,
    multiEpoch: boolean,
    private readonly rng: Mulberry32,
    private readonly evaluate: (X: Matrix, Y: Matrix) => { loss: number; accuracy?: number },
  ) {
    const { layers } = mem.shape;
    const n = data.rows,
      nIn = layers[0]!,
      nOut = layers[layers.length - 1]!;
    const copy = 'X' in data; // else the data is resident (a Dataset): no allocation and no copy
    this.n = n;
    this.nb = Math.ceil(n / r.batch);
    this.spanMax = multiEpoch ? Math.max(1, Math.min(r.epochs, Math.floor(2 ** 20 / n))) : 1;
    // the training controls, checked before anything is allocated or changed
    this.rowW = rowWeights(
      op,
      r,
      n,
      copy ? data.Y.data : elemView(mem.host, mem.dtype),
      copy ? 0 : data.y / mem.eb,
      nOut,
    );
    this.lrFrom = mem.opt?.kind === r.optimizer ? mem.hp.step : 0;
    this.lrTable = r.schedule ? scheduleTable(op, r.schedule, this.lrFrom, r.epochs * this.nb) : null;
    const controlBytes = (this.rowW ? n * 8 + 16 : 0) + (this.lrTable ? this.nb * this.spanMax * 8 + 16 : 0);
    // everything this constructor may allocate, counted before the first allocation
    const snapshotBytes = Snapshot.bytes(mem, r.optimizer);
    const needed =
      mem.workspaceNeed('train', r.batch) +
      mem.optimizerNeed(r.optimizer) +
      snapshotBytes * (r.earlyStopping?.restoreBest ? 2 : 1) +
      (copy ? n * (nIn + nOut) * mem.eb + 32 : 0) +
      (n * this.spanMax * 4 + 16) +
      (this.nb * this.spanMax * 8 + 16) +
      (r.validation ? mem.workspaceNeed('read', Math.min(256, r.validation.x.rows)) : 0) +
      controlBytes;
    checkFits(op, mem.host, needed);
    const allocated: number[] = [];
    const alloc = (bytes: number): number => {
      const p = mem.alloc(bytes, false); // every block is written whole before it is read
      allocated.push(p);
      return p;
    };
    try {
      this.ws = mem.workspace('train', r.batch);
      mem.ensureOptimizer(r.optimizer);
      this.plan = this.ws.plan;
      this.blocks = {
        xData: copy ? alloc(n * nIn * mem.eb) : data.x,
        yData: copy ? alloc(n * nOut * mem.eb) : data.y,
        order: alloc(n * this.spanMax * 4),
        losses: alloc(this.nb * this.spanMax * 8),
        lrs: this.lrTable ? alloc(this.nb * this.spanMax * 8) : 0,
        weights: this.rowW ? alloc(n * 8) : 0,
      };
      this.snapshot = new Snapshot(mem, this.ws.hp, rng, alloc);
      if (r.earlyStopping?.restoreBest) this.best = new Snapshot(mem, this.ws.hp, rng, alloc);
    } catch (e) {
      for (const p of allocated) mem.release(p);
      throw e;
    }
    if (copy) {
      mem.writeElems(data.X.data, this.blocks.xData);
      mem.writeElems(data.Y.data, this.blocks.yData);
    }
    if (this.rowW) mem.host.f64().set(this.rowW, this.blocks.weights >> 3);
    this.ownsData = copy;
    this.stopper = r.earlyStopping ? new EarlyStopper(r.earlyStopping) : null;
    this.writePlan();
    this.startSpan();
  }

  /** Points the (network's training) plan at this run's blocks and options. */
  writePlan(): void {
    const { mem, ws, blocks } = this;
    mem.writePlanLayers(ws, mem);
    mem.writePlanTraining(ws, this.r, blocks.xData, blocks.yData, blocks.order, this.n);
    mem.host.i32()[(this.plan >> 2) + PLAN_LOSSES] = blocks.losses;
    mem.host.i32()[(this.plan >> 2) + PLAN_LRS] = blocks.lrs;
    mem.host.i32()[(this.plan >> 2) + PLAN_WEIGHTS] = blocks.weights;
    planHookForTest?.(this.plan, mem.host.i32());
  }

  /**
   * Where reads take the parameters from while this run is open: inside onEpoch the live ones (the end of the
   * epoch just completed); between the slices of trainAsync the snapshot (the end of the last completed epoch),
   * never the parameters a step is writing.
   */
  readState(): StatePtrs | null {
    return this.state === 'running' ? this.snapshot.ptrs() : null;
  }

  /** The next batches to run: the rest of the span, or about `budgetMs` worth of them (at least one). */
  chunk(budgetMs: number): { first: number; count: number } {
    const left = this.spanEpochs * this.nb - this.batchDone;
    const pb = this.perBatchMs;
    const count = budgetMs === Infinity ? left : pb === 0 ? 1 : Math.max(1, Math.min(left, Math.floor(budgetMs / pb)));
    this.atEpochEnd = false;
    return { first: this.batchDone, count };
  }

  /**
   * Records `count` batches that ran; reports every epoch they completed; returns the result when training is over.
   * @throws TrainingError when an epoch's loss or the parameters are not finite (the parameters are then those of
   *   the last finite epoch); whatever onEpoch throws.
   */
  ran(count: number, ms: number): TrainResult | null {
    const dt = ms / count;
    this.perBatchMs = this.perBatchMs === 0 ? dt : 0.7 * this.perBatchMs + 0.3 * dt;
    this.batchDone += count;
    const { nb, mem, r } = this;
    if (this.batchDone < this.spanEpochs * nb) return null;
    // the span is complete: its epoch losses in batch order, then the parameters
    const { losses: spanLosses, bad: firstBad } = epochLosses(
      mem.host.f64(),
      this.blocks.losses >> 3,
      nb,
      this.spanEpochs,
      this.skipped,
    );
    let bad = firstBad;
    let what = bad >= 0 ? `loss became ${String(spanLosses[bad])}` : '';
    if (bad < 0 && !mem.parametersFinite()) {
      bad = this.firstNonFiniteEpoch();
      what = 'the parameters became non-finite';
    }
    if (bad >= 0) {
      this.doneInSpan = bad;
      this.rewind();
      const epoch = this.epoch + bad;
      throw divergence(this.op, what, epoch, r);
    }
    if (this.losses.length === 0)
      this.losses = spanLosses; // the first span's array itself (no copy)
    else for (const l of spanLosses) this.losses.push(l);
    this.epoch += this.spanEpochs;
    this.doneInSpan = this.spanEpochs;
    this.atEpochEnd = true;
    mem.readHp(this.ws);
    const loss = spanLosses[spanLosses.length - 1]!;
    const info: EpochInfo = { epoch: this.epoch - 1, loss };
    const verdict = reportEpoch(this, r, this.evaluate, info);
    if (info.validationLoss !== undefined) this.validationLosses.push(info.validationLoss);
    const stop = this.stopper ? endOfEpoch(this.stopper, this.best, info, this.rng) : false;
    if (verdict === false || stop || this.epoch >= r.epochs) {
      if (this.best && this.stopper) restoreBest(this.stopper, this.best, this.epoch - 1, () => mem.readHp(this.ws));
      return result(this.epoch, this.losses.slice(), r, this.validationLosses, this.stopper);
    }
    return null;
  }

  /** After ran() returned null: starts the next span if the current one is complete (the caller checked for disposal and aborts first). */
  nextSpan(): void {
    if (this.batchDone >= this.spanEpochs * this.nb) this.startSpan();
  }

  /**
   * After a failure or an abort: the parameters, optimizer state and shuffle generator of the last completed epoch
   * (the generator too when the parameters need no rewind: a span that was started has drawn its orders).
   */
  abort(): void {
    if (this.state === 'closed' || this.mem.host.disposed) return;
    if (!this.atEpochEnd) this.rewind();
    this.rng.state = this.spanRng[this.doneInSpan]!;
  }

  /** Frees the run's blocks (a no-op after the backend or the network released everything). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const { mem } = this;
    if (mem.host.disposed || !mem.owned.blocks.has(this.snapshot.ptr)) return;
    const I = mem.host.i32(),
      P = this.plan >> 2;
    I[P + PLAN_LOSSES] = 0; // the plan must not point at freed memory
    I[P + PLAN_LRS] = 0;
    I[P + PLAN_WEIGHTS] = 0;
    for (const p of [this.snapshot.ptr, this.blocks.losses, this.blocks.order, this.blocks.lrs, this.blocks.weights])
      mem.release(p);
    if (this.best) mem.release(this.best.ptr);
    if (this.ownsData) for (const p of [this.blocks.yData, this.blocks.xData]) mem.release(p);
  }

  // ---------------------------------------------------------------- internals
  /** Back to the end of the span's `doneInSpan` completed epochs: the snapshot, then those epochs again. */
  private rewind(): void {
    this.snapshot.restore();
    if (this.doneInSpan > 0) this.mem.host.trainBatches(this.plan, 0, this.doneInSpan * this.nb);
    this.rng.state = this.spanRng[this.doneInSpan]!;
    this.mem.readHp(this.ws);
    this.batchDone = this.doneInSpan * this.nb;
    this.atEpochEnd = true;
  }

  /** The span's first epoch after which a parameter is not finite (replayed one epoch at a time from the snapshot). */
  private firstNonFiniteEpoch(): number {
    this.snapshot.restore();
    for (let e = 0; e < this.spanEpochs; e++) {
      this.mem.host.trainBatches(this.plan, e * this.nb, this.nb);
      if (!this.mem.parametersFinite()) return e;
    }
    return this.spanEpochs - 1;
  }

  /**
   * The span's per-batch learning rates (the schedule at the step each batch takes; a batch whose rows all weigh 0
   * takes none) and which batches are skipped.
   */
  private spanControls(): void {
    const { rowW, lrTable, nb, n, r } = this;
    if (!rowW && !lrTable) return;
    const I = this.mem.host.i32(),
      F = this.mem.host.f64();
    const o0 = this.blocks.order >> 2,
      lrs = this.blocks.lrs >> 3;
    const batches = this.spanEpochs * nb;
    const skipped = rowW ? new Uint8Array(batches) : null;
    let step = this.mem.hp.step;
    for (let i = 0; i < batches; i++) {
      const e = Math.floor(i / nb),
        p0 = (i - e * nb) * r.batch,
        rows = Math.min(r.batch, n - p0);
      let skip = rowW !== null;
      for (let q = 0; skip && q < rows; q++) if (rowW![I[o0 + e * n + p0 + q]!]! > 0) skip = false;
      if (skipped) skipped[i] = skip ? 1 : 0;
      if (lrTable) {
        F[lrs + i] = lrTable[Math.min(step - this.lrFrom, lrTable.length - 1)]!;
        if (!skip) step++;
      }
    }
    this.skipped = skipped;
  }

  private startSpan(): void {
    const { n, r } = this;
    this.spanEpochs = Math.min(this.spanMax, r.epochs - this.epoch);
    this.snapshot.save(); // before the orders are drawn: it holds the generator's state too
    const spanRng = [this.rng.state];
    const I = this.mem.host.i32();
    const o0 = this.blocks.order >> 2;
    if (!r.shuffle) {
      // unshuffled epochs repeat 0..n-1: write it once, then double the filled part (a 1000-epoch tutorial span is
      // 4,000 words in 10 block copies instead of a loop per epoch)
      for (let i = 0; i < n; i++) I[o0 + i] = i;
      const end = o0 + this.spanEpochs * n;
      for (let done = o0 + n; done < end; done += done - o0)
        I.copyWithin(done, o0, Math.min(o0 + (done - o0), o0 + (end - done)));
    }
    for (let e = 0; r.shuffle && e < this.spanEpochs; e++) {
      const o = o0 + e * n;
      for (let i = 0; i < n; i++) I[o + i] = i;
      if (r.shuffle) {
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(this.rng.next() * (i + 1));
          const t = I[o + i]!;
          I[o + i] = I[o + j]!;
          I[o + j] = t;
        }
      }
      spanRng.push(this.rng.state);
    }
    while (spanRng.length <= this.spanEpochs) spanRng.push(this.rng.state); // unshuffled: the generator stays
    this.spanRng = spanRng;
    this.spanControls();
    this.doneInSpan = 0;
    this.batchDone = 0;
    this.atEpochEnd = true;
  }
}
