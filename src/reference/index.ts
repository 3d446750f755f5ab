/** The tutorial's per-neuron code (tutorial.ts) and the per-neuron oracle of any layer sizes (oracle.ts). */
export { sigmoid, derivSigmoid, mseLoss, Neuron, TutorialNetwork } from './tutorial.js';
export type { TutorialParameters, TutorialTrainOptions } from './tutorial.js';
export { OracleNetwork, OracleNeuron } from './oracle.js';
export type { OracleActivation, OracleLayer, OracleLoss, OracleOptimizer, OracleOptions } from './oracle.js';
