/** fastnn: fast, float64, seeded dense neural networks (docs/API.md). */
export { Network, Dataset } from './network.js';
export type {
  AsyncTrainOptions, Chunk, ChunkSource, EarlyStoppingOptions, EpochInfo, Init, LayerParameters, NetworkJSON, NetworkOptions, OptimizerJSON,
  TrainOptions, TrainResult, ValidatedEpochInfo, ValidatedTrainOptions, ValidatedTrainResult,
} from './network.js';
export { loadBackend, availableBackends } from './backends/index.js';
export type { LoadOptions } from './backends/index.js';
export type { Activation, AdamHyper, Backend, BackendName, BackendVariant, Dtype, Loss, Mat, Optimizer } from './backend.js';
export type { OnnxDtype, ToOnnxOptions } from './onnx/export.js';
export { matrix } from './matrix.js';
export type { Input, Matrix } from './matrix.js';
export { NnError, ShapeError, BackendError, DisposedError, TrainingError, OptionError, SourceError, NotFittedError } from './errors.js';
export { gradientCheck } from './gradient-check.js';
export { schedules } from './schedules.js';
export type { Schedule } from './schedules.js';
export type { GradientCheckResult } from './gradient-check.js';
export * as reference from './reference/index.js';
export { Classifier, Regressor, metrics } from './estimators/index.js';
export type { EstimatorJSON, EstimatorOptimizer, EstimatorOptions, FitOptions, FitResult, Label, ScaleKind, ScalerJSON } from './estimators/index.js';
