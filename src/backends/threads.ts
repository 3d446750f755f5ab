/**
 * Worker threads that share one backend's memory and split every training step (trainBatchesThreaded in
 * src/abi.ts). Node: worker_threads; browsers: module Workers (shared memory needs cross-origin isolation).
 *
 * The host and the workers talk through a small control block in the shared memory (thread-protocol.ts),
 * not through messages: a command is a generation bump + Atomics.notify, completion a counter the host waits on
 * (Atomics.wait in train; in trainAsync Atomics.waitAsync, or polling on engines without it, so the event loop stays
 * free). A pool runs one command at a time. A worker that traps raises SYNC_ABORT so the others leave their
 * barriers; a worker that dies (an uncaught error, process.exit) counts itself in CTL_DEAD from its exit handler and
 * wakes the host, which a train() blocked in Atomics.wait sees at once (trainAsync also gets the 'exit' event); the
 * watchdog fails a command in which no thread made any progress for STALL_MS. The call fails with TrainingError
 * after the surviving workers left the command — never a hang — and the pool stays broken: the network must be
 * disposed and created again. The control block and scratch outlive terminate(): they are freed once every worker
 * has exited, so a dying worker's last write cannot land in memory that was handed out again.
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
  SYNC_SCRATCH,
  SYNC_COUNT,
  SYNC_PROGRESS,
} from '../abi.js';
import type { KernelHost } from './host.js';
import { NnError, TrainingError } from '../errors.js';
import { controlBytes, type WorkerInit } from './thread-protocol.js';

interface AnyWorker {
  terminate(): unknown;
  postMessage?(m: unknown): void;
  /** Node only: whether the worker keeps the event loop (and so the process) alive. */
  ref?(): void;
  unref?(): void;
}

/**
 * How long a command may go without progress — no thread starting or finishing it, arriving at or passing a barrier
 * (every kernel step has barriers) — before the watchdog declares a worker dead or stuck.
 */
export const STALL_MS = 30_000;
/** How long a failed command waits for the surviving workers to leave it before the pool gives up on them. */
const DRAIN_MS = 2_000;
/** Browsers (no 'exit' event): how long terminate() waits for every worker to acknowledge CTL_CMD_QUIT. */
const QUIT_MS = 5_000;
/** How long a new worker may take to instantiate the kernels and report ready before create() fails. */
const START_MS = 60_000;

/**
 * Browsers: workers whose pool ended cleanly (every one acknowledged CMD_QUIT) wait here for the next pool's init
 * (worker.ts sets its init handler again) instead of being terminated. A network disposed and created again then
 * starts no Worker: starting one takes hundreds of milliseconds, and Firefox ESR 153 sometimes hangs for good in
 * `new Worker()` called inside a Worker while workers that the same Worker just terminated are shutting down
 * (docs/reliability.md, "Firefox: nested workers"). At most MAX_IDLE are kept; the rest are terminated.
 */
const idleWorkers: Worker[] = [];
const MAX_IDLE = 8;

/** Internal test hook: how many idle browser workers wait for a pool (always 0 in Node). */
export function idleWorkerCount(): number {
  return idleWorkers.length;
}

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

let waitAsyncHidden = false;
/**
 * Internal test hook: true makes trainAsync wait as on an engine without Atomics.waitAsync (by polling); false
 * restores feature detection.
 */
export function hideWaitAsyncForTest(hidden: boolean): void {
  waitAsyncHidden = hidden;
}

/** Atomics.waitAsync where the engine has it (Node, Chromium, Firefox >= 145, Safari >= 16.4), else null. */
function nativeWaitAsync(): typeof Atomics.waitAsync | null {
  const w = (Atomics as { waitAsync?: typeof Atomics.waitAsync }).waitAsync;
  return !waitAsyncHidden && typeof w === 'function' ? w : null;
}

/** Internal counters (tests): asynchronous commands awaited with Atomics.waitAsync and by polling. */
export const asyncWaits = { native: 0, polled: 0 };

/** Resolves when I[index] may no longer be `value`, or after about `ms` (the caller re-reads and decides). */
type AsyncWait = (I: Int32Array, index: number, value: number, ms: number) => Promise<void>;

/** How long a polling wait yields with MessageChannel (no timer clamping) before it sleeps on timers. */
const POLL_FAST_MS = 2;
/** The polling wait's timer sleep (browsers clamp nested timers to 4 ms). */
const POLL_SLEEP_MS = 1;

