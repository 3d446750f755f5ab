/**
 * The memory plan of one network: every block it owns in its backend's memory (parameters, optimizer state,
 * workspaces), how many bytes each call needs, and the one writer of the `plan` and hyper-parameter words
 * (src/abi.ts) that the fused kernels read. Scripts and the bench use it through src/internal.ts.
 *
 * Two workspaces, so that reads never touch a running training's buffers: `train` (sized to the batch, used only
 * by a TrainingRun) and `read` (predict, evaluate, gradients).
 */
import {
  HP_ALPHA,
  HP_BETA1_POW,
  HP_BETA2_POW,
  HP_CLIP,
  HP_GENERIC,
  HP_SIZE,
  HP_STEP,
  L_A,
  L_ACT,
  L_AD,
  PLAN_DROPOUT,
  PLAN_DTYPE,
  PLAN_LRS,
  PLAN_NORMS,
  PLAN_SEED,
  PLAN_WEIGHTS,
  L_B,
  L_DB,
  L_DW,
  L_DZ,
  L_NIN,
  L_NOUT,
  L_SB,
  L_SB2,
  L_SW,
  L_SW2,
  L_W,
  L_Z,
  OPT,
  PLAN_BATCH,
  PLAN_HEADER,
  PLAN_HP,
  PLAN_LAYER_WORDS,
  PLAN_LAYERS,
  PLAN_LOSS,
  PLAN_OPT,
  PLAN_ORDER,
  PLAN_SAMPLES,
  PLAN_T,
  PLAN_X0,
  PLAN_XDATA,
  PLAN_YDATA,
  DTYPE,
  planBytes,
} from '../abi.js';
import type { Backend, Dtype, Optimizer } from '../backend.js';
import { actCode, lossCode } from '../backends/heap.js';
import type { KernelHost } from '../backends/host.js';
import type { ThreadPool } from '../backends/threads.js';
import { firstNonFinite } from '../check.js';
import { ShapeError } from '../errors.js';
import { mulberry32, normalFrom } from '../rng.js';
import { OPTIMIZERS } from '../spec/index.js';
import { elemBytes, elemSubarray, readElems, writeElems } from './elements.js';
import type { Init, LayerParameters, NetworkShape, ResolvedTrain } from './options.js';

/** Blocks a network owns; shared with the FinalizationRegistry (which must not hold the network). */
export interface Owned {
  backend: Backend;
  host: KernelHost;
  ownsBackend: boolean;
  blocks: Set<number>;
  pool: ThreadPool | null;
}

const finalizer =
  typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<Owned>((owned) => releaseOwned(owned));

/** Per backend: pools whose blocks wait for their workers to exit, and who waits for that count to reach 0. */
const lateFrees = new WeakMap<KernelHost, { pending: number; waiters: (() => void)[] }>();

/**
 * Resolves once every pool that was ended on this backend has handed its blocks back (its workers exited), so that
 * `usedBytes()` then counts only live networks. For tests; a browser worker stuck in a kernel never hands back.
 */
export function lateFreesDone(host: KernelHost): Promise<void> {
  const e = lateFrees.get(host);
  if (!e || e.pending === 0) return Promise.resolve();
  return new Promise((resolve) => e.waiters.push(resolve));
}

function releaseOwned(owned: Owned): void {
  const pool = owned.pool;
  owned.pool = null;
  if (pool) {
    // a dying worker may still write to the pool's control block and scratch: those are freed once every worker exited
    const late = pool.blocks.filter((p) => owned.blocks.delete(p));
    const host = owned.host;
    let e = lateFrees.get(host);
    if (!e) lateFrees.set(host, (e = { pending: 0, waiters: [] }));
    const entry = e;
    entry.pending++;
    pool.terminate(() => {
      if (!host.disposed) for (const p of late) host.freeBytes(p);
      if (--entry.pending === 0) for (const w of entry.waiters.splice(0)) w();
    });
  }
  if (owned.ownsBackend) owned.backend.dispose();
  else if (!owned.host.disposed) for (const p of owned.blocks) owned.host.freeBytes(p);
  owned.blocks.clear();
}

export interface Workspace {
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
  /** per layer: the output after dropout (train workspace, layers with a rate > 0), else 0 */
  ad: number[];
  /** f64[L] dropout rates, then f64[Σ nOut] per-neuron squared norms (clipping); train workspace only, else 0 */
  ctl: number;
}

export interface OptState {
  kind: Optimizer;
  sw: number[];
  sw2: number[];
  sb: number[];
  sb2: number[];
}

