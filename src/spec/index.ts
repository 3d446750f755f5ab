/**
 * Spec tables (internal; not exported from the package entry): what each activation, loss and optimizer is.
 * Adding one touches its table row, src/abi-spec.json and the three backends' kernels (ARCHITECTURE.md).
 */
export { ACTIVATIONS, ACTIVATION_NAMES, type ActivationSpec, type Round } from './activations.js';
export { LOSSES, LOSS_NAMES, type LossSpec } from './losses.js';
export {
  COMMON_OPTIMIZER_OPTIONS,
  OPTIMIZERS,
  OPTIMIZER_NAMES,
  optionDefault,
  type NumericOption,
  type OptimizerSpec,
} from './optimizers.js';
