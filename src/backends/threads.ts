/**
 * Worker threads that share one backend's memory and split every training step (trainBatchesThreaded in
 * src/abi.ts). Node: worker_threads; browsers: module Workers (shared memory needs cross-origin isolation).
 *
 * The host and the workers talk through a small control block in the shared memory (thread-protocol.ts),
 * not through messages: a command is a generation bump + Atomics.notify, completion a counter the host waits on
 * (Atomics.wait in train, Atomics.waitAsync in trainAsync, so the event loop stays free). A worker that traps
 * raises SYNC_ABORT so the others leave their barriers; a worker that dies (an uncaught error, process.exit) counts
 * itself in DEAD from its exit handler and wakes the host, which a train() blocked in Atomics.wait sees at once
 * (trainAsync also gets the 'exit' event); the watchdog on SYNC_PROGRESS remains for a worker that hangs. The call
 * fails with TrainingError after the surviving workers left the command — never a hang.
 */
import { SYNC_ABORT, SYNC_BYTES, SYNC_SCRATCH, SYNC_COUNT, SYNC_PROGRESS } from '../abi.js';
import type { KernelHost } from './host.js';
import { TrainingError } from '../errors.js';
import { CMD_COUNT, CMD_FIRST, CMD_GEN, CMD_PLAN, CMD_QUIT, CRASH_HOW, CRASH_TID, DEAD, DONE, ERROR, LOSS_F64, type WorkerInit } from './thread-protocol.js';

interface AnyWorker {
  terminate(): unknown;
  postMessage?(m: unknown): void;
  /** Node only: whether the worker keeps the event loop (and so the process) alive. */
  ref?(): void;
  unref?(): void;
}

/** How long train() waits without any barrier completing before it declares the workers dead. */
export const STALL_MS = 30_000;
/** How long a failed command waits for the surviving workers to leave it before the pool gives up on them. */
const DRAIN_MS = 2_000;

let crashNext = -1;
let crashHow = 0;
/**
 * Internal test hook (not part of the API): the next command any pool starts makes its worker `tid` fail:
 * 'exit' = the worker exits (process.exit in Node) before running it, without telling the host, as a crashing
 * worker would; 'trap' = it runs its share (parameters written) and then traps.
 */
export function armWorkerCrashForTest(tid: number, how: 'exit' | 'trap' | 'hang' = 'exit'): void {
  crashNext = tid;
  crashHow = how === 'trap' ? 1 : how === 'hang' ? 2 : 0;
}

let stallMs = STALL_MS;
/** Internal test hook: the watchdog's time without progress (null restores STALL_MS). */
export function setStallMsForTest(ms: number | null): void {
  stallMs = ms ?? STALL_MS;
}

export function defaultThreadCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  return 1;
}

