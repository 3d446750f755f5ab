/**
 * The reference implementations the batched backends are tested against: the tutorial's per-neuron code
 * (`sigmoid`, `derivSigmoid`, `mseLoss`, `Neuron`, `TutorialNetwork`, following Victor Zhou's "An Introduction to
 * Neural Networks") and the per-neuron oracle of any layer sizes (`OracleNetwork`), which adds every activation,
 * loss, optimizer and training control of the library. Clarity over speed: not for training real models.
 *
 * @module
 */
export { sigmoid, derivSigmoid, mseLoss, Neuron, TutorialNetwork } from './tutorial.js';
export type { TutorialParameters, TutorialTrainOptions } from './tutorial.js';
export { OracleNetwork, OracleNeuron } from './oracle.js';
export type { OracleActivation, OracleLayer, OracleLoss, OracleOptimizer, OracleOptions } from './oracle.js';
export type { LayerOfNeurons, OracleGradients, OracleTrainOptions, StepControls } from './oracle.js';
export type { Round } from '../spec/activations.js';