/**
 * The waiter of one asynchronous command: Atomics.waitAsync, or, on engines without it, polling as Emscripten's
 * pthreads do: MessageChannel turns for the first POLL_FAST_MS of a wait (short commands end without timer latency),
 * then setTimeout sleeps, so the host does not take a core from the workers. Both read the same words, so the result
 * is the same bits; only the wake-up latency differs. `close` releases the channel (in Node an open port keeps the
 * process alive).
 */
function asyncWaiter(): { wait: AsyncWait; close(): void } {
  const native = nativeWaitAsync();
  if (native) {
    asyncWaits.native++;
    return {
      wait: async (I, index, value, ms) => {
        const w = native(I, index, value, ms);
        if (w.async) await w.value;
      },
      close: () => undefined,
    };
  }
  asyncWaits.polled++;
  const MC = (globalThis as { MessageChannel?: typeof MessageChannel }).MessageChannel;
  let channel: MessageChannel | null = null;
  const queue: (() => void)[] = [];
  const turn = (): Promise<void> => {
    if (!MC) return new Promise((resolve) => setTimeout(resolve, 0));
    if (channel === null) {
      channel = new MC();
      channel.port1.onmessage = () => queue.shift()?.();
    }
    const c = channel;
    return new Promise((resolve) => {
      queue.push(resolve);
      c.port2.postMessage(0);
    });
  };
  return {
    wait: async (I, index, value, ms) => {
      const t0 = performance.now();
      for (;;) {
        if (Atomics.load(I, index) !== value) return;
        const spent = performance.now() - t0;
        if (spent >= ms) return;
        await (spent < POLL_FAST_MS ? turn() : new Promise<void>((resolve) => setTimeout(resolve, POLL_SLEEP_MS)));
      }
    },
    close: () => {
      if (channel) {
        channel.port1.onmessage = null;
        channel.port1.close();
        channel.port2.close();
        channel = null;
      }
      for (const r of queue.splice(0)) r();
    },
  };
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
  private terminated = false;
  /** a command was started and its workers have not all left it yet */
  private inFlight = false;
  /** workers whose 'exit' event arrived (Node; a terminated worker cannot count itself in CTL_DEAD) */
  private exited = 0;
  private onExited: (() => void) | null = null;

  private constructor(
    private readonly backend: KernelHost,
    readonly size: number,
    private readonly ctl: number,
    private readonly scratch: number,
    /** the worker threads, by thread id (read by the test hook in src/internal/test-hooks.ts) */
    readonly workers: readonly AnyWorker[],
  ) {}

  /**
   * Starts `size` workers on the backend's (shared) memory; resolves when every one has instantiated the kernels.
   * @param ctl the control block (controlBytes(size) in thread-protocol.ts)
   * @param scratch the pool's own packing scratch, size × SCRATCH_BYTES (written to SYNC_SCRATCH), so that pools
   *   sharing a memory, and the host thread's own kernels, never pack into the same region
   */
  static async create(backend: KernelHost, size: number, ctl: number, scratch: number): Promise<ThreadPool> {
    const platform = isNode() ? await import('#platform') : null;
    new Uint8Array(backend.memory.buffer, ctl, controlBytes(size)).fill(0);
    backend.i32()[(ctl >> 2) + SYNC_SCRATCH] = scratch;
    const workers: AnyWorker[] = [];
    const pool = new ThreadPool(backend, size, ctl, scratch, workers);
    const ready: Promise<void>[] = [];
    for (let tid = 0; tid < size; tid++) {
      const init: WorkerInit = { memory: backend.memory, module: backend.module, tid, nthreads: size, ctl };
      let onMessage: (m: { type: string; message?: string }) => void = () => {};
      let onDeath: (message: string) => void = () => {};
      ready.push(
        new Promise<void>((resolve, reject) => {
          // a worker that neither reports ready nor fails (a worker script the page cannot load and no error event)
          // must not leave create() pending for ever
          const timer = setTimeout(
            () =>
              onDeath(
                `worker ${tid} did not report ready within ${START_MS / 1000} s (it never instantiated the kernels)`,
              ),
            START_MS,
          );
          onMessage = (m) => {
            if (m.type === 'ready') {
              clearTimeout(timer);
              resolve();
            } else if (m.type === 'error') onDeath(m.message ?? `worker ${tid} failed`);
          };
          onDeath = (message) => {
            clearTimeout(timer);
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
            else pool.maybeExited();
          },
        });
        workers.push(w);
      } else {
        // Browsers: written literally so that bundlers (Vite, webpack) bundle the worker and rewrite its URL
        const w = idleWorkers.pop() ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
        w.onmessage = (e: MessageEvent<{ type: string; message?: string }>) => onMessage(e.data);
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          const where = import.meta.url.replace(/[^/]*$/, 'worker.js');
          onDeath(
            `worker ${tid} crashed: ${e.message || `cannot start the worker script ${where} (a bundler that does not follow new URL(..., import.meta.url) must emit fastnn's dist/backends/worker.js there)`}`,
          );
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

  /** Whether a command is in flight (another one is refused until it settles). */
  get busy(): boolean {
    return this.inFlight;
  }

  /** The pool's blocks in the backend's memory (control block, scratch): free them only from terminate's callback. */
  get blocks(): readonly number[] {
    return [this.ctl, this.scratch];
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

  /** A failure of the pool: the command in flight fails, and so does every later one (the pool is broken for good). */
  private fail(message: string): void {
    if (this.failure === null) this.failure = message;
    this.broken = true;
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    Atomics.store(I, c + SYNC_ABORT, 1);
    Atomics.notify(I, c + SYNC_COUNT);
    Atomics.notify(I, c + CTL_DONE);
  }

  /**
   * Progress of the command in flight: it only grows while any thread starts or finishes the command, or arrives at
   * or passes a barrier (each of those words only grows during a command).
   */
  private progressMark(): number {
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    let m = Atomics.load(I, c + SYNC_COUNT) + Atomics.load(I, c + SYNC_PROGRESS) + Atomics.load(I, c + CTL_DONE);
    for (let t = 0; t < this.size; t++) {
      const r = c + CTL_THREAD_BASE + t * CTL_THREAD_WORDS;
      m += Atomics.load(I, r + CTL_T_STARTED) + Atomics.load(I, r + CTL_T_FINISHED);
    }
    return m;
  }

  /**
   * The watchdog's message: where each thread stood (the last command it started and finished) and the barrier
   * state (arrivals, the round they were in, the barriers passed), so a report of it says which thread stopped where.
   */
  private stallMessage(): string {
    const I = this.backend.i32(),
      c = this.ctl >> 2,
      n = this.size;
    const gen = Atomics.load(I, c + CTL_CMD_GEN),
      arrivals = Atomics.load(I, c + SYNC_COUNT);
    const round = Math.ceil(arrivals / n) * n;
    const threads: string[] = [];
    for (let t = 0; t < n; t++) {
      const r = c + CTL_THREAD_BASE + t * CTL_THREAD_WORDS;
      const started = Atomics.load(I, r + CTL_T_STARTED),
        finished = Atomics.load(I, r + CTL_T_FINISHED);
      const where =
        finished === gen
          ? 'finished it'
          : started === gen
            ? 'inside it (in a kernel step or at a barrier)'
            : 'never started it';
      threads.push(`thread ${t}: ${where}, last started command ${started}, last finished ${finished}`);
    }
    return (
      `no training thread made progress for ${stallMs / 1000} s (a worker died or is stuck): command ${gen} ` +
      `(batches ${Atomics.load(I, c + CTL_CMD_FIRST)}..+${Atomics.load(I, c + CTL_CMD_COUNT)}); ${Atomics.load(I, c + CTL_DONE)} of ${n} ` +
      `workers done; ${arrivals} barrier arrivals, ${arrivals === round ? `no barrier open` : `the open barrier waits for ${round} arrivals (${round - arrivals} missing)`}, ` +
      `${Atomics.load(I, c + SYNC_PROGRESS)} barriers passed; ${threads.join('; ')}`
    );
  }

  private start(op: string, plan: number, first: number, count: number): void {
    if (this.terminated)
      throw new TrainingError(`${op}: the worker threads were terminated (the network was disposed)`);
    if (this.broken) {
      throw new TrainingError(
        `${op}: the worker threads failed earlier (${this.failure ?? 'unknown'}) and cannot be used again; dispose this network and create a new one (Network.fromJSON(net.toJSON()) keeps its parameters)`,
      );
    }
    if (this.inFlight)
      throw new NnError(`${op}: the worker threads are still running a command; wait for it to settle first`);
    this.inFlight = true;
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    Atomics.store(I, c + SYNC_COUNT, 0);
    Atomics.store(I, c + SYNC_ABORT, 0);
    Atomics.store(I, c + CTL_DONE, 0);
    Atomics.store(I, c + CTL_ERROR, 0);
    Atomics.store(I, c + CTL_CMD_PLAN, plan);
    Atomics.store(I, c + CTL_CMD_FIRST, first);
    Atomics.store(I, c + CTL_CMD_COUNT, count);
    Atomics.store(I, c + CTL_CRASH_TID, crashNext >= 0 && crashNext < this.size ? crashNext + 1 : 0);
    Atomics.store(I, c + CTL_CRASH_HOW, crashHow);
    if (crashNext >= 0 && crashNext < this.size) crashNext = -1;
    Atomics.add(I, c + CTL_CMD_GEN, 1);
    Atomics.notify(I, c + CTL_CMD_GEN);
  }

  /** After every worker left the command (or a failure was declared): its loss sum, or the failure. */
  private finish(op: string): number {
    if (this.terminated)
      throw new TrainingError(`${op}: the worker threads were terminated (the network was disposed)`);
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    // a failed command whose workers did not all leave stays in flight: the pool is broken, so nothing starts again
    if (this.failure === null || Atomics.load(I, c + CTL_DONE) + this.deadCount() >= this.size) this.inFlight = false;
    if (Atomics.load(I, c + SYNC_ABORT) !== 0 || this.failure !== null) {
      const who = Atomics.load(I, c + CTL_ERROR);
      const why = this.failure ?? (who > 0 ? `worker ${who - 1} trapped` : 'aborted');
      this.failure ??= why;
      this.broken = true;
      throw new TrainingError(
        `${op}: a training thread failed: ${why}; dispose this network and create a new one to train with threads again`,
      );
    }
    return new Float64Array(this.backend.memory.buffer, this.ctl, 8)[CTL_LOSS_F64]!;
  }

  /** Runs batches first..first+count-1 on the workers, blocking this thread until they finish; returns the loss sum. */
  run(op: string, plan: number, first: number, count: number): number {
    this.start(op, plan, first, count);
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    let progress = this.progressMark();
    let since = performance.now();
    for (;;) {
      const done = Atomics.load(I, c + CTL_DONE);
      if (done >= this.size) break;
      if (Atomics.load(I, c + CTL_DEAD) > 0) {
        // a worker died (its exit handler said so): the others leave at their next barrier
        this.fail(`${Atomics.load(I, c + CTL_DEAD)} worker thread(s) died during the command`);
        this.drain();
        break;
      }
      Atomics.wait(I, c + CTL_DONE, done, 50);
      const p = this.progressMark();
      if (p !== progress) {
        progress = p;
        since = performance.now();
      } else if (Atomics.load(I, c + CTL_DONE) < this.size && performance.now() - since > stallMs) {
        this.fail(this.stallMessage());
        this.drain(); // the live workers leave at their next barrier before the caller restores the parameters
        break;
      }
    }
    return this.finish(op);
  }

  private deadCount(): number {
    return Math.max(this.exited, Atomics.load(this.backend.i32(), (this.ctl >> 2) + CTL_DEAD));
  }

  /** After a failure: waits (bounded) until every live worker has left the command, so none still writes. */
  private drain(): void {
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    const t0 = performance.now();
    for (;;) {
      const done = Atomics.load(I, c + CTL_DONE);
      if (done + this.deadCount() >= this.size || performance.now() - t0 > DRAIN_MS) return;
      Atomics.wait(I, c + CTL_DONE, done, 20);
    }
  }

  /**
   * run() without blocking: awaits the workers with Atomics.waitAsync where the engine has it, else by polling (the
   * waiter is chosen before the command starts); a worker's death rejects at once.
   */
  async runAsync(op: string, plan: number, first: number, count: number, signal?: AbortSignal): Promise<number> {
    const waiter = asyncWaiter();
    try {
      this.start(op, plan, first, count);
    } catch (e) {
      waiter.close();
      throw e;
    }
    const I = this.backend.i32(),
      c = this.ctl >> 2;
    const onAbort = (): void => {
      Atomics.store(I, c + SYNC_ABORT, 1);
      Atomics.notify(I, c + SYNC_COUNT);
    };
    signal?.addEventListener('abort', onAbort);
    this.keepAlive(true);
    // the same watchdog as run(): a worker that is alive but stuck fails the command instead of leaving it pending
    let progress = this.progressMark();
    let since = performance.now();
    try {
      for (;;) {
        const done = Atomics.load(I, c + CTL_DONE);
        if (done >= this.size) break;
        if (this.failure !== null || this.terminated) break;
        if (Atomics.load(I, c + CTL_DEAD) > 0) {
          this.fail(`${Atomics.load(I, c + CTL_DEAD)} worker thread(s) died during the command`);
          break;
        }
        await waiter.wait(I, c + CTL_DONE, done, 100);
        const p = this.progressMark();
        if (p !== progress) {
          progress = p;
          since = performance.now();
        } else if (
          Atomics.load(I, c + CTL_DONE) < this.size &&
          performance.now() - since > stallMs &&
          !this.terminated
        ) {
          this.fail(this.stallMessage());
          break;
        }
      }
      if (this.failure !== null && !this.terminated) {
        // let the surviving workers leave the command before the caller restores the parameters
        const t0 = performance.now();
        for (;;) {
          const done = Atomics.load(I, c + CTL_DONE);
          if (done + this.deadCount() >= this.size || performance.now() - t0 > DRAIN_MS) break;
          await waiter.wait(I, c + CTL_DONE, done, 20);
        }
      }
    } finally {
      waiter.close();
      if (!this.terminated) this.keepAlive(false);
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted && this.failure === null && !this.terminated) {
      // every worker left the command (the loop above waits for all of them): the pool is ready for the next one
      Atomics.store(I, c + SYNC_ABORT, 0);
      Atomics.store(I, c + SYNC_COUNT, 0);
      this.inFlight = false;
      throw signal.reason;
    }
    return this.finish(op);
  }

  /** Node: after terminate(), the last worker's 'exit' event hands the pool's blocks back. */
  private maybeExited(): void {
    if (this.terminated && this.exited >= this.size && this.onExited) {
      const f = this.onExited;
      this.onExited = null;
      f();
    }
  }

  /**
   * Ends the workers. `onExited` runs once every worker has stopped for good, and never before terminate() returns:
   * in Node from the workers' 'exit' events; in browsers (no 'exit' event) once every worker has acknowledged
   * CTL_CMD_QUIT or died, then the workers are terminated. A worker that neither acknowledges nor dies within QUIT_MS
   * (stuck inside a kernel) is terminated and onExited never runs: the caller's blocks stay allocated rather than
   * being handed out while that thread might still write to them.
   */
  terminate(onExited?: () => void): void {
    if (this.terminated) return;
    this.terminated = true;
    let I: Int32Array | null;
    const c = this.ctl >> 2;
    try {
      I = this.backend.i32();
      Atomics.store(I, c + CTL_CMD_QUIT, 1);
      Atomics.store(I, c + SYNC_ABORT, 1);
      Atomics.add(I, c + CTL_CMD_GEN, 1);
      Atomics.notify(I, c + CTL_CMD_GEN);
      Atomics.notify(I, c + SYNC_COUNT);
    } catch {
      // the backend's memory is gone; terminate() below still ends the threads
      I = null;
    }
    const nodeWorkers = this.workers.some((w) => typeof w.unref === 'function');
    if (nodeWorkers || I === null) {
      if (nodeWorkers && onExited) this.onExited = () => queueMicrotask(onExited);
      for (const w of this.workers) void w.terminate();
      // exits that arrived before terminate() (crashed workers) count too; the callback still runs after this returns
      this.maybeExited();
      return;
    }
    const ctlI = I;
    const t0 = performance.now();
    const poll = (): void => {
      const left = Atomics.load(ctlI, c + CTL_QUIT_ACK) + Atomics.load(ctlI, c + CTL_DEAD);
      const acked = Atomics.load(ctlI, c + CTL_QUIT_ACK) >= this.size;
      if (acked) {
        // every worker left the pool cleanly and waits for another init: keep it for the next pool
        for (const w of this.workers as Worker[]) {
          w.onmessage = null;
          w.onerror = null;
          if (idleWorkers.length < MAX_IDLE) idleWorkers.push(w);
          else w.terminate();
        }
        onExited?.();
        return;
      }
      if (left >= this.size || performance.now() - t0 > QUIT_MS) {
        for (const w of this.workers) void w.terminate();
        if (left >= this.size) onExited?.();
        return;
      }
      setTimeout(poll, 10);
    };
    setTimeout(poll, 0);
  }
}
