/**
 * One binder for every backend: an arena allocator over a linear memory plus the Mat-level Backend
 * methods, driving a kernel module with the ABI of src/abi.ts. The js backend passes its JS kernels,
 * the WASM backends pass their instance's exports; everything else here is shared.
 *
 * Memory layout (byte offsets into `memory.buffer`):
 *   [0, base)        the module's own: static data (AssemblyScript's Math tables), Rust's stack.
 *   [base, top)      the arena: 16-byte-aligned blocks handed out by alloc/allocBytes; freed blocks go to
 *                    a free list (first fit, coalesced) and are reused before the arena grows.
 *   [top, end)       not yet used. Growing uses memory.grow; with a shared memory that never detaches a
 *                    buffer (detaching one slows every typed-array loop in the process), and the views
 *                    below are rebuilt whenever `memory.buffer` changes.
 */
import {
  HP_BETA1,
  HP_BETA1_POW,
  HP_BETA2,
  HP_BETA2_POW,
  HP_DECAY,
  HP_EPS,
  HP_LR,
  HP_SIZE,
  type KernelExports,
} from '../abi.js';
import type { Activation, AdamHyper, Backend, BackendName, BackendVariant, Loss, Mat } from '../backend.js';
import { registerHost, type KernelHost } from './host.js';
import { BackendError, DisposedError, NnError, ShapeError } from '../errors.js';
import { ACTIVATIONS, ACTIVATION_NAMES, LOSSES, LOSS_NAMES } from '../spec/index.js';

export const PAGE = 65536;
/** 2 GiB: the largest memory every engine accepts for a wasm32 module (and what the modules declare). */
export const MAX_PAGES = 32768;
export const INITIAL_PAGES = 256; // 16 MiB

/** A linear memory: shared when the engine allows (Node always; browsers when cross-origin isolated). */
export function createMemory(initialPages = INITIAL_PAGES): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES });
  }
}

export function memoryIsShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Rounds up to a multiple of 16 in safe-integer arithmetic (a 32-bit `&` would wrap at 2^31). */
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Largest byte count any single block may have: the whole memory maximum. */
const MAX_BYTES = MAX_PAGES * PAGE;

interface Block {
  ptr: number;
  size: number;
}

const ptr = (m: Mat): number => (m as MatHandle).ptr;

class MatHandle implements Mat {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly owner: Backend,
    readonly ptr: number,
  ) {}
}

export class HeapBackend implements Backend, KernelHost {
  readonly memory: WebAssembly.Memory;
  readonly raw: KernelExports;
  private base: number;
  private top: number;
  private freeList: Block[] = [];
  private readonly sizes = new Map<number, number>();
  private readonly live = new Set<Mat>();
  private scratchHp = 0;
  private buf: ArrayBuffer | SharedArrayBuffer | null = null;
  private F: Float64Array = new Float64Array(0);
  private F32: Float32Array = new Float32Array(0);
  private I: Int32Array = new Int32Array(0);
  private isDisposed = false;
  private readonly disposer = new AbortController();

