import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OracleNetwork, type OracleActivation, type OracleLayer, type OracleLoss } from '../src/reference/oracle.js';
import {
  Neuron,
  TutorialNetwork,
  derivSigmoid,
  mseLoss,
  sigmoid,
  type TutorialParameters,
} from '../src/reference/tutorial.js';
import { mulberry32, normal } from './helpers/rng.js';

/** test/fixtures/tutorial.json, written by test/fixtures/tutorial.py (the tutorial's own Python code). */
interface TutorialFixture {
  data: number[][];
  allYTrues: number[];
  learnRate: number;
  epochs: number;
  initial: TutorialParameters;
  printedLosses: { epoch: number; loss: number }[];
  epochLosses: number[];
  final: TutorialParameters;
  predictions: { emily: number; frank: number };
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/tutorial.json', import.meta.url), 'utf8'),
) as TutorialFixture;

const PARAMS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'b1', 'b2', 'b3'] as const;

/**
 * Relative closeness for float64 runs that differ only in rounding (NumPy's exp vs V8's Math.exp,
 * and the oracle's different product order): |a-b| <= rtol·max(|a|,|b|).
 */
function expectRelClose(actual: number, expected: number, rtol: number, what: string): void {
  const err = Math.abs(actual - expected);
  const ok = err <= rtol * Math.max(Math.abs(actual), Math.abs(expected));
  expect(ok, `${what}: got ${actual}, expected ${expected} (|diff| ${err}, rtol ${rtol})`).toBe(true);
}

/** The tutorial's w1..w6, b1..b3 as the library's layers (API.md, "Semantics that the reference pins down"). */
function tutorialLayers(p: TutorialParameters): OracleLayer[] {
  return [
    { weights: [p.w1, p.w2, p.w3, p.w4], biases: [p.b1, p.b2], activation: 'sigmoid' },
    { weights: [p.w5, p.w6], biases: [p.b3], activation: 'sigmoid' },
  ];
}

