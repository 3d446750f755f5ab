/**
 * The playground page: reads the state from the URL hash, draws the data, and drives the training worker
 * (worker.js). The page never trains; it only draws what the worker posts, at most once per animation frame.
 *
 * For scripts and tests: the result cells (#epoch, #train-loss, #test-loss, #train-accuracy, #test-accuracy,
 * #learning-rate, #samples-per-sec) show a rounded number and hold the full-precision value in `data-value`
 * (accuracy is empty for regression); #status has `data-state` (loading | idle | running | paused | done | error);
 * `window.fastnnPlayground` has `history` (per epoch: { n, epochs, trainLoss, testLoss, trainAcc, testAcc, lr },
 * lr being the rate the next epoch starts at), `units` and `weights` (the latest hidden-unit maps and weights from
 * the worker), `data` (the points: { train, test }, each { x, labels }) and `state`.
 */
import { lattice, makeData, problemOf } from './data.js';
import { drawHeatmap, drawLossChart, drawNetwork, networkLayout } from './draw.js';
import { FEATURES, featurize } from './features.js';
import {
  DATA_KEYS,
  FIELDS,
  MAX_LAYERS,
  MAX_WIDTH,
  PROBLEM_DEFAULTS,
  dataSeedOf,
  formatHash,
  parseHash,
} from './state.js';

const $ = (id) => document.getElementById(id);

const LABELS = {
  problem: 'problem',
  dataset: 'data set',
  noise: 'noise',
  split: 'train share',
  points: 'points',
  seed: 'seed',
  dataSeed: 'data seed',
  layers: 'hidden layers',
  activation: 'activation',
  loss: 'loss',
  dropout: 'dropout',
  optimizer: 'optimizer',
  learningRate: 'learning rate',
  schedule: 'schedule',
  decayEpochs: 'decay epochs',
  decay: 'decay factor',
  warmup: 'warm-up',
  weightDecay: 'L2 decay',
  clipNorm: 'clip norm',
  batchSize: 'batch size',
  backend: 'backend',
  threads: 'threads',
  epochs: 'stop at epoch',
};
const TITLES = {
  dataSeed: 'seeds the points; empty = the same as seed (Regenerate sets it)',
  dropout: 'inverted dropout on every hidden layer while training (0 = none)',
  schedule: 'how the learning rate changes over the run (after any warm-up)',
  decayEpochs:
    'cosine: epochs from the learning rate down to rate × decay; step: epochs between drops; exponential: epochs per factor',
  decay: 'the factor the rate is multiplied by over decay epochs',
  warmup: 'epochs of linear warm-up from nearly 0 to the learning rate',
  weightDecay: 'L2 regularisation of the weights (not the biases); 0 = none',
  clipNorm: 'before each step, scale all gradients so their global L2 norm is at most this; 0 = off',
  epochs: 'stop after this many epochs; 0 = never',
};
const GROUPS = {
  'data-controls': ['problem', 'dataset', 'noise', 'split', 'points', 'seed', 'dataSeed'],
  'network-controls': ['layers', 'activation', 'loss', 'dropout'],
  'training-controls': [
    'optimizer',
    'learningRate',
    'schedule',
    'decayEpochs',
    'decay',
    'warmup',
    'weightDecay',
    'clipNorm',
    'batchSize',
    'backend',
    'threads',
    'epochs',
  ],
};
const RANGES = { noise: 0.05, split: 0.1 }; // step of the sliders

let state = null;
let data = null;
let runId = 0;
let runState = 'loading';
let grid = null;
let units = null;
let weights = null;
let unitGrid = 24;
let featureMaps = null;
let dirty = true;
const HISTORY_KEYS = ['epochs', 'trainLoss', 'testLoss', 'trainAcc', 'testAcc', 'lr'];
const hist = { n: 0, ...Object.fromEntries(HISTORY_KEYS.map((k) => [k, new Float64Array(1024)])) };
const frames = [];
let hashProblems = [];

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => fail(`the training worker failed to start: ${e.message ?? 'error'}`);
worker.onmessage = (e) => onWorkerMessage(e.data);
// the worker has no import map: it imports the URL that 'fastnn' resolves to here
worker.postMessage({ type: 'init', libUrl: import.meta.resolve('fastnn') });

window.fastnnPlayground = {
  get state() {
    return state;
  },
  history: hist,
  get runState() {
    return runState;
  },
  get units() {
    return units;
  },
  get weights() {
    return weights;
  },
  get data() {
    return data;
  },
};

