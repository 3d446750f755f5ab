/**
 * Saving and loading: the versioned plain-JSON form of a network (float64 values round-trip exactly; -0 is written
 * as the string "-0"). A float32 network's values are float32 values printed as numbers, so they round-trip exactly too. Parsing validates everything and throws NnError, never a TypeError.
 */
import { DTYPES, type Activation, type Dtype, type Loss, type Optimizer } from '../backend.js';
import { OPTIMIZERS as OPTIMIZER_SPECS } from '../spec/index.js';
import { describeElement, describeValue, optEnum, optRange, parseSavedJSON } from '../check.js';
import { NnError, OptionError } from '../errors.js';
import type { OptimizerSave } from './memory.js';
import { checkActivationPlace, checkParameterCount, type NetworkModel } from './model.js';
import {
  ACTIVATIONS,
  LOSSES,
  OPTIMIZERS,
  checkLayers,
  checkDropout,
  checkLossPairing,
  checkSeed,
  type LayerParameters,
  type NetworkShape,
} from './options.js';

type Encoded = (number | '-0')[];

/** A checkpoint's optimizer state: momentum's velocity or Adam's moments per layer, and the step counters. */
export interface OptimizerJSON {
  /** the optimizer whose state this is */
  kind: Optimizer;
  /** Adam's β1 to the power of the steps taken (its bias correction); 1 for the others */
  beta1Pow: number;
  /** Adam's β2 to the power of the steps taken (its bias correction); 1 for the others */
  beta2Pow: number;
  /** the optimizer's step counter: the `step` a learningRate function gets next */
  step: number;
  /** per layer: momentum's velocity or Adam's first moment (w, b), Adam's second moment (w2, b2); {} for sgd */
  layers: {
    /** momentum's velocity or Adam's first moment of the weights (numbers; -0 as the string "-0") */
    w?: Encoded;
    /** the same for the biases */
    b?: Encoded;
    /** Adam's second moment of the weights */
    w2?: Encoded;
    /** Adam's second moment of the biases */
    b2?: Encoded;
  }[];
}

/**
 * Version 1: the network (layers, activations, loss, parameters). Version 2 (toJSON({ optimizer: true })) adds
 * `optimizer` (null before the first training) and `shuffle` (the shuffle generator's state), so that training
 * resumes bit for bit. Both versions load.
 */
export interface NetworkJSON {
  /** always 'fastnn-network' */
  format: 'fastnn-network';
  /** 1 for a network, 2 for a checkpoint (with `optimizer` and `shuffle`) */
  version: 1 | 2;
  /** the layer sizes, input first */
  layers: number[];
  /** each dense layer's activation (the input layer excluded) */
  activations: Activation[];
  /** the training loss */
  loss: Loss;
  /** the slope of leaky-relu for z < 0 */
  leakySlope: number;
  /** the network's seed (shuffling and dropout continue from it) */
  seed: number;
  /** the hidden layers' training dropout rates; written only when one is > 0 (files without it load as no dropout) */
  dropout?: number[];
  /** the element type; written only for 'float32' (files without it, and every older file, load as float64) */
  dtype?: Dtype;
  /** every layer's parameters, in the layout of LayerParameters; numbers, with -0 as the string "-0" */
  parameters: {
    /** out × in, row-major */
    weights: Encoded;
    /** out */
    biases: Encoded;
  }[];
  /** version 2: the optimizer state; null when the network has not trained yet */
  optimizer?: OptimizerJSON | null;
  /** version 2: the shuffle generator's position */
  shuffle?: {
    /** the generator's 32-bit state */
    state: number;
  };
}

const enc = (a: Float64Array): Encoded => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));
const encNum = (v: number): number => v; // counters are finite numbers; -0 cannot occur

export function encodeNetwork(
  shape: NetworkShape,
  seed: number,
  parameters: readonly LayerParameters[],
  checkpoint?: { optimizer: OptimizerSave | null; rngState: number },
): NetworkJSON {
  const out: NetworkJSON = {
    format: 'fastnn-network',
    version: checkpoint ? 2 : 1,
    layers: shape.layers.slice(),
    activations: shape.activations.slice(),
    loss: shape.loss,
    leakySlope: shape.leakySlope,
    seed,
    ...(shape.dropout.some((p) => p > 0) ? { dropout: shape.dropout.slice(0, -1) } : {}),
    ...(shape.dtype === 'float32' ? { dtype: shape.dtype } : {}),
    parameters: parameters.map((p) => ({ weights: enc(p.weights), biases: enc(p.biases) })),
  };
  if (checkpoint) {
    const o = checkpoint.optimizer;
    out.optimizer = o && {
      kind: o.kind,
      beta1Pow: encNum(o.beta1Pow),
      beta2Pow: encNum(o.beta2Pow),
      step: encNum(o.step),
      layers: o.layers.map((l) =>
        o.kind === 'sgd' ? {} : { w: enc(l.w), b: enc(l.b), ...(l.w2 ? { w2: enc(l.w2), b2: enc(l.b2!) } : {}) },
      ),
    };
    out.shuffle = { state: checkpoint.rngState };
  }
  return out;
}