describe("reference tutorial.ts: the tutorial's printed numbers", () => {
  it('Coding a Neuron: Neuron([0, 1], 4).feedforward([2, 3]) is 0.9990889488055994', () => {
    const n = new Neuron([0, 1], 4);
    expect(n.feedforward([2, 3])).toBe(0.9990889488055994);
  });

  it('Coding a Neural Network: the 2-2-1 network with w = [0, 1], b = 0 gives 0.7216325609518421', () => {
    // As the tutorial builds it, from three Neurons...
    const h1 = new Neuron([0, 1], 0),
      h2 = new Neuron([0, 1], 0),
      o1 = new Neuron([0, 1], 0);
    const x = [2, 3];
    expect(o1.feedforward([h1.feedforward(x), h2.feedforward(x)])).toBe(0.7216325609518421);
    // ...and as TutorialNetwork's w1..w6, b1..b3.
    const net = new TutorialNetwork({ w1: 0, w2: 1, w3: 0, w4: 1, w5: 0, w6: 1, b1: 0, b2: 0, b3: 0 });
    expect(net.feedforward(x)).toBe(0.7216325609518421);
  });

  it('Code: MSE Loss: mseLoss([1, 0, 0, 1], [0, 0, 0, 0]) is 0.5', () => {
    expect(mseLoss([1, 0, 0, 1], [0, 0, 0, 0])).toBe(0.5);
  });

  it('derivSigmoid is f(x)(1 - f(x))', () => {
    for (const x of [-3, -0.5, 0, 0.25, 4]) expect(derivSigmoid(x)).toBe(sigmoid(x) * (1 - sigmoid(x)));
    expect(derivSigmoid(0)).toBe(0.25);
  });

  it('TutorialNetwork draws w1..w6 then b1..b3 from the generator it is given, and requires one', () => {
    let i = 0;
    const net = new TutorialNetwork(() => ++i);
    expect(PARAMS.map((k) => net[k])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const seeded = () => new TutorialNetwork(normal(mulberry32(7)));
    expect(PARAMS.map((k) => seeded()[k])).toEqual(PARAMS.map((k) => seeded()[k]));
    expect(() => new (TutorialNetwork as unknown as new () => TutorialNetwork)()).toThrow(TypeError);
  });
});

describe("reference tutorial.ts: TutorialNetwork.train reproduces the tutorial's Python run", () => {
  const net = new TutorialNetwork(fixture.initial);
  const printed: { epoch: number; loss: number }[] = [];
  net.train(fixture.data, fixture.allYTrues, {
    learnRate: fixture.learnRate,
    epochs: fixture.epochs,
    onLoss: (epoch, loss) => printed.push({ epoch, loss }),
  });

  it('prints the loss every 10 epochs, matching the fixture within 1e-12 relative', () => {
    expect(printed.map((p) => p.epoch)).toEqual(fixture.printedLosses.map((p) => p.epoch));
    expect(printed).toHaveLength(100);
    printed.forEach((p, i) => expectRelClose(p.loss, fixture.printedLosses[i]!.loss, 1e-12, `epoch ${p.epoch} loss`));
  });

  it("ends with the fixture's w1..w6, b1..b3 within 1e-12 relative", () => {
    for (const k of PARAMS) expectRelClose(net[k], fixture.final[k], 1e-12, k);
  });

  it('predicts Emily as female (> 0.9) and Frank as male (< 0.1), as the tutorial does', () => {
    const emily = net.feedforward([-7, -3]); // 128 pounds, 63 inches
    const frank = net.feedforward([20, 2]); // 155 pounds, 68 inches
    expect(emily).toBeGreaterThan(0.9);
    expect(frank).toBeLessThan(0.1);
    expectRelClose(emily, fixture.predictions.emily, 1e-12, 'Emily');
    expectRelClose(frank, fixture.predictions.frank, 1e-12, 'Frank');
  });

  it('uses the default learnRate 0.1 and 1000 epochs, and does not require onLoss', () => {
    const other = new TutorialNetwork(fixture.initial);
    other.train(fixture.data, fixture.allYTrues);
    for (const k of PARAMS) expect(other[k]).toBe(net[k]);
  });
});

describe("reference oracle.ts: OracleNetwork as the tutorial's 2-2-1 network", () => {
  const ys = fixture.allYTrues.map((y) => [y]);

  it('feedforward equals TutorialNetwork.feedforward exactly', () => {
    const oracle = new OracleNetwork(tutorialLayers(fixture.initial));
    const tutorial = new TutorialNetwork(fixture.initial);
    for (const x of [...fixture.data, [-7, -3], [20, 2], [2, 3]]) {
      expect(oracle.feedforward(x)).toEqual([tutorial.feedforward(x)]);
    }
  });

  it('getParameters maps w1..w6, b1..b3 to [{weights: [w1..w4], biases: [b1, b2]}, {weights: [w5, w6], biases: [b3]}]', () => {
    const p = fixture.initial;
    const params = new OracleNetwork(tutorialLayers(p)).getParameters();
    expect(params).toHaveLength(2);
    expect(Array.from(params[0]!.weights)).toEqual([p.w1, p.w2, p.w3, p.w4]);
    expect(Array.from(params[0]!.biases)).toEqual([p.b1, p.b2]);
    expect(Array.from(params[1]!.weights)).toEqual([p.w5, p.w6]);
    expect(Array.from(params[1]!.biases)).toEqual([p.b3]);
  });

  it('sgd, batchSize 1, data order, lr 0.1, 1000 epochs reproduces the fixture within 1e-12 relative', () => {
    const oracle = new OracleNetwork(tutorialLayers(fixture.initial), { loss: 'mse' });
    const losses = oracle.train(fixture.data, ys, {
      epochs: fixture.epochs,
      batchSize: 1,
      optimizer: { kind: 'sgd', learningRate: fixture.learnRate },
      order: () => [0, 1, 2, 3],
    });
    expect(losses).toHaveLength(fixture.epochs);
    losses.forEach((l, e) => expectRelClose(l, fixture.epochLosses[e]!, 1e-12, `epoch ${e} loss`));

    const f = fixture.final;
    const params = oracle.getParameters();
    const got = [...params[0]!.weights, ...params[1]!.weights, ...params[0]!.biases, ...params[1]!.biases];
    const want = [f.w1, f.w2, f.w3, f.w4, f.w5, f.w6, f.b1, f.b2, f.b3];
    got.forEach((v, i) => expectRelClose(v, want[i]!, 1e-12, PARAMS[i]!));
  });

  it("the default order is the data's own order", () => {
    const a = new OracleNetwork(tutorialLayers(fixture.initial));
    const b = new OracleNetwork(tutorialLayers(fixture.initial));
    const opt = { kind: 'sgd', learningRate: 0.1 } as const;
    expect(a.train(fixture.data, ys, { epochs: 5, batchSize: 1, optimizer: opt })).toEqual(
      b.train(fixture.data, ys, { epochs: 5, batchSize: 1, optimizer: opt, order: () => [0, 1, 2, 3] }),
    );
    expect(a.getParameters()).toEqual(b.getParameters());
  });
});

// ---- finite differences ---------------------------------------------------------------------------

const HIDDEN: OracleActivation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky-relu'];
const CASES: { hidden: OracleActivation; output: OracleActivation; loss: OracleLoss }[] = [
  ...HIDDEN.flatMap((hidden) =>
    ([...HIDDEN, 'softmax'] as OracleActivation[]).map((output) => ({ hidden, output, loss: 'mse' as const })),
  ),
  ...HIDDEN.map((hidden) => ({ hidden, output: 'sigmoid' as const, loss: 'binary-cross-entropy' as const })),
  ...HIDDEN.map((hidden) => ({ hidden, output: 'softmax' as const, loss: 'cross-entropy' as const })),
];

/** A seeded 2-3-2 net and a batch of 3 whose every total z stays away from 0 (the relu kink) by > 1e-3. */
function tinyProblem(seed: number, c: (typeof CASES)[number]) {
  const rand = mulberry32(seed);
  const gauss = normal(rand);
  for (;;) {
    const layers: OracleLayer[] = [
      { weights: Array.from({ length: 6 }, gauss), biases: Array.from({ length: 3 }, gauss), activation: c.hidden },
      { weights: Array.from({ length: 6 }, gauss), biases: Array.from({ length: 2 }, gauss), activation: c.output },
    ];
    const xs = Array.from({ length: 3 }, () => [gauss(), gauss()]);
    const ys = Array.from({ length: 3 }, (): number[] => {
      if (c.loss === 'cross-entropy') {
        const t = rand();
        return [t, 1 - t];
      } // a distribution
      if (c.loss === 'binary-cross-entropy') return [rand(), rand()];
      return [gauss(), gauss()];
    });
    // Check the totals of both layers, sample by sample, with a plain forward pass.
    const zs: number[] = [];
    for (const x of xs) {
      let inputs = x;
      for (const layer of layers) {
        const nIn = inputs.length;
        const z = Array.from(layer.biases, (b, j) => {
          let s = 0;
          for (let k = 0; k < nIn; k++) s += (layer.weights[j * nIn + k] as number) * inputs[k]!;
          return s + b;
        });
        zs.push(...z);
        inputs = new OracleNetwork([layer]).feedforward(inputs);
      }
    }
    if (zs.every((z) => Math.abs(z) > 1e-3)) return { layers, xs, ys };
  }
}

describe('reference oracle.ts: gradients match central finite differences (2-3-2, batch 3)', () => {
  it.each(CASES)('hidden $hidden, output $output, loss $loss', (c) => {
    for (const seed of [1, 2, 3]) {
      const { layers, xs, ys } = tinyProblem(seed * 1000 + CASES.indexOf(c), c);
      const net = new OracleNetwork(layers, { loss: c.loss, leakySlope: 0.1 });
      const g = net.gradients(xs, ys);
      expect(g.loss).toBe(net.loss(xs, ys));

      layers.forEach((layer, l) => {
        for (const which of ['weights', 'biases'] as const) {
          const values = Array.from(layer[which]);
          values.forEach((theta, i) => {
            const h = 1e-6 * Math.max(1, Math.abs(theta));
            const at = (v: number) => {
              const changed = layers.map((ly, ll) => {
                if (ll !== l) return ly;
                const arr = Array.from(ly[which]);
                arr[i] = v;
                return { ...ly, [which]: arr };
              });
              return new OracleNetwork(changed, { loss: c.loss, leakySlope: 0.1 }).loss(xs, ys);
            };
            const lPlus = at(theta + h),
              lMinus = at(theta - h);
            const numeric = (lPlus - lMinus) / (2 * h);
            const analytic = g[which][l]![i]!;
            const rel = Math.abs(analytic - numeric) / Math.max(1e-8, Math.abs(analytic) + Math.abs(numeric));
            // STYLE.md §9's criterion is rel < 1e-6. The central difference itself carries a rounding
            // error of about ε·|L|/h (ε = 2⁻⁵², ~1e-10 here), which exceeds 1e-6 relative for gradients
            // below ~1e-4, so a difference within 10× that rounding error also passes.
            const roundoff = (10 * Number.EPSILON * Math.max(Math.abs(lPlus), Math.abs(lMinus))) / h;
            const ok = rel < 1e-6 || Math.abs(analytic - numeric) <= roundoff;
            expect(
              ok,
              `seed ${seed} layer ${l} ${which}[${i}]: analytic ${analytic}, numeric ${numeric}, rel ${rel}`,
            ).toBe(true);
          });
        }
      });
    }
  });
});

// ---- optimizers -------------------------------------------------------------------------------------

describe('reference oracle.ts: optimizer steps', () => {
  const c = { hidden: 'tanh', output: 'identity', loss: 'mse' } as const;

  it('sgd: p -= lr·(g + decay·p) on weights, p -= lr·g on biases; returns the loss before the step', () => {
    const { layers, xs, ys } = tinyProblem(11, c);
    const net = new OracleNetwork(layers);
    const before = net.getParameters();
    const g = net.gradients(xs, ys);
    const loss = net.step(xs, ys, { kind: 'sgd', learningRate: 0.05, weightDecay: 0.01 });
    expect(loss).toBe(g.loss);
    const after = net.getParameters();
    before.forEach((p, l) => {
      p.weights.forEach((w, i) => expect(after[l]!.weights[i]).toBe(w - 0.05 * (g.weights[l]![i]! + 0.01 * w)));
      p.biases.forEach((b, i) => expect(after[l]!.biases[i]).toBe(b - 0.05 * g.biases[l]![i]!));
    });
  });

  it('momentum keeps its velocity between steps: v = μv + g, p -= lr·v', () => {
    const { layers, xs, ys } = tinyProblem(12, c);
    const net = new OracleNetwork(layers);
    const p0 = net.getParameters();
    const g0 = net.gradients(xs, ys);
    net.step(xs, ys, { kind: 'momentum', learningRate: 0.1, momentum: 0.5 });
    const p1 = net.getParameters();
    const g1 = net.gradients(xs, ys);
    net.step(xs, ys, { kind: 'momentum', learningRate: 0.1, momentum: 0.5 });
    const p2 = net.getParameters();
    p0.forEach((p, l) => {
      p.weights.forEach((w, i) => {
        const v1 = g0.weights[l]![i]!;
        expect(p1[l]!.weights[i]).toBe(w - 0.1 * v1);
        expect(p2[l]!.weights[i]).toBe(p1[l]!.weights[i]! - 0.1 * (0.5 * v1 + g1.weights[l]![i]!));
      });
    });
  });

  it("adam's first step moves every parameter by about lr against its gradient", () => {
    const { layers, xs, ys } = tinyProblem(13, c);
    const net = new OracleNetwork(layers);
    const p0 = net.getParameters();
    const g = net.gradients(xs, ys);
    net.step(xs, ys, { kind: 'adam', learningRate: 0.01 });
    expect(net.t).toBe(1);
    expect(net.beta1Pow).toBe(0.9);
    expect(net.beta2Pow).toBe(0.999);
    const p1 = net.getParameters();
    p0.forEach((p, l) => {
      p.weights.forEach((w, i) => {
        const gi = g.weights[l]![i]!;
        // m̂ = g, v̂ = g² after one step, so Δp = -lr·g/(|g| + ε).
        expect(p1[l]!.weights[i]! - w).toBeCloseTo((-0.01 * gi) / (Math.abs(gi) + 1e-8), 12);
      });
    });
  });

  it('train batches are consecutive slices of the order, the last one partial', () => {
    const { layers } = tinyProblem(14, c);
    const rand = normal(mulberry32(99));
    const xs = Array.from({ length: 5 }, () => [rand(), rand()]);
    const ys = Array.from({ length: 5 }, () => [rand(), rand()]);
    const order = [3, 0, 4, 1, 2];
    const opt = { kind: 'sgd', learningRate: 0.1 } as const;
    const a = new OracleNetwork(layers);
    const losses = a.train(xs, ys, { epochs: 1, batchSize: 2, optimizer: opt, order: () => order });
    const b = new OracleNetwork(layers);
    const pick = (idx: number[]) => [idx.map((i) => xs[i]!), idx.map((i) => ys[i]!)] as const;
    const l1 = b.step(...pick([3, 0]), opt);
    const l2 = b.step(...pick([4, 1]), opt);
    const l3 = b.step(...pick([2]), opt);
    expect(losses).toEqual([(l1 + l2 + l3) / 3]);
    expect(a.getParameters()).toEqual(b.getParameters());
  });

  it('rejects a cross-entropy without the matching output activation', () => {
    const { layers } = tinyProblem(15, c);
    expect(() => new OracleNetwork(layers, { loss: 'cross-entropy' })).toThrow(/softmax/);
    expect(() => new OracleNetwork(layers, { loss: 'binary-cross-entropy' })).toThrow(/sigmoid/);
  });
});
