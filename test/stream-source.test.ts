/**
 * trainStream and the sources it waits on: a source whose next() never answers cannot keep a network busy (abort,
 * dispose() of the network and of its backend settle the call, free the run's memory and call the source's return()),
 * and whatever a source throws or returns instead of an iterator result is a SourceError naming the epoch, the chunk
 * and the rows read, with the original as `cause`; the network keeps its last completed epoch.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { DisposedError, Network, NnError, OptionError, SourceError, type Chunk } from '../src/index.js';
import { hostOf, lateFreesDone } from '../src/internal/index.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';

const N = 300;
const x = randomRows(N, 3, 41);
const y = x.map((r) => [r[0]! + r[1]! > 0 ? 1 : 0]);
const spec = { layers: [3, 4, 1], seed: 5, activation: 'tanh', outputActivation: 'sigmoid' } as const;
const opts = { learningRate: 0.1, batchSize: 8, optimizer: 'adam' as const, shuffleBuffer: 64 };

const chunkAt = (c: number): Chunk => ({ x: x.slice(c * 60, c * 60 + 60), y: y.slice(c * 60, c * 60 + 60) });
const CHUNKS = N / 60;

/**
 * A hand-written async iterable (a generator's return() would wait behind its pending next()): 60-row chunks, and in
 * epoch `stallEpoch` a next() at chunk `stallChunk` that never settles. Its return() never settles either.
 */
function stalling(
  stallEpoch: number,
  stallChunk: number,
): { source: () => AsyncIterable<Chunk>; stalled: Promise<void>; returns: () => number } {
  let epoch = 0,
    returns = 0;
  let onStall!: () => void;
  const stalled = new Promise<void>((res) => (onStall = res));
  const source = (): AsyncIterable<Chunk> => {
    const e = epoch++;
    let c = 0;
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<Chunk>> => {
          if (e === stallEpoch && c === stallChunk) {
            onStall();
            return new Promise(() => undefined);
          }
          if (c === CHUNKS) return Promise.resolve({ done: true, value: undefined });
          return Promise.resolve({ done: false, value: chunkAt(c++) });
        },
        return: (): Promise<IteratorResult<Chunk>> => {
          returns++;
          return new Promise(() => undefined);
        },
      }),
    };
  };
  return { source, stalled, returns: () => returns };
}

/** A synchronous iterable whose next() gives `bad(epoch, chunk)` (when not undefined) instead of the chunk's result. */
function misbehaving(bad: (epoch: number, chunk: number) => unknown): () => Iterable<Chunk> {
  let epoch = 0;
  return () => {
    const e = epoch++;
    let c = 0;
    return {
      [Symbol.iterator]: () => ({
        next: (): IteratorResult<Chunk> => {
          const b = bad(e, c);
          if (b !== undefined) return b as IteratorResult<Chunk>;
          if (c === CHUNKS) return { done: true, value: undefined };
          return { done: false, value: chunkAt(c++) };
        },
      }),
    };
  };
}

