/**
 * The playground's training worker: owns the fastnn Network and trains it with `trainAsync`, so the page never
 * blocks. After every epoch it evaluates the training and test sets; at most every POST_MS (and at every stop)
 * it posts the new history, the current numbers, samples/s, a GRID×GRID grid of the output, every hidden unit's
 * output on a UNIT_GRID×UNIT_GRID grid (the neuron diagram's heat maps) and the weights (its links).
 *
 * Messages in:  { type: 'init', libUrl }  (the page resolves 'fastnn' through its import map and passes the URL)
 *               { type: 'reset', config, train, test }  { type: 'start' }  { type: 'pause' }  { type: 'step' }
 * Messages out: { type: 'ready', runId, backend, variant, threads, isolated }
 *               { type: 'progress', runId, state, ... }  { type: 'error', runId, message }
 * `runId` comes with each reset's config; the page ignores posts from a run it has already reset.
 *
 * Pausing stops at the end of an epoch (onEpoch returns false), never inside one, so a paused and resumed run
 * follows exactly the same sequence of steps as an uninterrupted one.
 *
 * Training controls (docs/training-controls.md): the page's schedule is one of fastnn's `schedules` helpers
 * (schedule.js), passed as TrainOptions.learningRate and evaluated by the library for every step; dropout is a
 * NetworkOptions setting, clipNorm and optimizer 'adamw' are TrainOptions.
 */
import { lattice } from './data.js';
import { featurize } from './features.js';
import { isConstant, scheduleFor } from './schedule.js';

export const GRID = 100;
export const UNIT_GRID = 24;
const POST_MS = 40; // 25 updates per second while training
/** epochs per trainAsync call when the rate is one number (training continues with another call) */
const CHUNK_EPOCHS = 100_000;
/** epochs per call with a schedule function: the library evaluates it for every step of the call up front */
const SCHEDULE_CHUNK_EPOCHS = 1000;

let lib = null;
let net = null;
let probes = []; // probes[k]: the network's first k + 1 layers, for hidden layer k's unit outputs
let cfg = null;
let sets = null; // { trainX, trainY, testX, testY, nTrain }
let grids = null; // { key, out, units }: featurized grids for the output map and the unit maps
let rate = null; // the run's schedule, (step) => learning rate
let epoch = 0;
let pauseRequested = false;
let queue = Promise.resolve();
const HISTORY_KEYS = ['epochs', 'trainLoss', 'testLoss', 'trainAcc', 'testAcc', 'lr'];
let pending = null;
let last = null; // the latest evaluation

const post = (m, transfer) => self.postMessage(m, transfer ?? []);