/** Optimizer counters that live in the hp block while a run trains, and here between runs. */
export interface HpState {
  beta1Pow: number;
  beta2Pow: number;
  step: number;
}

/** Where a read takes the parameters from: per layer, the pointers of w and b. */
export interface ParamPtrs {
  w: readonly number[];
  b: readonly number[];
}

/** Where a checkpoint takes the whole training state from (the live blocks, or a snapshot's copies of them). */
export interface StatePtrs extends ParamPtrs {
  opt: OptState | null;
  /** the hp block holding the optimizer counters, or null for the ones kept in NetMemory.hp */
  hp: number | null;
  rngState: number;
}

/** The optimizer state as plain arrays (a checkpoint), per layer. */
export interface OptimizerSave {
  kind: Optimizer;
  beta1Pow: number;
  beta2Pow: number;
  step: number;
  /** per layer: momentum's velocity or Adam's first moment (w, b), and Adam's second moment (w2, b2) */
  layers: { w: Float64Array; b: Float64Array; w2?: Float64Array; b2?: Float64Array }[];
}

/** Bytes of a network's parameters (with the allocator's alignment slack) in elements of `eb` bytes. */
export function paramBytes(layers: readonly number[], eb = 8): number {
  let n = 0;
  for (let l = 0; l + 1 < layers.length; l++) n += (layers[l]! * layers[l + 1]! + layers[l + 1]!) * eb + 32;
  return n;
}

/** ShapeError unless `bytes` more fit in the backend's memory. */
export function checkFits(op: string, host: KernelHost, bytes: number): void {
  const avail = host.available();
  if (!(bytes <= avail)) {
    throw new ShapeError(
      `${op}: needs ${(bytes / 2 ** 20).toFixed(1)} MiB of ${host.name} memory, but only ${(avail / 2 ** 20).toFixed(1)} MiB are available (the WebAssembly limit is 2 GiB); use fewer samples per call, a smaller batchSize or smaller layers`,
    );
  }
}

export class NetMemory {
  readonly host: KernelHost;
  readonly shape: NetworkShape;
  readonly owned: Owned;
  readonly w: number[] = [];
  readonly b: number[] = [];
  opt: OptState | null = null;
  hp: HpState = { beta1Pow: 1, beta2Pow: 1, step: 0 };
  /**
   * Internal (tests, benches): false makes trainBatches take the general path even for small layers (HP_GENERIC),
   * so the small-layer path can be compared with it. Same results either way.
   */
  smallLayerPath = true;
  /** the network's seed (the dropout masks' first key) */
  seed = 0;
  /** the element type of every data block (parameters, optimizer state, workspaces, datasets) */
  readonly dtype: Dtype;
  /** bytes of one element */
  readonly eb: number;
  private ws: { train: Workspace | null; read: Workspace | null } = { train: null, read: null };

  /** Allocates the parameters (zero); `holder` is the object whose collection frees everything. */
  constructor(
    op: string,
    backend: Backend,
    host: KernelHost,
    ownsBackend: boolean,
    shape: NetworkShape,
    holder: object,
  ) {
    this.host = host;
    this.shape = shape;
    this.dtype = shape.dtype;
    this.eb = elemBytes(shape.dtype);
    this.owned = { backend, host, ownsBackend, blocks: new Set(), pool: null };
    const { layers } = shape;
    checkFits(op, host, paramBytes(layers, this.eb));
    for (let l = 0; l + 1 < layers.length; l++) {
      this.w.push(this.alloc(layers[l + 1]! * layers[l]! * this.eb));
      this.b.push(this.alloc(layers[l + 1]! * this.eb));
    }
    finalizer?.register(holder, this.owned, holder);
  }

  get L(): number {
    return this.shape.layers.length - 1;
  }

  alloc(bytes: number, zero = true): number {
    const p = this.host.allocBytes(bytes, zero);
    this.owned.blocks.add(p);
    return p;
  }

  release(p: number): void {
    if (p === 0 || this.host.disposed) return;
    this.owned.blocks.delete(p);
    this.host.freeBytes(p);
  }

  /** Frees every block (and the threads; the backend too when the network loaded it). */
  releaseAll(holder: object): void {
    finalizer?.unregister(holder);
    this.ws = { train: null, read: null };
    this.opt = null;
    releaseOwned(this.owned);
  }

  // ---------------------------------------------------------------- element IO (float32 blocks widen on read, round on write)
  /** A Float64Array copy of the n elements at byte offset p. */
  readElems(p: number, n: number): Float64Array {
    return readElems(this.host, this.dtype, p, n);
  }

  /** Copies `src` to the elements at byte offset p (rounded to float32 in a float32 network). */
  writeElems(src: ArrayLike<number>, p: number): void {
    writeElems(this.host, this.dtype, src, p);
  }