  constructor(
    readonly name: BackendName,
    readonly variant: BackendVariant,
    memory: WebAssembly.Memory,
    kernels: KernelExports,
    /** the compiled module the kernels come from (null for js): worker threads instantiate it on the same memory */
    readonly module: WebAssembly.Module | null = null,
  ) {
    this.memory = memory;
    this.raw = kernels;
    this.base = align16(Math.max(16, kernels.heapBase()));
    this.top = this.base;
    // the module's own region (static data, scratch, Rust's stack) may be larger than a fresh memory
    const need = this.base + 4 * PAGE;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    registerHost(this, this);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  get disposal(): AbortSignal {
    return this.disposer.signal;
  }

  // ---------------------------------------------------------------- arena
  private live_(op: string): void {
    if (this.isDisposed) throw new DisposedError(`${op}: the ${this.name} backend was disposed`);
  }

  allocBytes(bytes: number, zero = true): number {
    this.live_('allocBytes');
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new ShapeError(`allocBytes: expected a non-negative integer, received ${String(bytes)}`);
    if (bytes > MAX_BYTES - this.base) {
      throw new ShapeError(
        `allocBytes: ${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB) exceed what WebAssembly memory can hold (at most ${MAX_BYTES - this.base} bytes, ${MAX_BYTES / 2 ** 20} MiB minus the module's own region)`,
      );
    }
    const size = align16(Math.max(16, bytes));
    for (let i = 0; i < this.freeList.length; i++) {
      const blk = this.freeList[i]!;
      if (blk.size >= size) {
        const ptr = blk.ptr;
        if (blk.size === size) this.freeList.splice(i, 1);
        else {
          blk.ptr += size;
          blk.size -= size;
        }
        this.sizes.set(ptr, size);
        if (zero) new Uint8Array(this.memory.buffer, ptr, size).fill(0);
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > MAX_BYTES) {
      throw new NnError(
        `allocBytes: ${size} bytes do not fit in WebAssembly memory (${((end - this.base) / 2 ** 20).toFixed(1)} MiB needed of at most ${(MAX_PAGES * PAGE) / 2 ** 20} MiB)`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (cause) {
        // the engine could not commit the pages (e.g. the process is out of address space): nothing changed
        throw new NnError(
          `allocBytes: cannot grow ${this.name} memory to ${(end / 2 ** 20).toFixed(1)} MiB for ${size} bytes (${(cause as Error).message})`,
          { cause },
        );
      }
    }
    this.top = end;
    this.sizes.set(ptr, size);
    if (zero) new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Bytes the arena could still hand out without exceeding the memory's maximum. */
  available(): number {
    let free = MAX_BYTES - this.top;
    for (const b of this.freeList) free += b.size;
    return free;
  }

  freeBytes(ptr: number): void {
    if (this.isDisposed) return;
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new BackendError(`freeBytes: ${ptr} is not a live block of the ${this.name} backend`);
    this.sizes.delete(ptr);
    // insert sorted, then coalesce with neighbours
    let i = 0;
    while (i < this.freeList.length && this.freeList[i]!.ptr < ptr) i++;
    this.freeList.splice(i, 0, { ptr, size });
    const next = this.freeList[i + 1];
    if (next && ptr + size === next.ptr) {
      this.freeList[i]!.size += next.size;
      this.freeList.splice(i + 1, 1);
    }
    const prev = this.freeList[i - 1];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += this.freeList[i]!.size;
      this.freeList.splice(i, 1);
    }
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.freeList.pop();
    }
  }

  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes handed out and not freed (for leak tests). */
  usedBytes(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  f64(): Float64Array {
    this.views();
    return this.F;
  }

  f32(): Float32Array {
    this.views();
    return this.F32;
  }

  i32(): Int32Array {
    this.views();
    return this.I;
  }

  private views(): void {
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.F = new Float64Array(b);
      this.F32 = new Float32Array(b);
      this.I = new Int32Array(b);
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposer.abort();
    this.live.clear();
    this.sizes.clear();
    this.freeList = [];
    this.top = this.base;
  }

  // ---------------------------------------------------------------- Mats
  alloc(rows: number, cols: number): Mat {
    this.live_('alloc');
    if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
      throw new ShapeError(`alloc: rows and cols must be positive integers, received ${String(rows)}×${String(cols)}`);
    }
    // rows·cols·8 compared as a float first: the product of two large integers may not be a safe integer
    if (rows * cols > (MAX_BYTES - this.base) / 8) {
      throw new ShapeError(
        `alloc: a ${rows}×${cols} float64 matrix needs ${rows * cols * 8} bytes, more than WebAssembly memory can hold (${MAX_BYTES / 2 ** 20} MiB)`,
      );
    }
    const m = new MatHandle(rows, cols, this, this.allocBytes(rows * cols * 8));
    this.live.add(m);
    return m;
  }

  free(m: Mat): void {
    if (this.isDisposed) return;
    this.own('free', m, 'm');
    this.live.delete(m);
    this.freeBytes(ptr(m));
  }

  private own(op: string, m: Mat, what: string): void {
    this.ptrOf(op, m, what);
  }

  ptrOf(op: string, m: Mat, what: string): number {
    this.live_(op);
    if (typeof m !== 'object' || m === null || !(m instanceof MatHandle))
      throw new BackendError(`${op}: ${what} must be a Mat from alloc(), received ${typeof m}`);
    if (m.owner !== this)
      throw new BackendError(
        `${op}: ${what} belongs to another backend (${m.owner.name}), not this ${this.name} backend`,
      );
    if (!this.live.has(m)) throw new DisposedError(`${op}: ${what} (${m.rows}×${m.cols}) was freed`);
    return m.ptr;
  }

  write(dst: Mat, src: ArrayLike<number>): void {
    this.own('write', dst, 'dst');
    const n = dst.rows * dst.cols;
    if (src.length !== n)
      throw new ShapeError(`write: source has length ${src.length}, expected ${n} (${dst.rows}×${dst.cols})`);
    this.f64().set(src, ptr(dst) >> 3);
  }

  read(src: Mat, out?: Float64Array): Float64Array {
    this.own('read', src, 'src');
    const n = src.rows * src.cols;
    const dst = out ?? new Float64Array(n);
    if (dst.length !== n)
      throw new ShapeError(`read: out has length ${dst.length}, expected ${n} (${src.rows}×${src.cols})`);
    const off = ptr(src) >> 3;
    dst.set(this.f64().subarray(off, off + n));
    return dst;
  }

  // ---------------------------------------------------------------- kernels (validated here, once)
  denseForward(z: Mat, x: Mat, w: Mat, b: Mat): void {
    this.own('denseForward', z, 'z');
    this.own('denseForward', x, 'x');
    this.own('denseForward', w, 'w');
    this.own('denseForward', b, 'b');
    if (x.cols !== w.cols)
      throw new ShapeError(
        `denseForward: x is ${x.rows}×${x.cols} but w is ${w.rows}×${w.cols} (x.cols must equal w.cols)`,
      );
    shape('denseForward', 'b', b, 1, w.rows);
    shape('denseForward', 'z', z, x.rows, w.rows);
    this.raw.denseForward(ptr(z), ptr(x), ptr(w), ptr(b), x.rows, x.cols, w.rows);
  }

  activate(a: Mat, z: Mat, act: Activation, leakySlope = 0.01): void {
    this.own('activate', a, 'a');
    this.own('activate', z, 'z');
    shape('activate', 'a', a, z.rows, z.cols);
    this.raw.activate(ptr(a), ptr(z), z.rows, z.cols, actCode('activate', act), leakySlope);
  }

  activateBackward(dz: Mat, da: Mat, z: Mat, a: Mat, act: Activation, leakySlope = 0.01): void {
    for (const [m, n] of [
      [dz, 'dz'],
      [da, 'da'],
      [z, 'z'],
      [a, 'a'],
    ] as const) {
      this.own('activateBackward', m, n);
      shape('activateBackward', n, m, z.rows, z.cols);
    }
    this.raw.activateBackward(
      ptr(dz),
      ptr(da),
      ptr(z),
      ptr(a),
      z.rows,
      z.cols,
      actCode('activateBackward', act),
      leakySlope,
    );
  }

  denseBackward(dx: Mat | null, dw: Mat, db: Mat, dz: Mat, x: Mat, w: Mat): void {
    this.own('denseBackward', dw, 'dw');
    this.own('denseBackward', db, 'db');
    this.own('denseBackward', dz, 'dz');
    this.own('denseBackward', x, 'x');
    this.own('denseBackward', w, 'w');
    if (x.cols !== w.cols)
      throw new ShapeError(
        `denseBackward: x is ${x.rows}×${x.cols} but w is ${w.rows}×${w.cols} (x.cols must equal w.cols)`,
      );
    shape('denseBackward', 'dz', dz, x.rows, w.rows);
    shape('denseBackward', 'dw', dw, w.rows, w.cols);
    shape('denseBackward', 'db', db, 1, w.rows);
    if (dx) {
      this.own('denseBackward', dx, 'dx');
      shape('denseBackward', 'dx', dx, x.rows, x.cols);
    }
    this.raw.denseBackward(dx ? ptr(dx) : 0, ptr(dw), ptr(db), ptr(dz), ptr(x), ptr(w), x.rows, x.cols, w.rows);
  }

  loss(d: Mat, a: Mat, z: Mat, t: Mat, loss: Loss): number {
    for (const [m, n] of [
      [d, 'd'],
      [a, 'a'],
      [z, 'z'],
      [t, 't'],
    ] as const) {
      this.own('loss', m, n);
      shape('loss', n, m, a.rows, a.cols);
    }
    return this.raw.loss(ptr(d), ptr(a), ptr(z), ptr(t), a.rows, a.cols, lossCode('loss', loss));
  }

  sgdStep(p: Mat, g: Mat, lr: number, decay = 0): void {
    this.own('sgdStep', p, 'p');
    this.own('sgdStep', g, 'g');
    shape('sgdStep', 'g', g, p.rows, p.cols);
    this.raw.sgdStep(ptr(p), ptr(g), p.rows * p.cols, lr, decay);
  }

  momentumStep(p: Mat, v: Mat, g: Mat, lr: number, mu: number, decay = 0): void {
    this.own('momentumStep', p, 'p');
    this.own('momentumStep', v, 'v');
    this.own('momentumStep', g, 'g');
    shape('momentumStep', 'v', v, p.rows, p.cols);
    shape('momentumStep', 'g', g, p.rows, p.cols);
    this.raw.momentumStep(ptr(p), ptr(v), ptr(g), p.rows * p.cols, lr, mu, decay);
  }

  adamStep(p: Mat, m: Mat, v: Mat, g: Mat, o: AdamHyper): void {
    this.own('adamStep', p, 'p');
    this.own('adamStep', m, 'm');
    this.own('adamStep', v, 'v');
    this.own('adamStep', g, 'g');
    for (const [x, n] of [
      [m, 'm'],
      [v, 'v'],
      [g, 'g'],
    ] as const)
      shape('adamStep', n, x, p.rows, p.cols);
    if (this.scratchHp === 0) this.scratchHp = this.allocBytes(HP_SIZE * 8);
    const F = this.f64(),
      h = this.scratchHp >> 3;
    F[h + HP_LR] = o.learningRate;
    F[h + HP_BETA1] = o.beta1;
    F[h + HP_BETA2] = o.beta2;
    F[h + HP_EPS] = o.epsilon;
    F[h + HP_DECAY] = o.weightDecay;
    F[h + HP_BETA1_POW] = o.beta1 ** o.step;
    F[h + HP_BETA2_POW] = o.beta2 ** o.step;
    this.raw.adamStep(ptr(p), ptr(m), ptr(v), ptr(g), p.rows * p.cols, this.scratchHp);
  }

  trainBatches(plan: number, first: number, count: number): number {
    this.live_('trainBatches');
    return this.raw.trainBatches(plan, first, count);
  }

  forwardBatch(plan: number, rows: number): void {
    this.live_('forwardBatch');
    this.raw.forwardBatch(plan, rows);
  }

  evaluateBatch(plan: number, rows: number): number {
    this.live_('evaluateBatch');
    return this.raw.evaluateBatch(plan, rows);
  }

  backwardBatch(plan: number, rows: number): number {
    this.live_('backwardBatch');
    return this.raw.backwardBatch(plan, rows);
  }
}

function shape(op: string, name: string, m: Mat, rows: number, cols: number): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new ShapeError(`${op}: ${name} is ${m.rows}×${m.cols}, expected ${rows}×${cols}`);
  }
}

export function actCode(op: string, act: string): number {
  if (!Object.hasOwn(ACTIVATIONS, act)) {
    throw new BackendError(`${op}: unknown activation '${act}' (expected ${ACTIVATION_NAMES.join('|')})`);
  }
  return ACTIVATIONS[act as Activation].code;
}

export function lossCode(op: string, loss: string): number {
  if (!Object.hasOwn(LOSSES, loss)) {
    throw new BackendError(`${op}: unknown loss '${loss}' (expected ${LOSS_NAMES.join('|')})`);
  }
  return LOSSES[loss as Loss].code;
}
