/** Starting a network's worker threads: how many, whether this engine can share memory with them, and the pool. */
import { SCRATCH_BYTES } from '../abi.js';
import { memoryIsShared } from '../backends/heap.js';
import { ThreadPool, nodeThreadCount } from '../backends/threads.js';
import { controlBytes } from '../backends/thread-protocol.js';
import type { NetMemory } from './memory.js';
import { MAX_THREADS } from './options.js';

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  console.warn(message);
}

/**
 * Starts worker threads when asked for more than one and the engine can share memory with workers (else one
 * warning and null: training on one thread). The pool's control block and packing scratch are the network's blocks.
 */
export async function startThreads(mem: NetMemory, threads: number | 'auto'): Promise<ThreadPool | null> {
  const n = threads === 'auto' ? Math.min(MAX_THREADS, await nodeThreadCount()) : threads;
  if (n <= 1) return null;
  const host = mem.host;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (!memoryIsShared(host.memory) || isolated === false) {
    warnOnce(
      'fastnn: threads need shared memory that workers can use, which this page does not have (serve it cross-origin isolated: ' +
        'Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp); training on 1 thread',
    );
    return null;
  }
  const pool = await ThreadPool.create(host, n, mem.alloc(controlBytes(n)), mem.alloc(n * SCRATCH_BYTES, false));
  mem.owned.pool = pool;
  return pool;
}

/**
 * Multiply-adds per optimizer step (rows × Σ nIn·nOut) below which a threaded network trains on the calling thread
 * instead (bit-identical: the thread contract in src/abi.ts). Every step costs its threads 2·layers + 2 barriers:
 * about 0.5–1 µs each on idle cores (scripts/profile-threads.ts), tens of µs to milliseconds when a thread waits
 * for a core, so a step this small (a few µs on one thread, e.g. 2-8-8-1 at batch 10) only gets slower with
 * threads. Larger steps keep their threads; docs/threads.md says where a second thread starts to pay.
 */
export const MIN_THREAD_WORK = 1 << 11;
let minThreadWork = MIN_THREAD_WORK;

/**
 * Internal test hook: the threshold of threadsPay; 0 also skips the timed trial (thread-choice.ts), so the workers
 * always take part; null restores MIN_THREAD_WORK.
 */
export function setMinThreadWorkForTest(macs: number | null): void {
  minThreadWork = macs ?? MIN_THREAD_WORK;
}

/** Whether a step of `rows` rows through `layers` is worth the worker threads (MIN_THREAD_WORK). */
export function threadsPay(layers: readonly number[], rows: number): boolean {
  let macs = 0;
  for (let l = 0; l + 1 < layers.length; l++) macs += layers[l]! * layers[l + 1]!;
  return rows * macs >= minThreadWork;
}

/** Whether the test hook set the threshold to 0: the workers take part in every step, without a trial. */
export function threadsAlwaysForTest(): boolean {
  return minThreadWork === 0;
}