  // ---------------------------------------------------------------- parameters
  /** The seeded initial parameters: the float64 draws (rounded to float32 in a float32 network). */
  initialise(init: Init, seed: number): void {
    const { layers } = this.shape;
    const normal = normalFrom(mulberry32(seed));
    for (let l = 0; l < this.L; l++) {
      const nIn = layers[l]!,
        nOut = layers[l + 1]!;
      const std = init === 'normal' ? 1 : init === 'he' ? Math.sqrt(2 / nIn) : Math.sqrt(2 / (nIn + nOut));
      const w = new Float64Array(nIn * nOut),
        b = new Float64Array(nOut);
      for (let i = 0; i < nIn * nOut; i++) w[i] = std * normal();
      for (let j = 0; j < nOut; j++) b[j] = init === 'normal' ? normal() : 0;
      this.writeElems(w, this.w[l]!);
      this.writeElems(b, this.b[l]!);
    }
  }

  /** Copies of the parameters at `src` (default: the live ones). */
  readParameters(src: ParamPtrs = this): LayerParameters[] {
    const { layers } = this.shape;
    return src.w.map((wp, l) => {
      const nIn = layers[l]!,
        nOut = layers[l + 1]!,
        bp = src.b[l]!;
      return { weights: this.readElems(wp, nIn * nOut), biases: this.readElems(bp, nOut) };
    });
  }

  /** The optimizer state at `src` (a checkpoint); null when the network has none yet. */
  readOptimizer(src: StatePtrs): OptimizerSave | null {
    const opt = src.opt;
    if (!opt) return null;
    const F = this.host.f64(),
      { layers } = this.shape;
    const hp =
      src.hp === null
        ? this.hp
        : {
            beta1Pow: F[(src.hp >> 3) + HP_BETA1_POW]!,
            beta2Pow: F[(src.hp >> 3) + HP_BETA2_POW]!,
            step: F[(src.hp >> 3) + HP_STEP]!,
          };
    const get = (p: number, n: number): Float64Array => this.readElems(p, n);
    return {
      kind: opt.kind,
      ...hp,
      layers: opt.sw.map((_, l) => {
        const nw = layers[l]! * layers[l + 1]!,
          nb = layers[l + 1]!;
        if (opt.kind === 'sgd') return { w: new Float64Array(0), b: new Float64Array(0) };
        const out: OptimizerSave['layers'][number] = { w: get(opt.sw[l]!, nw), b: get(opt.sb[l]!, nb) };
        if (OPTIMIZERS[opt.kind].state.length === 2) {
          out.w2 = get(opt.sw2[l]!, nw);
          out.b2 = get(opt.sb2[l]!, nb);
        }
        return out;
      }),
    };
  }

  /** Restores a validated optimizer state (fromJSON of a checkpoint). */
  writeOptimizer(save: OptimizerSave): void {
    const st = this.ensureOptimizer(save.kind);
    save.layers.forEach((s, l) => {
      if (save.kind === 'sgd') return;
      this.writeElems(s.w, st.sw[l]!);
      this.writeElems(s.b, st.sb[l]!);
      if (OPTIMIZERS[save.kind].state.length === 2) {
        this.writeElems(s.w2!, st.sw2[l]!);
        this.writeElems(s.b2!, st.sb2[l]!);
      }
    });
    this.hp = { beta1Pow: save.beta1Pow, beta2Pow: save.beta2Pow, step: save.step };
  }

  /** Copies validated parameters in. */
  writeParameters(params: readonly LayerParameters[]): void {
    params.forEach((p, l) => {
      this.writeElems(p.weights, this.w[l]!);
      this.writeElems(p.biases, this.b[l]!);
    });
  }