self.onmessage = (e) => {
  const m = e.data;
  // pause and reset must reach a running training at once; everything else waits its turn
  if (m.type === 'pause' || m.type === 'reset') pauseRequested = true;
  if (m.type === 'pause') return;
  queue = queue
    .then(() => handle(m))
    .catch((err) => {
      post({
        type: 'error',
        runId: cfg?.runId,
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    });
};

async function handle(m) {
  switch (m.type) {
    case 'init':
      lib = await import(m.libUrl);
      return;
    case 'reset':
      return reset(m);
    case 'start':
      return train(Infinity);
    case 'step':
      return train(1);
    default:
      throw new Error(`worker: unknown message '${m.type}'`);
  }
}

const regression = () => cfg.problem === 'regression';
const stepsPerEpoch = () => Math.ceil(sets.nTrain / cfg.batchSize);

async function reset({ config, train, test }) {
  for (const p of probes) p.dispose();
  probes = [];
  net?.dispose();
  net = null;
  cfg = config;
  epoch = 0;
  clearPending();
  const softmax = !regression() && cfg.loss === 'cross-entropy';
  const out = softmax ? 2 : 1;
  const nIn = cfg.features.length;
  const targets = (labels) => {
    if (regression()) return lib.matrix(labels.length, 1, labels);
    const y = new Float64Array(labels.length * out);
    labels.forEach((l, r) => {
      if (softmax) y[r * 2 + l] = 1;
      else y[r] = l;
    });
    return lib.matrix(labels.length, out, y);
  };
  sets = {
    trainX: lib.matrix(train.labels.length, nIn, featurize(train.x, cfg.features)),
    trainY: targets(train.labels),
    testX: lib.matrix(test.labels.length, nIn, featurize(test.x, cfg.features)),
    testY: targets(test.labels),
    nTrain: train.labels.length,
  };
  const key = cfg.features.join(',');
  if (grids?.key !== key) {
    grids = {
      key,
      out: lib.matrix(GRID * GRID, nIn, featurize(lattice(GRID), cfg.features)),
      units: lib.matrix(UNIT_GRID * UNIT_GRID, nIn, featurize(lattice(UNIT_GRID), cfg.features)),
    };
  }
  rate = scheduleFor(cfg, stepsPerEpoch(), lib.schedules);
  const options = {
    layers: [nIn, ...cfg.layers, out],
    activation: cfg.activation,
    outputActivation: softmax ? 'softmax' : regression() ? 'identity' : 'sigmoid',
    loss: regression() ? 'mse' : cfg.loss,
    seed: cfg.seed,
    backend: cfg.backend,
    threads: cfg.threads,
    dropout: cfg.dropout,
  };
  net = await lib.Network.create(options);
  // the library computes the heat maps of the hidden units: a network of the first k layers, whose output layer is
  // hidden layer k (same activation), predicts them with the trained network's parameters (predict never drops)
  for (let k = 1; k <= cfg.layers.length; k++) {
    probes.push(
      await lib.Network.create({
        layers: [nIn, ...cfg.layers.slice(0, k)],
        activation: cfg.activation,
        outputActivation: cfg.activation,
        loss: 'mse',
        seed: cfg.seed,
        backend: net.backend,
      }),
    );
  }
  post({
    type: 'ready',
    runId: cfg.runId,
    backend: net.backend.name,
    variant: net.backend.variant,
    threads: net.threads,
    isolated: self.crossOriginIsolated === true,
  });
  record();
  postProgress(0, 0, 'idle');
}

function clearPending() {
  pending = Object.fromEntries(HISTORY_KEYS.map((k) => [k, []]));
}

/** Evaluates both sets at the current parameters and queues the result for the next post. */
function record() {
  const tr = net.evaluate(sets.trainX, sets.trainY);
  const te = net.evaluate(sets.testX, sets.testY);
  // accuracy is a classification measure (evaluate's 0.5 threshold means nothing for regression targets)
  const acc = (a) => (regression() ? null : a);
  const lr = rate(epoch * stepsPerEpoch());
  last = {
    trainLoss: tr.loss,
    testLoss: te.loss,
    trainAcc: acc(tr.accuracy),
    testAcc: acc(te.accuracy),
    learningRate: lr,
  };
  pending.epochs.push(epoch);
  pending.trainLoss.push(tr.loss);
  pending.testLoss.push(te.loss);
  pending.trainAcc.push(acc(tr.accuracy) ?? NaN);
  pending.testAcc.push(acc(te.accuracy) ?? NaN);
  pending.lr.push(lr);
}

/** The output on the GRID×GRID lattice: P(label 1) for classification, the predicted value for regression. */
function predictGrid() {
  const p = net.predict(grids.out);
  const out = new Float64Array(GRID * GRID);
  const cols = p.cols;
  for (let r = 0; r < GRID * GRID; r++) out[r] = p.data[r * cols + cols - 1];
  return out;
}

/** Every hidden layer's outputs on the UNIT_GRID×UNIT_GRID lattice (rows × units, row-major), and the parameters. */
function unitOutputs() {
  const params = net.getParameters();
  const units = probes.map((probe, k) => {
    probe.setParameters(params.slice(0, k + 1));
    return probe.predict(grids.units).data;
  });
  return { units, weights: params.map((p) => p.weights) };
}

function postProgress(epochsInWindow, ms, state) {
  const grid = predictGrid();
  const { units, weights } = unitOutputs();
  const h = pending;
  clearPending();
  const history = Object.fromEntries(HISTORY_KEYS.map((k) => [k, Float64Array.from(h[k])]));
  post(
    {
      type: 'progress',
      runId: cfg.runId,
      state,
      epoch,
      ...last,
      samplesPerSec: ms > 0 ? (epochsInWindow * sets.nTrain) / (ms / 1000) : null,
      history,
      grid,
      units,
      unitGrid: UNIT_GRID,
      weights,
    },
    [grid.buffer, ...units.map((u) => u.buffer), ...weights.map((w) => w.buffer)],
  );
}

async function train(maxEpochs) {
  if (!net) throw new Error('worker: no network (reset first)');
  const limit = cfg.epochs > 0 ? cfg.epochs : Infinity;
  const target = Math.min(limit, epoch + maxEpochs);
  if (epoch >= target) {
    postProgress(0, 0, 'done');
    return;
  }
  pauseRequested = false;
  let windowStart = performance.now(),
    windowEpochs = 0;
  postProgress(0, 0, 'running');
  const options = { batchSize: cfg.batchSize, optimizer: cfg.optimizer, shuffle: true, weightDecay: cfg.weightDecay };
  if (cfg.clipNorm > 0) options.clipNorm = cfg.clipNorm;
  const constantRate = isConstant(cfg);
  const onEpoch = () => {
    epoch++;
    windowEpochs++;
    record();
    const now = performance.now();
    if (now - windowStart >= POST_MS && epoch < target && !pauseRequested) {
      postProgress(windowEpochs, now - windowStart, 'running');
      windowStart = now;
      windowEpochs = 0;
    }
    // stop at this epoch's end: the next call starts the next epoch, as one long call would
    if (pauseRequested || epoch >= target) return false;
    return undefined;
  };
  while (epoch < target && !pauseRequested) {
    // a schedule continues across calls (the library's step counter does), so chunks and pauses change nothing
    const learningRate = constantRate ? cfg.learningRate : rate;
    const epochs = Math.min(target - epoch, constantRate ? CHUNK_EPOCHS : SCHEDULE_CHUNK_EPOCHS);
    await net.trainAsync(sets.trainX, sets.trainY, { ...options, learningRate, epochs, onEpoch });
  }
  postProgress(windowEpochs, performance.now() - windowStart, epoch >= limit ? 'done' : 'paused');
}
