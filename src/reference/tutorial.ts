/**
 * The tutorial's neural network, in TypeScript.
 *
 * Follows "An Introduction to Neural Networks" (the Python/NumPy tutorial by Victor Zhou): sections
 * "Coding a Neuron", "Coding a Neural Network: Feedforward", "Code: MSE Loss" and "Code: A Complete
 * Neural Network". Names, comments and the
 * order of every operation are the tutorial's; only the syntax changed (snake_case → camelCase,
 * np.dot → a loop over k = 0, 1, ...).
 *
 * This file is a reference, not an implementation: do not "improve" it. Its job is
 * to stay recognisable next to the tutorial, so every fast backend can be checked against it.
 */

/** Tutorial: `sigmoid(x)`. Our activation function: f(x) = 1 / (1 + e^(-x)). */
export function sigmoid(x: number): number {
  // Sigmoid activation function: f(x) = 1 / (1 + e^(-x))
  return 1 / (1 + Math.exp(-x));
}

/** Tutorial: `deriv_sigmoid(x)`, the equation f'(x) = f(x) * (1 - f(x)). */
export function derivSigmoid(x: number): number {
  // Derivative of sigmoid: f'(x) = f(x) * (1 - f(x))
  const fx = sigmoid(x);
  return fx * (1 - fx);
}

/** Tutorial: `mse_loss(y_true, y_pred)`, MSE = (1/n) Σ (y_true - y_pred)². */
export function mseLoss(yTrue: readonly number[], yPred: readonly number[]): number {
  // y_true and y_pred are arrays of the same length.
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`mseLoss: yTrue has length ${yTrue.length}, expected ${yPred.length} (yPred.length)`);
  }
  // ((y_true - y_pred) ** 2).mean(): square each difference, sum in index order, divide by n.
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += (yTrue[i]! - yPred[i]!) ** 2;
  return sum / yTrue.length;
}

/** np.dot(weights, inputs): Σ_k weights[k]·inputs[k], k ascending. */
function dot(weights: readonly number[], inputs: readonly number[]): number {
  let total = 0;
  for (let k = 0; k < weights.length; k++) total += weights[k]! * inputs[k]!;
  return total;
}

/** Tutorial: "Coding a Neuron", `class Neuron`. */
export class Neuron {
  /** One weight per input. */
  weights: number[];
  /** Added to the weighted sum before the sigmoid. */
  bias: number;

  /** A neuron with these weights (one per input) and this bias; the arrays are kept, not copied. */
  constructor(weights: number[], bias: number) {
    this.weights = weights;
    this.bias = bias;
  }

  /** y = f(w·x + b). */
  feedforward(inputs: number[]): number {
    // Weight inputs, add bias, then use the activation function
    const total = dot(this.weights, inputs) + this.bias;
    return sigmoid(total);
  }
}

/** The nine parameters of the tutorial's network, labelled as in its figure. */
export interface TutorialParameters {
  /** h1's weight on input x[0] */
  w1: number;
  /** h1's weight on input x[1] */
  w2: number;
  /** h2's weight on input x[0] */
  w3: number;
  /** h2's weight on input x[1] */
  w4: number;
  /** o1's weight on h1 */
  w5: number;
  /** o1's weight on h2 */
  w6: number;
  /** h1's bias */
  b1: number;
  /** h2's bias */
  b2: number;
  /** o1's bias */
  b3: number;
}

/** The options of {@link TutorialNetwork.train}: the tutorial's constants by default. */
export interface TutorialTrainOptions {
  /** Tutorial: `learn_rate = 0.1`. */
  learnRate?: number;
  /** Tutorial: `epochs = 1000 # number of times to loop through the entire dataset`. */
  epochs?: number;
  /** Called where the tutorial prints "Epoch %d loss: %.3f" (every 10 epochs), with the full-precision loss. */
  onLoss?: (epoch: number, loss: number) => void;
}

/**
 * Tutorial: "Code: A Complete Neural Network", `class OurNeuralNetwork`.
 *
 * A neural network with:
 *   - 2 inputs
 *   - a hidden layer with 2 neurons (h1, h2)
 *   - an output layer with 1 neuron (o1)
 *
 * *** DISCLAIMER *** (the tutorial's):
 * The code below is intended to be simple and educational, NOT optimal.
 * Real neural net code looks nothing like this. DO NOT use this code.
 * Instead, read/run it to understand how this specific network works.
 */
export class TutorialNetwork {
  // Weights
  /** h1's weight on input x[0] */
  w1: number;
  /** h1's weight on input x[1] */
  w2: number;
  /** h2's weight on input x[0] */
  w3: number;
  /** h2's weight on input x[1] */
  w4: number;
  /** o1's weight on h1 */
  w5: number;
  /** o1's weight on h2 */
  w6: number;

  // Biases
  /** h1's bias */
  b1: number;
  /** h2's bias */
  b2: number;
  /** o1's bias */
  b3: number;