function fail(message) {
  console.error(`fastnn playground: ${message}`);
  setStatus('error', message);
}

function setStatus(s, text) {
  runState = s;
  const el = $('status');
  el.dataset.state = s;
  el.textContent = text ?? s;
  $('start').textContent = s === 'running' ? 'Pause' : 'Start';
  $('start').disabled = s === 'loading' || s === 'error' || s === 'done';
  $('step').disabled = s !== 'idle' && s !== 'paused';
  $('reset').disabled = s === 'loading';
}

function setNumber(id, value, text) {
  const el = $(id);
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.textContent = text;
}

const button = (id, text, title, onClick) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
};

// ------------------------------------------------------------------ controls
function buildControls() {
  for (const [group, keys] of Object.entries(GROUPS)) {
    const box = $(group);
    for (const key of keys) {
      const f = FIELDS[key];
      const label = document.createElement('label');
      label.className = 'field';
      label.id = `field-${key}`;
      if (TITLES[key]) label.title = TITLES[key];
      const name = document.createElement('span');
      name.textContent = LABELS[key];
      label.append(name);
      let input;
      if (f.kind === 'enum') {
        input = document.createElement('select');
        for (const v of f.values) input.append(new Option(v, v));
      } else if (key in RANGES) {
        const pair = document.createElement('span');
        pair.className = 'pair';
        input = document.createElement('input');
        input.type = 'range';
        input.min = String(f.min);
        input.max = String(f.max);
        input.step = String(RANGES[key]);
        const shown = document.createElement('span');
        shown.className = 'v';
        shown.id = `${key}-value`;
        pair.append(input, shown);
        label.append(pair);
      } else {
        input = document.createElement('input');
        input.type = f.kind === 'layers' ? 'text' : 'number';
        if (f.kind !== 'layers') {
          input.min = String(f.min);
          input.max = String(f.max);
          input.step = f.kind === 'number' ? 'any' : '1';
          if (f.kind === 'optional-int') input.placeholder = 'same as seed';
        } else input.placeholder = 'e.g. 8,8';
      }
      input.id = `in-${key}`;
      input.name = key;
      if (!(key in RANGES)) label.append(input);
      input.addEventListener('change', () => onControlChange(key, input.value));
      box.append(label);
    }
  }
  $('data-controls').append(
    button('regenerate', 'Regenerate data', 'new points: sets the data seed to the next one', () => {
      onControlChange('dataSeed', String((dataSeedOf(state) + 1) >>> 0));
    }),
  );
  const fbox = $('feature-controls');
  for (const f of FEATURES) {
    const label = document.createElement('label');
    label.className = 'feature';
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.id = `in-feature-${f.key}`;
    cb.addEventListener('change', () => toggleFeature(f.key, cb));
    label.append(cb, ` ${f.label}`);
    fbox.append(label);
  }
  $('start').addEventListener('click', () => {
    if (runState === 'running') worker.postMessage({ type: 'pause' });
    else if (runState === 'idle' || runState === 'paused') {
      setStatus('running', 'training…');
      worker.postMessage({ type: 'start' });
    }
  });
  $('step').addEventListener('click', () => worker.postMessage({ type: 'step' }));
  $('reset').addEventListener('click', () => reset(false));
  $('show-test').addEventListener('change', () => {
    dirty = true;
  });
  $('network').addEventListener('click', onDiagramClick);
}

function toggleFeature(key, cb) {
  const next = FEATURES.map((f) => f.key).filter((k) =>
    k === key ? !state.features.includes(k) : state.features.includes(k),
  );
  if (next.length === 0) {
    if (cb) cb.checked = true;
    showProblems([...hashProblems, 'the network needs at least one input feature']);
    return;
  }
  onControlChange('features', next.join(','));
}

/** A click on a feature's map in the diagram turns that feature on or off, as in TensorFlow Playground. */
function onDiagramClick(e) {
  const c = $('network');
  const r = c.getBoundingClientRect();
  const x = ((e.clientX - r.left) * c.width) / r.width,
    y = ((e.clientY - r.top) * c.height) / r.height;
  const L = networkLayout(c.width, c.height, state.layers);
  const i = L.features.findIndex((b) => x >= b.x && x <= b.x + b.size && y >= b.y && y <= b.y + b.size);
  if (i >= 0) toggleFeature(FEATURES[i].key, null);
}

