/**
 * The per-neuron oracle: the tutorial's network generalised to any layer sizes.
 *
 * Follows the same tutorial as ./tutorial.ts ("An Introduction to Neural Networks",
 * by Victor Zhou). Each part names the tutorial step it generalises:
 *   - a neuron is the tutorial's `Neuron` (np.dot(weights, inputs) + bias, then an activation);
 *   - a forward pass is `feedforward`, neuron by neuron, layer by layer;
 *   - the backward pass is the tutorial's chain rule, dL/dw1 = dL/dypred · dypred/dh1 · dh1/dw1,
 *     carried through any number of layers, one sample at a time;
 *   - a step computes every partial derivative first and only then updates (as `train` does).
 *
 * Everything the tutorial does not have (other activations, losses, mini-batches, optimizers) is
 * written with the formulas of src/abi.ts, so this file is the oracle for every batched backend.
 * Batches are handled as the mean of per-sample quantities; there are no matrices here.
 *
 * The float32 oracle is this same code with `dtype: 'float32'`: every operation's result goes through the rounding
 * function r = Math.fround (float64: r is the identity, so nothing changes). Transcendentals are computed in f64
 * from the float32 input and rounded; scalars (lr, betas, alpha, 1/(1-p), ...) are computed in f64 and narrowed
 * where they meet an element, as src/abi.ts states for the kernels.
 *
 * This is an oracle: clarity over speed. Do not "improve" it.
 */
import { OracleNeuron } from './oracle-neuron.js';
import { applyStep, type OracleOptimizer } from './oracle-optim.js';
import { dropKeep, dropRowKey } from '../abi.js';
import type { Activation, Dtype, Loss } from '../backend.js';
import {
  ACTIVATIONS,
  ACTIVATION_NAMES,
  LOSSES,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  optionDefault,
  type Round,
} from '../spec/index.js';

export { OracleNeuron };
export type { OracleOptimizer };

/** Every activation of the table (src/spec/activations.ts). */
export type OracleActivation = Activation;
/** Every loss of the table (src/spec/losses.ts). */
export type OracleLoss = Loss;

/** One dense layer. weights: out × in, row-major: row j = neuron j's incoming weights. */
export interface OracleLayer {
  /** out × in, row-major */
  weights: ArrayLike<number>;
  /** one per neuron (out); their count gives the layer's width */
  biases: ArrayLike<number>;
  /** the layer's activation */
  activation: OracleActivation;
}

/** The options of the OracleNetwork constructor. */
export interface OracleOptions {
  /** Default 'mse', the tutorial's loss. */
  loss?: OracleLoss;
  /** Slope of leaky-relu for z ≤ 0. Default 0.01. */
  leakySlope?: number;
  /** 'float32': every operation rounded with Math.fround, parameters and inputs rounded on the way in. Default 'float64'. */
  dtype?: Dtype;
}

/** What OracleNetwork.gradients returns. */
export interface OracleGradients {
  /** the batch-mean loss */
  loss: number;
  /** Per layer, out × in row-major, the gradient of the batch-mean loss. */
  weights: Float64Array[];
  /** Per layer, out. */
  biases: Float64Array[];
}

/** The options of OracleNetwork.train. */
export interface OracleTrainOptions {
  /** passes over the data */
  epochs: number;
  /** rows per step (the last batch of an epoch may be smaller) */
  batchSize: number;
  /** the update rule and its hyperparameters */
  optimizer: OracleOptimizer;
  /** Sample order of each epoch (a permutation of 0..n-1). Default: the data's own order. */
  order?: (epoch: number) => number[];
  /** The learning rate of each step from the step counter t (before the step); default optimizer.learningRate. */
  schedule?: (step: number) => number;
  /** Training controls per step (dropout, sample weights, clipping); see StepControls. */
  controls?: Omit<StepControls, 'rows'>;
}

