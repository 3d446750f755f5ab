/**
 * The playground page: reads the state from the URL hash, draws the data, and drives the training worker
 * (worker.js). The page never trains; it only draws what the worker posts, at most once per animation frame.
 *
 * For scripts and tests: the result cells (#epoch, #train-loss, #test-loss, #train-accuracy, #test-accuracy,
 * #samples-per-sec) show a rounded number and hold the full-precision value in `data-value`; #status has
 * `data-state` (loading | idle | running | paused | done | error); `window.fastnnPlayground.history` holds the
 * per-epoch history ({ n, epochs, trainLoss, testLoss, trainAcc, testAcc }).
 */
import { makeData } from './data.js';
import { drawHeatmap, drawLossChart } from './draw.js';
import { DATA_KEYS, FIELDS, formatHash, parseHash } from './state.js';

const $ = (id) => document.getElementById(id);

const LABELS = {
  dataset: 'data set', noise: 'noise', split: 'train share', points: 'points', seed: 'seed',
  layers: 'hidden layers', activation: 'activation', loss: 'loss',
  optimizer: 'optimizer', learningRate: 'learning rate', batchSize: 'batch size', backend: 'backend', threads: 'threads',
  epochs: 'stop after (epochs, 0 = never)',
};
const GROUPS = {
  'data-controls': ['dataset', 'noise', 'split', 'points', 'seed'],
  'network-controls': ['layers', 'activation', 'loss'],
  'training-controls': ['optimizer', 'learningRate', 'batchSize', 'backend', 'threads', 'epochs'],
};
const RANGES = { noise: 0.05, split: 0.1 }; // step of the sliders

let state = null;
let data = null;
let runId = 0;
let runState = 'loading';
let grid = null;
let dirty = true;
const hist = { n: 0, epochs: new Float64Array(1024), trainLoss: new Float64Array(1024), testLoss: new Float64Array(1024), trainAcc: new Float64Array(1024), testAcc: new Float64Array(1024) };
const frames = [];

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => fail(`the training worker failed to start: ${e.message ?? 'error'}`);
worker.onmessage = (e) => onWorkerMessage(e.data);
// the worker has no import map: it imports the URL that 'fastnn' resolves to here
worker.postMessage({ type: 'init', libUrl: import.meta.resolve('fastnn') });

window.fastnnPlayground = { get state() { return state; }, history: hist, get runState() { return runState; } };

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

// ------------------------------------------------------------------ controls
function buildControls() {
  for (const [group, keys] of Object.entries(GROUPS)) {
    const box = $(group);
    for (const key of keys) {
      const f = FIELDS[key];
      const label = document.createElement('label');
      label.className = 'field';
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
          input.step = f.kind === 'int' ? '1' : 'any';
        } else input.placeholder = 'e.g. 8,8';
      }
      input.id = `in-${key}`;
      input.name = key;
      if (!(key in RANGES)) label.append(input);
      input.addEventListener('change', () => onControlChange(key, input.value));
      box.append(label);
    }
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
  $('show-test').addEventListener('change', () => { dirty = true; });
}

function showState() {
  for (const key of Object.keys(LABELS)) {
    const input = $(`in-${key}`);
    const v = state[key];
    input.value = Array.isArray(v) ? v.join(',') : String(v);
    const shown = $(`${key}-value`);
    if (shown) shown.textContent = String(v);
  }
}

function onControlChange(key, text) {
  // validate through the same parser as the URL, so the UI cannot hold a state a link could not
  const params = new URLSearchParams(formatHash(state).slice(1));
  params.set(key, text);
  params.delete('autostart');
  const { state: next, problems } = parseHash(params.toString());
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
  if (!data) data = makeData(state);
  hist.n = 0;
  grid = null;
  dirty = true;
  for (const id of ['train-loss', 'test-loss', 'train-accuracy', 'test-accuracy', 'samples-per-sec']) setNumber(id, null, '–');
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
    for (const key of ['epochs', 'trainLoss', 'testLoss', 'trainAcc', 'testAcc']) {
      const a = new Float64Array(cap);
      a.set(hist[key].subarray(0, hist.n));
      hist[key] = a;
    }
  }
  for (const key of ['epochs', 'trainLoss', 'testLoss', 'trainAcc', 'testAcc']) hist[key].set(h[key], hist.n);
  hist.n += k;
}

const pct = (v) => `${(v * 100).toFixed(1)}%`;

function onWorkerMessage(m) {
  if (m.runId !== undefined && m.runId !== runId) return; // from a run that was reset
  if (m.type === 'error') return fail(m.message);
  if (m.type === 'ready') {
    const iso = m.isolated ? 'cross-origin isolated' : 'not cross-origin isolated';
    $('engine').textContent = `${m.backend} (${m.variant}), ${m.threads} thread${m.threads > 1 ? 's' : ''}, ${iso}`;
    return;
  }
  if (m.type !== 'progress') return;
  append(m.history);
  grid = m.grid;
  dirty = true;
  setNumber('epoch', m.epoch, String(m.epoch));
  setNumber('train-loss', m.trainLoss, m.trainLoss.toFixed(4));
  setNumber('test-loss', m.testLoss, m.testLoss.toFixed(4));
  setNumber('train-accuracy', m.trainAcc, pct(m.trainAcc));
  setNumber('test-accuracy', m.testAcc, pct(m.testAcc));
  if (m.samplesPerSec !== null) setNumber('samples-per-sec', m.samplesPerSec, Math.round(m.samplesPerSec).toLocaleString('en-US'));
  const texts = { idle: 'ready', running: 'training…', paused: 'paused', done: `done: ${m.epoch} epochs` };
  setStatus(m.state, texts[m.state]);
}

function frame(now) {
  if (dirty && data) {
    dirty = false;
    drawHeatmap($('heatmap').getContext('2d'), grid, data, { showTest: $('show-test').checked });
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
