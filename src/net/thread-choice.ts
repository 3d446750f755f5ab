/**
 * Whether a network's worker threads take part in its training steps, decided from measured steps on this engine.
 *
 * Threads split every step's work but add barriers (2·layers + 2 per step) and a command round trip per call;
 * what those cost depends on the engine, on Atomics.wait versus waitAsync, and on whether the threads get cores.
 * So the first steps a network trains with a given batch size are a trial: a few milliseconds of steps on the
 * calling thread alone, then on the pool, twice each (the first pair warms both paths up), in pieces of doubling
 * size; the workers take part from then on only when their fastest per-step time beat the calling thread's. The per-step difference
 * is what the barriers and the round trip cost less what splitting the work saved, measured on the real network.
 * The two ways compute the same bits (the thread contract in src/abi.ts), so the choice changes only the speed.
 * Steps under MIN_THREAD_WORK multiply-adds skip the trial and stay on the calling thread (threadsPay).
 */
import type { ThreadPool } from '../backends/threads.js';
import { threadsAlwaysForTest, threadsPay } from './threads.js';

/** Milliseconds each trial phase runs at least (four phases: one thread, pool, one thread, pool). */
export const TRIAL_PHASE_MS = 1.5;
/** Pieces each trial phase runs at least. */
const MIN_PIECES = 4;
/** A piece this long (ms) stops doubling: its round trip is already a small part of it. */
const BIG_PIECE_MS = 10;

type Side = 'one' | 'pool';
const PHASES: readonly Side[] = ['one', 'pool', 'one', 'pool'];

export class ThreadChoice {
  private phase = 0;
  private phaseMs = 0;
  /** the current phase's pieces: steps, ms, steps, ms, ... */
  private readonly pieces: number[] = [];
  private readonly best: Record<Side, number> = { one: Infinity, pool: Infinity };
  /** null while the trial runs; then whether the pool takes part */
  verdict: boolean | null;

  /**
   * `pays`: threadsPay's answer (false: no trial, the calling thread). `always`: the test hook's threshold 0 (no trial,
   * the pool). `now`: the clock (tests give a fake one).
   */
  constructor(
    pays: boolean,
    always = false,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.verdict = always ? true : pays ? null : false;
  }

  /** Per-step milliseconds the trial measured (best phase of each side), for scripts and the bench. */
  measured(): { oneMs: number; poolMs: number } {
    return { oneMs: this.best.one, poolMs: this.best.pool };
  }

  /** The side the next piece runs on, and how many of `left` steps it takes. */
  private next(left: number): { side: Side; n: number } {
    // pieces double (1, 2, 4, ...) so that the largest ones carry the pool's command round trip over several steps,
    // as a real call does; a piece that already took BIG_PIECE_MS keeps its size
    const last = this.pieces.length >= 2 ? this.pieces[this.pieces.length - 2]! : 0;
    const lastMs = this.pieces.length >= 2 ? this.pieces[this.pieces.length - 1]! : 0;
    const want = last === 0 ? 1 : lastMs >= BIG_PIECE_MS ? last : 2 * last;
    return { side: PHASES[this.phase]!, n: Math.max(1, Math.min(left, want)) };
  }

  private record(side: Side, steps: number, ms: number): void {
    this.phaseMs += ms;
    this.pieces.push(steps, ms);
    if (this.phaseMs < TRIAL_PHASE_MS || this.pieces.length < 2 * MIN_PIECES) return;
    // the phase's cost per step: the fastest of its largest pieces (the pieces double; a small piece carries more of
    // the pool's round trip per step). The fastest, because a piece the scheduler interrupted (another process, a
    // tier-up compile) only ever takes longer.
    let maxSteps = 0;
    for (let i = 0; i < this.pieces.length; i += 2) maxSteps = Math.max(maxSteps, this.pieces[i]!);
    let per = Infinity;
    for (let i = 0; i < this.pieces.length; i += 2)
      if (2 * this.pieces[i]! >= maxSteps) per = Math.min(per, this.pieces[i + 1]! / this.pieces[i]!);
    this.best[side] = Math.min(this.best[side], per);
    this.phase++;
    this.phaseMs = 0;
    this.pieces.length = 0;
    if (this.phase === PHASES.length) this.verdict = this.best.pool < this.best.one;
  }

  /** Runs steps first..first+count: trial pieces while undecided, then all on the chosen side. */
  runSync(
    first: number,
    count: number,
    one: (f: number, c: number) => void,
    pooled: (f: number, c: number) => void,
  ): void {
    const end = first + count;
    let f = first;
    while (f < end) {
      if (this.verdict !== null) {
        (this.verdict ? pooled : one)(f, end - f);
        return;
      }
      const { side, n } = this.next(end - f);
      const t0 = this.now();
      (side === 'pool' ? pooled : one)(f, n);
      this.record(side, n, this.now() - t0);
      f += n;
    }
  }

  /** runSync for trainAsync and the stream: the pool's pieces are awaited. */
  async runAsync(
    first: number,
    count: number,
    one: (f: number, c: number) => void,
    pooled: (f: number, c: number) => Promise<void>,
  ): Promise<void> {
    const end = first + count;
    let f = first;
    while (f < end) {
      if (this.verdict !== null) {
        if (this.verdict) await pooled(f, end - f);
        else one(f, end - f);
        return;
      }
      const { side, n } = this.next(end - f);
      const t0 = this.now();
      if (side === 'pool') await pooled(f, n);
      else one(f, n);
      this.record(side, n, this.now() - t0);
      f += n;
    }
  }
}

const choices = new WeakMap<ThreadPool, Map<string, ThreadChoice>>();

/** The choice for one pool (one network) and one step shape: `rows` rows through `layers`. */
export function threadChoice(pool: ThreadPool, layers: readonly number[], rows: number): ThreadChoice {
  let m = choices.get(pool);
  if (!m) choices.set(pool, (m = new Map<string, ThreadChoice>()));
  const key = `${layers.join('-')}/${rows}`;
  let c = m.get(key);
  if (!c) m.set(key, (c = new ThreadChoice(threadsPay(layers, rows), threadsAlwaysForTest())));
  return c;
}
