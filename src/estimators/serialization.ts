/**
 * The estimators' saved form: plain JSON with the network (Network.toJSON), the fitted input scaler, the class list
 * (classifier) or the target scaling (regressor), and the options that built it. Float64 values round-trip exactly
 * (JSON numbers are the shortest exact decimal; -0 is written as the string "-0", as the network's JSON does).
 * Parsing validates everything and throws ShapeError, never a TypeError.
 */
import { describeValue } from '../check.js';
import { ShapeError } from '../errors.js';
import type { Activation } from '../backend.js';
import type { NetworkJSON } from '../net/serialize.js';
import type { Label } from './input.js';
import type { ResolvedEstimator } from './options.js';
import type { ScaleKind, Scaler } from './scaler.js';

type Encoded = (number | '-0')[];
export interface ScalerJSON {
  kind: ScaleKind;
  shift: Encoded;
  scale: Encoded;
}

export interface EstimatorJSON {
  format: 'fastnn-estimator';
  version: 1;
  kind: 'classifier' | 'regressor';
  options: { hidden: number[]; activation: Activation; scale: ScaleKind | 'none'; seed: number; dropout?: number | number[] };
  /** input scaling; null for scale: 'none' */
  scaler: ScalerJSON | null;
  /** classifier: the labels, in output order */
  classes?: Label[];
  /** regressor: the target standardisation */
  targetScaler?: ScalerJSON;
  network: NetworkJSON;
}

const enc = (a: Float64Array): Encoded => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));

export function encodeScaler(s: Scaler): ScalerJSON {
  return { kind: s.kind, shift: enc(s.shift), scale: enc(s.scale) };
}

export function encodeOptions(o: ResolvedEstimator, seed: number): EstimatorJSON['options'] {
  const out: EstimatorJSON['options'] = { hidden: o.hidden.slice(), activation: o.activation, scale: o.scale, seed };
  if (o.dropout !== undefined) out.dropout = typeof o.dropout === 'number' ? o.dropout : o.dropout.slice();
  return out;
}

function fail(what: string, v: unknown, expected: string): never {
  throw new ShapeError(`fromJSON: ${what} is ${describeValue(v)}, expected ${expected}`);
}

function decodeArray(what: string, v: unknown, n: number, positive: boolean): Float64Array {
  if (!Array.isArray(v) || v.length !== n) fail(what, v, `an array of ${n} numbers`);
  return Float64Array.from(v as unknown[], (x, i) => {
    const d = x === '-0' ? -0 : x;
    if (typeof d !== 'number' || !Number.isFinite(d) || (positive && !(d > 0))) fail(`${what}[${i}]`, x, positive ? 'a finite number > 0' : 'a finite number');
    return d;
  });
}

export function decodeScaler(what: string, v: unknown, cols: number): Scaler {
  if (typeof v !== 'object' || v === null) fail(what, v, 'an object { kind, shift, scale }');
  const s = v as Record<string, unknown>;
  if (s.kind !== 'standard' && s.kind !== 'minmax') fail(`${what}.kind`, s.kind, "'standard' or 'minmax'");
  return { kind: s.kind, shift: decodeArray(`${what}.shift`, s.shift, cols, false), scale: decodeArray(`${what}.scale`, s.scale, cols, true) };
}

/** The JSON (object or text) checked for its format and kind; the parts are decoded by the estimator. */
export function parseEstimatorJSON(json: unknown, kind: EstimatorJSON['kind']): EstimatorJSON {
  let j = json;
  if (typeof j === 'string') {
    try {
      j = JSON.parse(j);
    } catch (e) {
      const hint = /^[^{[]*\.json\s*$/i.test(json as string) ? ' (this looks like a file path: pass the file\'s text or the parsed object)' : '';
      throw new ShapeError(`fromJSON: the string is not JSON${hint}`, { cause: e });
    }
  }
  if (typeof j !== 'object' || j === null) fail('the model', j, 'an object saved by toJSON()');
  const o = j as Partial<EstimatorJSON>;
  if (o.format !== 'fastnn-estimator') fail('format', o.format, "'fastnn-estimator' (a model saved by Classifier or Regressor toJSON())");
  if (o.version !== 1) fail('version', o.version, '1');
  if (o.kind !== kind) fail('kind', o.kind, `'${kind}'`);
  if (typeof o.options !== 'object' || o.options === null) fail('options', o.options, 'an object');
  if (typeof o.network !== 'object' || o.network === null) fail('network', o.network, 'a network saved by Network.toJSON()');
  return o as EstimatorJSON;
}

export function decodeClasses(v: unknown, outputs: number): Label[] {
  if (!Array.isArray(v) || v.length !== outputs || v.length < 2) fail('classes', v, `an array of ${outputs} labels (one per network output)`);
  const kind = typeof v[0];
  (v as unknown[]).forEach((c, i) => {
    if ((typeof c !== 'string' && (typeof c !== 'number' || !Number.isFinite(c))) || typeof c !== kind) fail(`classes[${i}]`, c, `a ${kind} label`);
  });
  if (new Set(v).size !== v.length) fail('classes', v, 'distinct labels');
  return (v as Label[]).slice();
}