  /** True when every live parameter is finite. */
  parametersFinite(): boolean {
    const { layers } = this.shape;
    for (let l = 0; l < this.L; l++) {
      for (const [p, n] of [
        [this.w[l]!, layers[l]! * layers[l + 1]!],
        [this.b[l]!, layers[l + 1]!],
      ] as const) {
        if (firstNonFinite(elemSubarray(this.host, this.dtype, p, n)) >= 0) return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- sizes
  workspaceBytes(rows: number): number {
    const { layers } = this.shape,
      L = this.L,
      eb = this.eb;
    let n = planBytes(L) + HP_SIZE * 8 + rows * (layers[0]! + layers[L]!) * eb + 64;
    for (let l = 0; l < L; l++)
      n += (3 * rows * layers[l + 1]! + layers[l]! * layers[l + 1]! + layers[l + 1]!) * eb + 80;
    // the training controls: dropout outputs (elements) and the rates + norms block (f64; counted for either kind: a bound)
    for (let l = 0; l < L; l++) if (this.shape.dropout[l]! > 0) n += rows * layers[l + 1]! * eb + 16;
    n += (L + layers.slice(1).reduce((s, v) => s + v, 0)) * 8 + 16;
    return n;
  }

  /** Bytes a workspace of `rows` rows would add (0 when the current one is large enough). */
  workspaceNeed(kind: 'train' | 'read', rows: number): number {
    const ws = this.ws[kind];
    return ws && ws.cap >= rows ? 0 : this.workspaceBytes(rows);
  }

  /** Bytes of optimizer state of `kind` (whether or not it exists). */
  optimizerStateBytes(kind: Optimizer): number {
    return kind === 'sgd' ? 0 : paramBytes(this.shape.layers, this.eb) * OPTIMIZERS[kind].state.length;
  }

  /** Bytes ensureOptimizer(kind) would allocate. */
  optimizerNeed(kind: Optimizer): number {
    return this.opt?.kind === kind ? 0 : this.optimizerStateBytes(kind);
  }

  // ---------------------------------------------------------------- workspaces and optimizer
  /** The workspace of that kind with at least `rows` rows (reallocated, with its plan's layer words, if smaller). */
  workspace(kind: 'train' | 'read', rows: number): Workspace {
    const cur = this.ws[kind];
    if (cur && cur.cap >= rows) return cur;
    const { layers } = this.shape,
      L = this.L,
      eb = this.eb;
    const ws: Workspace = {
      cap: rows,
      plan: this.alloc(planBytes(L)),
      hp: this.alloc(HP_SIZE * 8),
      x0: this.alloc(rows * layers[0]! * eb),
      t: this.alloc(rows * layers[L]! * eb),
      z: [],
      a: [],
      dz: [],
      dw: [],
      db: [],
      ad: [],
      ctl: 0,
    };
    for (let l = 0; l < L; l++) {
      const nIn = layers[l]!,
        nOut = layers[l + 1]!;
      ws.z.push(this.alloc(rows * nOut * eb));
      ws.a.push(this.alloc(rows * nOut * eb));
      ws.dz.push(this.alloc(rows * nOut * eb));
      ws.dw.push(this.alloc(nIn * nOut * eb));
      ws.db.push(this.alloc(nOut * eb));
      ws.ad.push(kind === 'train' && this.shape.dropout[l]! > 0 ? this.alloc(rows * nOut * eb) : 0);
    }
    if (kind === 'train') ws.ctl = this.alloc((L + layers.slice(1).reduce((s, v) => s + v, 0)) * 8);
    if (cur)
      for (const p of [
        cur.plan,
        cur.hp,
        cur.x0,
        cur.t,
        ...cur.z,
        ...cur.a,
        ...cur.dz,
        ...cur.dw,
        ...cur.db,
        ...cur.ad,
        cur.ctl,
      ])
        this.release(p);
    this.ws[kind] = ws;
    this.writePlanLayers(ws, this);
    return ws;
  }

  ensureOptimizer(kind: Optimizer): OptState {
    if (this.opt && this.opt.kind === kind) return this.opt;
    const st: OptState = { kind, sw: [], sw2: [], sb: [], sb2: [] };
    const { layers } = this.shape;
    for (let l = 0; l < this.L; l++) {
      const nw = layers[l]! * layers[l + 1]! * this.eb,
        nb = layers[l + 1]! * this.eb;
      st.sw.push(kind === 'sgd' ? 0 : this.alloc(nw));
      st.sb.push(kind === 'sgd' ? 0 : this.alloc(nb));
      st.sw2.push(OPTIMIZERS[kind].state.length === 2 ? this.alloc(nw) : 0);
      st.sb2.push(OPTIMIZERS[kind].state.length === 2 ? this.alloc(nb) : 0);
    }
    const old = this.opt;
    if (old) for (const p of [...old.sw, ...old.sw2, ...old.sb, ...old.sb2]) this.release(p);
    this.opt = st;
    this.hp = { beta1Pow: 1, beta2Pow: 1, step: 0 };
    return st;
  }

  // ---------------------------------------------------------------- the plan (the only writer)
  /** Layer records: sizes, activations and the offsets of every buffer; w and b from `params`. */
  writePlanLayers(ws: Workspace, params: ParamPtrs): void {
    const I = this.host.i32(),
      { layers, activations } = this.shape;
    const P = ws.plan >> 2,
      L = this.L;
    I[P + PLAN_LAYERS] = L;
    I[P + PLAN_DTYPE] = DTYPE[this.dtype];
    I[P + PLAN_LOSS] = lossCode('plan', this.shape.loss);
    I[P + PLAN_X0] = ws.x0;
    I[P + PLAN_T] = ws.t;
    I[P + PLAN_HP] = ws.hp;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      I[R + L_NIN] = layers[l]!;
      I[R + L_NOUT] = layers[l + 1]!;
      I[R + L_ACT] = actCode('plan', activations[l]!);
      I[R + L_W] = params.w[l]!;
      I[R + L_B] = params.b[l]!;
      I[R + L_Z] = ws.z[l]!;
      I[R + L_A] = ws.a[l]!;
      I[R + L_DZ] = ws.dz[l]!;
      I[R + L_DW] = ws.dw[l]!;
      I[R + L_DB] = ws.db[l]!;
      I[R + L_AD] = ws.ad[l]!;
    }
    this.host.f64()[(ws.hp >> 3) + HP_ALPHA] = this.shape.leakySlope;
  }

  /** The data words: inputs, targets, the sample order and the number of samples. */
  writePlanData(ws: Workspace, xData: number, yData: number, order: number, n: number): void {
    const I = this.host.i32();
    const P = ws.plan >> 2;
    I[P + PLAN_XDATA] = xData;
    I[P + PLAN_YDATA] = yData;
    I[P + PLAN_ORDER] = order;
    I[P + PLAN_SAMPLES] = n;
  }

  /** Training words: batch, optimizer and its state, the data, and the hyper-parameters (with the step counters). */
  writePlanTraining(ws: Workspace, r: ResolvedTrain, xData: number, yData: number, order: number, n: number): void {
    const st = this.opt!;
    this.writePlanData(ws, xData, yData, order, n);
    const I = this.host.i32();
    const P = ws.plan >> 2;
    I[P + PLAN_BATCH] = r.batch;
    I[P + PLAN_OPT] = OPT[r.optimizer];
    for (let l = 0; l < this.L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      I[R + L_SW] = st.sw[l]!;
      I[R + L_SW2] = st.sw2[l]!;
      I[R + L_SB] = st.sb[l]!;
      I[R + L_SB2] = st.sb2[l]!;
    }
    const F = this.host.f64(),
      h = ws.hp >> 3;
    // plan v2 controls: the run sets PLAN_LRS and PLAN_WEIGHTS when it has a schedule or weights
    const dropout = this.shape.dropout.some((p) => p > 0);
    I[P + PLAN_LRS] = 0;
    I[P + PLAN_WEIGHTS] = 0;
    I[P + PLAN_DROPOUT] = dropout ? ws.ctl : 0;
    I[P + PLAN_NORMS] = r.clipNorm > 0 ? ws.ctl + this.L * 8 : 0;
    I[P + PLAN_SEED] = this.seed | 0;
    if (dropout) F.set(this.shape.dropout, ws.ctl >> 3);
    F[h + HP_CLIP] = r.clipNorm;
    for (const [slot, v] of r.hp) F[h + slot] = v;
    F[h + HP_ALPHA] = this.shape.leakySlope;
    F[h + HP_BETA1_POW] = this.hp.beta1Pow;
    F[h + HP_BETA2_POW] = this.hp.beta2Pow;
    F[h + HP_STEP] = this.hp.step;
    F[h + HP_GENERIC] = this.smallLayerPath ? 0 : 1;
  }

  /** The optimizer counters a run's steps advanced, back from its hp block. */
  readHp(ws: Workspace): void {
    const F = this.host.f64(),
      h = ws.hp >> 3;
    this.hp = { beta1Pow: F[h + HP_BETA1_POW]!, beta2Pow: F[h + HP_BETA2_POW]!, step: F[h + HP_STEP]! };
  }

  /** [pointer, bytes] of every block a training step changes: parameters, optimizer state, and `hp`. */
  stateBlocks(hp: number): [number, number][] {
    const out: [number, number][] = [];
    const { layers } = this.shape,
      st = this.opt!;
    for (let l = 0; l < this.L; l++) {
      const nw = layers[l]! * layers[l + 1]! * this.eb,
        nb = layers[l + 1]! * this.eb;
      out.push([this.w[l]!, nw], [this.b[l]!, nb]);
      for (const [p, bytes] of [
        [st.sw[l]!, nw],
        [st.sw2[l]!, nw],
        [st.sb[l]!, nb],
        [st.sb2[l]!, nb],
      ] as const) {
        if (p !== 0) out.push([p, bytes]);
      }
    }
    out.push([hp, HP_SIZE * 8]);
    return out;
  }
}