/**
 * What a training step adds to the plain mean gradient (src/abi.ts, "Plan v2 controls"), per sample and neuron:
 * - dropout[l] = p > 0: neuron j of layer l's output is kept for sample row `rows[r]` at step t when
 *   dropKeep(dropRowKey(seed, t, rows[r], l), j, p) (src/abi.ts), and then divided by (1 - p); else it is 0;
 * - sampleWeight[rows[r]] = w_r: the batch loss and gradient are Σ w_r·(sample's) / Σ w_r;
 * - clipNorm = c: the gradient of every weight and bias is scaled by min(1, c / ||g||₂) before the update.
 */
export interface StepControls {
  /** each sample's row index in the data (keys the masks, picks the weights) */
  rows: readonly number[];
  /** the dropout rate of each layer's output (the output layer's 0) */
  dropout?: readonly number[];
  /** the network's seed, which keys the dropout masks */
  seed?: number;
  /** one weight >= 0 per row of the data */
  sampleWeight?: readonly number[];
  /** > 0: the largest L2 norm of the whole gradient */
  clipNorm?: number;
}

/** A layer: its neurons and their shared activation. */
export interface LayerOfNeurons {
  /** the layer's neurons, j = 0, 1, ... */
  neurons: OracleNeuron[];
  /** applied to the whole layer's totals (softmax needs all of them) */
  activation: OracleActivation;
}

/** What one sample's forward pass keeps for the backward pass (tutorial: "we'll need these values later"). */
interface SampleTrace {
  /** inputs[l] = the inputs of layer l (inputs[0] = x). */
  inputs: number[][];
  /** sums[l][j] = neuron j's total before the activation (tutorial: sum_h1, sum_o1). */
  sums: number[][];
  /** outputs[l][j] = neuron j's output after the activation (tutorial: h1, o1). */
  outputs: number[][];
}

/** Per-sample partial derivatives, shaped like the network: [layer][neuron][input]. */
interface SampleGradient {
  loss: number;
  weights: number[][][];
  biases: number[][];
}

/**
 * The per-neuron oracle network of any layer sizes: the tutorial's neurons, forward pass and chain rule, with every
 * activation, loss, optimizer and training control of the library, one sample and one neuron at a time. The batched
 * backends are tested against it.
 */
export class OracleNetwork {
  /** The dense layers, first to last. */
  readonly layers: LayerOfNeurons[];
  /** The loss (the options' `loss`). */
  readonly lossKind: OracleLoss;
  /** The slope of leaky-relu for z ≤ 0. */
  readonly leakySlope: number;
  /** The element type every operation is rounded to: 'float64' (no rounding) or 'float32' (Math.fround). */
  readonly dtype: Dtype;
  /** rounds one operation's result: the identity in float64, Math.fround in float32 */
  readonly r: Round;

  // The optimizer's step counter t and Adam's running powers β1ᵗ, β2ᵗ (one per network, like the
  // kernels' hp block).
  /** The optimizer's step counter: steps taken so far. */
  t = 0;
  /** Adam's β1ᵗ. */
  beta1Pow = 1;
  /** Adam's β2ᵗ. */
  beta2Pow = 1;

