/**
 * Saving and loading: the versioned plain-JSON form of a network (float64 values round-trip exactly; -0 is written
 * as the string "-0"). Parsing validates everything and throws NnError, never a TypeError.
 */
import type { Activation, Loss } from '../backend.js';
import { describeValue, optEnum, optRange } from '../check.js';
import { NnError } from '../errors.js';
import { ACTIVATIONS, LOSSES, checkLayers, checkLossPairing, checkSeed, type LayerParameters, type NetworkShape } from './options.js';

export interface NetworkJSON {
  format: 'fastnn-network';
  version: 1;
  layers: number[];
  activations: Activation[];
  loss: Loss;
  leakySlope: number;
  seed: number;
  parameters: { weights: (number | '-0')[]; biases: (number | '-0')[] }[];
}

export function encodeNetwork(shape: NetworkShape, seed: number, parameters: readonly LayerParameters[]): NetworkJSON {
  const enc = (a: Float64Array): (number | '-0')[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));
  return {
    format: 'fastnn-network',
    version: 1,
    layers: shape.layers.slice(),
    activations: shape.activations.slice(),
    loss: shape.loss,
    leakySlope: shape.leakySlope,
    seed,
    parameters: parameters.map((p) => ({ weights: enc(p.weights), biases: enc(p.biases) })),
  };
}

export interface ParsedNetwork {
  layers: number[];
  activations: Activation[];
  loss: Loss;
  leakySlope: number;
  seed: number;
  parameters: LayerParameters[];
}

const JSON_KEYS = ['format', 'version', 'layers', 'activations', 'loss', 'leakySlope', 'seed', 'parameters'];
/** Most parameters a saved network may declare (2^28 float64 = 2 GiB: more cannot fit in WebAssembly memory). */
const MAX_PARAMS = 2 ** 28;

export function parseNetworkJSON(json: unknown): ParsedNetwork {
  const op = 'Network.fromJSON';
  let j: unknown = json;
  if (typeof j === 'string') {
    try {
      j = JSON.parse(j);
    } catch (cause) {
      throw new NnError(`${op}: the text is not JSON (${(cause as Error).message})`, { cause });
    }
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new NnError(`${op}: expected a saved network object, received ${describeValue(j)}`);
  const o = j as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!JSON_KEYS.includes(k)) throw new NnError(`${op}: unexpected key '${k}' (expected ${JSON_KEYS.join('|')})`);
  }
  if (o.format !== 'fastnn-network') throw new NnError(`${op}: format must be 'fastnn-network', received ${describeValue(o.format)}`);
  if (o.version !== 1) throw new NnError(`${op}: unsupported version ${describeValue(o.version)} (this fastnn reads version 1)`);
  const layers = checkLayers(op, o.layers);
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) total += layers[l]! * layers[l + 1]! + layers[l + 1]!;
  if (total > MAX_PARAMS) throw new NnError(`${op}: layers [${layers.join(', ')}] declare ${total} parameters, more than ${MAX_PARAMS} fit in memory`);
  if (!Array.isArray(o.activations) || o.activations.length !== layers.length - 1) {
    throw new NnError(`${op}: activations must be an array of ${layers.length - 1} names, received ${describeValue(o.activations)}`);
  }
  const activations = o.activations.map((a: unknown, i) => optEnum(op, `activations[${i}]`, a, ACTIVATIONS));
  activations.forEach((a, i) => {
    if (a === 'softmax' && i < activations.length - 1) throw new NnError(`${op}: activations[${i}] is 'softmax', which is only allowed on the output layer`);
  });
  const loss = optEnum(op, 'loss', o.loss, LOSSES);
  checkLossPairing(op, loss, activations[activations.length - 1]!);
  const leakySlope = optRange(op, 'leakySlope', o.leakySlope, 0, 1, 0.01);
  const seed = checkSeed(op, o.seed);
  if (!Array.isArray(o.parameters) || o.parameters.length !== layers.length - 1) {
    throw new NnError(`${op}: parameters must be an array of ${layers.length - 1} layers, received ${describeValue(o.parameters)}`);
  }
  const parameters = o.parameters.map((p: unknown, l): LayerParameters => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new NnError(`${op}: parameters[${l}] must be { weights, biases }, received ${describeValue(p)}`);
    const q = p as Record<string, unknown>;
    for (const k of Object.keys(q)) {
      if (k !== 'weights' && k !== 'biases') throw new NnError(`${op}: parameters[${l}] has unexpected key '${k}' (expected weights|biases)`);
    }
    const nIn = layers[l]!, nOut = layers[l + 1]!;
    return {
      weights: decodeArray(op, `parameters[${l}].weights`, q.weights, nIn * nOut),
      biases: decodeArray(op, `parameters[${l}].biases`, q.biases, nOut),
    };
  });
  return { layers, activations, loss, leakySlope, seed, parameters };
}

function decodeArray(op: string, what: string, v: unknown, n: number): Float64Array {
  if (!Array.isArray(v) || v.length !== n) throw new NnError(`${op}: ${what} must be an array of ${n} numbers, received ${describeValue(v)}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e: unknown = v[i];
    if (typeof e === 'number' && Number.isFinite(e)) out[i] = e;
    else if (e === '-0') out[i] = -0;
    else throw new NnError(`${op}: ${what}[${i}] is ${describeValue(e)}, expected a finite number`);
  }
  return out;
}