function* plain(): Iterable<Chunk> {
  for (let c = 0; c < CHUNKS; c++) yield chunkAt(c);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

for (const bc of BACKEND_DEFAULTS) {
  describe(`trainStream sources on ${bc.label}`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    for (const threads of [1, 2]) {
      it(`threads ${threads}: abort while next() never settles: rejects with the signal's reason, frees the run, calls return(), keeps epoch 0`, async () => {
        const n = await Network.create({ ...spec, backend, threads });
        const twin = await Network.create({ ...spec, backend, threads });
        await n.trainStream(plain, { ...opts, epochs: 1 }); // the workspace and optimizer exist before the measured call
        await twin.trainStream(plain, { ...opts, epochs: 2 });
        await lateFreesDone(hostOf('test', backend)); // earlier tests' pools hand their blocks back once their workers exit
        const before = backend.usedBytes();
        const s = stalling(1, 2);
        const ac = new AbortController();
        const p = n.trainStream(s.source, { ...opts, epochs: 3, signal: ac.signal });
        await s.stalled;
        expect(backend.usedBytes()).toBeGreaterThan(before); // the run's buffer and snapshot
        ac.abort(new Error('stop'));
        const err = await rejection(p);
        expect((err as Error).message).toBe('stop');
        expect(s.returns()).toBe(1);
        expect(backend.usedBytes()).toBe(before);
        // not busy any more, and exactly at the end of the call's epoch 0
        expect(n.toJSON({ optimizer: true })).toEqual(twin.toJSON({ optimizer: true }));
        const a = n.train(x, y, { epochs: 1, learningRate: 0.1 }),
          b = twin.train(x, y, { epochs: 1, learningRate: 0.1 });
        expect(a.losses).toEqual(b.losses);
        expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
        n.dispose();
        twin.dispose();
      });

      it(`threads ${threads}: dispose() while next() never settles: rejects with DisposedError, frees everything, calls return()`, async () => {
        await lateFreesDone(hostOf('test', backend)); // earlier tests' pools hand their blocks back once their workers exit
        const before = backend.usedBytes();
        const n = await Network.create({ ...spec, backend, threads });
        const s = stalling(0, 3);
        const p = n.trainStream(s.source, { ...opts, epochs: 2 });
        await s.stalled;
        expect(backend.usedBytes()).toBeGreaterThan(before);
        n.dispose();
        const err = await rejection(p);
        expect(err).toBeInstanceOf(DisposedError);
        expect((err as Error).message).toMatch(/trainStream: the network was disposed/);
        expect(s.returns()).toBe(1);
        // a thread pool frees its control block once its workers have exited
        await lateFreesDone(hostOf('test', backend));
        expect(backend.usedBytes()).toBe(before);
      });
    }

    it("the backend's dispose() while next() never settles: rejects with DisposedError", async () => {
      const own = await bc.create();
      const n = await Network.create({ ...spec, backend: own });
      const s = stalling(0, 1);
      const p = n.trainStream(s.source, { ...opts, epochs: 2 });
      await s.stalled;
      own.dispose();
      const err = await rejection(p);
      expect(err).toBeInstanceOf(DisposedError);
      expect((err as Error).message).toMatch(/backend was disposed/);
      expect(s.returns()).toBe(1);
      expect(() => n.predict(x.slice(0, 1))).toThrow(DisposedError);
      n.dispose();
    });

    it('abort while a synchronous source yields a promise that never settles; an already-aborted signal changes nothing', async () => {
      const n = await Network.create({ ...spec, backend });
      const fresh = paramBits(n.getParameters());
      let closed = false;
      let onStall!: () => void;
      const stalled = new Promise<void>((res) => (onStall = res));
      const source = function* (): Iterable<Chunk | Promise<Chunk>> {
        try {
          yield chunkAt(0);
          onStall();
          yield new Promise<Chunk>(() => undefined);
        } finally {
          closed = true; // return() ran the generator's finally
        }
      };
      const ac = new AbortController();
      const p = n.trainStream(source as () => Iterable<Chunk>, { ...opts, epochs: 1, signal: ac.signal });
      await stalled;
      ac.abort(new Error('stop'));
      expect(((await rejection(p)) as Error).message).toBe('stop');
      expect(closed).toBe(true);
      expect(paramBits(n.getParameters())).toEqual(fresh);
      await expect(n.trainStream(plain, { ...opts, epochs: 1, signal: ac.signal })).rejects.toThrow('stop');
      expect(paramBits(n.getParameters())).toEqual(fresh);
      n.dispose();
    });

    it('a source that fails because of the abort (a stream closed by the same signal) rejects with the abort, not SourceError', async () => {
      const n = await Network.create({ ...spec, backend });
      const ac = new AbortController();
      const source = async function* (): AsyncIterable<Chunk> {
        yield chunkAt(0);
        await new Promise((_, reject) => ac.signal.addEventListener('abort', () => reject(new Error('stream closed'))));
      };
      const p = n.trainStream(source, { ...opts, epochs: 1, signal: ac.signal });
      setTimeout(() => ac.abort(new Error('stop')), 5);
      expect(((await rejection(p)) as Error).message).toBe('stop');
      n.dispose();
    });

    it('next() results that are not objects are a SourceError with the position and a TypeError cause; epoch 0 is kept', async () => {
      const twin = await Network.create({ ...spec, backend });
      await twin.trainStream(plain, { ...opts, epochs: 1 });
      // an async iterable over a synchronous one, next() by next()
      const asyncOf = (make: () => Iterable<Chunk>) => (): AsyncIterable<Chunk> => {
        const i = make()[Symbol.iterator]();
        return { [Symbol.asyncIterator]: () => ({ next: async () => i.next() }) };
      };
      const cases: [string, () => Iterable<Chunk> | AsyncIterable<Chunk>][] = [
        ['sync next() returns 7', misbehaving((e, c) => (e === 1 && c === 3 ? 7 : undefined))],
        ['async next() resolves to null', asyncOf(misbehaving((e, c) => (e === 1 && c === 3 ? null : undefined)))],
      ];
      for (const [what, source] of cases) {
        const n = await Network.create({ ...spec, backend });
        const err = await rejection(n.trainStream(source, { ...opts, epochs: 3 }));
        expect(err, what).toBeInstanceOf(SourceError);
        expect(err, what).toBeInstanceOf(NnError);
        const se = err as SourceError;
        expect(se.message, what).toMatch(
          /^trainStream: epoch 1, chunk 3 \(after 180 rows of this epoch\): next\(\) returned a malformed result: TypeError: expected an iterator result \{ value, done \}, received (7|null)$/,
        );
        expect([se.epoch, se.chunk, se.rows], what).toEqual([1, 3, 180]);
        expect(se.cause, what).toBeInstanceOf(TypeError);
        expect(n.toJSON({ optimizer: true }), what).toEqual(twin.toJSON({ optimizer: true }));
        n.dispose();
      }
      twin.dispose();
    });

    it('chunks that are not objects are an OptionError naming the chunk', async () => {
      const n = await Network.create({ ...spec, backend });
      const source = function* (): Iterable<unknown> {
        yield chunkAt(0);
        yield chunkAt(1);
        yield 7;
      };
      const err = await rejection(n.trainStream(source as () => Iterable<Chunk>, { ...opts, epochs: 1 }));
      expect(err).toBeInstanceOf(OptionError);
      expect((err as Error).message).toBe('trainStream: epoch 0, chunk 2: expected { x, y }, received number');
      n.dispose();
    });

    it('a source that throws or rejects is a SourceError with the position and the original as cause; epoch 0 is kept', async () => {
      const twin = await Network.create({ ...spec, backend });
      await twin.trainStream(plain, { ...opts, epochs: 1 });
      const boom = new Error('disk gone');
      const cases: [string, () => () => Iterable<Chunk> | AsyncIterable<Chunk>, RegExp, [number, number, number]][] = [
        [
          'a generator throws',
          () => {
            let e = 0;
            return function* () {
              const epoch = e++;
              for (let c = 0; c < CHUNKS; c++) {
                if (epoch === 1 && c === 2) throw boom;
                yield chunkAt(c);
              }
            };
          },
          /^trainStream: epoch 1, chunk 2 \(after 120 rows of this epoch\): next\(\) threw: Error: disk gone$/,
          [1, 2, 120],
        ],
        [
          'an async generator rejects',
          () => {
            let e = 0;
            return async function* () {
              const epoch = e++;
              for (let c = 0; c < CHUNKS; c++) {
                if (epoch === 1 && c === 4) throw boom;
                yield chunkAt(c);
              }
            };
          },
          /^trainStream: epoch 1, chunk 4 \(after 240 rows of this epoch\): next\(\) rejected: Error: disk gone$/,
          [1, 4, 240],
        ],
        [
          'source() throws',
          () => {
            let e = 0;
            return () => {
              if (e++ === 1) throw boom;
              return plain();
            };
          },
          /^trainStream: epoch 1, chunk 0 \(after 0 rows of this epoch\): source\(\) threw: Error: disk gone$/,
          [1, 0, 0],
        ],
        [
          '[Symbol.asyncIterator]() throws',
          () => {
            let e = 0;
            return () => {
              if (e++ === 1)
                return {
                  [Symbol.asyncIterator]: () => {
                    throw boom;
                  },
                };
              return plain();
            };
          },
          /^trainStream: epoch 1, chunk 0 \(after 0 rows of this epoch\): its \[Symbol\.asyncIterator\]\(\) threw: Error: disk gone$/,
          [1, 0, 0],
        ],
        [
          'a getter of a chunk throws',
          () => {
            let e = 0;
            return function* () {
              const epoch = e++;
              for (let c = 0; c < CHUNKS; c++) {
                if (epoch === 1 && c === 1)
                  yield {
                    get x(): never {
                      throw boom;
                    },
                    y: [],
                  };
                else yield chunkAt(c);
              }
            };
          },
          /^trainStream: epoch 1, chunk 1 \(after 60 rows of this epoch\): reading the chunk threw: Error: disk gone$/,
          [1, 1, 60],
        ],
        [
          "the iterator's next getter throws",
          () => {
            let e = 0;
            return () => {
              if (e++ === 1)
                return {
                  [Symbol.iterator]: () => ({
                    get next(): never {
                      throw boom;
                    },
                  }),
                };
              return plain();
            };
          },
          /^trainStream: epoch 1, chunk 0 \(after 0 rows of this epoch\): reading next of what its \[Symbol\.iterator\]\(\) returned threw: Error: disk gone$/,
          [1, 0, 0],
        ],
      ];
      for (const [what, make, re, where] of cases) {
        const n = await Network.create({ ...spec, backend });
        const err = await rejection(n.trainStream(make(), { ...opts, epochs: 3 }));
        expect(err, what).toBeInstanceOf(SourceError);
        expect((err as Error).message, what).toMatch(re);
        expect((err as SourceError).cause, what).toBe(boom);
        const se = err as SourceError;
        expect([se.epoch, se.chunk, se.rows], what).toEqual(where);
        expect(n.toJSON({ optimizer: true }), what).toEqual(twin.toJSON({ optimizer: true }));
        n.dispose();
      }
      // what a source throws need not be an Error; an iterator that is not one is refused too
      const n = await Network.create({ ...spec, backend });
      /* eslint-disable require-yield, @typescript-eslint/only-throw-error -- a source that throws a non-Error before its first chunk */
      const err = await rejection(
        n.trainStream(
          function* () {
            throw 'oops';
          },
          { ...opts, epochs: 1 },
        ),
      );
      /* eslint-enable require-yield, @typescript-eslint/only-throw-error */
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toMatch(/next\(\) threw: 'oops'$/);
      expect((err as SourceError).cause).toBe('oops');
      const bad = await rejection(
        n.trainStream(() => ({ [Symbol.iterator]: () => null }) as never, { ...opts, epochs: 1 }),
      );
      expect(bad).toBeInstanceOf(SourceError);
      expect((bad as Error).message).toMatch(/returned null, expected an iterator/);
      n.dispose();
      twin.dispose();
    });
  });
}
