/**
 * The host <-> worker protocol on the thread control block (controlBytes(n) at `ctl` in the backend's memory).
 * Words 0..3 are the kernels' barrier (SYNC_* in abi.ts); the host and the workers use the rest: words 4..15 of
 * the kernels' SYNC_BYTES, then words the kernels never see (QUIT_ACK and one record per thread).
 */
import { SYNC_BYTES } from '../abi.js';

export const CMD_GEN = 4; // bumped by the host to start a command; workers wait on it
export const CMD_PLAN = 5;
export const CMD_FIRST = 6;
export const CMD_COUNT = 7;
export const DONE = 8; // workers finished with the current command
export const ERROR = 9; // tid + 1 of the first worker that trapped (0: none)
export const CMD_QUIT = 10; // non-zero: workers return
export const DEAD = 11; // workers that died (their exit handler adds 1 and notifies DONE, so a blocked host wakes)
export const CRASH_TID = 14; // test hook: tid + 1 of a worker that fails on the next command (0: none)
export const CRASH_HOW = 15; // test hook: 0 = the worker exits before running the command; 1 = it traps after running it; 2 = it hangs (alive, never arrives)
export const LOSS_F64 = 6; // f64 slot (byte 48): thread 0's loss sum
export const QUIT_ACK = SYNC_BYTES >> 2; // workers that left for good after CMD_QUIT (browsers free the block after all)
/** Per-thread records (THREAD_WORDS words each, thread t at THREAD_BASE + t * THREAD_WORDS), for the watchdog. */
export const THREAD_BASE = QUIT_ACK + 4;
export const THREAD_WORDS = 2;
export const T_STARTED = 0; // the last command generation (CMD_GEN) this thread started
export const T_FINISHED = 1; // the last command generation this thread finished (left trainBatchesThreaded)

/** Bytes of the control block of a pool of `n` threads (a multiple of 16). */
export function controlBytes(n: number): number {
  return Math.ceil(((THREAD_BASE + n * THREAD_WORDS) * 4) / 16) * 16;
}

export interface WorkerInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
  tid: number;
  nthreads: number;
  ctl: number;
}
