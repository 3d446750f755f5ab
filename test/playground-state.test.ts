/**
 * The playground's URL state (examples/playground/state.js), seeded data sets (data.js), input features
 * (features.js) and learning-rate schedules (schedule.js), outside a browser.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { schedules } from '../src/index.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'playground');
type State = Record<string, unknown> & {
  points: number;
  split: number;
  batchSize: number;
  layers: number[];
  features: string[];
};
type SetData = { x: Float64Array; labels: Uint8Array | Float64Array };
type Schedule = { learningRate: number; schedule: string; decay: number; decayEpochs: number; warmup: number };
// plain browser ES modules (no build step); loaded through computed specifiers, typed here
const stateModule = path.join(DIR, 'state.js');
const dataModule = path.join(DIR, 'data.js');
const { parseHash, formatHash, defaults } = (await import(stateModule)) as {
  parseHash: (h: string) => { state: State; problems: string[] };
  formatHash: (s: State) => string;
  defaults: () => State;
};
const { makeData, DATASETS, PROBLEMS } = (await import(dataModule)) as {
  makeData: (o: { dataset: string; points: number; noise: number; split: number; seed: number }) => {
    train: SetData;
    test: SetData;
  };
  DATASETS: string[];
  PROBLEMS: Record<string, string[]>;
};
const { featurize, FEATURE_KEYS } = (await import(path.join(DIR, 'features.js'))) as {
  featurize: (points: Float64Array, keys: readonly string[]) => Float64Array;
  FEATURE_KEYS: string[];
};
const { scheduleFor, isConstant, SCHEDULES } = (await import(path.join(DIR, 'schedule.js'))) as {
  scheduleFor: (s: Schedule, stepsPerEpoch: number, lib: typeof schedules) => (step: number) => number;
  isConstant: (s: Schedule) => boolean;
  SCHEDULES: string[];
};

describe('playground URL state', () => {
  it('reads the test link and writes a canonical hash that reads back the same', () => {
    const { state, problems } = parseHash(
      '#dataset=spiral&layers=8,8&activation=tanh&optimizer=adam&learningRate=0.03&seed=1&autostart=1',
    );
    expect(problems).toEqual([]);
    expect(state).toMatchObject({
      dataset: 'spiral',
      layers: [8, 8],
      activation: 'tanh',
      optimizer: 'adam',
      learningRate: 0.03,
      seed: 1,
      autostart: 1,
    });
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
    const { state, problems } = parseHash(
      '#dataset=moons&noise=2&layers=8,x&threads=1.5&foo=1&batchSize=900&points=100',
    );
    expect(state).toMatchObject({ dataset: defaults().dataset, noise: 0, layers: [8, 8], threads: 1, batchSize: 100 });
    expect(problems.join('\n')).toMatch(
      /dataset: expected circle\|xor\|gaussians\|spiral\|plane\|multi-gaussian, received 'moons'/,
    );
    expect(problems.join('\n')).toMatch(/noise: expected a number in \[0, 0.5\], received '2'/);
    expect(problems.join('\n')).toMatch(/layers: expected .* received '8,x'/);
    expect(problems.join('\n')).toMatch(/threads: expected an integer in \[1, 16\], received '1.5'/);
    expect(problems.join('\n')).toMatch(/unknown key 'foo'/);
    expect(problems.join('\n')).toMatch(/batchSize 900 is larger than points 100/);
  });
});

describe('playground URL state: the training controls, features, problem type and data seed', () => {
  it('reads and writes every new key, and a canonical hash reads back the same', () => {
    const hash =
      '#problem=regression&dataset=plane&dataSeed=7&features=sinx2,x1,x1x2&layers=4&dropout=0.2&optimizer=adamw' +
      '&schedule=step&decayEpochs=50&decay=0.5&warmup=10&weightDecay=0.001&clipNorm=1.5';
    const { state, problems } = parseHash(hash);
    expect(problems).toEqual([]);
    expect(state).toMatchObject({
      problem: 'regression',
      dataset: 'plane',
      dataSeed: 7,
      features: ['x1', 'x1x2', 'sinx2'],
      layers: [4],
      loss: 'mse',
      dropout: 0.2,
      optimizer: 'adamw',
      schedule: 'step',
      decayEpochs: 50,
      decay: 0.5,
      warmup: 10,
      weightDecay: 0.001,
      clipNorm: 1.5,
    });
    const again = parseHash(formatHash(state));
    expect(again.problems).toEqual([]);
    expect(again.state).toEqual(state);
    expect(formatHash(state)).toContain('&features=x1,x1x2,sinx2&');
  });

  it('defaults: the showcase link trains with a cosine schedule, no dropout, no clipping, no weight decay', () => {
    const { state } = parseHash(
      '#dataset=spiral&layers=8,8&activation=tanh&optimizer=adam&learningRate=0.03&seed=1&autostart=1',
    );
    expect(state).toMatchObject({
      problem: 'classification',
      schedule: 'cosine',
      decayEpochs: 500,
      decay: 0.1,
      warmup: 0,
      dropout: 0,
      clipNorm: 0,
      weightDecay: 0,
      features: ['x1', 'x2'],
      dataSeed: null,
    });
    expect(formatHash(state)).toContain('&dataSeed=&');
  });

  it('a data set implies its problem type; a mismatch or a classification loss for regression is reported', () => {
    expect(DATASETS).toEqual([...PROBLEMS.classification!, ...PROBLEMS.regression!]);
    expect(parseHash('#dataset=multi-gaussian').state).toMatchObject({ problem: 'regression', loss: 'mse' });
    const a = parseHash('#problem=regression&dataset=spiral');
    expect(a.state.dataset).toBe(PROBLEMS.regression![0]);
    expect(a.problems.join('\n')).toMatch(
      /dataset 'spiral' is not a regression data set \(expected plane\|multi-gaussian\)/,
    );
    const b = parseHash('#problem=regression&loss=cross-entropy');
    expect(b.state.loss).toBe('mse');
    expect(b.problems.join('\n')).toMatch(/loss 'cross-entropy' is for classification; regression trains with mse/);
  });

  it('bad features, schedules and control values fall back to the default with a message', () => {
    const { state, problems } = parseHash(
      '#features=x1,x3&schedule=linear&dropout=1&clipNorm=-1&decay=0&dataSeed=1.5&warmup=2.5',
    );
    expect(state).toMatchObject({
      features: ['x1', 'x2'],
      schedule: 'cosine',
      dropout: 0,
      clipNorm: 0,
      decay: 0.1,
      dataSeed: null,
      warmup: 0,
    });
    const text = problems.join('\n');
    expect(text).toMatch(
      /features: expected one or more of x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2, each once, received 'x1,x3'/,
    );
    expect(text).toMatch(/schedule: expected constant\|step\|exponential\|cosine, received 'linear'/);
    expect(text).toMatch(/dropout: expected a number in \[0, 0.9\], received '1'/);
    expect(text).toMatch(/clipNorm: expected a number in \[0, 1000000\], received '-1'/);
    expect(text).toMatch(/dataSeed: expected an integer in \[0, 4294967295\] or nothing, received '1.5'/);
    expect(parseHash('#features=x1,x1').problems.join()).toMatch(/each once/);
    expect(parseHash('#features=').problems.join()).toMatch(/one or more/);
  });
});

describe('playground features', () => {
  it('computes each feature from (x1, x2), in the order asked', () => {
    const pts = Float64Array.from([1.5, -2, 0.25, 3]);
    const rows = featurize(pts, FEATURE_KEYS);
    const want = (a: number, b: number) => [a, b, a * a, b * b, a * b, Math.sin(a), Math.sin(b)];
    expect(Array.from(rows)).toEqual([...want(1.5, -2), ...want(0.25, 3)]);
    expect(Array.from(featurize(pts, ['x2', 'x1x2']))).toEqual([-2, -3, 3, 0.75]);
    expect(() => featurize(pts, ['x3'])).toThrow(/unknown feature 'x3'/);
  });
});

describe('playground learning-rate schedules: the page settings mapped onto fastnn schedules', () => {
  const base = { learningRate: 0.03, decay: 0.1, decayEpochs: 10, warmup: 0 };
  const S = 4; // steps per epoch

  /** scheduleFor with a `schedules` that records which helper it called with which options and returns its result */
  function mapped(s: Schedule) {
    const calls: { helper: string; options: unknown; result: (step: number) => number }[] = [];
    const spy = Object.fromEntries(
      Object.entries(schedules).map(([helper, f]) => [
        helper,
        (options: never) => {
          const result = f(options);
          calls.push({ helper, options, result });
          return result;
        },
      ]),
    ) as unknown as typeof schedules;
    const fn = scheduleFor(s, S, spy);
    expect(calls).toHaveLength(1);
    expect(fn).toBe(calls[0]!.result); // the library's function itself, not a wrapper
    return { helper: calls[0]!.helper, options: calls[0]!.options, fn };
  }

  it.each([
    ['cosine', 0, 'cosine', { initial: 0.03, final: 0.03 * 0.1, steps: 10 * S, warmup: 0 }],
    ['cosine', 2, 'cosine', { initial: 0.03, final: 0.03 * 0.1, steps: 10 * S, warmup: 2 * S }],
    ['step', 3, 'step', { initial: 0.03, every: 10 * S, factor: 0.1, warmup: 3 * S }],
    ['exponential', 0, 'exponential', { initial: 0.03, decay: 0.1, every: 10 * S, warmup: 0 }],
    ['constant', 0, 'constant', 0.03],
    ['constant', 2, 'exponential', { initial: 0.03, decay: 1, warmup: 2 * S }],
  ] as const)('%s with %i warm-up epochs: schedules.%s(%j)', (schedule, warmup, helper, options) => {
    const m = mapped({ ...base, schedule, warmup });
    expect(m.helper).toBe(helper);
    expect(m.options).toEqual(options);
  });

  it('the epochs of the settings are steps of the library: the rate at epoch boundaries', () => {
    const cos = mapped({ ...base, schedule: 'cosine', warmup: 2 }).fn;
    expect(cos(2 * S - 1)).toBe(0.03); // the last warm-up step reaches the rate
    expect(cos((2 + 10) * S)).toBeCloseTo(0.003, 15); // the decay ends decayEpochs after the warm-up
    const st = mapped({ ...base, schedule: 'step', decay: 0.5 }).fn;
    expect([10 * S - 1, 10 * S].map(st)).toEqual([0.03, 0.015]); // the first drop at epoch decayEpochs
    const flat = mapped({ ...base, schedule: 'constant', warmup: 2 }).fn;
    expect([0, 2 * S, 12345].map(flat)).toEqual([0.03 / 8, 0.03, 0.03]);
  });

  it('isConstant: one rate for the whole run exactly when the schedule is flat without warm-up', () => {
    for (const schedule of SCHEDULES) {
      for (const warmup of [0, 3]) {
        for (const decay of [0.5, 1]) {
          const s = { ...base, schedule, decay, warmup };
          const fn = scheduleFor(s, S, schedules);
          const flat = Array.from({ length: 100 * S }, (_, k) => fn(k)).every((r) => r === 0.03);
          expect(isConstant(s), `${schedule} warmup=${warmup} decay=${decay}`).toBe(flat);
        }
      }
    }
  });

  it('an unknown schedule is refused', () => {
    expect(() => scheduleFor({ ...base, schedule: 'linear' }, S, schedules)).toThrow(/unknown schedule 'linear'/);
  });
});

describe('playground data sets', () => {
  it.each(PROBLEMS.regression!)('%s (regression): seeded, targets in [-1, 1] and spread out', (dataset) => {
    const opts = { dataset, points: 400, noise: 0.1, split: 0.7, seed: 7 };
    const a = makeData(opts),
      b = makeData(opts);
    expect(a.train.labels).toBeInstanceOf(Float64Array);
    expect(a.train.labels).toEqual(b.train.labels);
    const all = [...a.train.labels, ...a.test.labels];
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...all)).toBeLessThanOrEqual(1);
    expect(all.filter((v) => v < -0.5).length).toBeGreaterThan(10);
    expect(all.filter((v) => v > 0.5).length).toBeGreaterThan(10);
  });

  it.each(PROBLEMS.classification!)(
    '%s: seeded, split as asked, both labels present, inside the drawn square',
    (dataset) => {
      const opts = { dataset, points: 400, noise: 0.2, split: 0.7, seed: 7 };
      const a = makeData(opts),
        b = makeData(opts),
        c = makeData({ ...opts, seed: 8 });
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
    },
  );
});
