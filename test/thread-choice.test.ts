/**
 * Whether the worker threads take part (src/net/thread-choice.ts): the timed trial on a network's first steps runs
 * every step exactly once and in order, picks the side whose best phase was faster, and a network that trains with
 * threads: 2 under the default threshold (so with the trial) gives the 1-thread bits whichever side won.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Network } from '../src/network.js';
import {
  POOL_CUT_FACTOR,
  RETRIAL_FACTOR,
  ThreadChoice,
  TRIAL_PHASE_MS,
  setMinThreadWorkForTest,
} from '../src/internal/index.js';
import { paramBits } from './helpers/data.js';

/**
 * A fake clock that each run advances by `per.one` / `per.pool` ms per step of its side, and a pool run also by
 * `per.trip` ms (the command's round trip); the test may change them.
 */
function scripted(onePerStep: number, poolPerStep: number, poolTrip = 0) {
  let t = 0;
  const per = { one: onePerStep, pool: poolPerStep, trip: poolTrip };
  const ran: { side: 'one' | 'pool'; first: number; count: number; trial?: true }[] = [];
  const choice = new ThreadChoice(true, false, () => t);
  const one = (first: number, count: number): void => {
    ran.push({ side: 'one', first, count, ...(choice.verdict === null && { trial: true as const }) });
    t += count * per.one;
  };
  const pool = (first: number, count: number): void => {
    ran.push({ side: 'pool', first, count, ...(choice.verdict === null && { trial: true as const }) });
    t += per.trip + count * per.pool;
  };
  return { choice, ran, one, pool, per, now: () => t };
}

/** The sides of consecutive runs, each change of side once. */
const sideChanges = (ran: { side: 'one' | 'pool' }[]): ('one' | 'pool')[] =>
  ran.map((r) => r.side).filter((v, i, a) => i === 0 || a[i - 1] !== v);

/** The pieces cover first..first+count contiguously, each step once. */
function covered(ran: { first: number; count: number }[], first: number): number {
  let f = first;
  for (const r of ran) {
    expect(r.first).toBe(f);
    expect(r.count).toBeGreaterThan(0);
    f += r.count;
  }
  return f - first;
}

