// Worker for scripts/check-threads.ts: instantiates the given kernel module on the given shared memory,
// then runs trainBatchesThreaded each time the main thread bumps this worker's own command word.
// workerData: { module, memory, ctl, tid }. Words (i32 at ctl, after the SYNC_* words):
//   5 CMD_QUIT, 6 plan, 7 first, 8 count, 9 nthreads, 10 DONE (incremented and notified after each run),
//   24 + tid: this worker's command generation (the main thread bumps it only for the workers that run a
//   command, after writing the words; so a worker never reads words of a command it does not run);
//   f64 results at ctl + 64 + 8·tid.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctl, tid } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const I = new Int32Array(memory.buffer);
const F = new Float64Array(memory.buffer);
const c = ctl >> 2;
const mine = c + 24 + tid;
let seen = Atomics.load(I, mine);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(I, mine, seen);
  const gen = Atomics.load(I, mine);
  if (gen === seen) continue;
  seen = gen;
  if (Atomics.load(I, c + 5) !== 0) break;
  let r;
  try {
    r = k.trainBatchesThreaded(Atomics.load(I, c + 6), Atomics.load(I, c + 7), Atomics.load(I, c + 8), tid, Atomics.load(I, c + 9), ctl);
  } catch (e) {
    r = -1;
    Atomics.store(I, c + 2, 1); // SYNC_ABORT: free the others
    Atomics.notify(I, c + 0); // barrier sleepers wait on SYNC_COUNT
    parentPort.postMessage(`trap in worker ${tid}: ${e.message}`);
  }
  F[(ctl + 64 + 8 * tid) >> 3] = r;
  Atomics.add(I, c + 10, 1);
  Atomics.notify(I, c + 10);
}
parentPort.postMessage('bye');