  /**
   * Builds the neurons from row-major layers (copied in).
   * @throws TypeError for an unknown activation or loss, or a loss paired with the wrong output activation;
   *   RangeError for no layers or inconsistent sizes.
   */
  constructor(layers: OracleLayer[], options: OracleOptions = {}) {
    this.lossKind = options.loss ?? 'mse';
    this.leakySlope = options.leakySlope ?? ACTIVATIONS['leaky-relu'].parameter!.default!;
    this.dtype = options.dtype ?? 'float64';
    this.r = this.dtype === 'float32' ? Math.fround : (x) => x;
    const r = this.r;
    if (!LOSS_NAMES.includes(this.lossKind)) {
      throw new TypeError(`OracleNetwork: unknown loss '${String(this.lossKind)}' (expected ${LOSS_NAMES.join('|')})`);
    }
    if (layers.length === 0) throw new RangeError('OracleNetwork: expected at least 1 layer, received 0');

    this.layers = [];
    let nIn = -1;
    layers.forEach((layer, l) => {
      if (!ACTIVATION_NAMES.includes(layer.activation)) {
        throw new TypeError(
          `OracleNetwork: layer ${l} has unknown activation '${String(layer.activation)}' (expected ${ACTIVATION_NAMES.join('|')})`,
        );
      }
      const nOut = layer.biases.length;
      const thisIn = nOut > 0 ? layer.weights.length / nOut : NaN;
      if (nOut === 0 || !Number.isInteger(thisIn) || thisIn === 0) {
        throw new RangeError(
          `OracleNetwork: layer ${l} has ${layer.weights.length} weights and ${nOut} biases (weights must be out × in)`,
        );
      }
      if (nIn !== -1 && thisIn !== nIn) {
        throw new RangeError(
          `OracleNetwork: layer ${l} has ${thisIn} inputs, expected ${nIn} (outputs of layer ${l - 1})`,
        );
      }
      const neurons: OracleNeuron[] = [];
      for (let j = 0; j < nOut; j++) {
        const row: number[] = [];
        for (let k = 0; k < thisIn; k++) row.push(r(layer.weights[j * thisIn + k]!));
        neurons.push(new OracleNeuron(row, r(layer.biases[j]!)));
      }
      this.layers.push({ neurons, activation: layer.activation });
      nIn = nOut;
    });

    const last = this.layers[this.layers.length - 1]!.activation;
    const need = LOSSES[this.lossKind].output;
    if (need !== null && last !== need) {
      throw new TypeError(`OracleNetwork: loss '${this.lossKind}' needs a ${need} output layer, received '${last}'`);
    }
  }

  /** Number of inputs of the first layer. */
  get inputSize(): number {
    return this.layers[0]!.neurons[0]!.weights.length;
  }

  /** Number of outputs of the last layer. */
  get outputSize(): number {
    return this.layers[this.layers.length - 1]!.neurons.length;
  }

  // ---- activations (tutorial: sigmoid, generalised) ------------------------------------------------

  /**
   * a = f(z) for a whole layer; softmax needs every total of the layer, the others are per neuron with the
   * table's f (src/spec/activations.ts; sigmoid is the tutorial's f(x) = 1 / (1 + e^(-x))).
   */
  private activate(activation: OracleActivation, sums: readonly number[]): number[] {
    const r = this.r;
    if (activation === 'softmax') {
      // a_j = exp(z_j - max) / Σ_k exp(z_k - max); subtracting the max keeps exp from overflowing.
      let max = -Infinity;
      for (const z of sums) if (z > max) max = z;
      const exps = sums.map((z) => r(Math.exp(r(z - max))));
      let sum = 0;
      for (const e of exps) sum = r(sum + e);
      return exps.map((e) => r(e / sum));
    }
    const f = ACTIVATIONS[activation].f!;
    return sums.map((z) => f(z, this.leakySlope, r));
  }

  /**
   * dL/dz from dL/da for a whole layer (tutorial: multiplying by deriv_sigmoid(sum), f'(x) = f(x)(1 - f(x))),
   * per neuron with the table's backward (src/spec/activations.ts), which uses the output a where that is
   * cheaper (sigmoid, tanh) and the total z where a cannot tell (relu, leaky-relu at the kink).
   * softmax is not element-wise: dz_j = a_j (da_j - Σ_k da_k a_k).
   */
  private activateBackward(
    activation: OracleActivation,
    dOutputs: readonly number[],
    sums: readonly number[],
    outputs: readonly number[],
  ): number[] {
    const r = this.r;
    if (activation === 'softmax') {
      let s = 0;
      for (let k = 0; k < outputs.length; k++) s = r(s + r(dOutputs[k]! * outputs[k]!));
      return dOutputs.map((da, j) => r(outputs[j]! * r(da - s)));
    }
    const backward = ACTIVATIONS[activation].backward!;
    return dOutputs.map((da, j) => backward(da, sums[j]!, outputs[j]!, this.leakySlope, r));
  }

