// Worker for scripts/check-rust-threads.ts: instantiates the given kernel module on the given shared memory,
// then runs trainBatchesThreaded each time the main thread bumps CMD_GEN in the control block.
// workerData: { module, memory, ctl, tid }. Command words (i32 at ctl, after the SYNC_* words):
//   4 CMD_GEN, 5 CMD_QUIT, 6 plan, 7 first, 8 count, 9 nthreads, 10 DONE (incremented and notified after
//   each run), 11 runners (this worker runs only if tid < runners); f64 results at ctl + 64 + 8·tid.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctl, tid } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const I = new Int32Array(memory.buffer);
const F = new Float64Array(memory.buffer);
const c = ctl >> 2;
let gen = Atomics.load(I, c + 4);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(I, c + 4, gen);
  gen = Atomics.load(I, c + 4);
  if (Atomics.load(I, c + 5) !== 0) break;
  const nthreads = Atomics.load(I, c + 9);
  if (tid >= Atomics.load(I, c + 11)) continue; // word 11: how many workers run (< nthreads to test an abort)
  let r;
  try {
    r = k.trainBatchesThreaded(Atomics.load(I, c + 6), Atomics.load(I, c + 7), Atomics.load(I, c + 8), tid, nthreads, ctl);
  } catch (e) {
    r = -1;
    Atomics.store(I, c + 2, 1); // SYNC_ABORT: free the others
    Atomics.notify(I, c + 1);
    parentPort.postMessage(`trap in worker ${tid}: ${e.message}`);
  }
  F[(ctl + 64 + 8 * tid) >> 3] = r;
  Atomics.add(I, c + 10, 1);
  Atomics.notify(I, c + 10);
}
parentPort.postMessage('bye');
