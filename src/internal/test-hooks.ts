/**
 * Internal test hooks: not exported from the package entry (src/index.ts) and not part of the API. Tests import
 * this module directly to simulate failures production code must survive.
 */
import { networkInternals, type Network } from '../network.js';

/**
 * What a worker crash looks like: terminates worker thread `tid` of `net`'s pool without warning (the pool sees
 * its 'exit' event or the stalled barrier and fails the running call with TrainingError).
 * @throws Error when the network trains without worker threads or has no worker `tid`.
 */
export function killWorker(net: Network, tid: number): void {
  const { pool } = networkInternals(net);
  const worker = pool?.workers[tid];
  if (!worker) throw new Error(`killWorker: the network has no worker thread ${tid} (threads: ${net.threads})`);
  void worker.terminate();
}