  // ---- forward (tutorial: feedforward) -------------------------------------------------------------

  /**
   * One sample through every layer, keeping each layer's inputs, totals and outputs. With `keep`, layer l's outputs
   * reach layer l+1 multiplied by keep[l][j] (0, or 1/(1-p) for a kept neuron: inverted dropout).
   */
  private trace(x: readonly number[], keep?: readonly (readonly number[] | null)[]): SampleTrace {
    if (x.length !== this.inputSize) {
      throw new RangeError(`OracleNetwork: input has length ${x.length}, expected ${this.inputSize}`);
    }
    const trace: SampleTrace = { inputs: [], sums: [], outputs: [] };
    const r = this.r;
    let inputs = x.map((v) => r(v));
    for (const layer of this.layers) {
      // Tutorial: sum_h1 = w1 * x[0] + w2 * x[1] + b1; h1 = sigmoid(sum_h1) — for every neuron.
      const sums = layer.neurons.map((neuron) => neuron.total(inputs, r));
      const outputs = this.activate(layer.activation, sums);
      trace.inputs.push(inputs);
      trace.sums.push(sums);
      trace.outputs.push(outputs);
      // Tutorial: "The inputs for o1 are the outputs from h1 and h2" (each times its dropout factor, if any).
      const k = keep?.[trace.outputs.length - 1];
      inputs = k ? outputs.map((o, j) => r(o * r(k[j]!))) : outputs;
    }
    return trace;
  }

  /** Tutorial: `feedforward(self, x)`, for any number of layers and outputs. */
  feedforward(x: number[]): number[] {
    const trace = this.trace(x);
    return trace.outputs[trace.outputs.length - 1]!;
  }

  // ---- loss (tutorial: mse_loss) -------------------------------------------------------------------

  /** One sample's loss, from its output totals z and outputs a. */
  private sampleLoss(t: readonly number[], z: readonly number[], a: readonly number[]): number {
    const r = this.r;
    switch (this.lossKind) {
      case 'mse': {
        // Tutorial: mse_loss(y_true, y_pred) = ((y_true - y_pred) ** 2).mean(): square each difference, sum in
        // index order, divide by the number of outputs (tutorial.ts mseLoss, with every operation rounded by r).
        let sum = 0;
        for (let i = 0; i < t.length; i++) sum = r(sum + r(r(t[i]! - a[i]!) ** 2));
        return r(sum / t.length);
      }
      case 'binary-cross-entropy': {
        // -[t log a + (1-t) log(1-a)] with a = sigmoid(z), written from z so it never takes log(0):
        // max(z, 0) - t·z + log1p(exp(-|z|)); mean over the outputs.
        let sum = 0;
        for (let j = 0; j < z.length; j++) {
          const zj = z[j]!,
            tj = t[j]!;
          sum = r(sum + r(r((zj > 0 ? zj : 0) - r(tj * zj)) + r(Math.log1p(r(Math.exp(-Math.abs(zj)))))));
        }
        return r(sum / z.length);
      }
      case 'cross-entropy': {
        // -Σ_j t_j log a_j with a = softmax(z), written as Σ_j t_j (lse - z_j), lse = max + log Σ exp(z - max).
        let max = -Infinity;
        for (const zj of z) if (zj > max) max = zj;
        let sumExp = 0;
        for (const zj of z) sumExp = r(sumExp + r(Math.exp(r(zj - max))));
        const lse = r(max + r(Math.log(sumExp)));
        let sum = 0;
        for (let j = 0; j < z.length; j++) sum = r(sum + r(t[j]! * r(lse - z[j]!)));
        return sum;
      }
    }
  }

  private checkBatch(xs: readonly number[][], ys: readonly number[][]): void {
    if (xs.length === 0) throw new RangeError('OracleNetwork: expected at least 1 sample, received 0');
    if (xs.length !== ys.length) {
      throw new RangeError(`OracleNetwork: ys has ${ys.length} rows, expected ${xs.length} (one per row of xs)`);
    }
    for (const y of ys) {
      if (y.length !== this.outputSize) {
        throw new RangeError(`OracleNetwork: target has length ${y.length}, expected ${this.outputSize}`);
      }
    }
  }

