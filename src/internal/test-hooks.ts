/**
 * Internal test hooks: not exported from the package entry (src/index.ts) and not part of the API. Tests import
 * this module directly to simulate failures production code must survive.
 */
import type { ThreadPool } from '../backends/threads.js';
import type { Network } from '../network.js';

/**
 * What a worker crash looks like: terminates worker thread `tid` of `net`'s pool without warning (the pool sees
 * its 'exit' event or the stalled barrier and fails the running call with TrainingError).
 * @throws Error when the network trains without worker threads or has no worker `tid`.
 */
export function killWorker(net: Network, tid: number): void {
  // Network keeps its pool to itself; this hook is the one place outside network.ts that reaches it.
  const pool = (net as unknown as { pool: ThreadPool | null }).pool;
  const worker = pool?.workers[tid];
  if (!worker) throw new Error(`killWorker: the network has no worker thread ${tid} (threads: ${net.threads})`);
  void worker.terminate();
}