/** Logical CPUs: the Node platform module's count in Node, navigator.hardwareConcurrency elsewhere. */
export async function nodeThreadCount(): Promise<number> {
  if (!isNode()) return defaultThreadCount();
  const platform = await import('#platform');
  return platform.cpuCount();
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

let blockingAllowed: boolean | undefined;
/**
 * False where Atomics.wait throws (a page's main thread): there, synchronous train() cannot wait for worker
 * threads. Probed once with a zero timeout on a value that never matches, so it never blocks.
 */
export function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      const I = new Int32Array(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer);
      Atomics.wait(I, 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

const warnedPools = new WeakSet<ThreadPool>();
/**
 * The pool that synchronous train() may block on, or null where this thread may not block (canBlock): train()
 * then runs on this thread alone, with the same result (any thread count is bit-identical), after one warning
 * per pool.
 */
export function poolForSyncTrain(pool: ThreadPool | null): ThreadPool | null {
  if (pool === null || canBlock()) return pool;
  if (!warnedPools.has(pool)) {
    warnedPools.add(pool);
    console.warn(
      "fastnn: train() cannot wait for worker threads here (Atomics.wait is not allowed on a page's main thread); " +
        'training on 1 thread, same result. Use trainAsync, or train in a Worker, to train with threads',
    );
  }
  return null;
}

export class ThreadPool {
  private failure: string | null = null;
  private broken = false;
  private listeners: ((message: string) => void)[] = [];
  private terminated = false;
  /** workers whose 'exit' event arrived (a terminated worker cannot count itself in DEAD) */
  private exited = 0;

  private constructor(
    private readonly backend: KernelHost,
    readonly size: number,
    private readonly ctl: number,
    /** the worker threads, by thread id (read by the test hook in src/internal/test-hooks.ts) */
    readonly workers: readonly AnyWorker[],
  ) {}

  /** Starts `size` workers on the backend's (shared) memory; resolves when every one has instantiated the kernels. */
  /**
   * @param ctl the control block (SYNC_BYTES)
   * @param scratch the pool's own packing scratch, size × SCRATCH_BYTES (written to SYNC_SCRATCH), so that pools
   *   sharing a memory, and the host thread's own kernels, never pack into the same region
   */
  static async create(backend: KernelHost, size: number, ctl: number, scratch: number): Promise<ThreadPool> {
    const platform = isNode() ? await import('#platform') : null;
    new Uint8Array(backend.memory.buffer, ctl, SYNC_BYTES).fill(0);
    backend.i32()[(ctl >> 2) + SYNC_SCRATCH] = scratch;
    const workers: AnyWorker[] = [];
    const pool = new ThreadPool(backend, size, ctl, workers);
    const ready: Promise<void>[] = [];
    for (let tid = 0; tid < size; tid++) {
      const init: WorkerInit = { memory: backend.memory, module: backend.module, tid, nthreads: size, ctl };
      let onMessage: (m: { type: string; message?: string }) => void = () => {};
      let onDeath: (message: string) => void = () => {};
      ready.push(
        new Promise<void>((resolve, reject) => {
          onMessage = (m) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') onDeath(m.message ?? `worker ${tid} failed`);
          };
          onDeath = (message) => {
            pool.fail(message);
            reject(new TrainingError(`threads: ${message}`));
          };
        }),
      );
      if (platform) {
        // Node: the platform module starts worker.js next to this file (worker.ts from the source tree, via tsx)
        const w = platform.startWorker(import.meta.url, init, {
          message: (m) => onMessage(m as { type: string; message?: string }),
          error: (message) => onDeath(`worker ${tid} crashed: ${message}`),
          exit: (code) => {
            pool.exited++;
            if (!pool.terminated) onDeath(`worker ${tid} exited (code ${code})`);
          },
        });
        workers.push(w);
      } else {
        // Browsers: written literally so that bundlers (Vite, webpack) bundle the worker and rewrite its URL
        const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
        w.onmessage = (e: MessageEvent<{ type: string; message?: string }>) => onMessage(e.data);
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          const where = import.meta.url.replace(/[^/]*$/, 'worker.js');
          onDeath(`worker ${tid} crashed: ${e.message || `cannot start the worker script ${where} (a bundler that does not follow new URL(..., import.meta.url) must emit fastnn's dist/backends/worker.js there)`}`);
        };
        w.postMessage(init);
        workers.push(w);
      }
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      pool.terminate();
      throw e;
    }
    // Idle workers must not keep the process alive: a process that trained with threads exits on its own.
    pool.keepAlive(false);
    return pool;
  }

  /**
   * Node: ref'd workers keep the event loop alive. Atomics.waitAsync does not, so while runAsync awaits the workers
   * they are ref'd (else the process would exit mid-run with the promise pending); when idle they are unref'd.
   */
  private keepAlive(on: boolean): void {
    for (const w of this.workers) {
      if (on) w.ref?.();
      else w.unref?.();
    }
  }

  private fail(message: string): void {
    if (this.failure === null) this.failure = message;
    const I = this.backend.i32(), c = this.ctl >> 2;
    Atomics.store(I, c + SYNC_ABORT, 1);
    Atomics.notify(I, c + SYNC_COUNT);
    Atomics.notify(I, c + DONE);
    for (const l of this.listeners) l(message);
  }

  /** The watchdog's message, with the control block's counters, so a report of it says where the threads stood. */
  private stallMessage(): string {
    const I = this.backend.i32(), c = this.ctl >> 2;
    return `no training thread made progress for ${stallMs / 1000} s (a worker died or is stuck; ` +
      `${Atomics.load(I, c + DONE)} of ${this.size} workers done, ${Atomics.load(I, c + SYNC_COUNT)} barrier arrivals ` +
      `in this command, ${Atomics.load(I, c + SYNC_PROGRESS)} barriers passed, command ${Atomics.load(I, c + CMD_GEN)})`;
  }

  private start(plan: number, first: number, count: number): void {
    if (this.terminated) throw new TrainingError('threads: the worker threads were terminated (the network was disposed)');
    if (this.broken) throw new TrainingError(`threads: the worker threads failed earlier (${this.failure ?? 'unknown'}); create a new network`);
    const I = this.backend.i32(), c = this.ctl >> 2;
    Atomics.store(I, c + SYNC_COUNT, 0);
    Atomics.store(I, c + SYNC_ABORT, 0);
    Atomics.store(I, c + DONE, 0);
    Atomics.store(I, c + ERROR, 0);
    Atomics.store(I, c + CMD_PLAN, plan);
    Atomics.store(I, c + CMD_FIRST, first);
    Atomics.store(I, c + CMD_COUNT, count);
    Atomics.store(I, c + CRASH_TID, crashNext >= 0 && crashNext < this.size ? crashNext + 1 : 0);
    Atomics.store(I, c + CRASH_HOW, crashHow);
    if (crashNext >= 0 && crashNext < this.size) crashNext = -1;
    Atomics.add(I, c + CMD_GEN, 1);
    Atomics.notify(I, c + CMD_GEN);
  }

  private finish(op: string): number {
    if (this.terminated) throw new TrainingError(`${op}: the worker threads were terminated (the network was disposed)`);
    const I = this.backend.i32(), c = this.ctl >> 2;
    if (Atomics.load(I, c + SYNC_ABORT) !== 0 || this.failure !== null) {
      this.broken = this.broken || this.failure !== null;
      const who = Atomics.load(I, c + ERROR);
      const why = this.failure ?? (who > 0 ? `worker ${who - 1} trapped` : 'aborted');
      Atomics.store(I, c + SYNC_ABORT, 0);
      Atomics.store(I, c + SYNC_COUNT, 0);
      if (who > 0) this.broken = true;
      throw new TrainingError(`${op}: a training thread failed: ${why}`);
    }
    return new Float64Array(this.backend.memory.buffer, this.ctl, SYNC_BYTES / 8)[LOSS_F64]!;
  }

  /** Runs batches first..first+count-1 on the workers, blocking this thread until they finish; returns the loss sum. */
  run(op: string, plan: number, first: number, count: number): number {
    this.start(plan, first, count);
    const I = this.backend.i32(), c = this.ctl >> 2;
    let progress = Atomics.load(I, c + SYNC_PROGRESS);
    let since = performance.now();
    for (;;) {
      const done = Atomics.load(I, c + DONE);
      if (done >= this.size) break;
      if (Atomics.load(I, c + DEAD) > 0) {
        // a worker died (its exit handler said so): the others leave at their next barrier
        this.broken = true;
        this.fail(`${Atomics.load(I, c + DEAD)} worker thread(s) died during the command`);
        this.drain();
        break;
      }
      Atomics.wait(I, c + DONE, done, 50);
      const p = Atomics.load(I, c + SYNC_PROGRESS);
      if (p !== progress) {
        progress = p;
        since = performance.now();
      } else if (Atomics.load(I, c + DONE) < this.size && performance.now() - since > stallMs) {
        this.broken = true;
        this.fail(this.stallMessage());
        this.drain(); // the live workers leave at their next barrier before the caller restores the parameters
        break;
      }
    }
    return this.finish(op);
  }

  private deadCount(): number {
    return Math.max(this.exited, Atomics.load(this.backend.i32(), (this.ctl >> 2) + DEAD));
  }

  /** After a failure: waits (bounded) until every live worker has left the command, so none still writes. */
  private drain(): void {
    const I = this.backend.i32(), c = this.ctl >> 2;
    const t0 = performance.now();
    for (;;) {
      const done = Atomics.load(I, c + DONE);
      if (done + this.deadCount() >= this.size || performance.now() - t0 > DRAIN_MS) return;
      Atomics.wait(I, c + DONE, done, 20);
    }
  }

  /** run() without blocking: awaits the workers with Atomics.waitAsync; a worker's death rejects at once. */
  async runAsync(op: string, plan: number, first: number, count: number, signal?: AbortSignal): Promise<number> {
    this.start(plan, first, count);
    const I = this.backend.i32(), c = this.ctl >> 2;
    const onAbort = (): void => {
      Atomics.store(I, c + SYNC_ABORT, 1);
      Atomics.notify(I, c + SYNC_COUNT);
    };
    signal?.addEventListener('abort', onAbort);
    this.keepAlive(true);
    // the same watchdog as run(): a worker that is alive but stuck fails the command instead of leaving it pending
    let progress = Atomics.load(I, c + SYNC_PROGRESS);
    let since = performance.now();
    try {
      for (;;) {
        const done = Atomics.load(I, c + DONE);
        if (done >= this.size) break;
        if (this.failure !== null || this.terminated) break;
        if (Atomics.load(I, c + DEAD) > 0) {
          this.broken = true;
          this.fail(`${Atomics.load(I, c + DEAD)} worker thread(s) died during the command`);
          break;
        }
        const w = Atomics.waitAsync(I, c + DONE, done, 100);
        if (w.async) await w.value;
        const p = Atomics.load(I, c + SYNC_PROGRESS);
        if (p !== progress) {
          progress = p;
          since = performance.now();
        } else if (Atomics.load(I, c + DONE) < this.size && performance.now() - since > stallMs && !this.terminated) {
          this.broken = true;
          this.fail(this.stallMessage());
          break;
        }
      }
      if (this.failure !== null && !this.terminated) {
        // let the surviving workers leave the command before the caller restores the parameters
        const t0 = performance.now();
        for (;;) {
          const done = Atomics.load(I, c + DONE);
          if (done + this.deadCount() >= this.size || performance.now() - t0 > DRAIN_MS) break;
          const w = Atomics.waitAsync(I, c + DONE, done, 20);
          if (w.async) await w.value;
        }
      }
    } finally {
      if (!this.terminated) this.keepAlive(false);
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted && this.failure === null) {
      Atomics.store(I, c + SYNC_ABORT, 0);
      Atomics.store(I, c + SYNC_COUNT, 0);
      throw signal.reason;
    }
    return this.finish(op);
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    try {
      const I = this.backend.i32(), c = this.ctl >> 2;
      Atomics.store(I, c + CMD_QUIT, 1);
      Atomics.store(I, c + SYNC_ABORT, 1);
      Atomics.add(I, c + CMD_GEN, 1);
      Atomics.notify(I, c + CMD_GEN);
      Atomics.notify(I, c + SYNC_COUNT);
    } catch {
      // the backend's memory is gone; terminate() below still ends the threads
    }
    for (const w of this.workers) void w.terminate();
  }
}