describe('ThreadChoice', () => {
  it('keeps the calling thread when the pool is slower per step, the pool when it is faster; every step runs once', () => {
    for (const [onePer, poolPer, want] of [
      [0.01, 0.05, false],
      [0.05, 0.02, true],
    ] as const) {
      const s = scripted(onePer, poolPer);
      expect(s.choice.verdict).toBeNull();
      s.choice.runSync(7, 5000, s.one, s.pool);
      expect(covered(s.ran, 7)).toBe(5000);
      expect(s.choice.verdict).toBe(want);
      // the four phases ran in order (one, pool, one, pool) before the verdict, each at least TRIAL_PHASE_MS
      const sides = s.ran.map((r) => r.side).filter((v, i, a) => i === 0 || a[i - 1] !== v);
      expect(sides.slice(0, 4)).toEqual(['one', 'pool', 'one', 'pool']);
      const m = s.choice.measured();
      expect(m.oneMs).toBeCloseTo(onePer, 12);
      expect(m.poolMs).toBeCloseTo(poolPer, 12);
      // after the verdict a call runs all its steps in one piece on the chosen side
      const before = s.ran.length;
      s.choice.runSync(0, 100, s.one, s.pool);
      expect(s.ran.slice(before)).toEqual([{ side: want ? 'pool' : 'one', first: 0, count: 100 }]);
    }
  });

  it('a trial spans calls (an epoch of a few steps per call) and decides once it has measured every phase', async () => {
    const s = scripted(0.2, 0.5);
    let first = 0,
      calls = 0;
    while (s.choice.verdict === null) {
      await s.choice.runAsync(first, 5, s.one, async (f, c) => s.pool(f, c));
      first += 5;
      calls++;
      expect(calls).toBeLessThan(1000);
    }
    expect(covered(s.ran, 0)).toBe(first);
    expect(s.choice.verdict).toBe(false);
    // 4 phases of at least TRIAL_PHASE_MS at 0.2 / 0.5 ms a step, each phase ending within one call of its budget
    expect(first).toBeLessThanOrEqual(2 * (TRIAL_PHASE_MS / 0.2 + TRIAL_PHASE_MS / 0.5) + 4 * 5);
  });

  it('a pool phase that cannot win stops after two pieces; one that might win runs all its pieces', () => {
    /**
     * The uncut phase: pieces 1, 2, 4, ... until TRIAL_PHASE_MS and 4 pieces; its per-step time (the largest piece
     * decides) and its pieces.
     */
    const uncutPool = (trip: number, per: number): { per: number; pieces: number } => {
      let n = 1,
        ms = 0,
        pieces = 0;
      for (;;) {
        const piece = trip + n * per;
        ms += piece;
        pieces++;
        if (ms >= TRIAL_PHASE_MS && pieces >= 4) return { per: piece / n, pieces };
        if (piece < 10) n *= 2;
      }
    };
    for (const onePer of [0.01, 0.3])
      for (const trip of [0, 0.2, 1, 5, 40])
        for (const poolPer of [0.001, 0.05, 0.2, 0.5, 2]) {
          const s = scripted(onePer, poolPer, trip);
          let first = 0;
          for (; s.choice.verdict === null; first += 5000) s.choice.runSync(first, 5000, s.one, s.pool);
          expect(covered(s.ran, 0)).toBe(first);
          // the same verdict as the whole phases would give (the fake clock has no noise: both pool phases alike)
          const uncut = uncutPool(trip, poolPer);
          const what = `one ${onePer}, pool ${trip} + ${poolPer}/step`;
          expect(s.choice.verdict, what).toBe(uncut.per < onePer);
          // the first trial's pieces: up to the first held piece (a re-trial may follow within the last call)
          const held = s.ran.findIndex((r) => !r.trial);
          const poolPieces = s.ran.slice(0, held < 0 ? undefined : held).filter((r) => r.side === 'pool').length;
          // two pieces (1 and 2 steps) that took TRIAL_PHASE_MS, the faster of them over the 8 steps of the 4th piece
          // already POOL_CUT_FACTOR × the calling thread's: each pool phase stops there
          const cutAtTwo = 2 * trip + 3 * poolPer >= TRIAL_PHASE_MS && (trip + poolPer) / 8 >= POOL_CUT_FACTOR * onePer;
          if (cutAtTwo) expect(poolPieces, what).toBe(4);
          else expect(poolPieces, what).toBeGreaterThanOrEqual(6);
          expect(poolPieces, what).toBeLessThanOrEqual(2 * uncut.pieces);
        }
  });

  it('a cold pool (the Iris-sized network on a browser engine: ms per pool step) costs two pieces a phase', async () => {
    // per step: calling thread 0.015 ms, pool 1.5 ms plus a 2 ms round trip; trainAsync's spans are one epoch (5 steps)
    const s = scripted(0.015, 1.5, 2);
    let first = 0;
    while (s.choice.verdict === null) {
      await s.choice.runAsync(first, 5, s.one, async (f, c) => s.pool(f, c));
      first += 5;
    }
    expect(s.choice.verdict).toBe(false);
    expect(s.ran.filter((r) => r.side === 'pool').map((r) => r.count)).toEqual([1, 2, 1, 2]);
    expect(s.choice.measured().poolMs).toBeCloseTo((2 + 2 * 1.5) / 2, 12);
  });

  it('no trial below MIN_THREAD_WORK (the calling thread) or under the test hook (the pool), however long it trains', () => {
    for (const [pays, always, side] of [
      [false, false, 'one'],
      [true, true, 'pool'],
    ] as const) {
      let t = 0;
      const c = new ThreadChoice(pays, always, () => t);
      expect(c.verdict).toBe(side === 'pool');
      const ran: string[] = [];
      const go = (s: string) => (_f: number, n: number) => {
        ran.push(s);
        t += n;
      };
      for (let i = 0; i < 10; i++) c.runSync(0, 1000, go('one'), go('pool'));
      c.spent(1e9);
      c.runSync(0, 1000, go('one'), go('pool'));
      expect(ran).toEqual(Array.from({ length: 11 }, () => side));
    }
  });

  it('a verdict holds for RETRIAL_FACTOR times the trial while its side keeps its speed; then a new trial', () => {
    for (const [onePer, poolPer, want] of [
      [0.05, 0.02, true],
      [0.01, 0.05, false],
    ] as const) {
      const s = scripted(onePer, poolPer);
      let first = 0;
      // one step a call, so that the trial ends with a call
      while (s.choice.verdict === null) s.choice.runSync(first++, 1, s.one, s.pool);
      expect(s.choice.verdict).toBe(want);
      const trialMs = s.now();
      const at = s.ran.length;
      while (s.choice.verdict === want) {
        s.choice.runSync(first, 100, s.one, s.pool);
        first += 100;
        expect(first).toBeLessThan(1e6);
      }
      // held for RETRIAL_FACTOR × the trial's ms (up to one piece more), every held piece on the verdict's side; the
      // last call went on with the new trial's pieces
      const held = s.ran.slice(at).filter((r) => !r.trial);
      expect(held.every((r) => r.side === (want ? 'pool' : 'one'))).toBe(true);
      const heldMs = held.reduce((a, r) => a + r.count * (want ? poolPer : onePer), 0);
      expect(heldMs).toBeGreaterThanOrEqual(RETRIAL_FACTOR * trialMs);
      expect(heldMs).toBeLessThan(RETRIAL_FACTOR * trialMs + 100 * Math.max(onePer, poolPer));
      expect(s.ran.slice(at + held.length).every((r) => r.trial)).toBe(true);
      expect(covered(s.ran, 0)).toBe(first);
    }
  });

  it('a pool verdict whose pool falls behind the calling thread is tried again after one piece, and the trial follows the load', () => {
    const s = scripted(0.05, 0.02);
    let first = 0;
    while (s.choice.verdict === null) s.choice.runSync(first++, 1, s.one, s.pool);
    expect(s.choice.verdict).toBe(true);
    const trialMs = s.now();
    // a little slower but still faster than the calling thread was: the verdict holds
    s.per.pool = 0.04;
    s.choice.runSync(first, 100, s.one, s.pool);
    first += 100;
    expect(s.choice.verdict).toBe(true);
    // the machine gets busy: the pool is now slower than the calling thread was in the trial
    s.per.pool = 0.2;
    const at = s.ran.length;
    s.choice.runSync(first, 100, s.one, s.pool);
    first += 100;
    expect(s.ran.slice(at)).toEqual([{ side: 'pool', first: first - 100, count: 100 }]);
    expect(s.choice.verdict).toBeNull();
    expect(s.now()).toBeLessThan(RETRIAL_FACTOR * trialMs); // long before the hold would have ended
    while (s.choice.verdict === null) {
      s.choice.runSync(first, 100, s.one, s.pool);
      first += 100;
    }
    // the new trial (one, pool, one, pool) found the calling thread faster
    expect(s.choice.verdict).toBe(false);
    expect(sideChanges(s.ran.slice(at + 1)).slice(0, 5)).toEqual(['one', 'pool', 'one', 'pool', 'one']);
    expect(covered(s.ran, 0)).toBe(first);
    // a calling-thread verdict is not tried again early when its steps slow down (the pool would slow down more)
    s.per.one = 0.5;
    s.choice.runSync(first, 10, s.one, s.pool);
    expect(s.choice.verdict).toBe(false);
  });

  it('time the calling thread trains outside runSync (trainAsync slices) counts towards the next trial', () => {
    const c = scripted(0.01, 0.05);
    let f = 0;
    while (c.choice.verdict === null) c.choice.runSync(f++, 1, c.one, c.pool);
    expect(c.choice.verdict).toBe(false);
    c.choice.spent(RETRIAL_FACTOR * c.now() * 0.99);
    expect(c.choice.verdict).toBe(false);
    c.choice.spent(RETRIAL_FACTOR * c.now() * 0.02);
    expect(c.choice.verdict).toBeNull();
  });
});

