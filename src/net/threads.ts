/** Starting a network's worker threads: how many, whether this engine can share memory with them, and the pool. */
import { SCRATCH_BYTES, SYNC_BYTES } from '../abi.js';
import { memoryIsShared } from '../backends/heap.js';
import { ThreadPool, nodeThreadCount } from '../backends/threads.js';
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
  const pool = await ThreadPool.create(host, n, mem.alloc(SYNC_BYTES), mem.alloc(n * SCRATCH_BYTES, false));
  mem.owned.pool = pool;
  return pool;
}
