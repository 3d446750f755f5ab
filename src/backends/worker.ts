/**
 * A training worker, written for browsers' module Workers (Node runs it through the prelude in
 * platform/node.js, which provides the same globalThis.onmessage / postMessage). Its first message is the
 * WorkerInit; it instantiates the backend's kernels on that shared memory, then sleeps on the control block
 * until the host posts a command, runs its share of trainBatchesThreaded, and reports back through the same
 * control block (src/backends/threads.ts). No dynamic imports and no Node built-ins, so bundlers emit it as
 * one self-contained file.
 */
import {
  CTL_CMD_COUNT,
  CTL_CMD_FIRST,
  CTL_CMD_GEN,
  CTL_CMD_PLAN,
  CTL_CMD_QUIT,
  CTL_CRASH_HOW,
  CTL_CRASH_TID,
  CTL_DEAD,
  CTL_DONE,
  CTL_ERROR,
  CTL_LOSS_F64,
  CTL_QUIT_ACK,
  CTL_THREAD_BASE,
  CTL_THREAD_WORDS,
  CTL_T_FINISHED,
  CTL_T_STARTED,
  SYNC_ABORT,
  SYNC_COUNT,
  type KernelExports,
} from '../abi.js';
import { createJsKernels } from '../kernels/js/index.js';
import { controlBytes, type WorkerInit } from './thread-protocol.js';

interface Scope {
  postMessage(m: unknown): void;
  onmessage: ((e: { data: WorkerInit }) => void) | null;
}

const scope = globalThis as unknown as Scope;
/** Node runs this worker through platform/node.js's prelude; `process` is a global there (no import needed). */
const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
/** Waits for a WorkerInit; set again when a pool ends, so that a browser host can give this worker to its next pool. */
const onInit = (e: { data: WorkerInit }): void => {
  scope.onmessage = null;
  void main(e.data);
};
scope.onmessage = onInit;

async function main(init: WorkerInit): Promise<void> {
  const port = scope;
  const { memory, module, tid, nthreads, ctl } = init;
  let kernels: KernelExports;
  try {
    kernels = module
      ? ((await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as KernelExports)
      : createJsKernels(memory);
  } catch (e) {
    port.postMessage({
      type: 'error',
      message: `worker ${tid}: cannot instantiate the kernels: ${(e as Error).message}`,
    });
    return;
  }
  const I = new Int32Array(memory.buffer, ctl, controlBytes(nthreads) >> 2);
  const F = new Float64Array(memory.buffer, ctl, 8);
  const me = CTL_THREAD_BASE + tid * CTL_THREAD_WORDS;
  // A worker that dies (an uncaught error, process.exit) says so in the control block: a host blocked in
  // Atomics.wait (synchronous train) cannot receive the 'exit' event, but it wakes on CTL_DONE and reads CTL_DEAD.
  let quitting = false;
  // the last word this worker writes: after it, the host may free the control block (browsers have no 'exit' event)
  const leave = (): void => {
    quitting = true;
    if (!isNode) {
      // Browsers reuse a worker whose pool ended cleanly (threads.ts: idle workers): it drops everything of this pool
      // (the control block may be freed and reused after CTL_QUIT_ACK) and waits for the next init.
      (globalThis as unknown as { removeEventListener(t: string, f: () => void): void }).removeEventListener(
        'error',
        died,
      );
      scope.onmessage = onInit;
    }
    Atomics.add(I, CTL_QUIT_ACK, 1);
    Atomics.notify(I, CTL_QUIT_ACK);
  };
  const died = (): void => {
    if (quitting) return;
    quitting = true;
    Atomics.add(I, CTL_DEAD, 1);
    Atomics.store(I, SYNC_ABORT, 1);
    Atomics.notify(I, SYNC_COUNT);
    Atomics.notify(I, CTL_DONE);
  };
  if (isNode) process.on('exit', died);
  else (globalThis as unknown as { addEventListener(t: string, f: () => void): void }).addEventListener('error', died);
  let gen = Atomics.load(I, CTL_CMD_GEN); // before 'ready': the host's first command bumps it only after every ready
  port.postMessage({ type: 'ready' });
  for (;;) {
    Atomics.wait(I, CTL_CMD_GEN, gen);
    gen = Atomics.load(I, CTL_CMD_GEN);
    if (Atomics.load(I, CTL_CMD_QUIT) !== 0) {
      leave();
      return;
    }
    // test hook (threads.ts armWorkerCrashForTest): fail as a crashing or trapping worker would
    const how = Atomics.load(I, CTL_CRASH_HOW);
    const crash =
      Atomics.load(I, CTL_CRASH_TID) === tid + 1 ? (how === 1 ? 'trap' : how === 2 ? 'hang' : 'exit') : null;
    if (crash === 'hang') {
      // stay alive without taking part (a stuck thread): only the host's watchdog can tell; leave when told to quit
      while (Atomics.load(I, CTL_CMD_QUIT) === 0) Atomics.wait(I, CTL_CMD_QUIT, 0, 50);
      leave();
      return;
    }
    if (crash === 'exit') {
      // die without a word to the host
      if (isNode) process.exit(70);
      throw new Error(`worker ${tid}: crash requested by armWorkerCrashForTest`);
    }
    Atomics.store(I, me + CTL_T_STARTED, gen);
    try {
      const loss = kernels.trainBatchesThreaded(
        Atomics.load(I, CTL_CMD_PLAN),
        Atomics.load(I, CTL_CMD_FIRST),
        Atomics.load(I, CTL_CMD_COUNT),
        tid,
        nthreads,
        ctl,
      );
      if (tid === 0) F[CTL_LOSS_F64] = loss;
      // a trap after this worker wrote its share of the parameters: the host must restore them
      if (crash === 'trap') throw new WebAssembly.RuntimeError('unreachable (trap requested by armWorkerCrashForTest)');
    } catch (e) {
      // a trap: make every other thread leave its barrier, and say which thread failed and why
      Atomics.compareExchange(I, CTL_ERROR, 0, tid + 1);
      Atomics.store(I, SYNC_ABORT, 1);
      Atomics.notify(I, SYNC_COUNT);
      port.postMessage({ type: 'error', message: `worker ${tid}: ${(e as Error).message}` });
    }
    Atomics.store(I, me + CTL_T_FINISHED, gen);
    Atomics.add(I, CTL_DONE, 1);
    Atomics.notify(I, CTL_DONE);
  }
}
