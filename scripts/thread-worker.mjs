// Worker for scripts/check-threads.ts: instantiates the given kernel module on the given shared memory,
// then runs trainBatchesThreaded each time the main thread bumps this worker's own command word.
// workerData: { module, memory, ctl, tid, sync: { SYNC_ABORT, SYNC_COUNT, SYNC_BYTES }, words }. The harness's own
// words (i32 at ctl, after the SYNC_* words; their indices are in check-threads.ts and come in `words`):
//   CMD_QUIT, CMD_PLAN, CMD_FIRST, CMD_COUNT, CMD_NTHREADS, DONE (incremented and notified after each run),
//   CMD_GEN_T + tid: this worker's command generation (the main thread bumps it only for the workers that run a
//   command, after writing the words; so a worker never reads words of a command it does not run);
//   f64 results at ctl + SYNC_BYTES + 8·tid.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctl, tid, sync, words } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const I = new Int32Array(memory.buffer);
const F = new Float64Array(memory.buffer);
const c = ctl >> 2;
const mine = c + words.CMD_GEN_T + tid;
let seen = Atomics.load(I, mine);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(I, mine, seen);
  const gen = Atomics.load(I, mine);
  if (gen === seen) continue;
  seen = gen;
  if (Atomics.load(I, c + words.CMD_QUIT) !== 0) break;
  let r;
  try {
    const at = (w) => Atomics.load(I, c + w);
    r = k.trainBatchesThreaded(
      at(words.CMD_PLAN),
      at(words.CMD_FIRST),
      at(words.CMD_COUNT),
      tid,
      at(words.CMD_NTHREADS),
      ctl,
    );
  } catch (e) {
    r = -1;
    Atomics.store(I, c + sync.SYNC_ABORT, 1); // free the others
    Atomics.notify(I, c + sync.SYNC_COUNT); // barrier sleepers wait on SYNC_COUNT
    parentPort.postMessage(`trap in worker ${tid}: ${e.message}`);
  }
  F[(ctl + sync.SYNC_BYTES + 8 * tid) >> 3] = r;
  Atomics.add(I, c + words.DONE, 1);
  Atomics.notify(I, c + words.DONE);
}
parentPort.postMessage('bye');
