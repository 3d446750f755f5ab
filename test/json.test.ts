/**
 * toJSON/fromJSON: bit-exact round trips (including -0), portability between backends, and rejection of anything
 * malformed with an NnError (never a TypeError/RangeError), also under a fast-check fuzz of mutated saves.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { NnError } from '../src/errors.js';
import { Network, type NetworkJSON, type NetworkOptions } from '../src/network.js';
import { BACKEND_DEFAULTS, BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits, randomRows } from './helpers/data.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function expectNnReject(p: () => Promise<unknown>, ...fragments: string[]): Promise<void> {
  let err: unknown;
  try {
    const n = await p();
    (n as Network).dispose();
  } catch (e) {
    err = e;
  }
  expect(err, 'fromJSON should reject').toBeDefined();
  expect(err, `${String(err)}`).toBeInstanceOf(NnError);
  for (const f of fragments) expect((err as Error).message).toContain(f);
}

const X = randomRows(7, 3, 31);

/** Weights and biases of a dense network with these layer widths. */
const paramCount = (layers: number[]): number => layers.slice(1).reduce((n, w, i) => n + (layers[i]! + 1) * w, 0);

/** Parameter values that stress float64 round-tripping through JSON text. */
const SPECIAL = [
  -0,
  0,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  0.1,
  1 / 3,
  -Math.PI,
  2 ** 53 + 2,
];