  /**
   * Tutorial: `__init__`, which draws every parameter from np.random.normal() in the order
   * w1..w6, b1..b3. Pass either the parameters themselves or a seeded N(0, 1) generator
   * (called nine times in that order). There is deliberately no Math.random default:
   * a reference must be reproducible.
   */
  constructor(init: TutorialParameters | (() => number)) {
    if (typeof init === 'function') {
      const random = init;
      // Weights
      this.w1 = random();
      this.w2 = random();
      this.w3 = random();
      this.w4 = random();
      this.w5 = random();
      this.w6 = random();

      // Biases
      this.b1 = random();
      this.b2 = random();
      this.b3 = random();
    } else if (init !== null && typeof init === 'object') {
      this.w1 = init.w1;
      this.w2 = init.w2;
      this.w3 = init.w3;
      this.w4 = init.w4;
      this.w5 = init.w5;
      this.w6 = init.w6;
      this.b1 = init.b1;
      this.b2 = init.b2;
      this.b3 = init.b3;
    } else {
      throw new TypeError(
        'TutorialNetwork: expected initial parameters {w1..w6, b1..b3} or a random() normal generator, received ' +
          String(init),
      );
    }
  }

  /** Tutorial: `feedforward(self, x)`; h1, h2, then o1 from [h1, h2]. */
  feedforward(x: number[]): number {
    // x is an array with 2 elements.
    const h1 = sigmoid(this.w1 * x[0]! + this.w2 * x[1]! + this.b1);
    const h2 = sigmoid(this.w3 * x[0]! + this.w4 * x[1]! + this.b2);
    const o1 = sigmoid(this.w5 * h1 + this.w6 * h2 + this.b3);
    return o1;
  }

  /**
   * Tutorial: `train(self, data, all_y_trues)`: stochastic gradient descent, one update per sample,
   * in the data's order.
   * - data is an (n x 2) array, n = # of samples in the dataset.
   * - allYTrues is an array with n elements.
   *   Elements in allYTrues correspond to those in data.
   */
  train(data: number[][], allYTrues: number[], options: TutorialTrainOptions = {}): void {
    const learnRate = options.learnRate ?? 0.1;
    const epochs = options.epochs ?? 1000; // number of times to loop through the entire dataset

    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = 0; i < data.length; i++) {
        const x = data[i]!;
        const yTrue = allYTrues[i]!;

        // --- Do a feedforward (we'll need these values later)
        const sumH1 = this.w1 * x[0]! + this.w2 * x[1]! + this.b1;
        const h1 = sigmoid(sumH1);

        const sumH2 = this.w3 * x[0]! + this.w4 * x[1]! + this.b2;
        const h2 = sigmoid(sumH2);

        const sumO1 = this.w5 * h1 + this.w6 * h2 + this.b3;
        const o1 = sigmoid(sumO1);
        const yPred = o1;

        // --- Calculate partial derivatives.
        // --- Naming: dLDW1 represents "partial L / partial w1"
        const dLDYpred = -2 * (yTrue - yPred);

        // Neuron o1
        const dYpredDW5 = h1 * derivSigmoid(sumO1);
        const dYpredDW6 = h2 * derivSigmoid(sumO1);
        const dYpredDB3 = derivSigmoid(sumO1);

        const dYpredDH1 = this.w5 * derivSigmoid(sumO1);
        const dYpredDH2 = this.w6 * derivSigmoid(sumO1);

        // Neuron h1
        const dH1DW1 = x[0]! * derivSigmoid(sumH1);
        const dH1DW2 = x[1]! * derivSigmoid(sumH1);
        const dH1DB1 = derivSigmoid(sumH1);

        // Neuron h2
        const dH2DW3 = x[0]! * derivSigmoid(sumH2);
        const dH2DW4 = x[1]! * derivSigmoid(sumH2);
        const dH2DB2 = derivSigmoid(sumH2);

        // --- Update weights and biases
        // Neuron h1
        this.w1 -= learnRate * dLDYpred * dYpredDH1 * dH1DW1;
        this.w2 -= learnRate * dLDYpred * dYpredDH1 * dH1DW2;
        this.b1 -= learnRate * dLDYpred * dYpredDH1 * dH1DB1;

        // Neuron h2
        this.w3 -= learnRate * dLDYpred * dYpredDH2 * dH2DW3;
        this.w4 -= learnRate * dLDYpred * dYpredDH2 * dH2DW4;
        this.b2 -= learnRate * dLDYpred * dYpredDH2 * dH2DB2;

        // Neuron o1
        this.w5 -= learnRate * dLDYpred * dYpredDW5;
        this.w6 -= learnRate * dLDYpred * dYpredDW6;
        this.b3 -= learnRate * dLDYpred * dYpredDB3;
      }

      // --- Calculate total loss at the end of each epoch
      if (epoch % 10 === 0 && options.onLoss) {
        const yPreds = data.map((x) => this.feedforward(x));
        const loss = mseLoss(allYTrues, yPreds);
        options.onLoss(epoch, loss); // tutorial: print("Epoch %d loss: %.3f" % (epoch, loss))
      }
    }
  }
}
