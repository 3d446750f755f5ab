/**
 * The one Backend interface. Every backend ('js', 'assemblyscript', 'rust') implements all
 * of it; they differ only in which kernel module runs (src/abi.ts), so a user switches backend with one word.
 * Network drives a backend through its internal kernel host (src/backends/host.ts), never through this type.
 */
export type BackendName = 'js' | 'assemblyscript' | 'rust';
export const BACKEND_NAMES: readonly BackendName[] = ['js', 'assemblyscript', 'rust'];

/**
 * Which build of a backend runs: plain JS, a WASM build without SIMD, with SIMD, with relaxed SIMD, or the asserting
 * debug build; 'custom' is a module given to loadBackend's `wasm` option whose build was not named.
 */
export type BackendVariant = 'js' | 'scalar' | 'simd' | 'relaxed-simd' | 'debug' | 'custom';

export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'identity' | 'softmax' | 'softplus';
export type Loss = 'mse' | 'binary-cross-entropy' | 'cross-entropy';
export type Optimizer = 'sgd' | 'momentum' | 'adam' | 'adamw';
/** A network's element type: what its parameters, optimizer state, activations, gradients and datasets are stored and computed in. */
export type Dtype = 'float64' | 'float32';
export const DTYPES: readonly Dtype[] = ['float64', 'float32'];

/** Backend-owned row-major float64 matrix handle. Only the backend that made it may use it. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly owner: Backend;
}

/**
 * What users hold: a loaded kernel module with its own memory. It can be shared by many networks, and its checked
 * Mat-level kernels can be called directly (every argument is validated; formulas in src/abi.ts). The pointer
 * ABI and the allocator behind it are internal (src/backends/host.ts).
 */
export interface Backend {
  readonly name: BackendName;
  readonly variant: BackendVariant;

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
  /** Bytes the backend could still allocate (its memory's maximum minus what is in use). */
  available(): number;
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
