/**
 * The playground's whole state lives in the URL hash (`#dataset=spiral&layers=8,8&...`), so a link reproduces a
 * run: same data, same network, same seed, same backend and thread count give the same numbers bit for bit.
 * parseHash never throws: a value it cannot use is replaced by its default and reported in `problems`.
 */
import { DATASETS, PROBLEMS, problemOf } from './data.js';
import { FEATURE_KEYS } from './features.js';
import { SCHEDULES } from './schedule.js';

const num = (min, max, dflt, int = false) => ({ kind: int ? 'int' : 'number', min, max, default: dflt });
const oneOf = (values, dflt) => ({ kind: 'enum', values, default: dflt });

/** Every key, its domain and its default (the canonical hash lists them in this order). */
export const FIELDS = {
  problem: oneOf(Object.keys(PROBLEMS), 'classification'),
  dataset: oneOf(DATASETS, 'circle'),
  noise: num(0, 0.5, 0),
  /** fraction of the points used for training; the rest is the test set */
  split: num(0.1, 0.9, 0.5),
  points: num(20, 5000, 500, true),
  /** seeds the network (initial weights, shuffling) and, unless dataSeed is set, the data */
  seed: num(0, 4294967295, 1, true),
  /** seeds the data set's points; empty = the same as seed (Regenerate sets it) */
  dataSeed: { kind: 'optional-int', min: 0, max: 4294967295, default: null },
  /** the network's inputs, computed from each point's (x1, x2) (features.js) */
  features: { kind: 'features', default: ['x1', 'x2'] },
  /** hidden layer widths, input and output layers excluded */
  layers: { kind: 'layers', default: [8, 8] },
  activation: oneOf(['tanh', 'relu', 'sigmoid', 'leaky-relu', 'identity'], 'tanh'),
  /** classification only; regression always trains an identity output with mse */
  loss: oneOf(['binary-cross-entropy', 'mse', 'cross-entropy'], 'binary-cross-entropy'),
  /** inverted dropout on every hidden layer's outputs while training */
  dropout: num(0, 0.9, 0),
  optimizer: oneOf(['adam', 'sgd', 'momentum', 'adamw'], 'adam'),
  /** the initial (peak, after any warm-up) learning rate */
  learningRate: num(1e-6, 10, 0.03),
  schedule: oneOf(SCHEDULES, 'cosine'),
  /** the schedule's period, in epochs (cosine: the length of the decay; step: between drops; exponential: per factor) */
  decayEpochs: num(1, 1e7, 500, true),
  /** the factor the rate is multiplied by over decayEpochs (cosine: the final rate is learningRate · decay) */
  decay: num(1e-6, 1, 0.1),
  /** epochs of linear warm-up before the schedule */
  warmup: num(0, 1e7, 0, true),
  /** L2 weight decay (regularisation) on the weights, not the biases; 0 = none */
  weightDecay: num(0, 1, 0),
  /** clip the global gradient norm to this before each step; 0 = off */
  clipNorm: num(0, 1e6, 0),
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
      return {
        error: `layers: expected up to ${MAX_LAYERS} comma-separated widths in 1..${MAX_WIDTH} (e.g. 8,8), received '${text}'`,
      };
    }
    return { value: widths };
  }
  if (f.kind === 'features') {
    const keys = text.split(',').map((k) => k.trim());
    const bad = keys.filter((k) => !FEATURE_KEYS.includes(k));
    if (text.trim() === '' || bad.length > 0 || new Set(keys).size !== keys.length) {
      return { error: `features: expected one or more of ${FEATURE_KEYS.join(',')}, each once, received '${text}'` };
    }
    return { value: FEATURE_KEYS.filter((k) => keys.includes(k)) }; // canonical order = the input units' order
  }
  if (f.kind === 'optional-int' && text.trim() === '') return { value: null };
  const v = text.trim() === '' ? NaN : Number(text);
  const int = f.kind === 'int' || f.kind === 'optional-int';
  const range = `${int ? 'an integer' : 'a number'} in [${f.min}, ${f.max}]${f.kind === 'optional-int' ? ' or nothing' : ''}`;
  if (!Number.isFinite(v) || v < f.min || v > f.max || (int && !Number.isInteger(v))) {
    return { error: `${key}: expected ${range}, received '${text}'` };
  }
  return { value: v };
}

/** @returns {{ state: Record<string, unknown>, problems: string[] }} */
export function parseHash(hash) {
  const state = defaults();
  const problems = [];
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const given = new Set();
  for (const [key, text] of params) {
    const f = FIELDS[key];
    if (!f) {
      problems.push(`unknown key '${key}' ignored (keys: ${Object.keys(FIELDS).join(', ')})`);
      continue;
    }
    const r = parseValue(key, f, text);
    if ('error' in r) problems.push(`${r.error}; using ${formatValue(f.default)}`);
    else {
      state[key] = r.value;
      given.add(key);
    }
  }
  // a link that names only a data set gets that data set's problem type
  if (!given.has('problem')) state.problem = problemOf(state.dataset);
  if (problemOf(state.dataset) !== state.problem) {
    const d = PROBLEMS[state.problem][0];
    problems.push(
      `dataset '${state.dataset}' is not a ${state.problem} data set (expected ${PROBLEMS[state.problem].join('|')}); using ${d}`,
    );
    state.dataset = d;
  }
  if (state.problem === 'regression' && state.loss !== 'mse') {
    if (given.has('loss')) problems.push(`loss '${state.loss}' is for classification; regression trains with mse`);
    state.loss = 'mse';
  }
  if (state.batchSize > state.points) {
    problems.push(`batchSize ${state.batchSize} is larger than points ${state.points}; using ${state.points}`);
    state.batchSize = state.points;
  }
  return { state, problems };
}

function formatValue(v) {
  if (v === null) return '';
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The canonical hash: every key, in FIELDS order (numbers as their shortest round-trip text). */
export function formatHash(state) {
  return (
    '#' +
    Object.keys(FIELDS)
      .map((k) => `${k}=${encodeURIComponent(formatValue(state[k])).replace(/%2C/g, ',')}`)
      .join('&')
  );
}

/** The seed of the data set's points. */
export const dataSeedOf = (state) => state.dataSeed ?? state.seed;

/** The settings each problem type starts from when the problem control switches to it. */
export const PROBLEM_DEFAULTS = {
  classification: { dataset: PROBLEMS.classification[0], loss: 'binary-cross-entropy' },
  regression: { dataset: PROBLEMS.regression[0], loss: 'mse' },
};

/** Which keys change the data set (the others only change the network or the training). */
export const DATA_KEYS = ['problem', 'dataset', 'noise', 'split', 'points', 'seed', 'dataSeed'];
