// The oracle's neuron: shared by the oracle's network (oracle.ts) and its update rules (oracle-optim.ts),
// which therefore need not import each other.
import type { Round } from '../spec/index.js';

/**
 * Tutorial: `class Neuron` (weights, bias; total = np.dot(weights, inputs) + bias).
 * The activation is applied by the layer, because softmax needs the whole layer's totals.
 * The neuron also keeps its parameters' optimizer state (the tutorial's plain SGD needs none).
 */
export class OracleNeuron {
  /** One weight per input. */
  weights: number[];
  /** Added to the weighted sum. */
  bias: number;

  // Optimizer state, created at the first step that needs it.
  /** momentum: velocity v per weight, and for the bias. */
  weightVelocity: number[] | null = null;
  /** momentum: the bias's velocity. */
  biasVelocity = 0;
  /** adam: first moment m and second moment v per weight, and for the bias. */
  weightM: number[] | null = null;
  /** adam: the second moment v per weight. */
  weightV: number[] | null = null;
  /** adam: the bias's first moment m. */
  biasM = 0;
  /** adam: the bias's second moment v. */
  biasV = 0;

  /** A neuron with these weights (one per input) and this bias, and no optimizer state yet. */
  constructor(weights: number[], bias: number) {
    this.weights = weights;
    this.bias = bias;
  }

  /** Tutorial: `total = np.dot(self.weights, inputs) + self.bias`, summed k = 0, 1, ..., bias last. */
  total(inputs: readonly number[], r: Round = (x) => x): number {
    let sum = 0;
    for (let k = 0; k < this.weights.length; k++) sum = r(sum + r(this.weights[k]! * inputs[k]!));
    return r(sum + this.bias);
  }
}
