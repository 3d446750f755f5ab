/**
 * The oracle's update rules (tutorial: "Update weights and biases"), per parameter: sgd, momentum and Adam with L2
 * weight decay, and AdamW (Adam with decoupled weight decay), applied neuron by neuron after every partial derivative of
 * the batch was computed.
 */
import type { Optimizer } from '../backend.js';
import { optionDefault, type Round } from '../spec/index.js';
import type { OracleNeuron } from './oracle-neuron.js';

/** An optimizer and its hyperparameters, as the oracle's step and train apply them. */
export interface OracleOptimizer {
  /** which update rule */
  kind: Optimizer;
  /** the step size (schedule: OracleTrainOptions.schedule) */
  learningRate: number;
  /** Momentum coefficient μ (momentum only). Default 0.9. */
  momentum?: number;
  /** Adam β1. Default 0.9. */
  beta1?: number;
  /** Adam β2. Default 0.999. */
  beta2?: number;
  /** Adam ε. Default 1e-8. */
  epsilon?: number;
  /** L2 weight decay, applied to weights only (never to biases). Default 0. */
  weightDecay?: number;
}

/** A step's gradients, per layer: the weights out × in row-major, the biases out. */
interface StepGradients {
  readonly weights: readonly ArrayLike<number>[];
  readonly biases: readonly ArrayLike<number>[];
}

/**
 * Updates every weight and bias of `layers` with `grads` (β1ᵗ, β2ᵗ: Adam's bias corrections after this step); `r`
 * rounds each operation (Math.fround for the float32 oracle; the scalars lr, μ, β, ε, decay and the bias
 * corrections are computed in f64 and narrowed where they meet a parameter).
 */
export function applyStep(
  layers: readonly { neurons: OracleNeuron[] }[],
  grads: StepGradients,
  opt: OracleOptimizer,
  beta1Pow: number,
  beta2Pow: number,
  r: Round = (x) => x,
): void {
  const lr = opt.learningRate;
  const decay = opt.weightDecay ?? optionDefault(opt.kind, 'weightDecay')!;
  const mu = opt.momentum ?? optionDefault('momentum', 'momentum')!;
  const beta1 = opt.beta1 ?? optionDefault('adam', 'beta1')!;
  const beta2 = opt.beta2 ?? optionDefault('adam', 'beta2')!;
  const epsilon = opt.epsilon ?? optionDefault('adam', 'epsilon')!;

  /** The new value of one parameter p with gradient g; state[0], state[1] = velocity or (m, v). */
  const update = (p: number, g: number, parameterDecay: number, state: [number, number]): number => {
    // L2 weight decay: g' = g + decay·p (decay is 0 for biases).
    const gPrime = r(g + r(r(parameterDecay) * p));
    switch (opt.kind) {
      case 'sgd':
        // Tutorial: self.w1 -= learn_rate * d_L_d_w1.
        return r(p - r(r(lr) * gPrime));
      case 'momentum': {
        const v = r(r(r(mu) * state[0]) + gPrime);
        state[0] = v;
        return r(p - r(r(lr) * v));
      }
      case 'adamw': {
        // decoupled: the moments see the gradient alone; the decay shrinks the weight beside the Adam step
        const m = r(r(r(beta1) * state[0]) + r(r(1 - beta1) * g));
        const v = r(r(r(beta2) * state[1]) + r(r(r(1 - beta2) * g) * g));
        state[0] = m;
        state[1] = v;
        return r(
          p -
            r(
              r(lr) *
                r(
                  r(r(m / r(1 - beta1Pow)) / r(r(Math.sqrt(r(v / r(1 - beta2Pow)))) + r(epsilon))) +
                    r(r(parameterDecay) * p),
                ),
            ),
        );
      }
      case 'adam': {
        const m = r(r(r(beta1) * state[0]) + r(r(1 - beta1) * gPrime));
        const v = r(r(r(beta2) * state[1]) + r(r(r(1 - beta2) * gPrime) * gPrime));
        state[0] = m;
        state[1] = v;
        return r(p - r(r(r(lr) * r(m / r(1 - beta1Pow))) / r(r(Math.sqrt(r(v / r(1 - beta2Pow)))) + r(epsilon))));
      }
    }
  };

  const hasMoments = opt.kind === 'adam' || opt.kind === 'adamw';
  // Layer by layer, neuron by neuron: its weights (k ascending), then its bias.
  layers.forEach((layer, l) => {
    const nIn = layer.neurons[0]!.weights.length;
    layer.neurons.forEach((neuron, j) => {
      if (opt.kind === 'momentum' && neuron.weightVelocity === null)
        neuron.weightVelocity = neuron.weights.map(() => 0);
      if (hasMoments && neuron.weightM === null) {
        neuron.weightM = neuron.weights.map(() => 0);
        neuron.weightV = neuron.weights.map(() => 0);
      }
      for (let k = 0; k < nIn; k++) {
        const state: [number, number] =
          opt.kind === 'momentum'
            ? [neuron.weightVelocity![k]!, 0]
            : hasMoments
              ? [neuron.weightM![k]!, neuron.weightV![k]!]
              : [0, 0];
        neuron.weights[k] = update(neuron.weights[k]!, grads.weights[l]![j * nIn + k]!, decay, state);
        if (opt.kind === 'momentum') neuron.weightVelocity![k] = state[0];
        if (hasMoments) {
          neuron.weightM![k] = state[0];
          neuron.weightV![k] = state[1];
        }
      }
      const state: [number, number] =
        opt.kind === 'momentum' ? [neuron.biasVelocity, 0] : hasMoments ? [neuron.biasM, neuron.biasV] : [0, 0];
      neuron.bias = update(neuron.bias, grads.biases[l]![j]!, 0, state);
      if (opt.kind === 'momentum') neuron.biasVelocity = state[0];
      if (hasMoments) {
        neuron.biasM = state[0];
        neuron.biasV = state[1];
      }
    });
  });
}