  /** The batch loss: the mean over the batch of each sample's loss (for mse: the mean over batch × outputs). */
  loss(xs: number[][], ys: number[][]): number {
    this.checkBatch(xs, ys);
    let sum = 0;
    for (let i = 0; i < xs.length; i++) {
      const trace = this.trace(xs[i]!);
      const L = this.layers.length - 1;
      sum = this.r(
        sum +
          this.sampleLoss(
            ys[i]!.map((v) => this.r(v)),
            trace.sums[L]!,
            trace.outputs[L]!,
          ),
      );
    }
    return this.r(sum / xs.length);
  }

  // ---- backward (tutorial: "Calculate partial derivatives") ----------------------------------------

  /** One sample's loss and its partial derivatives for every weight and bias (the chain rule). */
  private sampleGradient(
    x: readonly number[],
    target: readonly number[],
    keep?: readonly (readonly number[] | null)[],
  ): SampleGradient {
    const r = this.r;
    const t = target.map((v) => r(v));
    const trace = this.trace(x, keep);
    const L = this.layers.length - 1;
    const z = trace.sums[L]!,
      a = trace.outputs[L]!,
      C = a.length;
    const loss = this.sampleLoss(t, z, a);

    // dL/dsum for the output layer. Tutorial: d_L_d_ypred = -2 * (y_true - y_pred), then times
    // deriv_sigmoid(sum_o1). With C outputs the mean over them divides by C: dL/da_j = 2(a_j - t_j)/C.
    // For the cross-entropies, dL/dsum is the fused, stable p - y (the activation's derivative cancels).
    let dSums: number[];
    switch (this.lossKind) {
      case 'mse': {
        const dOutputs = a.map((aj, j) => r(r(2 * r(aj - t[j]!)) / C));
        dSums = this.activateBackward(this.layers[L]!.activation, dOutputs, z, a);
        break;
      }
      case 'binary-cross-entropy':
        dSums = a.map((aj, j) => r(r(aj - t[j]!) / C));
        break;
      case 'cross-entropy':
        dSums = a.map((aj, j) => r(aj - t[j]!));
        break;
    }

    const weights = new Array<number[][]>(this.layers.length);
    const biases = new Array<number[]>(this.layers.length);
    for (let l = L; l >= 0; l--) {
      const layer = this.layers[l]!;
      const inputs = trace.inputs[l]!;
      // Neuron j: tutorial d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1), d_ypred_d_b3 = deriv_sigmoid(sum_o1):
      // dL/dw_jk = dL/dsum_j · input_k, dL/db_j = dL/dsum_j.
      weights[l] = layer.neurons.map((neuron, j) => neuron.weights.map((_, k) => r(dSums[j]! * inputs[k]!)));
      biases[l] = layer.neurons.map((_, j) => dSums[j]!);
      if (l > 0) {
        // Tutorial: d_ypred_d_h1 = w5 * deriv_sigmoid(sum_o1): each input k of this layer is an output of
        // the layer below, and it reaches the loss through every neuron j: dL/dh_k = Σ_j dL/dsum_j · w_jk.
        const dInputs = inputs.map((_, k) => {
          let sum = 0;
          for (let j = 0; j < layer.neurons.length; j++) sum = r(sum + r(dSums[j]! * layer.neurons[j]!.weights[k]!));
          // a dropped output reached no neuron; a kept one reached them scaled by 1/(1-p)
          const f = keep?.[l - 1];
          return f ? r(sum * r(f[k]!)) : sum;
        });
        // Tutorial: d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1) — the activation derivative of the layer below.
        dSums = this.activateBackward(
          this.layers[l - 1]!.activation,
          dInputs,
          trace.sums[l - 1]!,
          trace.outputs[l - 1]!,
        );
      }
    }
    return { loss, weights, biases };
  }

