/**
 * The playground's training worker: owns the fastnn Network and trains it with `trainAsync`, so the page never
 * blocks. After every epoch it evaluates the training and test sets; at most every POST_MS (and at every stop)
 * it posts the new history, the current numbers, samples/s and a GRID×GRID decision-boundary grid to the page.
 *
 * Messages in:  { type: 'init', libUrl }  (the page resolves 'fastnn' through its import map and passes the URL)
 *               { type: 'reset', config, train, test }  { type: 'start' }  { type: 'pause' }  { type: 'step' }
 * Messages out: { type: 'ready', runId, backend, variant, threads, isolated }  { type: 'progress', runId, state, ... }
 *               { type: 'error', runId, message }
 * `runId` comes with each reset's config; the page ignores posts from a run it has already reset.
 *
 * Pausing stops at the end of an epoch (onEpoch returns false), never inside one, so a paused and resumed run
 * follows exactly the same sequence of steps as an uninterrupted one.
 */
import { DOMAIN } from './data.js';

export const GRID = 100;
const POST_MS = 40; // 25 updates per second while training
/** epochs per trainAsync call when there is no epoch limit (training continues with another call) */
const CHUNK_EPOCHS = 100_000;

let lib = null;
let net = null;
let cfg = null;
let sets = null; // { trainX, trainY, testX, testY, nTrain }
let gridX = null;
let epoch = 0;
let pauseRequested = false;
let queue = Promise.resolve();
let pending = { epochs: [], trainLoss: [], testLoss: [], trainAcc: [], testAcc: [] };
let last = null; // the latest evaluation

const post = (m, transfer) => self.postMessage(m, transfer ?? []);

self.onmessage = (e) => {
  const m = e.data;
  // pause and reset must reach a running training at once; everything else waits its turn
  if (m.type === 'pause' || m.type === 'reset') pauseRequested = true;
  if (m.type === 'pause') return;
  queue = queue.then(() => handle(m)).catch((err) => {
    post({ type: 'error', runId: cfg?.runId, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
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

async function reset({ config, train, test }) {
  net?.dispose();
  net = null;
  cfg = config;
  epoch = 0;
  clearPending();
  const softmax = cfg.loss === 'cross-entropy';
  const out = softmax ? 2 : 1;
  const targets = (labels) => {
    const y = new Float64Array(labels.length * out);
    labels.forEach((l, r) => {
      if (softmax) y[r * 2 + l] = 1;
      else y[r] = l;
    });
    return lib.matrix(labels.length, out, y);
  };
  sets = {
    trainX: lib.matrix(train.labels.length, 2, train.x),
    trainY: targets(train.labels),
    testX: lib.matrix(test.labels.length, 2, test.x),
    testY: targets(test.labels),
    nTrain: train.labels.length,
  };
  if (!gridX) {
    const g = new Float64Array(GRID * GRID * 2);
    for (let i = 0; i < GRID; i++) {
      for (let j = 0; j < GRID; j++) {
        // row i from the top (y = +DOMAIN) down, column j from the left (x = -DOMAIN); cell centres
        g[(i * GRID + j) * 2] = -DOMAIN + ((j + 0.5) * 2 * DOMAIN) / GRID;
        g[(i * GRID + j) * 2 + 1] = DOMAIN - ((i + 0.5) * 2 * DOMAIN) / GRID;
      }
    }
    gridX = lib.matrix(GRID * GRID, 2, g);
  }
  net = await lib.Network.create({
    layers: [2, ...cfg.layers, out],
    activation: cfg.activation,
    outputActivation: softmax ? 'softmax' : 'sigmoid',
    loss: cfg.loss,
    seed: cfg.seed,
    backend: cfg.backend,
    threads: cfg.threads,
  });
  post({ type: 'ready', runId: cfg.runId, backend: net.backend.name, variant: net.backend.variant, threads: net.threads, isolated: self.crossOriginIsolated === true });
  record();
  postProgress(0, 0, 'idle');
}

function clearPending() {
  pending = { epochs: [], trainLoss: [], testLoss: [], trainAcc: [], testAcc: [] };
}

/** Evaluates both sets at the current parameters and queues the result for the next post. */
function record() {
  const tr = net.evaluate(sets.trainX, sets.trainY);
  const te = net.evaluate(sets.testX, sets.testY);
  last = { trainLoss: tr.loss, testLoss: te.loss, trainAcc: tr.accuracy, testAcc: te.accuracy };
  pending.epochs.push(epoch);
  pending.trainLoss.push(tr.loss);
  pending.testLoss.push(te.loss);
  pending.trainAcc.push(tr.accuracy);
  pending.testAcc.push(te.accuracy);
}

function predictGrid() {
  const p = net.predict(gridX);
  const out = new Float64Array(GRID * GRID);
  const cols = p.cols;
  for (let r = 0; r < GRID * GRID; r++) out[r] = p.data[r * cols + cols - 1]; // P(label 1)
  return out;
}

function postProgress(epochsInWindow, ms, state) {
  const grid = predictGrid();
  const h = pending;
  clearPending();
  post(
    {
      type: 'progress',
      runId: cfg.runId,
      state,
      epoch,
      ...last,
      samplesPerSec: ms > 0 ? (epochsInWindow * sets.nTrain) / (ms / 1000) : null,
      history: {
        epochs: Float64Array.from(h.epochs),
        trainLoss: Float64Array.from(h.trainLoss),
        testLoss: Float64Array.from(h.testLoss),
        trainAcc: Float64Array.from(h.trainAcc),
        testAcc: Float64Array.from(h.testAcc),
      },
      grid,
    },
    [grid.buffer],
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
  let windowStart = performance.now(), windowEpochs = 0;
  postProgress(0, 0, 'running');
  const options = { learningRate: cfg.learningRate, batchSize: cfg.batchSize, optimizer: cfg.optimizer, shuffle: true };
  while (epoch < target && !pauseRequested) {
    await net.trainAsync(sets.trainX, sets.trainY, {
      ...options,
      epochs: Math.min(target - epoch, CHUNK_EPOCHS),
      onEpoch: () => {
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
      },
    });
  }
  postProgress(windowEpochs, performance.now() - windowStart, epoch >= limit ? 'done' : 'paused');
}
