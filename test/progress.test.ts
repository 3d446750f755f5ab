/** fastnn/progress: one updating line on a TTY, plain lines elsewhere; driven by a real train() call's onEpoch. */
import { describe, expect, it } from 'vitest';
import { Network } from '../src/index.js';
import { formatDuration, formatRate, progress } from '../src/progress.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const out: string[] = [];
  return {
    out,
    stream: {
      isTTY,
      columns,
      write: (s: string) => {
        out.push(s);
        return true;
      },
    },
  };
}

/** A clock that advances `stepMs` every time it is read after the first. */
function clock(stepMs: number): () => number {
  let t = 0,
    first = true;
  return () => {
    if (first) {
      first = false;
      return 0;
    }
    t += stepMs;
    return t;
  };
}

describe('progress', () => {
  it('prints one plain line per epoch with loss, samples/s, elapsed and ETA when not a TTY', () => {
    const { out, stream } = fakeStream(false);
    const p = progress({ epochs: 4, samplesPerEpoch: 1000, label: 'xor', stream, now: clock(500) });
    for (let e = 0; e < 4; e++) p.onEpoch({ epoch: e, loss: 1 / (e + 1) });
    p.done();
    expect(out).toHaveLength(4);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(out[0]).toBe('xor  epoch 1/4  loss 1.00000  2000 samples/s  elapsed 0.5 s  ETA 1.5 s\n');
    expect(out[3]).toBe('xor  epoch 4/4  loss 0.250000  2000 samples/s  elapsed 2.0 s\n');
  });

  it('keeps one line up to date on a TTY (carriage return, bar, throttled) and ends it with a newline', () => {
    const { out, stream } = fakeStream(true, 200);
    const p = progress({ epochs: 10, samplesPerEpoch: 100, stream, now: clock(30), ttyIntervalMs: 100 });
    for (let e = 0; e < 10; e++) p.onEpoch({ epoch: e, loss: 0.5, validationAccuracy: 0.9 });
    p.done();
    const text = out.join('');
    expect(text.split('\n')).toHaveLength(2); // one line, then the final newline
    expect(text.endsWith('\n')).toBe(true);
    const draws = out.filter((s) => s.startsWith('\r'));
    expect(draws.length).toBeGreaterThan(1);
    expect(draws.length).toBeLessThan(10); // throttled: 30 ms per epoch, at most one draw per 100 ms (+ the last)
    expect(draws.at(-1)).toContain('epoch 10/10  [####################]');
    expect(draws.at(-1)).toContain('val acc 90.00%');
    expect(draws[0]).toContain('ETA');
    expect(draws.every((s) => s.endsWith('\x1b[K'))).toBe(true);
  });

  it('cuts the TTY line to the terminal width', () => {
    const { out, stream } = fakeStream(true, 30);
    const p = progress({ epochs: 3, stream, now: clock(200) });
    p.update({ epoch: 0, loss: 0.123456789 }, 'a long extra note that does not fit');
    p.done();
    expect(out[0]!.length).toBe(1 + 29 + 3);
  });

  it('draws a line that was throttled when done() is called', () => {
    const { out, stream } = fakeStream(false);
    const p = progress({ stream, now: clock(10), plainIntervalMs: 1000 });
    p.update({ epoch: 0, loss: 2 });
    p.update({ epoch: 1, loss: 1 });
    expect(out).toHaveLength(1);
    p.done('finished');
    expect(out).toEqual([
      expect.stringContaining('epoch 1  loss 2.00000'),
      expect.stringContaining('epoch 2  loss 1.00000'),
      'finished\n',
    ]);
    expect(() => p.update({ epoch: 2, loss: 1 })).toThrow('update() after done()');
  });

  it('works as TrainOptions.onEpoch of a real training run', async () => {
    const net = await Network.create({ layers: [2, 3, 1], seed: 1 });
    const { out, stream } = fakeStream(false);
    const p = progress({ epochs: 5, samplesPerEpoch: 4, stream });
    const x = [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      y = [[0], [1], [1], [0]];
    const r = net.train(x, y, { epochs: 5, learningRate: 0.5, batchSize: 2, onEpoch: p.onEpoch });
    p.done();
    expect(out).toHaveLength(5);
    expect(out[4]).toContain(`epoch 5/5  loss ${r.losses[4]!.toPrecision(6)}`);
    net.dispose();
  });

  it('formats durations and rates', () => {
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(59_600)).toBe('60 s');
    expect(formatDuration(119_999)).toBe('1 min 59 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
    expect(formatRate(950.4)).toBe('950');
    expect(formatRate(12_345)).toBe('12.3k');
    expect(formatRate(1_250_000)).toBe('1.25M');
  });
});
