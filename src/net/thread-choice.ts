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
 * Steps under MIN_THREAD_WORK multiply-adds skip the trial and stay on the calling thread (threadsPay). A pool phase
 * whose pieces already show that it cannot win ends after two pieces (cutPool): workers whose steps cost milliseconds
 * (cold js workers on a browser engine, or starved ones) would otherwise make the trial most of a short call.
 *
 * A verdict is not for ever: a trial of a few milliseconds can fall on a moment when another process holds a core
 * (the pool then loses although it is faster on a quiet machine), and the load can change after a fair trial. So once
 * the chosen side has trained RETRIAL_FACTOR times as long as the trial took, the next steps are a new trial. Then
 * 1/(RETRIAL_FACTOR + 1) of the training time is trials, about half of it on the side a trial finds slower. A pool
 * verdict is tried again sooner, after any held piece (at most an eighth of the hold) in which the pool ran slower per
 * step than the calling thread did in the trial.
 */
import type { ThreadPool } from '../backends/threads.js';
import { threadsAlwaysForTest, threadsPay } from './threads.js';

/** Milliseconds each trial phase runs at least (four phases: one thread, pool, one thread, pool). */
export const TRIAL_PHASE_MS = 1.5;
/** Pieces each trial phase runs at least. */
const MIN_PIECES = 4;
/** A piece this long (ms) stops doubling: its round trip is already a small part of it. */
const BIG_PIECE_MS = 10;
/** A verdict holds until its side has trained this many times the trial's milliseconds; then a new trial. */
export const RETRIAL_FACTOR = 32;
/**
 * A pool phase ends early once even its fastest piece, spread over the largest piece the phase can still reach, costs
 * this many times the calling thread's best per-step time: the pool cannot win that phase (cutPool).
 */
export const POOL_CUT_FACTOR = 4;

type Side = 'one' | 'pool';
const PHASES: readonly Side[] = ['one', 'pool', 'one', 'pool'];

export class ThreadChoice {
  private phase = 0;
  private phaseMs = 0;
  /** the current phase's pieces: steps, ms, steps, ms, ... */
  private readonly pieces: number[] = [];
  private best: Record<Side, number> = { one: Infinity, pool: Infinity };
  /** the current trial's milliseconds, both sides */
  private trialMs = 0;
  /** milliseconds the verdict's side has trained since the verdict */
  private sinceMs = 0;
  /** the verdict's side's last measured milliseconds per step */
  private lastPer = 0;
  /** no trial was run (too little work, or the test hook): the verdict holds for good */
  private readonly fixed: boolean;
  /** null while a trial runs; then whether the pool takes part */
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
    this.fixed = this.verdict !== null;
  }

  /**
   * Records `ms` that the verdict's side trained outside runSync/runAsync (trainAsync runs the calling thread's
   * steps in its own slices); a new trial starts once the verdict has held long enough.
   */
  spent(ms: number): void {
    if (this.verdict === null || this.fixed) return;
    this.sinceMs += ms;
    if (this.sinceMs >= RETRIAL_FACTOR * this.trialMs) this.retrial();
  }

  /** Starts a new trial with the next steps. */
  private retrial(): void {
    this.verdict = null;
    this.phase = 0;
    this.phaseMs = 0;
    this.pieces.length = 0;
    this.best = { one: Infinity, pool: Infinity };
    this.trialMs = 0;
    this.sinceMs = 0;
  }

  /**
   * How many of `left` steps the verdict's side runs next (all of them when fixed): up to the next trial, in pieces of
   * at most an eighth of the hold, sized from the side's last per-step time (it may have changed since the trial).
   */
  private held(left: number): number {
    // (a clock too coarse to see the steps measured 0: no estimate, so the whole call)
    if (this.fixed || !(this.lastPer > 0)) return left;
    const hold = RETRIAL_FACTOR * this.trialMs;
    const ms = Math.min(hold / 8, hold - this.sinceMs);
    return Math.max(1, Math.min(left, Math.ceil(ms / this.lastPer)));
  }

  /**
   * Times `n` steps of the verdict's side. A pool whose held piece ran slower per step than the calling thread's best
   * in the trial has lost what the trial measured (another process took a core): the next steps are a new trial at
   * once, not after the whole hold. The calling thread's side needs no such check: load that slows it slows the pool more.
   */
  private heldRun(n: number, ms: number): void {
    this.lastPer = ms / n;
    this.spent(ms);
    if (this.verdict === true && !this.fixed && this.lastPer > this.best.one) this.retrial();
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

  /**
   * Whether the current pool phase can stop before MIN_PIECES pieces because it cannot beat the calling thread. A piece
   * of n steps costs a round trip plus n steps (both ≥ 0; an interruption only adds), so a piece of m steps that took
   * ms puts every piece of up to N ≥ m steps at ≥ ms / N per step. Once the phase has its TRIAL_PHASE_MS, its pieces
   * only double up to the MIN_PIECES-th, so N is known; when the bound from its fastest piece (two at least, so one
   * interrupted piece does not decide) is POOL_CUT_FACTOR times the calling thread's best, the remaining pieces could
   * not change the verdict. Where the workers' steps cost far more than the calling thread's (cold or starved workers,
   * tiny steps) this saves most of the trial's time.
   */
  private cutPool(): boolean {
    const count = this.pieces.length / 2;
    if (count < 2 || count >= MIN_PIECES || this.phaseMs < TRIAL_PHASE_MS || !(this.best.one < Infinity)) return false;
    const nMax = this.pieces[this.pieces.length - 2]! * 2 ** (MIN_PIECES - count);
    let fastest = Infinity;
    for (let i = 1; i < this.pieces.length; i += 2) fastest = Math.min(fastest, this.pieces[i]!);
    return fastest / nMax >= POOL_CUT_FACTOR * this.best.one;
  }

  private record(side: Side, steps: number, ms: number): void {
    this.phaseMs += ms;
    this.trialMs += ms;
    this.pieces.push(steps, ms);
    const cut = side === 'pool' && this.cutPool();
    if (!cut && (this.phaseMs < TRIAL_PHASE_MS || this.pieces.length < 2 * MIN_PIECES)) return;
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
    if (this.phase === PHASES.length) {
      this.verdict = this.best.pool < this.best.one;
      this.lastPer = this.verdict ? this.best.pool : this.best.one;
    }
  }

  /** Runs steps first..first+count: trial pieces while undecided, then the chosen side's (up to the next trial). */
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
        const n = this.held(end - f);
        const t0 = this.now();
        (this.verdict ? pooled : one)(f, n);
        this.heldRun(n, this.now() - t0);
        f += n;
        continue;
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
        const n = this.held(end - f);
        const t0 = this.now();
        if (this.verdict) await pooled(f, n);
        else one(f, n);
        this.heldRun(n, this.now() - t0);
        f += n;
        continue;
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
