/**
 * The one benchmark grid: every backend runs every shape, so rows from different backends
 * sort together by task name.
 */

/** Batch sizes: one sample (inference), a training mini-batch, a large batch. */
export const BATCHES = [1, 32, 256] as const;

/** Dense layers as [nIn, nOut]: tiny, hidden-to-hidden, the MNIST input layer. */
export const LAYERS = [
  [16, 16],
  [128, 64],
  [784, 128],
] as const;

export interface Shape {
  readonly batch: number;
  readonly nIn: number;
  readonly nOut: number;
}

/** The wide network's layers (784-1024-1024-10) at its training batch and a large one: the blocked-GEMM rows. */
export const WIDE_LAYERS = [
  [784, 1024],
  [1024, 1024],
  [1024, 10],
] as const;
export const WIDE_BATCHES = [64, 256] as const;

/** Whether a shape is one of the wide network's layers. */
export const isWide = (s: Shape): boolean => WIDE_LAYERS.some(([nIn, nOut]) => s.nIn === nIn && s.nOut === nOut);

/** batch × layer, layer-major so one layer's batches print next to each other; then the wide layers. */
export const SHAPES: readonly Shape[] = [
  ...LAYERS.flatMap(([nIn, nOut]) => BATCHES.map((batch) => ({ batch, nIn, nOut }))),
  ...WIDE_LAYERS.flatMap(([nIn, nOut]) => WIDE_BATCHES.map((batch) => ({ batch, nIn, nOut }))),
];

/** The shape the targets are checked on (it is also bench/numpy/gemm.py's (256, 784, 128)). */
export const TARGET_SHAPE: Shape = { batch: 256, nIn: 784, nOut: 128 };

export const shapeLabel = (s: Shape): string => `B=${s.batch} ${s.nIn}→${s.nOut}`;

/**
 * Floating-point operations per kernel call (multiply and add counted separately; bias, activation and
 * the db column sums are O(batch·nOut) and not counted):
 *   denseForward                z = x·wᵀ + b                    2·batch·nIn·nOut
 *   denseBackward (with dx)     dw = dzᵀ·x and dx = dz·w        4·batch·nIn·nOut
 *   denseBackward (dx = null)   dw only (the first layer)      2·batch·nIn·nOut
 * The grid times denseBackward WITH dx (a hidden layer), so its GFLOP/s use 4·batch·nIn·nOut.
 */
export function flops(kernel: 'denseForward' | 'denseBackward', s: Shape, withDx = true): number {
  const mac = s.batch * s.nIn * s.nOut;
  return kernel === 'denseForward' ? 2 * mac : (withDx ? 4 : 2) * mac;
}

/** The training benchmark: bench/numpy/mlp.py's network and data (784-128-10, batch 32, lr 0.5, 8000 random samples). */
export const TRAIN = {
  layers: [784, 128, 10],
  batch: 32,
  samples: 8000,
  learningRate: 0.5,
  seed: 1234,
  /** samples the per-neuron oracle trains on (it is ~1000x slower); its rate is scaled to samples/s */
  oracleSamples: 256,
} as const;

/** The tutorial's 2-2-1 network and data (bench/numpy/tutorial.py): 1000 epochs, batch 1, lr 0.1. */
export const TUTORIAL = {
  data: [
    [-2, -1],
    [25, 6],
    [17, 4],
    [-15, -6],
  ] as number[][],
  ys: [1, 0, 0, 1],
  epochs: 1000,
  learningRate: 0.1,
  seed: 42,
} as const;