  /**
   * The gradient of the batch-mean loss: the mean over the batch of each sample's partial derivatives
   * (summed in sample order, then divided by the batch size).
   */
  gradients(xs: number[][], ys: number[][], controls?: StepControls): OracleGradients {
    this.checkBatch(xs, ys);
    if (controls) return this.controlledGradients(xs, ys, controls);
    const B = xs.length;
    const weights = this.layers.map(
      (layer) => new Float64Array(layer.neurons.length * layer.neurons[0]!.weights.length),
    );
    const biases = this.layers.map((layer) => new Float64Array(layer.neurons.length));
    const r = this.r;
    let loss = 0;
    for (let i = 0; i < B; i++) {
      const g = this.sampleGradient(xs[i]!, ys[i]!);
      loss = r(loss + g.loss);
      this.layers.forEach((layer, l) => {
        const nIn = layer.neurons[0]!.weights.length;
        layer.neurons.forEach((_neuron, j) => {
          for (let k = 0; k < nIn; k++) weights[l]![j * nIn + k] = r(weights[l]![j * nIn + k]! + g.weights[l]![j]![k]!);
          biases[l]![j] = r(biases[l]![j]! + g.biases[l]![j]!);
        });
      });
    }
    for (const w of weights) for (let i = 0; i < w.length; i++) w[i] = r(w[i]! / B);
    for (const b of biases) for (let i = 0; i < b.length; i++) b[i] = r(b[i]! / B);
    return { loss: r(loss / B), weights, biases };
  }

  /** The dropout factors of one sample (row index `row` in the data) at step t: per layer null or 0 / 1/(1-p). */
  dropoutFactors(dropout: readonly number[], seed: number, t: number, row: number): (number[] | null)[] {
    return this.layers.map((layer, l) => {
      const p = dropout[l] ?? 0;
      if (!(p > 0)) return null;
      const key = dropRowKey(seed, t >>> 0, row, l);
      return layer.neurons.map((_, j) => (dropKeep(key, j, p) ? 1 / (1 - p) : 0)); // f64; narrowed where applied
    });
  }

  /**
   * gradients() with StepControls: each sample's partial derivatives through its dropout factors, weighted by its
   * sample weight (Σ w·g / Σ w), then scaled to the clip norm. The dropout masks are those of step this.t.
   */
  private controlledGradients(xs: number[][], ys: number[][], c: StepControls): OracleGradients {
    const R = this.r;
    const weights = this.layers.map(
      (layer) => new Float64Array(layer.neurons.length * layer.neurons[0]!.weights.length),
    );
    const biases = this.layers.map((layer) => new Float64Array(layer.neurons.length));
    let loss = 0;
    let W = 0;
    for (let r = 0; r < xs.length; r++) {
      const row = c.rows[r]!;
      const w = c.sampleWeight ? c.sampleWeight[row]! : 1;
      W += w;
      const keep = c.dropout ? this.dropoutFactors(c.dropout, c.seed ?? 0, this.t, row) : undefined;
      const g = this.sampleGradient(xs[r]!, ys[r]!, keep);
      // the weighted loss is summed in f64 in either dtype (src/abi.ts)
      loss += w * g.loss;
      this.layers.forEach((layer, l) => {
        const nIn = layer.neurons[0]!.weights.length;
        layer.neurons.forEach((_neuron, j) => {
          for (let k = 0; k < nIn; k++)
            weights[l]![j * nIn + k] = R(weights[l]![j * nIn + k]! + R(R(w) * g.weights[l]![j]![k]!));
          biases[l]![j] = R(biases[l]![j]! + R(R(w) * g.biases[l]![j]!));
        });
      });
    }
    for (const a of [...weights, ...biases]) for (let i = 0; i < a.length; i++) a[i] = R(a[i]! / R(W));
    if (c.clipNorm !== undefined && c.clipNorm > 0) {
      // the global norm over every weight and bias of every layer (each square rounded, the sum in f64)
      let sq = 0;
      for (const a of [...weights, ...biases]) for (const g of a) sq += R(g * g);
      const norm = Math.sqrt(sq);
      if (norm > c.clipNorm)
        for (const a of [...weights, ...biases])
          for (let i = 0; i < a.length; i++) a[i] = R(a[i]! * R(c.clipNorm / norm));
    }
    return { loss: loss / W, weights, biases };
  }

