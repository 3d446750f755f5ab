/**
 * Checkpoints (API.md "Resuming training"): toJSON({ optimizer: true }) saves the optimizer state and the shuffle
 * generator's position, so 5 epochs + save + load + 5 epochs equals one uninterrupted 10-epoch run bit for bit on
 * the same backend build (every optimizer, shuffled or not, with weight decay), and agrees across backends within
 * the parity tolerances. Version 1 JSON still loads; malformed checkpoint fields are refused with NnError.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, Optimizer } from '../src/backend.js';
import { Network, NnError, type NetworkJSON } from '../src/index.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits, randomRows } from './helpers/data.js';

const x = randomRows(45, 5, 11);
const y = x.map((r) => [r[0]! + r[1]! > 0 ? 1 : 0, r[2]! > 0.2 ? 1 : 0]);
const net = { layers: [5, 7, 2], seed: 3, activation: 'tanh', outputActivation: 'sigmoid' } as const;

describe.each(BACKEND_DEFAULTS)('checkpoints on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));

  for (const optimizer of ['sgd', 'momentum', 'adam'] as Optimizer[]) {
    for (const shuffle of [false, true]) {
      it(`${optimizer}, shuffle ${shuffle}: 5 + save/load + 5 epochs equals 10 epochs bit for bit`, async () => {
        const opts = { learningRate: 0.05, batchSize: 8, shuffle, optimizer, weightDecay: 0.01 };
        const straight = await Network.create({ ...net, backend });
        const all = straight.train(x, y, { ...opts, epochs: 10 });
        const first = await Network.create({ ...net, backend });
        const a = first.train(x, y, { ...opts, epochs: 5 });
        const text = JSON.stringify(first.toJSON({ optimizer: true }));
        first.dispose();
        const resumed = await Network.fromJSON(text, backend);
        const b = resumed.train(x, y, { ...opts, epochs: 5 });
        expect([...a.losses, ...b.losses]).toEqual(all.losses);
        expect(paramBits(resumed.getParameters())).toEqual(paramBits(straight.getParameters()));
        // without the optimizer the run differs for stateful optimizers (a fresh optimizer), and equals for sgd unshuffled
        const plain = await Network.fromJSON(JSON.stringify(straight.toJSON()), backend);
        expect(plain.toJSON().version).toBe(1);
        straight.dispose();
        resumed.dispose();
        plain.dispose();
      });
    }
  }

  it('a checkpoint taken inside onEpoch resumes like the uninterrupted run', async () => {
    const opts = { learningRate: 0.05, batchSize: 4, shuffle: true, optimizer: 'adam' as const };
    const straight = await Network.create({ ...net, backend });
    const all = straight.train(x, y, { ...opts, epochs: 6 });
    const n = await Network.create({ ...net, backend });
    let saved: NetworkJSON | null = null;
    n.train(x, y, {
      ...opts,
      epochs: 6,
      onEpoch: ({ epoch }) => {
        if (epoch === 2) saved = n.toJSON({ optimizer: true });
      },
    });
    const resumed = await Network.fromJSON(saved!, backend);
    const rest = resumed.train(x, y, { ...opts, epochs: 3 });
    expect(rest.losses).toEqual(all.losses.slice(3));
    expect(paramBits(resumed.getParameters())).toEqual(paramBits(straight.getParameters()));
    straight.dispose();
    n.dispose();
    resumed.dispose();
  });

  it('a checkpoint taken during trainAsync is the last completed epoch, and resumes bit for bit', async () => {
    const opts = { learningRate: 0.05, batchSize: 1, shuffle: true, optimizer: 'momentum' as const };
    const n = await Network.create({ ...net, backend });
    const E = 400;
    let settled = false;
    const p = n.trainAsync(x, y, { ...opts, epochs: E, sliceMs: 0.5 }).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    const saved = n.toJSON({ optimizer: true });
    const res = await p;
    // replay: the saved epochs' count is where the checkpoint's parameters equal a straight run's
    const resumed = await Network.fromJSON(saved, backend);
    const twin = await Network.create({ ...net, backend });
    const losses: number[] = [];
    let found = -1;
    for (let e = 0; e <= E && found < 0; e++) {
      if (e > 0) losses.push(...twin.train(x, y, { ...opts, epochs: 1 }).losses);
      if (paramBits(twin.getParameters()).join() === paramBits(resumed.getParameters()).join()) found = e;
    }
    expect(found).toBeGreaterThanOrEqual(0);
    expect(found).toBeLessThan(E);
    const rest = resumed.train(x, y, { ...opts, epochs: E - found });
    expect(rest.losses).toEqual(res.losses.slice(found));
    expect(paramBits(resumed.getParameters())).toEqual(paramBits(n.getParameters()));
    n.dispose();
    resumed.dispose();
    twin.dispose();
  });
});

describe('checkpoints across backends and formats', () => {
  it('a checkpoint loads on every backend and resumes within the parity tolerances', async () => {
    const opts = { learningRate: 0.05, batchSize: 8, shuffle: true, optimizer: 'adam' as const, epochs: 3 };
    const src = await Network.create({ ...net, backend: 'js' });
    src.train(x, y, opts);
    const saved = src.toJSON({ optimizer: true });
    src.train(x, y, opts);
    for (const bc of BACKEND_DEFAULTS) {
      const n = await Network.fromJSON(saved, await bc.create());
      n.train(x, y, opts);
      const got = n.getParameters(),
        want = src.getParameters();
      got.forEach((p, l) => {
        expectClose(p.weights, want[l]!.weights, bc.tol);
        expectClose(p.biases, want[l]!.biases, bc.tol);
      });
      n.dispose();
    }
    src.dispose();
  });

  it('version 1 JSON still loads; a network that never trained saves optimizer: null', async () => {
    const n = await Network.create({ ...net });
    const v1 = n.toJSON();
    expect(v1.version).toBe(1);
    expect('optimizer' in v1).toBe(false);
    const v2 = n.toJSON({ optimizer: true });
    expect(v2.version).toBe(2);
    expect(v2.optimizer).toBeNull();
    const a = await Network.fromJSON(v1),
      b = await Network.fromJSON(v2);
    expect(paramBits(a.getParameters())).toEqual(paramBits(n.getParameters()));
    expect(paramBits(b.getParameters())).toEqual(paramBits(n.getParameters()));
    n.dispose();
    a.dispose();
    b.dispose();
  });

  it('malformed checkpoint fields are refused with NnError naming the field', async () => {
    const n = await Network.create({ ...net });
    n.train(x, y, { epochs: 1, learningRate: 0.1, optimizer: 'adam' });
    const good = n.toJSON({ optimizer: true });
    n.dispose();
    /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- each case breaks one field of the checkpoint's JSON: untyped on purpose */
    const bad: [string, (j: any) => void, RegExp][] = [
      [
        'optimizer in version 1',
        (j) => {
          j.version = 1;
        },
        /unexpected key 'optimizer'/,
      ],
      [
        'unknown optimizer kind',
        (j) => {
          j.optimizer.kind = 'rmsprop';
        },
        /optimizer\.kind/,
      ],
      [
        'missing second moment',
        (j) => {
          delete j.optimizer.layers[0].w2;
        },
        /optimizer\.layers\[0\]/,
      ],
      [
        'short state',
        (j) => {
          j.optimizer.layers[1].b.pop();
        },
        /optimizer\.layers\[1\]\.b/,
      ],
      [
        'non-finite state',
        (j) => {
          j.optimizer.layers[0].w[0] = null;
        },
        /optimizer\.layers\[0\]\.w\[0\]/,
      ],
      [
        'negative step',
        (j) => {
          j.optimizer.step = -1;
        },
        /optimizer\.step/,
      ],
      [
        'fractional step',
        (j) => {
          j.optimizer.step = 1.5;
        },
        /optimizer\.step/,
      ],
      [
        'bad shuffle',
        (j) => {
          j.shuffle = { state: -4 };
        },
        /shuffle/,
      ],
      [
        'missing shuffle',
        (j) => {
          delete j.shuffle;
        },
        /shuffle/,
      ],
      [
        'unknown key',
        (j) => {
          j.optimizer.lr = 1;
        },
        /unexpected key 'lr'/,
      ],
    ];
    for (const [what, mutate, re] of bad) {
      const j = JSON.parse(JSON.stringify(good));
      /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
      mutate(j);
      const err = await Network.fromJSON(j).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(NnError);
      expect((err as Error).message, what).toMatch(re);
    }
  });

  it('toJSON refuses unknown options', async () => {
    const n = await Network.create({ ...net });
    expect(() => n.toJSON({ optimiser: true } as never)).toThrow(/optimiser/);
    expect(() => n.toJSON({ optimizer: 1 } as never)).toThrow(/optimizer/);
    n.dispose();
  });
});
