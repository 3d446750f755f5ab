/** The playground's URL state (examples/playground/state.js) and seeded data sets (data.js), outside a browser. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'playground');
type State = Record<string, unknown> & { points: number; split: number; batchSize: number; layers: number[] };
type SetData = { x: Float64Array; labels: Uint8Array };
// plain browser ES modules (no build step); loaded through computed specifiers, typed here
const stateModule = path.join(DIR, 'state.js');
const dataModule = path.join(DIR, 'data.js');
const { parseHash, formatHash, defaults } = (await import(stateModule)) as {
  parseHash(h: string): { state: State; problems: string[] };
  formatHash(s: State): string;
  defaults(): State;
};
const { makeData, DATASETS } = (await import(dataModule)) as {
  makeData(o: { dataset: string; points: number; noise: number; split: number; seed: number }): { train: SetData; test: SetData };
  DATASETS: string[];
};

describe('playground URL state', () => {
  it('reads the test link and writes a canonical hash that reads back the same', () => {
    const { state, problems } = parseHash('#dataset=spiral&layers=8,8&activation=tanh&optimizer=adam&learningRate=0.03&seed=1&autostart=1');
    expect(problems).toEqual([]);
    expect(state).toMatchObject({ dataset: 'spiral', layers: [8, 8], activation: 'tanh', optimizer: 'adam', learningRate: 0.03, seed: 1, autostart: 1 });
    const again = parseHash(formatHash(state));
    expect(again.problems).toEqual([]);
    expect(again.state).toEqual(state);
    expect(formatHash(state)).toContain('layers=8,8');
  });

  it('keeps full float64 precision of numbers in the hash', () => {
    const { state } = parseHash('#learningRate=0.030000000000000002');
    expect(state.learningRate).toBe(0.030000000000000002);
    expect(parseHash(formatHash(state)).state.learningRate).toBe(0.030000000000000002);
  });

  it('replaces a bad value by its default and says what was expected and received', () => {
    const { state, problems } = parseHash('#dataset=moons&noise=2&layers=8,x&threads=1.5&foo=1&batchSize=900&points=100');
    expect(state).toMatchObject({ dataset: defaults().dataset, noise: 0, layers: [8, 8], threads: 1, batchSize: 100 });
    expect(problems.join('\n')).toMatch(/dataset: expected circle\|xor\|gaussians\|spiral, received 'moons'/);
    expect(problems.join('\n')).toMatch(/noise: expected a number in \[0, 0.5\], received '2'/);
    expect(problems.join('\n')).toMatch(/layers: expected .* received '8,x'/);
    expect(problems.join('\n')).toMatch(/threads: expected an integer in \[1, 16\], received '1.5'/);
    expect(problems.join('\n')).toMatch(/unknown key 'foo'/);
    expect(problems.join('\n')).toMatch(/batchSize 900 is larger than points 100/);
  });
});

describe('playground data sets', () => {
  it.each(DATASETS)('%s: seeded, split as asked, both labels present, inside the drawn square', (dataset) => {
    const opts = { dataset, points: 400, noise: 0.2, split: 0.7, seed: 7 };
    const a = makeData(opts), b = makeData(opts), c = makeData({ ...opts, seed: 8 });
    expect(a.train.labels.length).toBe(280);
    expect(a.test.labels.length).toBe(120);
    expect(a.train.x).toEqual(b.train.x);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(a.train.x).not.toEqual(c.train.x);
    const all = [...a.train.labels, ...a.test.labels];
    const ones = all.filter((l) => l === 1).length;
    expect(ones).toBeGreaterThan(100);
    expect(ones).toBeLessThan(300);
    for (const v of [...a.train.x, ...a.test.x]) expect(Math.abs(v)).toBeLessThan(dataset === 'gaussians' ? 12 : 7);
  });
});
