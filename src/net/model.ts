/**
 * A network as typed values: its shape, seed and parameters. `fromJSON` parses a saved network into this form, and
 * ONNX export writes it and ONNX import reads it, so neither format goes through the other's wire encoding.
 */
import type { Activation } from '../backend.js';
import { describeValue, optEnum, optRange } from '../check.js';
import { NnError } from '../errors.js';
import {
  ACTIVATIONS,
  LOSSES,
  checkLayers,
  checkLossPairing,
  checkParameters,
  checkSeed,
  type LayerParameters,
  type NetworkShape,
} from './options.js';

export interface NetworkModel extends NetworkShape {
  seed: number;
  parameters: LayerParameters[];
}

/** Most parameters a network may declare (2^28 float64 = 2 GiB: more cannot fit in WebAssembly memory). */
const MAX_PARAMS = 2 ** 28;

/** Refuses layer sizes that declare more parameters than fit in memory, before anything is allocated for them. */
export function checkParameterCount(op: string, layers: readonly number[]): void {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) total += layers[l]! * layers[l + 1]! + layers[l + 1]!;
  if (total > MAX_PARAMS)
    throw new NnError(
      `${op}: layers [${layers.join(', ')}] declare ${total} parameters, more than ${MAX_PARAMS} fit in memory`,
    );
}

/** Refuses activation `a` of dense layer `i` of `count` where it may not stand (softmax: the output layer only). */
export function checkActivationPlace(op: string, i: number, a: Activation, count: number): void {
  if (a === 'softmax' && i < count - 1)
    throw new NnError(`${op}: activations[${i}] is 'softmax', which is only allowed on the output layer`);
}

/**
 * Checks a model built from outside data (an ONNX file) by the rules a saved network's JSON is checked by: layer
 * sizes, activations and their places, the loss and its output activation, the leaky slope, the seed, and every
 * layer's parameters (lengths, finite values). Throws NnError (OptionError, ShapeError) naming the field.
 */
export function checkModel(op: string, m: NetworkModel): void {
  const layers = checkLayers(op, m.layers);
  checkParameterCount(op, layers);
  if (m.activations.length !== layers.length - 1) {
    throw new NnError(
      `${op}: activations must be an array of ${layers.length - 1} names, received ${describeValue(m.activations)}`,
    );
  }
  m.activations.forEach((a, i) =>
    checkActivationPlace(op, i, optEnum(op, `activations[${i}]`, a, ACTIVATIONS), m.activations.length),
  );
  checkLossPairing(op, optEnum(op, 'loss', m.loss, LOSSES), m.activations[m.activations.length - 1]!);
  optRange(op, 'leakySlope', m.leakySlope, 0, 1, 0.01);
  checkSeed(op, m.seed);
  if (m.dropout.length !== layers.length - 1 || m.dropout.some((p) => !(p >= 0 && p < 1))) {
    throw new NnError(
      `${op}: dropout must hold ${layers.length - 1} rates in [0, 1), received ${describeValue(m.dropout)}`,
    );
  }
  if (m.dtype !== 'float64' && m.dtype !== 'float32') {
    throw new NnError(`${op}: dtype must be 'float64' or 'float32', received ${describeValue(m.dtype)}`);
  }
  checkParameters(op, layers, m.parameters);
}
