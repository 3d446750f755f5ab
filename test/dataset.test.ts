/**
 * Dataset: data checked and copied into backend memory once. train / trainAsync / evaluate on a Dataset give
 * exactly what they give on the same x and y; it is shared by networks on its backend, refused elsewhere with a
 * typed error, and disposing it while a run uses it frees it when the run ends.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { BackendError, Dataset, DisposedError, Network, ShapeError, loadBackend } from '../src/index.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';

const x = randomRows(300, 6, 4);
const y = x.map((r) => [r[0]! > 0 ? 1 : 0, r[1]! * r[2]! > 0 ? 1 : 0]);
const spec = { layers: [6, 9, 2], seed: 12, activation: 'relu', outputActivation: 'sigmoid' } as const;

describe.each(BACKEND_DEFAULTS)('Dataset on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));

  it('train, trainAsync and evaluate on a Dataset equal the same calls on x and y, bit for bit', async () => {
    for (const opts of [
      { epochs: 3, learningRate: 0.1, batchSize: 16 },
      { epochs: 2, learningRate: 0.01, batchSize: 7, shuffle: false, optimizer: 'adam' as const },
    ]) {
      const a = await Network.create({ ...spec, backend });
      const b = await Network.create({ ...spec, backend });
      const data = a.dataset(x, y);
      expect([data.rows, data.inputs, data.outputs]).toEqual([300, 6, 2]);
      expect(a.train(data, opts).losses).toEqual(b.train(x, y, opts).losses);
      expect((await a.trainAsync(data, opts)).losses).toEqual((await b.trainAsync(x, y, opts)).losses);
      expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
      expect(a.evaluate(data)).toEqual(b.evaluate(x, y));
      data.dispose();
      a.dispose();
      b.dispose();
    }
  });

  it('one Dataset serves every network on its backend with its widths; anything else is a typed error', async () => {
    const a = await Network.create({ ...spec, backend });
    const b = await Network.create({ ...spec, seed: 13, backend });
    const data = a.dataset(x, y);
    b.train(data, { epochs: 1, learningRate: 0.1 });
    const wide = await Network.create({ layers: [7, 3, 2], seed: 1, backend });
    expect(() => wide.train(data, { epochs: 1, learningRate: 0.1 })).toThrow(ShapeError);
    const other = await Network.create({ ...spec, backend: await loadBackend('js') });
    expect(() => other.train(data, { epochs: 1, learningRate: 0.1 })).toThrow(BackendError);
    // targets outside a loss's domain: 2 is fine for mse with an identity output, refused for binary-cross-entropy;
    // a sigmoid output with mse evaluates it but does not train on it (outside its range)
    const mse = await Network.create({ layers: [6, 2], seed: 1, backend, outputActivation: 'identity' });
    const big = mse.dataset(
      x,
      y.map((r) => [r[0]! * 2, r[1]!]),
    );
    const sig = await Network.create({ layers: [6, 2], seed: 1, backend, outputActivation: 'sigmoid' });
    expect(() => sig.train(big, { epochs: 1, learningRate: 0.1 })).toThrow(
      /dataset y\[\d+\]\[0\] is .*outside \[0, 1\]/,
    );
    expect(Number.isFinite(sig.evaluate(big).loss)).toBe(true);
    sig.dispose();
    const bce = await Network.create({
      layers: [6, 2],
      seed: 1,
      backend,
      outputActivation: 'sigmoid',
      loss: 'binary-cross-entropy',
    });
    expect(() => bce.train(big, { epochs: 1, learningRate: 0.1 })).toThrow(ShapeError);
    expect(() => bce.evaluate(big)).toThrow(ShapeError);
    mse.train(big, { epochs: 1, learningRate: 0.1 });
    expect(() => a.dataset(x, y.slice(1))).toThrow(ShapeError);
    for (const n of [a, b, wide, other, mse, bce]) n.dispose();
    data.dispose();
    big.dispose();
    expect(() => b.train(data, { epochs: 1, learningRate: 0.1 })).toThrow(DisposedError);
    b.dispose();
  });

  it('disposing a Dataset while trainAsync uses it frees it when the run ends, and nothing leaks', async () => {
    const base = backend.usedBytes();
    const net = await Network.create({ ...spec, backend });
    const data = net.dataset(x, y);
    expect(data).toBeInstanceOf(Dataset);
    const twin = await Network.create({ ...spec, backend });
    const p = net.trainAsync(data, { epochs: 30, learningRate: 0.1, sliceMs: 1 });
    data.dispose();
    expect(data.disposed).toBe(true);
    expect(backend.usedBytes() - base).toBeGreaterThan(300 * 8 * 8); // still held: the run uses it
    const r = await p;
    expect(r.losses).toEqual(twin.train(x, y, { epochs: 30, learningRate: 0.1 }).losses);
    twin.dispose();
    net.dispose();
    expect(backend.usedBytes()).toBe(base);
  });
});