/** The +/- buttons over the diagram: one pair for the number of hidden layers, one pair per layer for its units. */
function buildLayerButtons() {
  const bar = $('layer-buttons');
  bar.replaceChildren();
  const L = networkLayout($('network').width, $('network').height, state.layers);
  const setLayers = (widths) => onControlChange('layers', widths.join(','));
  const top = document.createElement('div');
  top.className = 'layers-count';
  const n = state.layers.length;
  const remove = button('layer-remove', '−', 'remove the last hidden layer', () =>
    setLayers(state.layers.slice(0, -1)),
  );
  const add = button('layer-add', '+', `add a hidden layer (at most ${MAX_LAYERS})`, () =>
    setLayers([...state.layers, state.layers.at(-1) ?? 4]),
  );
  remove.disabled = n === 0;
  add.disabled = n >= MAX_LAYERS;
  top.append(
    remove,
    add,
    Object.assign(document.createElement('span'), {
      textContent: `${n} hidden layer${n === 1 ? '' : 's'}`,
      id: 'layers-count',
    }),
  );
  const cols = document.createElement('div');
  cols.className = 'unit-buttons';
  state.layers.forEach((w, k) => {
    const g = document.createElement('div');
    g.className = 'unit-group';
    g.style.left = `${L.centres[k + 1]}px`;
    const minus = button(`units-remove-${k}`, '−', `one unit fewer in hidden layer ${k + 1}`, () =>
      setLayers(state.layers.map((v, i) => (i === k ? v - 1 : v))),
    );
    const plus = button(`units-add-${k}`, '+', `one unit more in hidden layer ${k + 1} (at most ${MAX_WIDTH})`, () =>
      setLayers(state.layers.map((v, i) => (i === k ? v + 1 : v))),
    );
    minus.disabled = w <= 1;
    plus.disabled = w >= MAX_WIDTH;
    g.append(minus, plus, Object.assign(document.createElement('span'), { textContent: `${w}`, className: 'units' }));
    cols.append(g);
  });
  const labels = document.createElement('div');
  labels.className = 'unit-buttons column-labels';
  for (const [c, text] of [
    [0, 'features'],
    [L.centres.length - 1, 'output'],
  ]) {
    labels.append(
      Object.assign(document.createElement('span'), {
        textContent: text,
        className: 'unit-group',
        style: `left: ${L.centres[c]}px`,
      }),
    );
  }
  bar.append(top, cols, labels);
}

function showState() {
  for (const key of Object.keys(LABELS)) {
    const input = $(`in-${key}`);
    const v = state[key];
    input.value = v === null ? '' : Array.isArray(v) ? v.join(',') : String(v);
    const shown = $(`${key}-value`);
    if (shown) shown.textContent = String(v);
  }
  for (const f of FEATURES) $(`in-feature-${f.key}`).checked = state.features.includes(f.key);
  $('in-loss').disabled = state.problem === 'regression';
  $('field-loss').title = state.problem === 'regression' ? 'regression trains an identity output with mse' : '';
  for (const o of $('in-dataset').options) o.hidden = problemOf(o.value) !== state.problem;
  for (const row of document.querySelectorAll('.accuracy-row')) row.hidden = state.problem === 'regression';
  buildLayerButtons();
}

function onControlChange(key, text) {
  // validate through the same parser as the URL, so the UI cannot hold a state a link could not
  const params = new URLSearchParams(formatHash(state).slice(1));
  params.set(key, text);
  if (key === 'problem') for (const [k, v] of Object.entries(PROBLEM_DEFAULTS[text] ?? {})) params.set(k, v);
  params.delete('autostart');
  const { state: next, problems } = parseHash(params.toString());
  hashProblems = problems;
  showProblems(problems);
  const dataChanged = DATA_KEYS.some((k) => next[k] !== state[k]);
  state = next;
  history.replaceState(null, '', formatHash(state));
  showState();
  if (dataChanged) data = null;
  reset(false);
}

function showProblems(problems) {
  const el = $('problems');
  el.hidden = problems.length === 0;
  el.textContent = problems.join('\n');
  for (const p of problems) console.warn(`fastnn playground: ${p}`);
}