describe.each(BACKEND_DEFAULTS)('JSON on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));

  async function make(o: Partial<NetworkOptions> = {}): Promise<Network> {
    return Network.create({ layers: [3, 4, 2], seed: 17, activation: 'tanh', backend, ...o });
  }

  it('toJSON/fromJSON round trip is bit-exact, including -0 and extreme values', async () => {
    const n = await make();
    n.train(
      X,
      X.map((r) => [(r[0]! + 1) / 2, (r[1]! + 1) / 2]),
      { epochs: 3, learningRate: 0.1 },
    );
    const p = n.getParameters();
    SPECIAL.forEach((v, i) => {
      p[0]!.weights[i] = v;
    });
    p[1]!.biases[1] = -0;
    n.setParameters(p);
    const want = paramBits(n.getParameters());
    expect(Object.is(n.getParameters()[1]!.biases[1], -0)).toBe(true);
    const json = n.toJSON();
    expect(json.format).toBe('fastnn-network');
    expect(json.version).toBe(1);
    const m = await Network.fromJSON(json, backend);
    expect(paramBits(m.getParameters())).toEqual(want);
    expect(m.layers).toEqual(n.layers);
    expect(m.activations).toEqual(n.activations);
    expect(m.loss).toBe(n.loss);
    expect(m.seed).toBe(n.seed);
    expect(m.leakySlope).toBe(n.leakySlope);
    // the object that came in is not kept: mutating it afterwards changes nothing
    (json.parameters[0]!.weights as number[])[0] = 123;
    expect(paramBits(m.getParameters())).toEqual(want);
    // JSON text, both as a string and parsed
    const text = JSON.stringify(n);
    const fromText = await Network.fromJSON(text, backend);
    const fromParsed = await Network.fromJSON(JSON.parse(text), backend);
    expect(paramBits(fromText.getParameters())).toEqual(want);
    expect(paramBits(fromParsed.getParameters())).toEqual(want);
    expect(JSON.stringify(fromParsed)).toBe(text);
    for (const k of [n, m, fromText, fromParsed]) k.dispose();
  });

  it('a loaded network trains on exactly like the original', async () => {
    const y = X.map((r) => [(r[0]! + 1) / 2, (r[2]! + 1) / 2]);
    const n = await make();
    n.train(X, y, { epochs: 2, learningRate: 0.1, shuffle: false });
    const m = await Network.fromJSON(JSON.stringify(n), backend);
    n.train(X, y, { epochs: 3, learningRate: 0.1, shuffle: false });
    m.train(X, y, { epochs: 3, learningRate: 0.1, shuffle: false });
    expect(paramBits(m.getParameters())).toEqual(paramBits(n.getParameters()));
    n.dispose();
    m.dispose();
  });

  it("a network saved here loads into every backend and predicts the same within the loader's tolerance", async () => {
    const configs: Partial<NetworkOptions>[] = [
      {},
      {
        layers: [3, 5, 3],
        activation: 'leaky-relu',
        leakySlope: 0.2,
        outputActivation: 'softmax',
        loss: 'cross-entropy',
      },
      {
        layers: [3, 6, 4, 1],
        activation: 'relu',
        outputActivation: 'sigmoid',
        loss: 'binary-cross-entropy',
        init: 'normal',
      },
    ];
    for (const cfg of configs) {
      const n = await make(cfg);
      const want = n.predict(X);
      const text = JSON.stringify(n.toJSON());
      for (const target of BACKENDS) {
        const tb = await target.create();
        const m = await Network.fromJSON(text, tb);
        expect(m.backend.name).toBe(target.name);
        expect(paramBits(m.getParameters())).toEqual(paramBits(n.getParameters()));
        expectClose(m.predict(X).data, want.data, target.tol, `${bc.label} -> ${target.label} predict`, want.cols);
        m.dispose();
        tb.dispose();
      }
      n.dispose();
    }
  });

  it('fromJSON with a backend name owns (and disposes) that backend', async () => {
    const n = await make();
    const m = await Network.fromJSON(n.toJSON(), bc.name);
    expect(m.backend.name).toBe(bc.name);
    expect(paramBits(m.getParameters())).toEqual(paramBits(n.getParameters()));
    m.dispose();
    expect(m.backend.disposed).toBe(true);
    n.dispose();
  });

  describe('rejections (NnError, never TypeError)', () => {
    let valid: NetworkJSON;
    beforeAll(async () => {
      const n = await make();
      valid = n.toJSON();
      n.dispose();
    });
    const mutate = (f: (j: Record<string, unknown>) => void): Record<string, unknown> => {
      const j = clone(valid) as unknown as Record<string, unknown>;
      f(j);
      return j;
    };

    it('non-objects and broken text', async () => {
      for (const v of [undefined, null, 3, true, [], 'not json', '{"format":', '', '[]', 'null']) {
        await expectNnReject(() => Network.fromJSON(v, backend), 'Network.fromJSON');
      }
    });
    it('wrong format or version', async () => {
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.version = 3;
            }),
            backend,
          ),
        'unsupported version 3',
        'versions 1 and 2',
      );
      // version 2 is a checkpoint: it must hold the optimizer state (or null) and the shuffle generator's state
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.version = 2;
            }),
            backend,
          ),
        'optimizer must be an object or null',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.version = '1';
            }),
            backend,
          ),
        "version '1'",
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.format = 'keras';
            }),
            backend,
          ),
        "format must be 'fastnn-network', received 'keras'",
      );
    });
    it('missing fields', async () => {
      for (const k of ['format', 'version', 'layers', 'activations', 'loss', 'seed', 'parameters']) {
        await expectNnReject(
          () =>
            Network.fromJSON(
              mutate((j) => {
                delete j[k];
              }),
              backend,
            ),
          'Network.fromJSON',
        );
      }
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              delete (j.parameters as Record<string, unknown>[])[1]!.biases;
            }),
            backend,
          ),
        'parameters[1].biases must be an array of 2 numbers, received undefined',
      );
    });
    it('wrong array lengths', async () => {
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              (j.parameters as { weights: unknown[] }[])[0]!.weights.pop();
            }),
            backend,
          ),
        'parameters[0].weights must be an array of 12 numbers, received an array of length 11',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              (j.parameters as { biases: unknown[] }[])[1]!.biases.push(1);
            }),
            backend,
          ),
        'parameters[1].biases must be an array of 2 numbers',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              (j.parameters as unknown[]).pop();
            }),
            backend,
          ),
        'parameters must be an array of 2 layers',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              (j.activations as unknown[]).push('tanh');
            }),
            backend,
          ),
        'activations must be an array of 2 names',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              (j.layers as number[]).push(2);
            }),
            backend,
          ),
        'Network.fromJSON',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.layers = [3, 4, 3];
            }),
            backend,
          ),
        'parameters[1].weights must be an array of 12 numbers',
      );
    });
    it('non-numbers and non-finite numbers in the parameters', async () => {
      for (const v of ['1', null, {}, [], true, 'NaN', 'Infinity', '+0', '-1']) {
        await expectNnReject(
          () =>
            Network.fromJSON(
              mutate((j) => {
                (j.parameters as { weights: unknown[] }[])[0]!.weights[5] = v;
              }),
              backend,
            ),
          'parameters[0].weights[5] is',
          'expected a finite number',
        );
      }
      const withNaN = mutate(() => {}) as { parameters: { biases: unknown[] }[] };
      withNaN.parameters[0]!.biases[0] = NaN; // an object (not text) can hold NaN
      await expectNnReject(() => Network.fromJSON(withNaN, backend), 'parameters[0].biases[0] is NaN');
      await expectNnReject(
        () => Network.fromJSON(JSON.stringify(valid).replace(/"biases":\[/, '"biases":[1e999,'), backend),
        'Network.fromJSON',
      );
    });
    it('bad names and options', async () => {
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.loss = 'hinge';
            }),
            backend,
          ),
        "unknown loss 'hinge'",
        'mse|',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              (j.activations as unknown[])[0] = 'gelu';
            }),
            backend,
          ),
        "unknown activations[0] 'gelu'",
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.activations = ['softmax', 'softmax'];
            }),
            backend,
          ),
        'only allowed on the output layer',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.loss = 'cross-entropy';
            }),
            backend,
          ),
        "needs outputActivation 'softmax'",
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.seed = -3;
            }),
            backend,
          ),
        'seed',
      );
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.leakySlope = 7;
            }),
            backend,
          ),
        'leakySlope',
      );
      await expectNnReject(() => Network.fromJSON(valid, 'tf' as never), "unknown backend 'tf'");
    });
    it('__proto__ and constructor keys (own properties from JSON.parse), and unknown keys', async () => {
      const text = JSON.stringify(valid);
      const top = JSON.parse(`{"__proto__": {"layers": [1, 1]}, ${text.slice(1)}`) as object;
      expect(Object.hasOwn(top, '__proto__')).toBe(true);
      await expectNnReject(() => Network.fromJSON(top, backend), "unexpected key '__proto__'");
      await expectNnReject(
        () => Network.fromJSON(`{"__proto__": null, ${text.slice(1)}`, backend),
        "unexpected key '__proto__'",
      );
      await expectNnReject(
        () => Network.fromJSON(`{"constructor": {"prototype": {}}, ${text.slice(1)}`, backend),
        "unexpected key 'constructor'",
      );
      const inner = text.replace('{"weights":', '{"__proto__": [1], "weights":');
      await expectNnReject(() => Network.fromJSON(inner, backend), "parameters[0] has unexpected key '__proto__'");
      await expectNnReject(() => Network.fromJSON(JSON.parse(inner), backend), "unexpected key '__proto__'");
      await expectNnReject(
        () =>
          Network.fromJSON(
            mutate((j) => {
              j.extra = 1;
            }),
            backend,
          ),
        "unexpected key 'extra'",
      );
      // nothing leaked onto Object.prototype
      expect(({} as Record<string, unknown>).layers).toBeUndefined();
    });
    it('huge declared sizes are rejected from the declared sizes alone, without allocating', async () => {
      const mem = backend.memoryBytes();
      const u = backend.usedBytes();
      const avail = backend.available();
      for (const layers of [
        [1e7, 1e7],
        [16384, 16384],
        [1 << 24, 1 << 24, 1 << 24],
        [1e9, 1],
        [20000, 20000],
      ]) {
        await expectNnReject(
          () =>
            Network.fromJSON(
              mutate((j) => {
                j.layers = layers;
                j.activations = layers.slice(1).map(() => 'tanh');
              }),
              backend,
            ),
          'Network.fromJSON',
          // refused from the declared sizes alone, before any weight is read or any memory is asked for
          layers[0] === 1e9
            ? 'layers[0] must be an integer in [1, 16777216], received 1000000000'
            : `layers [${layers.join(', ')}] declare ${paramCount(layers)} parameters, more than`,
        );
      }
      expect(backend.memoryBytes()).toBe(mem);
      expect(backend.usedBytes()).toBe(u);
      expect(backend.available()).toBe(avail);
    });
  });
});

