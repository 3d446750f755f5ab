/**
 * fastnn: fast, float64, seeded dense neural networks for JavaScript and TypeScript, with one {@link Backend}
 * interface over plain JS, AssemblyScript WebAssembly and Rust WebAssembly.
 *
 * Start with {@link Network.create} and {@link Network.train}, or with the estimators {@link Classifier} and
 * {@link Regressor} for tabular data. Bad input throws a typed error ({@link ShapeError}, {@link OptionError}, ...)
 * before anything changes. The progress line for terminals is the separate entry `fastnn/progress`.
 *
 * @example
 * ```ts
 * import { Network } from 'fastnn';
 *
 * const net = await Network.create({ layers: [2, 4, 1], activation: 'tanh', outputActivation: 'sigmoid', loss: 'binary-cross-entropy', seed: 1 });
 * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * const y = [[0], [1], [1], [0]];
 * net.train(x, y, { epochs: 300, learningRate: 0.05, optimizer: 'adam', batchSize: 4 });
 * console.log(net.predict(x).data); // close to 0, 1, 1, 0
 * ```
 *
 * @module fastnn
 */
export { Network, Dataset } from './network.js';
export type {
  AsyncTrainOptions,
  Chunk,
  ChunkSource,
  EarlyStoppingOptions,
  EpochInfo,
  Init,
  LayerParameters,
  NetworkJSON,
  NetworkOptions,
  OptimizerJSON,
  TrainOptions,
  TrainResult,
  ValidatedEpochInfo,
  ValidatedTrainOptions,
  ValidatedTrainResult,
} from './network.js';
export { loadBackend, availableBackends } from './backends/index.js';
export type { LoadOptions } from './backends/index.js';
export type {
  Activation,
  AdamHyper,
  Backend,
  BackendName,
  BackendVariant,
  Dtype,
  Loss,
  Mat,
  Optimizer,
} from './backend.js';
export type { OnnxDtype, ToOnnxOptions } from './onnx/export.js';
export { matrix } from './matrix.js';
export type { Input, Matrix } from './matrix.js';
export {
  NnError,
  ShapeError,
  BackendError,
  DisposedError,
  TrainingError,
  OptionError,
  SourceError,
  NotFittedError,
} from './errors.js';
export { gradientCheck } from './gradient-check.js';
export { schedules } from './schedules.js';
export type { Schedule } from './schedules.js';
export type { GradientCheckResult } from './gradient-check.js';
export * as reference from './reference/index.js';
export { Classifier, Regressor, metrics } from './estimators/index.js';
export type {
  EstimatorJSON,
  EstimatorOptimizer,
  EstimatorOptions,
  FitOptions,
  FitResult,
  Label,
  ScaleKind,
  ScalerJSON,
} from './estimators/index.js';
export type { AsyncExtra, EvaluateResult, GradientsResult, StreamExtra } from './network.js';
export type { WasmSource } from './backends/wasm.js';
