/**
 * Failed calls lose nothing (docs/reliability.md): after a bad chunk, a source error or an abort in trainStream, an
 * abort of trainAsync mid-epoch, or a divergence inside a multi-epoch span of train(), the network is exactly a network
 * that stopped at its last completed epoch: a checkpoint taken then equals the twin's (parameters, optimizer state and
 * the shuffle generator's position), and the next shuffled train() gives the twin's bits. Every backend, 1 and 2
 * threads.
 */
import { describe, expect, it } from 'vitest';
import {
  Network,
  ShapeError,
  SourceError,
  TrainingError,
  type Chunk,
  type NetworkJSON,
  type TrainOptions,
} from '../src/index.js';
import { BACKEND_DEFAULTS } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';

const N = 600;
const x = randomRows(N, 4, 31);
const y = x.map((r) => [r[0]! * r[1]! > 0 ? 1 : 0, r[2]! + r[3]! > 0 ? 1 : 0]);
const spec = { layers: [4, 5, 2], seed: 12, activation: 'tanh', outputActivation: 'sigmoid' } as const;
/** shuffled, with a shuffle buffer that is flushed several times per epoch (the generator moves mid-epoch) */
const streamOpts = { learningRate: 0.1, batchSize: 8, optimizer: 'adam' as const, shuffleBuffer: 100 };
/** the call after the failure: shuffled, so a generator left in the wrong place gives other bits */
const next: TrainOptions = { epochs: 2, learningRate: 0.05, batchSize: 8, optimizer: 'adam', shuffle: true };

/** The source of the tests: 60-row chunks; `fault(epoch, chunk)` may replace a chunk (or throw, or abort). */
function source(fault: (epoch: number, chunk: number) => Chunk | null = () => null): () => Iterable<Chunk> {
  let epoch = 0;
  return function* () {
    for (let i = 0, c = 0; i < N; i += 60, c++)
      yield fault(epoch, c) ?? { x: x.slice(i, i + 60), y: y.slice(i, i + 60) };
    epoch++;
  };
}

/** The failed network equals the twin: the same checkpoint, then the same losses and bits from a shuffled train(). */
function expectSameAsTwin(n: Network, twin: Network, atLastEpoch: NetworkJSON | null): void {
  const saved = n.toJSON({ optimizer: true });
  expect(saved).toEqual(twin.toJSON({ optimizer: true }));
  if (atLastEpoch) expect(saved).toEqual(atLastEpoch);
  const a = n.train(x, y, next),
    b = twin.train(x, y, next);
  expect(a.losses).toEqual(b.losses);
  expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
}

