/**
 * The playground's whole state lives in the URL hash (`#dataset=spiral&layers=8,8&...`), so a link reproduces a
 * run: same data, same network, same seed, same backend and thread count give the same numbers bit for bit.
 * parseHash never throws: a value it cannot use is replaced by its default and reported in `problems`.
 */
import { DATASETS } from './data.js';

const num = (min, max, dflt, int = false) => ({ kind: int ? 'int' : 'number', min, max, default: dflt });
const oneOf = (values, dflt) => ({ kind: 'enum', values, default: dflt });

/** Every key, its domain and its default. */
export const FIELDS = {
  dataset: oneOf(DATASETS, 'circle'),
  noise: num(0, 0.5, 0),
  /** fraction of the points used for training; the rest is the test set */
  split: num(0.1, 0.9, 0.5),
  points: num(20, 5000, 500, true),
  seed: num(0, 4294967295, 1, true),
  /** hidden layer widths, input (2) and output layers excluded */
  layers: { kind: 'layers', default: [8, 8] },
  activation: oneOf(['tanh', 'relu', 'sigmoid', 'leaky-relu', 'identity'], 'tanh'),
  loss: oneOf(['binary-cross-entropy', 'mse', 'cross-entropy'], 'binary-cross-entropy'),
  optimizer: oneOf(['adam', 'sgd', 'momentum'], 'adam'),
  learningRate: num(1e-6, 10, 0.03),
  batchSize: num(1, 5000, 10, true),
  backend: oneOf(['js', 'assemblyscript', 'rust'], 'js'),
  threads: num(1, 16, 1, true),
  /** stop after this many epochs; 0 = no limit */
  epochs: num(0, 1e7, 0, true),
  autostart: num(0, 1, 0, true),
};

export const MAX_LAYERS = 6;
export const MAX_WIDTH = 64;

export function defaults() {
  const s = {};
  for (const [k, f] of Object.entries(FIELDS)) s[k] = Array.isArray(f.default) ? f.default.slice() : f.default;
  return s;
}

function parseValue(key, f, text) {
  if (f.kind === 'enum') {
    if (f.values.includes(text)) return { value: text };
    return { error: `${key}: expected ${f.values.join('|')}, received '${text}'` };
  }
  if (f.kind === 'layers') {
    if (text === '') return { value: [] };
    const parts = text.split(',');
    const widths = parts.map((p) => (/^\d+$/.test(p.trim()) ? Number(p) : NaN));
    if (parts.length > MAX_LAYERS || widths.some((w) => !(w >= 1 && w <= MAX_WIDTH))) {
      return { error: `layers: expected up to ${MAX_LAYERS} comma-separated widths in 1..${MAX_WIDTH} (e.g. 8,8), received '${text}'` };
    }
    return { value: widths };
  }
  const v = text.trim() === '' ? NaN : Number(text);
  const range = `${f.kind === 'int' ? 'an integer' : 'a number'} in [${f.min}, ${f.max}]`;
  if (!Number.isFinite(v) || v < f.min || v > f.max || (f.kind === 'int' && !Number.isInteger(v))) {
    return { error: `${key}: expected ${range}, received '${text}'` };
  }
  return { value: v };
}

/** @returns {{ state: Record<string, unknown>, problems: string[] }} */
export function parseHash(hash) {
  const state = defaults();
  const problems = [];
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, text] of params) {
    const f = FIELDS[key];
    if (!f) {
      problems.push(`unknown key '${key}' ignored (keys: ${Object.keys(FIELDS).join(', ')})`);
      continue;
    }
    const r = parseValue(key, f, text);
    if ('error' in r) problems.push(`${r.error}; using ${formatValue(f.default)}`);
    else state[key] = r.value;
  }
  if (state.batchSize > state.points) {
    problems.push(`batchSize ${state.batchSize} is larger than points ${state.points}; using ${state.points}`);
    state.batchSize = state.points;
  }
  return { state, problems };
}

function formatValue(v) {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The canonical hash: every key, in FIELDS order (numbers as their shortest round-trip text). */
export function formatHash(state) {
  return '#' + Object.keys(FIELDS).map((k) => `${k}=${encodeURIComponent(formatValue(state[k])).replace(/%2C/g, ',')}`).join('&');
}

/** Which keys change the data set (the others only change the network or the training). */
export const DATA_KEYS = ['dataset', 'noise', 'split', 'points', 'seed'];