export interface ParsedNetwork extends NetworkModel {
  /** version 2 only (undefined: start a fresh optimizer) */
  optimizer?: OptimizerSave | null;
  shuffle?: number;
}

const JSON_KEYS = [
  'format',
  'version',
  'layers',
  'activations',
  'loss',
  'leakySlope',
  'seed',
  'dropout',
  'dtype',
  'parameters',
];
const JSON_KEYS_V2 = [...JSON_KEYS, 'optimizer', 'shuffle'];

export function parseNetworkJSON(json: unknown): ParsedNetwork {
  const op = 'Network.fromJSON';
  const j = parseSavedJSON(op, json, 'network');
  if (typeof j !== 'object' || j === null || Array.isArray(j))
    throw new OptionError(`${op}: expected a saved network object, received ${describeValue(j)}`);
  const o = j as Record<string, unknown>;
  if (o.format === 'fastnn-estimator') {
    const cls =
      o.kind === 'regressor' ? 'Regressor' : o.kind === 'classifier' ? 'Classifier' : 'Classifier or Regressor';
    const load =
      o.kind === 'regressor' || o.kind === 'classifier'
        ? `${cls}.fromJSON`
        : 'Classifier.fromJSON / Regressor.fromJSON';
    throw new OptionError(
      `${op}: this is a saved ${cls} (format 'fastnn-estimator'), not a network; load it with ${load}`,
    );
  }
  if (o.format !== 'fastnn-network')
    throw new OptionError(`${op}: format must be 'fastnn-network', received ${describeValue(o.format)}`);
  if (o.version !== 1 && o.version !== 2)
    throw new NnError(`${op}: unsupported version ${describeValue(o.version)} (this fastnn reads versions 1 and 2)`);
  const keys = o.version === 2 ? JSON_KEYS_V2 : JSON_KEYS;
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      throw new NnError(`${op}: unexpected key '${k}' in a version ${o.version} network (expected ${keys.join('|')})`);
  }
  const layers = checkLayers(op, o.layers);
  checkParameterCount(op, layers);
  if (!Array.isArray(o.activations) || o.activations.length !== layers.length - 1) {
    throw new NnError(
      `${op}: activations must be an array of ${layers.length - 1} names, received ${describeValue(o.activations)}`,
    );
  }
  // Arrays are read with index loops (Array.from({ length })), never map/forEach: those skip the holes of a sparse
  // array, so a hole would pass validation and load as zeros or as an 'undefined' activation.
  const acts: unknown[] = o.activations;
  const activations = Array.from({ length: acts.length }, (_, i): Activation => {
    if (!(i in acts))
      throw new NnError(
        `${op}: activations[${i}] is ${describeElement(acts, i)}, expected one of ${ACTIVATIONS.join('|')}`,
      );
    const a = optEnum(op, `activations[${i}]`, acts[i], ACTIVATIONS);
    checkActivationPlace(op, i, a, acts.length);
    return a;
  });
  const loss = optEnum(op, 'loss', o.loss, LOSSES);
  checkLossPairing(op, loss, activations[activations.length - 1]!);
  const leakySlope = optRange(op, 'leakySlope', o.leakySlope, 0, 1, 0.01);
  const seed = checkSeed(op, o.seed);
  if (o.dropout !== undefined && !Array.isArray(o.dropout))
    throw new NnError(
      `${op}: dropout must be an array of ${layers.length - 2} rates, received ${describeValue(o.dropout)}`,
    );
  const dropout = checkDropout(op, o.dropout, layers.length);
  const dtype = optEnum(op, 'dtype', o.dtype, DTYPES, 'float64');
  if (!Array.isArray(o.parameters) || o.parameters.length !== layers.length - 1) {
    throw new NnError(
      `${op}: parameters must be an array of ${layers.length - 1} layers, received ${describeValue(o.parameters)}`,
    );
  }
  const ps: unknown[] = o.parameters;
  const parameters = Array.from({ length: ps.length }, (_, l): LayerParameters => {
    const p = ps[l];
    if (typeof p !== 'object' || p === null || Array.isArray(p))
      throw new NnError(`${op}: parameters[${l}] must be { weights, biases }, received ${describeElement(ps, l)}`);
    const q = p as Record<string, unknown>;
    for (const k of Object.keys(q)) {
      if (k !== 'weights' && k !== 'biases')
        throw new NnError(`${op}: parameters[${l}] has unexpected key '${k}' (expected weights|biases)`);
    }
    const nIn = layers[l]!,
      nOut = layers[l + 1]!;
    return {
      weights: decodeArray(op, `parameters[${l}].weights`, q.weights, nIn * nOut),
      biases: decodeArray(op, `parameters[${l}].biases`, q.biases, nOut),
    };
  });
  const parsed: ParsedNetwork = { layers, activations, loss, leakySlope, dropout, dtype, seed, parameters };
  if (o.version === 2) {
    parsed.optimizer = o.optimizer === null ? null : parseOptimizer(op, o.optimizer, layers);
    const sh = o.shuffle as Record<string, unknown> | null;
    if (typeof sh !== 'object' || sh === null || Object.keys(sh).join() !== 'state') {
      throw new NnError(`${op}: shuffle must be { state }, received ${describeValue(o.shuffle)}`);
    }
    parsed.shuffle = checkSeed(`${op}: shuffle`, sh.state);
  }
  return parsed;
}