for (const bc of BACKEND_DEFAULTS) {
  for (const threads of [1, 2]) {
    describe(`a failed call loses nothing on ${bc.label}, threads ${threads}`, () => {
      const make = async (o: object = {}): Promise<Network> =>
        Network.create({ ...spec, backend: bc.name, threads, ...o });

      /**
       * trainStream with `fault` in epoch 2 (after two completed epochs): rejects as `check` says, and the network
       * equals a twin that streamed 2 epochs (and the checkpoint taken in onEpoch at epoch 1).
       */
      async function streamFailure(
        fault: (epoch: number, chunk: number, ac: AbortController) => Chunk | null,
        check: (e: unknown) => void,
      ): Promise<void> {
        const twin = await make();
        await twin.trainStream(source(), { ...streamOpts, epochs: 2 });
        const n = await make();
        expect(n.threads).toBe(threads);
        const ac = new AbortController();
        let atLastEpoch: NetworkJSON | null = null;
        const err = await n
          .trainStream(
            source((e, c) => fault(e, c, ac)),
            {
              ...streamOpts,
              epochs: 4,
              signal: ac.signal,
              onEpoch: ({ epoch }) => {
                if (epoch === 1) atLastEpoch = n.toJSON({ optimizer: true });
              },
            },
          )
          .then(
            () => null,
            (e: unknown) => e,
          );
        check(err);
        expect(atLastEpoch).not.toBeNull();
        expectSameAsTwin(n, twin, atLastEpoch);
        n.dispose();
        twin.dispose();
      }

      it('trainStream: a bad chunk', async () => {
        await streamFailure(
          (e, c) =>
            e === 2 && c === 7
              ? {
                  x: [
                    [1, 2, 3, 4],
                    [1, NaN, 3, 4],
                  ],
                  y: [
                    [0, 1],
                    [1, 0],
                  ],
                }
              : null,
          (err) => {
            expect(err).toBeInstanceOf(ShapeError);
            expect((err as Error).message).toMatch(/epoch 2, chunk 7/);
          },
        );
      });

      it('trainStream: a source that throws', async () => {
        const boom = new Error('disk gone');
        await streamFailure(
          (e, c) => {
            if (e === 2 && c === 6) throw boom;
            return null;
          },
          (err) => {
            expect(err).toBeInstanceOf(SourceError);
            expect((err as Error).cause).toBe(boom);
          },
        );
      });

      it('trainStream: an abort mid-epoch', async () => {
        await streamFailure(
          (e, c, ac) => {
            if (e === 2 && c === 6) ac.abort(new Error('stop'));
            return null;
          },
          (err) => expect((err as Error).message).toBe('stop'),
        );
      });

      it('trainAsync: an abort mid-epoch', async () => {
        const opts = { learningRate: 0.05, batchSize: 1, shuffle: true, optimizer: 'momentum' as const };
        const n = await make();
        const ac = new AbortController();
        let completed = 0;
        let atLastEpoch: NetworkJSON | null = null;
        const p = n.trainAsync(x, y, {
          ...opts,
          epochs: 1000,
          signal: ac.signal,
          sliceMs: 1,
          onEpoch: ({ epoch }) => {
            completed = epoch + 1;
            atLastEpoch = n.toJSON({ optimizer: true });
            if (epoch === 2) setTimeout(() => ac.abort(new Error('stop')), 1); // in the middle of a later epoch
          },
        });
        await expect(p).rejects.toThrow('stop');
        expect(completed).toBeGreaterThanOrEqual(3);
        const twin = await make();
        twin.train(x, y, { ...opts, epochs: completed });
        expectSameAsTwin(n, twin, atLastEpoch);
        n.dispose();
        twin.dispose();
      });

      it('train: a divergence inside a multi-epoch span', async () => {
        // identity + mse on inputs ×1000: the loss grows geometrically and overflows after some finite epochs, all
        // of them in one span (no onEpoch); mini-batches of 4 of 8 shuffled rows, so the generator shapes the bits
        const bigX = randomRows(8, 2, 21, 1000),
          bigY = randomRows(8, 1, 22, 1000);
        const o = { layers: [2, 3, 1], activation: 'identity', outputActivation: 'identity' } as const;
        const opts: TrainOptions = { epochs: 40, learningRate: 1e-3, batchSize: 4, shuffle: true };
        const n = await make(o);
        const err = (() => {
          try {
            n.train(bigX, bigY, opts);
          } catch (e) {
            return e;
          }
          return null;
        })();
        expect(err).toBeInstanceOf(TrainingError);
        const failed = Number(/in epoch (\d+)/.exec((err as Error).message)![1]);
        expect(failed).toBeGreaterThanOrEqual(2); // several finite epochs of the span came first
        const twin = await make(o);
        twin.train(bigX, bigY, { ...opts, epochs: failed });
        expect(n.toJSON({ optimizer: true })).toEqual(twin.toJSON({ optimizer: true }));
        // the last finite epoch's parameters are near overflow: the next call starts both from fresh parameters
        // (the generator and the step counter stay) on data of ordinary scale
        const other = await make(o);
        const fresh = other.getParameters();
        other.dispose();
        n.setParameters(fresh);
        twin.setParameters(fresh);
        const calmX = randomRows(40, 2, 23),
          calmY = calmX.map((r) => [r[0]! - r[1]!]);
        const calm: TrainOptions = { epochs: 3, learningRate: 0.05, batchSize: 4, shuffle: true };
        const a = n.train(calmX, calmY, calm),
          b = twin.train(calmX, calmY, calm);
        expect(a.losses).toEqual(b.losses);
        expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
        n.dispose();
        twin.dispose();
      });
    });
  }
}