  // ---- update (tutorial: "Update weights and biases") ----------------------------------------------

  /**
   * One optimizer step on one batch. As in the tutorial, every partial derivative is computed first
   * (from the parameters before the step), and only then is every parameter updated.
   * Returns the batch loss computed before the update.
   */
  step(xs: number[][], ys: number[][], opt: OracleOptimizer, controls?: StepControls): number {
    if (!OPTIMIZER_NAMES.includes(opt.kind)) {
      throw new TypeError(
        `OracleNetwork.step: unknown optimizer '${String(opt.kind)}' (expected ${OPTIMIZER_NAMES.join('|')})`,
      );
    }
    // a batch whose sample weights are all 0 is skipped: no update, no step of the clock
    if (controls?.sampleWeight && controls.rows.every((row) => controls.sampleWeight![row] === 0)) return 0;
    const grads = this.gradients(xs, ys, controls);
    // One step of the optimizer's clock: t += 1, β1ᵗ and β2ᵗ as running products starting from 1.
    this.t += 1;
    if (opt.kind === 'adam' || opt.kind === 'adamw') {
      this.beta1Pow *= opt.beta1 ?? optionDefault('adam', 'beta1')!;
      this.beta2Pow *= opt.beta2 ?? optionDefault('adam', 'beta2')!;
    }
    applyStep(this.layers, grads, opt, this.beta1Pow, this.beta2Pow, this.r);
    return grads.loss;
  }

  /**
   * Tutorial: `train` — `for epoch in range(epochs): for x, y_true in zip(data, all_y_trues): ...`,
   * generalised to mini-batches: each epoch visits the samples in `order(epoch)` (default: the data's
   * own order), in consecutive batches of `batchSize` (the last one may be smaller), one step per batch.
   * Returns, per epoch, the mean of its batch losses (each computed before its batch's update).
   * With batchSize 1, sgd and the identity order this is exactly the tutorial's loop.
   */
  train(xs: number[][], ys: number[][], o: OracleTrainOptions): number[] {
    this.checkBatch(xs, ys);
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
      throw new RangeError(`OracleNetwork.train: batchSize must be a positive integer, received ${o.batchSize}`);
    }
    const n = xs.length;
    const losses: number[] = [];
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = o.order ? o.order(epoch) : xs.map((_, i) => i);
      if (order.length !== n) {
        throw new RangeError(`OracleNetwork.train: order(${epoch}) has length ${order.length}, expected ${n}`);
      }
      let sum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += o.batchSize) {
        const positions = order.slice(start, start + o.batchSize);
        const opt = o.schedule ? { ...o.optimizer, learningRate: o.schedule(this.t) } : o.optimizer;
        const controls = o.controls ? { ...o.controls, rows: positions } : undefined;
        // a batch whose sample weights are all 0 takes no step and has no loss
        if (controls?.sampleWeight && positions.every((i) => controls.sampleWeight![i] === 0)) continue;
        sum += this.step(
          positions.map((i) => xs[i]!),
          positions.map((i) => ys[i]!),
          opt,
          controls,
        );
        batches += 1;
      }
      losses.push(batches === 0 ? 0 : sum / batches);
    }
    return losses;
  }

  /** Copies of every layer's parameters, weights out × in row-major (the library's LayerParameters). */
  getParameters(): {
    /** out × in, row-major */
    weights: Float64Array;
    /** out */
    biases: Float64Array;
  }[] {
    return this.layers.map((layer) => ({
      weights: Float64Array.from(layer.neurons.flatMap((neuron) => neuron.weights)),
      biases: Float64Array.from(layer.neurons.map((neuron) => neuron.bias)),
    }));
  }
}