// ------------------------------------------------------------------ runs
function loadFromHash() {
  const { state: s, problems } = parseHash(location.hash);
  hashProblems = problems;
  showProblems(problems);
  state = s;
  const canonical = formatHash(state);
  if (location.hash !== canonical) history.replaceState(null, '', canonical);
  showState();
  data = null;
  reset(state.autostart === 1);
}

function reset(autostart) {
  runId++;
  if (!data) data = makeData({ ...state, seed: dataSeedOf(state) });
  hist.n = 0;
  grid = null;
  units = null;
  weights = null;
  dirty = true;
  for (const id of ['train-loss', 'test-loss', 'train-accuracy', 'test-accuracy', 'learning-rate', 'samples-per-sec'])
    setNumber(id, null, '–');
  setNumber('epoch', 0, '0');
  setStatus('loading', `starting ${state.backend}…`);
  const config = { ...state, runId };
  const copy = (set) => ({ x: set.x.slice(), labels: set.labels.slice() });
  worker.postMessage({ type: 'reset', config, train: copy(data.train), test: copy(data.test) });
  if (autostart) worker.postMessage({ type: 'start' });
}

function append(h) {
  const k = h.epochs.length;
  if (hist.n + k > hist.epochs.length) {
    const cap = Math.max(hist.epochs.length * 2, hist.n + k);
    for (const key of HISTORY_KEYS) {
      const a = new Float64Array(cap);
      a.set(hist[key].subarray(0, hist.n));
      hist[key] = a;
    }
  }
  for (const key of HISTORY_KEYS) hist[key].set(h[key], hist.n);
  hist.n += k;
}

const pct = (v) => `${(v * 100).toFixed(1)}%`;

function onWorkerMessage(m) {
  if (m.runId !== undefined && m.runId !== runId) return; // from a run that was reset
  if (m.type === 'error') return fail(m.message);
  if (m.type === 'ready') {
    const iso = m.isolated ? 'cross-origin isolated' : 'not cross-origin isolated';
    $('engine').textContent = `${m.backend} (${m.variant}), ${m.threads} thread${m.threads > 1 ? 's' : ''}, ${iso}`;
    showProblems(hashProblems);
    return;
  }
  if (m.type !== 'progress') return;
  append(m.history);
  grid = m.grid;
  units = m.units;
  weights = m.weights;
  unitGrid = m.unitGrid;
  dirty = true;
  setNumber('epoch', m.epoch, String(m.epoch));
  setNumber('train-loss', m.trainLoss, m.trainLoss.toFixed(4));
  setNumber('test-loss', m.testLoss, m.testLoss.toFixed(4));
  setNumber('train-accuracy', m.trainAcc, m.trainAcc === null ? '–' : pct(m.trainAcc));
  setNumber('test-accuracy', m.testAcc, m.testAcc === null ? '–' : pct(m.testAcc));
  setNumber('learning-rate', m.learningRate, m.learningRate.toPrecision(3));
  if (m.samplesPerSec !== null)
    setNumber('samples-per-sec', m.samplesPerSec, Math.round(m.samplesPerSec).toLocaleString('en-US'));
  const texts = { idle: 'ready', running: 'training…', paused: 'paused', done: `done: ${m.epoch} epochs` };
  setStatus(m.state, texts[m.state]);
}

function frame(now) {
  if (dirty && data) {
    dirty = false;
    const regression = state.problem === 'regression';
    drawHeatmap($('heatmap').getContext('2d'), grid, data, { showTest: $('show-test').checked, regression });
    if (featureMaps?.n !== unitGrid)
      featureMaps = { n: unitGrid, maps: FEATURES.map((f) => featurize(lattice(unitGrid), [f.key])) };
    drawNetwork($('network').getContext('2d'), {
      hidden: state.layers,
      active: state.features,
      featureMaps: featureMaps.maps,
      unitGrid,
      units,
      weights,
      grid,
      regression,
    });
    drawLossChart($('loss-chart').getContext('2d'), hist);
    frames.push(now);
  }
  while (frames.length && frames[0] < now - 1000) frames.shift();
  // redraws in the last second, while training (a stopped run has nothing to redraw)
  if (runState === 'running') setNumber('fps', frames.length, String(frames.length));
  else if ($('fps').dataset.value !== '') setNumber('fps', null, '–');
  requestAnimationFrame(frame);
}

buildControls();
window.addEventListener('hashchange', () => {
  if (location.hash !== formatHash(state)) loadFromHash();
});
loadFromHash();
requestAnimationFrame(frame);
