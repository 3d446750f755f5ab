/**
 * The one Backend interface (STYLE.md §3). Every backend ('js', 'assemblyscript', 'rust') implements all
 * of it; they differ only in which kernel module runs (src/abi.ts), so a user switches backend with one word.
 */
import type { KernelExports } from './abi.js';

export type BackendName = 'js' | 'assemblyscript' | 'rust';
export const BACKEND_NAMES: readonly BackendName[] = ['js', 'assemblyscript', 'rust'];

/**
 * Which build of a backend runs: plain JS, a WASM build without SIMD, with SIMD, with relaxed SIMD, or the asserting
 * debug build; 'custom' is a module given to loadBackend's `wasm` option whose build was not named.
 */
export type BackendVariant = 'js' | 'scalar' | 'simd' | 'relaxed-simd' | 'debug' | 'custom';

export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'identity' | 'softmax';
export type Loss = 'mse' | 'binary-cross-entropy' | 'cross-entropy';
export type Optimizer = 'sgd' | 'momentum' | 'adam';

/** Backend-owned row-major float64 matrix handle. Only the backend that made it may use it. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly owner: Backend;
  /** Byte offset of element (0, 0) in the backend's memory (16-byte aligned). */
  readonly ptr: number;
}

export interface Backend {
  readonly name: BackendName;
  readonly variant: BackendVariant;
  /** The compiled WebAssembly module of the kernels (null for js); worker threads instantiate it on `memory`. */
  readonly module: WebAssembly.Module | null;
  /** The linear memory every Mat lives in (shared where the engine allows, so worker threads can use it). */
  readonly memory: WebAssembly.Memory;

  // ---- memory: the only methods that copy, and the only ones that validate ----
  /** A zero-filled rows×cols matrix in backend memory. */
  alloc(rows: number, cols: number): Mat;
  /** Copies host values in (row-major, length rows·cols). */
  write(dst: Mat, src: ArrayLike<number>): void;
  /** Copies values out into `out` (or a fresh Float64Array). */
  read(src: Mat, out?: Float64Array): Float64Array;
  free(m: Mat): void;
  /** Bytes of linear memory the backend holds now. */
  memoryBytes(): number;
  /** Bytes handed out by the backend's allocator and not yet freed (for leak checks). */
  usedBytes(): number;
  /** Frees everything; every later call throws DisposedError. A second call is harmless. */
  dispose(): void;
  readonly disposed: boolean;

  // ---- kernels: out first; no allocation; formulas in src/abi.ts ----
  /** z = x·wᵀ + b      x: batch×nIn, w: nOut×nIn, b: 1×nOut, z: batch×nOut */
  denseForward(z: Mat, x: Mat, w: Mat, b: Mat): void;
  /** a = f(z) (softmax per row); a may alias z */
  activate(a: Mat, z: Mat, act: Activation, leakySlope?: number): void;
  /** dz = da ⊙ f'(z) (softmax: its Jacobian-vector product); dz may alias da */
  activateBackward(dz: Mat, da: Mat, z: Mat, a: Mat, act: Activation, leakySlope?: number): void;
  /** dw = dzᵀ·x ; db = Σ_r dz[r] ; dx = dz·w (skipped when dx is null) — overwrites, never accumulates */
  denseBackward(dx: Mat | null, dw: Mat, db: Mat, dz: Mat, x: Mat, w: Mat): void;
  /** Returns the batch loss; writes d = ∂L/∂a (mse) or ∂L/∂z (binary-cross-entropy with sigmoid, cross-entropy with softmax). */
  loss(d: Mat, a: Mat, z: Mat, t: Mat, loss: Loss): number;
  /** p -= lr·(g + decay·p) */
  sgdStep(p: Mat, g: Mat, lr: number, decay?: number): void;
  /** v = μ·v + (g + decay·p); p -= lr·v */
  momentumStep(p: Mat, v: Mat, g: Mat, lr: number, mu: number, decay?: number): void;
  /** One Adam step at step count t (≥ 1) with bias correction. */
  adamStep(p: Mat, m: Mat, v: Mat, g: Mat, o: AdamHyper): void;

  // ---- fused training (one boundary crossing per call); the plan is laid out as src/abi.ts says ----
  /** Raw byte block in backend memory (16-byte aligned), for plans, hyper-parameters and index arrays; zero-filled unless `zero` is false (for blocks the caller overwrites whole). */
  allocBytes(bytes: number, zero?: boolean): number;
  freeBytes(ptr: number): void;
  /** Views of the whole memory, rebuilt if it grew. Short-lived: never keep them across calls. */
  f64(): Float64Array<ArrayBufferLike>;
  i32(): Int32Array<ArrayBufferLike>;
  /** Bytes the backend could still allocate (its memory's maximum minus what is in use). */
  available(): number;
  /** The kernel module's raw pointer ABI (src/abi.ts), for fused orchestration. No validation: Network validates first. */
  readonly raw: KernelExports;
  trainBatches(plan: number, first: number, count: number): number;
  forwardBatch(plan: number, rows: number): void;
}

export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** step count t ≥ 1 used for bias correction */
  step: number;
}