describe('threads: 2 with the trial', () => {
  afterEach(() => setMinThreadWorkForTest(0));

  it.each(['js', 'assemblyscript', 'rust'] as const)(
    '%s: an Iris-sized network trains to the 1-thread bits (train and trainAsync)',
    async (backend) => {
      setMinThreadWorkForTest(null); // the default threshold: 32 × (4·10 + 10·3) = 2,240 multiply-adds a step, so a trial
      const opts = {
        layers: [4, 10, 3],
        seed: 3,
        outputActivation: 'softmax' as const,
        loss: 'cross-entropy' as const,
        backend,
      };
      const x = Array.from({ length: 150 }, (_, i) => [i % 7, (i * 3) % 11, (i * 5) % 13, i % 2]);
      const y = x.map((_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0]);
      const train = { epochs: 60, learningRate: 0.01, batchSize: 32 };
      const one = await Network.create(opts);
      const two = await Network.create({ ...opts, threads: 2 });
      try {
        expect(two.threads).toBe(2);
        const a = two.train(x, y, train),
          b = one.train(x, y, train);
        expect(a.losses).toEqual(b.losses);
        const c = await two.trainAsync(x, y, train),
          d = await one.trainAsync(x, y, train);
        expect(c.losses).toEqual(d.losses);
        expect(paramBits(two.getParameters())).toEqual(paramBits(one.getParameters()));
      } finally {
        one.dispose();
        two.dispose();
      }
    },
  );
});
