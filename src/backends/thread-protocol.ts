/**
 * The host <-> worker protocol on the thread control block (controlBytes(n) at `ctl` in the backend's memory).
 * Words 0..3 are the kernels' barrier (SYNC_*); the host and the workers use the CTL_* words: the rest of the
 * kernels' SYNC_BYTES block, then words the kernels never see (CTL_QUIT_ACK and one record per thread). Every word's
 * index is in src/abi-spec.json ("threadProtocol"), generated into src/abi.gen.ts.
 */
import { CTL_THREAD_BASE, CTL_THREAD_WORDS } from '../abi.js';

/** Bytes of the control block of a pool of `n` threads (a multiple of 16). */
export function controlBytes(n: number): number {
  return Math.ceil(((CTL_THREAD_BASE + n * CTL_THREAD_WORDS) * 4) / 16) * 16;
}

export interface WorkerInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
  tid: number;
  nthreads: number;
  ctl: number;
}