function parseOptimizer(op: string, v: unknown, layers: number[]): OptimizerSave {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new NnError(`${op}: optimizer must be an object or null, received ${describeValue(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['kind', 'beta1Pow', 'beta2Pow', 'step', 'layers'].includes(k))
      throw new NnError(`${op}: optimizer has unexpected key '${k}' (expected kind|beta1Pow|beta2Pow|step|layers)`);
  }
  const kind = optEnum(op, 'optimizer.kind', o.kind, OPTIMIZERS);
  const num = (k: 'beta1Pow' | 'beta2Pow' | 'step', lo: number, hi: number): number => {
    const x = o[k];
    if (typeof x !== 'number' || !(x >= lo && x <= hi))
      throw new NnError(`${op}: optimizer.${k} must be a number in [${lo}, ${hi}], received ${describeValue(x)}`);
    return x;
  };
  const beta1Pow = num('beta1Pow', 0, 1),
    beta2Pow = num('beta2Pow', 0, 1),
    step = num('step', 0, Number.MAX_SAFE_INTEGER);
  if (!Number.isInteger(step)) throw new NnError(`${op}: optimizer.step must be an integer, received ${step}`);
  const L = layers.length - 1;
  if (!Array.isArray(o.layers) || o.layers.length !== L)
    throw new NnError(`${op}: optimizer.layers must be an array of ${L} layers, received ${describeValue(o.layers)}`);
  const names =
    OPTIMIZER_SPECS[kind].state.length === 2 ? ['w', 'b', 'w2', 'b2'] : kind === 'momentum' ? ['w', 'b'] : [];
  const ls: unknown[] = o.layers;
  const parsedLayers = Array.from({ length: L }, (_, l): OptimizerSave['layers'][number] => {
    const e = ls[l];
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      throw new NnError(`${op}: optimizer.layers[${l}] must be an object, received ${describeElement(ls, l)}`);
    const q = e as Record<string, unknown>;
    const have = Object.keys(q).sort().join(),
      want = names.slice().sort().join();
    if (have !== want)
      throw new NnError(
        `${op}: optimizer.layers[${l}] of '${kind}' must have keys ${names.join('|') || '(none)'}, received ${have || '(none)'}`,
      );
    const nw = layers[l]! * layers[l + 1]!,
      nb = layers[l + 1]!;
    const get = (k: string, n: number): Float64Array => decodeArray(op, `optimizer.layers[${l}].${k}`, q[k], n);
    if (kind === 'sgd') return { w: new Float64Array(0), b: new Float64Array(0) };
    const out: OptimizerSave['layers'][number] = { w: get('w', nw), b: get('b', nb) };
    if (OPTIMIZER_SPECS[kind].state.length === 2) {
      out.w2 = get('w2', nw);
      out.b2 = get('b2', nb);
    }
    return out;
  });
  return { kind, beta1Pow, beta2Pow, step, layers: parsedLayers };
}

function decodeArray(op: string, what: string, v: unknown, n: number): Float64Array {
  if (!Array.isArray(v) || v.length !== n)
    throw new NnError(`${op}: ${what} must be an array of ${n} numbers, received ${describeValue(v)}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e: unknown = v[i];
    if (typeof e === 'number' && Number.isFinite(e)) out[i] = e;
    else if (e === '-0') out[i] = -0;
    else throw new NnError(`${op}: ${what}[${i}] is ${describeElement(v, i)}, expected a finite number`);
  }
  return out;
}
