/**
 * trainStream (API.md "Data larger than memory"): batches across chunk boundaries, bit-identical to train() with
 * shuffle off whatever the chunk sizes, a seeded shuffle buffer, bounded memory, typed errors naming the chunk with
 * the last completed epoch kept, abort, threads.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network, NnError, ShapeError, type Chunk } from '../src/index.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';

const N = 9000; // more than one buffer (8192 rows without shuffling), so the buffer is flushed mid-epoch
const x = randomRows(N, 4, 21);
const y = x.map((r) => [r[0]! * r[1]! > 0 ? 1 : 0, r[2]! + r[3]! > 0 ? 1 : 0]);
const spec = { layers: [4, 5, 2], seed: 8, activation: 'tanh', outputActivation: 'sigmoid' } as const;

function chunked(size: number, withEmpty = false): () => Iterable<Chunk> {
  return function* () {
    for (let i = 0; i < N; i += size) {
      if (withEmpty && i % (3 * size) === 0) yield { x: [], y: [] };
      yield { x: x.slice(i, i + size), y: y.slice(i, i + size) };
    }
  };
}

describe.each(BACKEND_DEFAULTS)('trainStream on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));

  it('shuffle off: bit-identical to train() on the concatenated data for any chunk sizes (sync, async, empty chunks)', async () => {
    const opts = { epochs: 2, learningRate: 0.1, batchSize: 32, shuffle: false, optimizer: 'adam' as const };
    const ref = await Network.create({ ...spec, backend });
    const want = ref.train(x, y, opts);
    const sources: [string, () => Iterable<Chunk> | AsyncIterable<Chunk>][] = [
      ['one chunk', chunked(N)],
      ['chunks of 1', chunked(1)],
      ['chunks of 7 with empty ones', chunked(7, true)],
      [
        'async chunks of 1000',
        async function* () {
          yield* chunked(1000)();
        },
      ],
    ];
    for (const [what, source] of sources) {
      const n = await Network.create({ ...spec, backend });
      const got = await n.trainStream(source, opts);
      expect(got.losses, what).toEqual(want.losses);
      expect(paramBits(n.getParameters()), what).toEqual(paramBits(ref.getParameters()));
      n.dispose();
    }
    ref.dispose();
  });

  it('shuffle on: a seeded buffer, reproducible, and it learns', async () => {
    const opts = { epochs: 3, learningRate: 0.2, batchSize: 16, shuffleBuffer: 500 };
    const a = await Network.create({ ...spec, backend });
    const b = await Network.create({ ...spec, backend });
    const ra = await a.trainStream(chunked(300), opts);
    const rb = await b.trainStream(chunked(300), opts);
    expect(ra.losses).toEqual(rb.losses);
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    expect(ra.losses[2]!).toBeLessThan(ra.losses[0]!);
    const c = await Network.create({ ...spec, backend });
    const rc = await c.trainStream(chunked(300), { ...opts, shuffle: false });
    expect(rc.losses).not.toEqual(ra.losses);
    a.dispose();
    b.dispose();
    c.dispose();
  });

  it('a bad chunk rejects with a typed error naming epoch, chunk and row; the last completed epoch is kept', async () => {
    const opts = { epochs: 3, learningRate: 0.1, batchSize: 32, shuffle: false };
    const twin = await Network.create({ ...spec, backend });
    await twin.trainStream(chunked(1000), { ...opts, epochs: 1 });
    const n = await Network.create({ ...spec, backend });
    let epoch = 0;
    const source = function* (): Iterable<Chunk> {
      for (let i = 0, c = 0; i < N; i += 1000, c++) {
        if (epoch === 1 && c === 5)
          yield {
            x: [
              [1, 2, 3, 4],
              [1, 2, NaN, 4],
            ],
            y: [
              [0, 1],
              [1, 0],
            ],
          };
        else yield { x: x.slice(i, i + 1000), y: y.slice(i, i + 1000) };
      }
      epoch++;
    };
    const err = await n.trainStream(source, opts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toMatch(/epoch 1, chunk 5/);
    expect((err as Error).message).toMatch(/x\[1\]\[2\] is NaN/);
    expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
    // the network is usable afterwards
    await n.trainStream(chunked(N), { ...opts, epochs: 1 });
    n.dispose();
    twin.dispose();
  });

  it('abort keeps the parameters of the last completed epoch; reads between chunks leave training unchanged', async () => {
    const opts = { epochs: 4, learningRate: 0.1, batchSize: 32, shuffle: false };
    const twin = await Network.create({ ...spec, backend });
    await twin.trainStream(chunked(500), { ...opts, epochs: 2 });
    const n = await Network.create({ ...spec, backend });
    const ac = new AbortController();
    let epoch = 0;
    const source = async function* (): AsyncIterable<Chunk> {
      for (let i = 0, c = 0; i < N; i += 500, c++) {
        n.predict(x.slice(0, 3)); // reads during the run are allowed and change nothing
        if (epoch === 2 && c === 4) ac.abort(new Error('stop'));
        yield { x: x.slice(i, i + 500), y: y.slice(i, i + 500) };
      }
      epoch++;
    };
    await expect(n.trainStream(source, { ...opts, signal: ac.signal })).rejects.toThrow('stop');
    expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
    n.dispose();
    twin.dispose();
  });

  it('writes during a stream are refused; bad sources are typed errors', async () => {
    const n = await Network.create({ ...spec, backend });
    let refused: unknown = null;
    const source = function* (): Iterable<Chunk> {
      try {
        n.train(x.slice(0, 4), y.slice(0, 4), { epochs: 1, learningRate: 0.1 });
      } catch (e) {
        refused = e;
      }
      yield { x: x.slice(0, 64), y: y.slice(0, 64) };
    };
    await n.trainStream(source, { epochs: 1, learningRate: 0.1 });
    expect(refused).toBeInstanceOf(NnError);
    expect((refused as Error).message).toMatch(/busy with trainStream/);
    await expect(n.trainStream((() => []) as never, { epochs: 1, learningRate: 0.1 })).rejects.toThrow(/no rows/);
    await expect(n.trainStream('data' as never, { epochs: 1, learningRate: 0.1 })).rejects.toThrow(
      /source must be a function/,
    );
    await expect(n.trainStream((() => 5) as never, { epochs: 1, learningRate: 0.1 })).rejects.toThrow(/iterable/);
    await expect(n.trainStream(chunked(N), { epochs: 1, learningRate: 0.1, shuffleBuffer: 0 })).rejects.toThrow(
      /shuffleBuffer/,
    );
    n.dispose();
  });
});

describe('trainStream memory and threads', () => {
  it('streams 200,000 × 64 rows with fastnn memory bounded by the buffer, not the dataset', async () => {
    const backend = await BACKEND_DEFAULTS[1]!.create();
    const net = await Network.create({
      layers: [64, 16, 1],
      seed: 1,
      backend,
      activation: 'relu',
      outputActivation: 'sigmoid',
    });
    const rows = 200_000,
      cols = 64,
      datasetBytes = rows * (cols + 1) * 8;
    const base = backend.usedBytes();
    let maxUsed = 0;
    let s = 7;
    const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
    const source = function* (): Iterable<Chunk> {
      for (let i = 0; i < rows; i += 2000) {
        maxUsed = Math.max(maxUsed, backend.usedBytes() - base);
        const cx = Array.from({ length: 2000 }, () => Array.from({ length: cols }, rand));
        yield { x: cx, y: cx.map((r) => [r[0]! > 0 ? 1 : 0]) };
      }
    };
    const res = await net.trainStream(source, { epochs: 1, learningRate: 0.05, batchSize: 64, shuffleBuffer: 10_000 });
    expect(res.losses[0]!).toBeLessThan(0.7);
    const bufferBytes = 10_000 * (cols + 1) * 8 + 10_000 * 4;
    console.log(
      `trainStream memory: dataset ${(datasetBytes / 2 ** 20).toFixed(1)} MiB, fastnn's largest use during the run ${(maxUsed / 2 ** 20).toFixed(2)} MiB (buffer ${(bufferBytes / 2 ** 20).toFixed(2)} MiB)`,
    );
    expect(maxUsed).toBeGreaterThan(bufferBytes); // the run's blocks were seen
    expect(maxUsed).toBeLessThan(bufferBytes + 2 ** 20);
    expect(maxUsed * 10).toBeLessThan(datasetBytes);
    expect(backend.usedBytes() - base).toBeLessThan(2 ** 20); // the run's buffer and snapshot are freed when it ends
    net.dispose();
    backend.dispose();
  });

  it('threads: 2 give the same bits as 1 thread', async () => {
    for (const name of ['assemblyscript', 'rust'] as const) {
      const opts = { epochs: 2, learningRate: 0.1, batchSize: 16, shuffleBuffer: 700 };
      const one = await Network.create({ ...spec, backend: name });
      const two = await Network.create({ ...spec, backend: name, threads: 2 });
      expect(two.threads).toBe(2);
      const a = await one.trainStream(chunked(333), opts);
      const b = await two.trainStream(chunked(333), opts);
      expect(b.losses).toEqual(a.losses);
      expect(paramBits(two.getParameters())).toEqual(paramBits(one.getParameters()));
      one.dispose();
      two.dispose();
    }
  });
});
