/** Estimators: tabular classification and regression over Network (API.md "Estimators"). */
export { Classifier } from './classifier.js';
export { Regressor } from './regressor.js';
export { metrics } from './metrics.js';
export type { FitResult } from './estimator.js';
export type { EarlyStoppingOptions, EstimatorOptimizer, EstimatorOptions, FitOptions } from './options.js';
export type { EstimatorJSON, ScalerJSON } from './serialization.js';
export type { Label } from './input.js';
export type { ScaleKind } from './scaler.js';