describe('fromJSON fuzz (js)', () => {
  let backend: Backend;
  let saves: NetworkJSON[];
  beforeAll(async () => {
    backend = await BACKENDS[0]!.create();
    const a = await Network.create({ layers: [2, 3, 1], seed: 5, backend });
    const p = a.getParameters();
    p[0]!.weights[2] = -0;
    a.setParameters(p);
    const b = await Network.create({
      layers: [2, 2, 3],
      seed: 6,
      activation: 'relu',
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      backend,
    });
    saves = [a.toJSON(), b.toJSON()];
    a.dispose();
    b.dispose();
  });
  afterAll(() => backend.dispose());

  type Path = (string | number)[];
  function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
    out.push(at);
    if (Array.isArray(v)) v.forEach((e, i) => paths(e, [...at, i], out));
    else if (typeof v === 'object' && v !== null)
      for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...at, k], out);
    return out;
  }
  function get(root: unknown, p: Path): unknown {
    let v = root;
    for (const k of p) v = (v as Record<string | number, unknown>)[k];
    return v;
  }
  function setOwn(o: object, k: string | number, value: unknown): void {
    Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
  }

  const KEYS = [
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'length',
    'weights',
    'biases',
    'layers',
    'version',
    '',
  ];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      value: fc.oneof(
        fc.jsonValue(),
        fc.constantFrom<unknown>(-0, '-0', 1e308, 5e-324, 2 ** 31, -1, 0, 1.5, 1e7, [], {}, [1e7, 1e7], NaN, Infinity),
      ),
    }),
    fc.record({ kind: fc.constant('resize' as const), at: fc.nat(), len: fc.nat({ max: 20 }), fill: fc.jsonValue() }),
    fc.record({
      kind: fc.constant('inject' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...KEYS), fc.string()),
      value: fc.jsonValue(),
    }),
  );
  const input = fc.record({
    which: fc.nat({ max: 1 }),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 4 }),
    text: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true })),
  });

  it('every mutated save loads as a Network or rejects with NnError, never TypeError/RangeError', async () => {
    const start = backend.usedBytes();
    let loaded = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(input, async ({ which, mutations, text }) => {
        const root: { v: unknown } = { v: clone(saves[which]!) };
        for (const m of mutations) {
          const ps = paths(root.v).map((p) => p);
          const p = ps[m.at % ps.length]!;
          const parentPath = p.slice(0, -1);
          const key = p[p.length - 1];
          const parent = p.length === 0 ? root : (get(root.v, parentPath) as Record<string | number, unknown>);
          const k = p.length === 0 ? 'v' : key!;
          const target = get(root.v, p);
          if (m.kind === 'delete') {
            if (Array.isArray(parent) && typeof k === 'number') parent.splice(k, 1);
            else delete (parent as Record<string | number, unknown>)[k];
          } else if (m.kind === 'replace') {
            (parent as Record<string | number, unknown>)[k] = m.value;
          } else if (m.kind === 'resize') {
            if (Array.isArray(target)) {
              if (m.len < target.length) target.length = m.len;
              else while (target.length < m.len) target.push(m.fill);
            }
          } else if (typeof target === 'object' && target !== null && !(Array.isArray(target) && m.key === 'length')) {
            setOwn(target, m.key, m.value);
          }
        }
        let arg: unknown = root.v;
        if (text !== null) {
          const s = JSON.stringify(root.v) ?? '';
          arg = text > 0.5 ? s : s.slice(0, Math.floor(s.length * text * 2));
        }
        try {
          const net = await Network.fromJSON(arg, backend);
          loaded++;
          expect(
            net.getParameters().every((l) => l.weights.every(Number.isFinite) && l.biases.every(Number.isFinite)),
          ).toBe(true);
          net.dispose();
        } catch (e) {
          rejected++;
          if (!(e instanceof NnError)) {
            throw new Error(
              `fromJSON threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(arg)?.slice(0, 300)}`,
              { cause: e },
            );
          }
        }
      }),
      { seed: 12345, numRuns: 2000 },
    );
    // the fuzz exercised both outcomes, and nothing leaked
    expect(loaded).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(200);
    expect(backend.usedBytes()).toBe(start);
  });
});
