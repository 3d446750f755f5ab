/**
 * The estimators' saved form: plain JSON with the network (Network.toJSON), the fitted input scaler, the class list
 * (classifier) or the target scaling (regressor), and the options that built it. Float64 values round-trip exactly
 * (JSON numbers are the shortest exact decimal; -0 is written as the string "-0", as the network's JSON does).
 * Parsing validates everything and throws OptionError (not such a model at all) or ShapeError, never a TypeError.
 */
import { describeValue, parseSavedJSON } from '../check.js';
import { OptionError, ShapeError } from '../errors.js';
import type { Activation, Dtype } from '../backend.js';
import type { NetworkJSON } from '../net/serialize.js';
import type { Label } from './input.js';
import type { ResolvedEstimator } from './options.js';
import type { ScaleKind, Scaler } from './scaler.js';

type Encoded = (number | '-0')[];
/** A fitted scaling in an estimator's JSON: x' = (x - shift) / scale per column. */
export interface ScalerJSON {
  /** how it was fitted */
  kind: ScaleKind;
  /** per column: the mean ('standard') or the min ('minmax'); numbers, with -0 as the string "-0" */
  shift: Encoded;
  /** per column: the standard deviation ('standard') or max - min ('minmax'), 1 for a constant column */
  scale: Encoded;
}

/** What Classifier.toJSON and Regressor.toJSON return, and their fromJSON load. */
export interface EstimatorJSON {
  /** always 'fastnn-estimator' */
  format: 'fastnn-estimator';
  /** the format's version */
  version: 1;
  /** which estimator saved it */
  kind: 'classifier' | 'regressor';
  /** the options that built the estimator (the seed as used) */
  options: {
    /** hidden layer sizes */
    hidden: number[];
    /** the hidden layers' activation */
    activation: Activation;
    /** the input scaling */
    scale: ScaleKind | 'none';
    /** the seed of every fit */
    seed: number;
    /** the hidden layers' dropout, when it was set */
    dropout?: number | number[];
    /** the networks' element type, when float32 */
    dtype?: Dtype;
  };
  /** input scaling; null for scale: 'none' */
  scaler: ScalerJSON | null;
  /** classifier: the labels, in output order */
  classes?: Label[];
  /** regressor: the target standardisation */
  targetScaler?: ScalerJSON;
  /** the trained network */
  network: NetworkJSON;
}

const enc = (a: Float64Array): Encoded => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));

export function encodeScaler(s: Scaler): ScalerJSON {
  return { kind: s.kind, shift: enc(s.shift), scale: enc(s.scale) };
}

export function encodeOptions(o: ResolvedEstimator, seed: number): EstimatorJSON['options'] {
  const out: EstimatorJSON['options'] = { hidden: o.hidden.slice(), activation: o.activation, scale: o.scale, seed };
  if (o.dropout !== undefined) out.dropout = typeof o.dropout === 'number' ? o.dropout : o.dropout.slice();
  // written only for float32 (older models, and float64 ones, have no dtype)
  if (o.dtype === 'float32') out.dtype = o.dtype;
  return out;
}

/** 'Classifier.fromJSON' or 'Regressor.fromJSON': the operation every parsing message names. */
export type EstimatorOp = 'Classifier.fromJSON' | 'Regressor.fromJSON';

function fail(op: EstimatorOp, what: string, v: unknown, expected: string): never {
  throw new ShapeError(`${op}: ${what} is ${describeValue(v)}, expected ${expected}`);
}

function decodeArray(op: EstimatorOp, what: string, v: unknown, n: number, positive: boolean): Float64Array {
  if (!Array.isArray(v) || v.length !== n) fail(op, what, v, `an array of ${n} numbers`);
  return Float64Array.from(v as unknown[], (x, i) => {
    const d = x === '-0' ? -0 : x;
    if (typeof d !== 'number' || !Number.isFinite(d) || (positive && !(d > 0)))
      fail(op, `${what}[${i}]`, x, positive ? 'a finite number > 0' : 'a finite number');
    return d;
  });
}

export function decodeScaler(op: EstimatorOp, what: string, v: unknown, cols: number): Scaler {
  if (typeof v !== 'object' || v === null) fail(op, what, v, 'an object { kind, shift, scale }');
  const s = v as Record<string, unknown>;
  if (s.kind !== 'standard' && s.kind !== 'minmax') fail(op, `${what}.kind`, s.kind, "'standard' or 'minmax'");
  return {
    kind: s.kind,
    shift: decodeArray(op, `${what}.shift`, s.shift, cols, false),
    scale: decodeArray(op, `${what}.scale`, s.scale, cols, true),
  };
}

/**
 * The JSON (object or text) checked for its format and kind; the parts are decoded by the estimator. Something that
 * is not an estimator's saved model at all (bytes, a file path, other JSON, a network's or the other estimator's
 * model) is an OptionError saying what to pass or which loader to use; a damaged model is a ShapeError.
 */
export function parseEstimatorJSON(json: unknown, kind: EstimatorJSON['kind']): EstimatorJSON {
  const op: EstimatorOp = kind === 'classifier' ? 'Classifier.fromJSON' : 'Regressor.fromJSON';
  const j = parseSavedJSON(op, json, 'model');
  if (typeof j !== 'object' || j === null || Array.isArray(j))
    throw new OptionError(`${op}: expected an object saved by toJSON(), received ${describeValue(j)}`);
  const o = j as Omit<Partial<EstimatorJSON>, 'format' | 'kind'> & { format?: unknown; kind?: unknown };
  if (o.format === 'fastnn-network')
    throw new OptionError(
      `${op}: this is a saved Network (format 'fastnn-network'), not a ${kind}; load it with Network.fromJSON`,
    );
  if (o.format !== 'fastnn-estimator')
    throw new OptionError(
      `${op}: format is ${describeValue(o.format)}, expected 'fastnn-estimator' (a model saved by Classifier or Regressor toJSON())`,
    );
  if (o.version !== 1) fail(op, 'version', o.version, '1');
  if (o.kind !== kind) {
    if (o.kind === 'classifier' || o.kind === 'regressor') {
      const other = o.kind === 'classifier' ? 'Classifier' : 'Regressor';
      throw new OptionError(
        `${op}: this is a saved ${other} (kind '${o.kind}'), not a ${kind}; load it with ${other}.fromJSON`,
      );
    }
    fail(op, 'kind', o.kind, `'${kind}'`);
  }
  if (typeof o.options !== 'object' || o.options === null) fail(op, 'options', o.options, 'an object');
  if (typeof o.network !== 'object' || o.network === null)
    fail(op, 'network', o.network, 'a network saved by Network.toJSON()');
  return o as EstimatorJSON;
}

export function decodeClasses(v: unknown, outputs: number): Label[] {
  const op = 'Classifier.fromJSON';
  if (!Array.isArray(v) || v.length !== outputs || v.length < 2)
    fail(op, 'classes', v, `an array of ${outputs} labels (one per network output)`);
  const kind = typeof v[0];
  (v as unknown[]).forEach((c, i) => {
    if ((typeof c !== 'string' && (typeof c !== 'number' || !Number.isFinite(c))) || typeof c !== kind)
      fail(op, `classes[${i}]`, c, `a ${kind} label`);
  });
  if (new Set(v).size !== v.length) fail(op, 'classes', v, 'distinct labels');
  return (v as Label[]).slice();
}
