/**
 * Whether the worker threads take part (src/net/thread-choice.ts): the timed trial on a network's first steps runs
 * every step exactly once and in order, picks the side whose best phase was faster, and a network that trains with
 * threads: 2 under the default threshold (so with the trial) gives the 1-thread bits whichever side won.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Network } from '../src/network.js';
import { RETRIAL_FACTOR, ThreadChoice, TRIAL_PHASE_MS, setMinThreadWorkForTest } from '../src/internal/index.js';
import { paramBits } from './helpers/data.js';

/** A fake clock that each run advances by `per.one` / `per.pool` ms per step of its side (the test may change them). */
function scripted(onePerStep: number, poolPerStep: number) {
  let t = 0;
  const per = { one: onePerStep, pool: poolPerStep };
  const ran: { side: 'one' | 'pool'; first: number; count: number }[] = [];
  const choice = new ThreadChoice(true, false, () => t);
  const one = (first: number, count: number): void => {
    ran.push({ side: 'one', first, count });
    t += count * per.one;
  };
  const pool = (first: number, count: number): void => {
    ran.push({ side: 'pool', first, count });
    t += count * per.pool;
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

  it('a verdict holds for RETRIAL_FACTOR times the trial; then a new trial, which follows a change of load', () => {
    const s = scripted(0.05, 0.02);
    let first = 0;
    // one step a call, so that the trial ends with a call
    while (s.choice.verdict === null) s.choice.runSync(first++, 1, s.one, s.pool);
    expect(s.choice.verdict).toBe(true);
    const trialMs = s.now();
    // the machine gets busy: the pool is now the slower side
    s.per.pool = 0.2;
    const at = s.ran.length;
    while (s.choice.verdict === true) {
      s.choice.runSync(first, 100, s.one, s.pool);
      first += 100;
      expect(first).toBeLessThan(1e6);
    }
    // the pool kept the verdict for RETRIAL_FACTOR × the trial's ms (up to one call's steps more), then a new trial
    // (one, pool, one, pool) found the calling thread faster
    const held = s.ran.slice(at).findIndex((r) => r.side === 'one');
    const heldMs = s.ran.slice(at, at + held).reduce((a, r) => a + r.count * 0.2, 0);
    expect(heldMs).toBeGreaterThanOrEqual(RETRIAL_FACTOR * trialMs);
    expect(heldMs).toBeLessThan(RETRIAL_FACTOR * trialMs + 100 * 0.2);
    while (s.choice.verdict === null) {
      s.choice.runSync(first, 100, s.one, s.pool);
      first += 100;
    }
    expect(s.choice.verdict).toBe(false);
    expect(sideChanges(s.ran.slice(at + held)).slice(0, 5)).toEqual(['one', 'pool', 'one', 'pool', 'one']);
    expect(covered(s.ran, 0)).toBe(first);

    // time the calling thread trains outside runSync (trainAsync's slices) counts towards the next trial too
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
