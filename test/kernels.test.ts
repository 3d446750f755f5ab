/**
 * Every Backend kernel on its own (STYLE.md §9), on every backend build, against per-element formulas taken from
 * the per-neuron reference (a neuron's total, f and f', the losses' definitions, the optimizers' update rules),
 * plus the Mat-level properties: read(write(v)) is bitwise v, sgdStep with lr = 0 changes nothing, inputs are
 * not mutated, in-place activation (a aliasing z, dz aliasing da) is allowed, and shapes/ownership are checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Activation, Backend, Loss, Mat } from '../src/backend.js';
import { BackendError, DisposedError, ShapeError, loadBackend } from '../src/index.js';
import { ACTIVATIONS, ACTIVATION_NAMES, LOSSES, LOSS_NAMES } from '../src/spec/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { mulberry32 } from './helpers/rng.js';

const FC = { seed: 4242, numRuns: 40 } as const;
/** every activation of the table (src/spec/activations.ts), with the reference f and da·f'(z) it states */
const ACTS = ACTIVATION_NAMES;
const SLOPE = 0.1;

const f = (act: Activation, z: number): number => ACTIVATIONS[act].f!(z, SLOPE);

function rows(rand: () => number, r: number, c: number, lo = -2, hi = 2): number[] {
  return Array.from({ length: r * c }, () => lo + (hi - lo) * rand());
}

for (const bc of BACKENDS) {
  describe(`${bc.label} kernels`, () => {
    let be!: Backend;
    useBackend(bc, (b) => (be = b));
    const mat = (r: number, c: number, v?: number[]): Mat => {
      const m = be.alloc(r, c);
      if (v) be.write(m, v);
      return m;
    };
    const free = (...ms: Mat[]): void => ms.forEach((m) => be.free(m));
    const dims = fc.record({
      batch: fc.integer({ min: 1, max: 9 }),
      nIn: fc.integer({ min: 1, max: 9 }),
      nOut: fc.integer({ min: 1, max: 9 }),
      seed: fc.nat(),
    });

    it(`${bc.label} denseForward equals each neuron's Σ_k w·x + b (sizes 1..9, 33×130→17 and wide layers)`, () => {
      const check = ({ batch, nIn, nOut, seed }: { batch: number; nIn: number; nOut: number; seed: number }): void => {
        const rand = mulberry32(seed);
        const x = rows(rand, batch, nIn),
          w = rows(rand, nOut, nIn),
          b = rows(rand, 1, nOut);
        const X = mat(batch, nIn, x),
          W = mat(nOut, nIn, w),
          B = mat(1, nOut, b),
          Z = mat(batch, nOut);
        be.denseForward(Z, X, W, B);
        const want: number[] = [];
        for (let r = 0; r < batch; r++) {
          for (let j = 0; j < nOut; j++) {
            let total = 0;
            for (let k = 0; k < nIn; k++) total += w[j * nIn + k]! * x[r * nIn + k]!;
            want.push(total + b[j]!);
          }
        }
        expectClose(be.read(Z), want, bc.tol, `denseForward ${batch}×${nIn}→${nOut}`, nOut);
        expectClose(be.read(X), x, { rtol: 0, atol: 0 }, 'x unchanged');
        free(X, W, B, Z);
      };
      fc.assert(
        fc.property(dims, (d) => check(d)),
        FC,
      );
      check({ batch: 33, nIn: 130, nOut: 17, seed: 1 });
      // the packed GEMM of the SIMD builds (≥ 8192 weights): more inputs than one reduction block (256), more neurons
      // than one packed panel (96), ragged row and neuron tiles
      check({ batch: 37, nIn: 300, nOut: 101, seed: 3 });
      check({ batch: 9, nIn: 99, nOut: 270, seed: 4 });
    });

    it(`${bc.label} denseBackward: dw = dzᵀ·x, db = Σ_r dz, dx = dz·w, and no dx when null (sizes 1..9 and 150×70→9)`, () => {
      const check = (
        { batch, nIn, nOut, seed }: { batch: number; nIn: number; nOut: number; seed: number },
        withDx: boolean,
      ): void => {
        const rand = mulberry32(seed);
        const x = rows(rand, batch, nIn),
          w = rows(rand, nOut, nIn),
          dz = rows(rand, batch, nOut);
        const X = mat(batch, nIn, x),
          W = mat(nOut, nIn, w),
          DZ = mat(batch, nOut, dz);
        const DW = mat(nOut, nIn, rows(rand, nOut, nIn)),
          DB = mat(1, nOut, rows(rand, 1, nOut)); // overwritten, not accumulated
        const DX = mat(batch, nIn);
        be.denseBackward(withDx ? DX : null, DW, DB, DZ, X, W);
        const dw: number[] = [],
          db: number[] = [],
          dx: number[] = [];
        for (let j = 0; j < nOut; j++) {
          let s = 0;
          for (let r = 0; r < batch; r++) s += dz[r * nOut + j]!;
          db.push(s);
          for (let k = 0; k < nIn; k++) {
            let g = 0;
            for (let r = 0; r < batch; r++) g += dz[r * nOut + j]! * x[r * nIn + k]!;
            dw.push(g);
          }
        }
        for (let r = 0; r < batch; r++) {
          for (let k = 0; k < nIn; k++) {
            let g = 0;
            for (let j = 0; j < nOut; j++) g += dz[r * nOut + j]! * w[j * nIn + k]!;
            dx.push(withDx ? g : 0);
          }
        }
        expectClose(be.read(DW), dw, bc.tol, 'dw', nIn);
        expectClose(be.read(DB), db, bc.tol, 'db');
        expectClose(be.read(DX), dx, bc.tol, 'dx', nIn);
        free(X, W, DZ, DW, DB, DX);
      };
      fc.assert(
        fc.property(dims, fc.boolean(), (d, withDx) => check(d, withDx)),
        FC,
      );
      // more rows than one chunk of the SIMD dw reduction (64 rows in AssemblyScript and Rust): sums continue across chunks
      check({ batch: 150, nIn: 70, nOut: 9, seed: 2 }, true);
      // the packed GEMM (≥ 8192 weights): ragged tiles; dx summed over more neurons, dw over more rows, than one
      // reduction block (256), so the sums continue from their stored partial values
      check({ batch: 37, nIn: 300, nOut: 101, seed: 3 }, true);
      check({ batch: 9, nIn: 99, nOut: 270, seed: 4 }, true);
      check({ batch: 300, nIn: 40, nOut: 230, seed: 5 }, false);
    });

    it.each(ACTS)(`${bc.label} activate and activateBackward %s (also in place)`, (act) => {
      fc.assert(
        fc.property(dims, fc.boolean(), ({ batch, nOut, seed }, inPlace) => {
          const rand = mulberry32(seed);
          const z = rows(rand, batch, nOut, -4, 4),
            da = rows(rand, batch, nOut);
          const Z = mat(batch, nOut, z),
            A = inPlace ? mat(batch, nOut, z) : mat(batch, nOut);
          be.activate(A, inPlace ? A : Z, act, SLOPE);
          const a: number[] = [];
          for (let r = 0; r < batch; r++) {
            const row = z.slice(r * nOut, (r + 1) * nOut);
            if (act === 'softmax') {
              const m = Math.max(...row);
              const e = row.map((v) => Math.exp(v - m));
              const s = e.reduce((p, q) => p + q, 0);
              a.push(...e.map((v) => v / s));
            } else a.push(...row.map((v) => f(act, v)));
          }
          expectClose(be.read(A), a, bc.tol, `activate ${act}`, nOut);
          const DA = mat(batch, nOut, da),
            DZ = inPlace ? DA : mat(batch, nOut);
          be.activateBackward(DZ, DA, Z, A, act, SLOPE);
          const want: number[] = [];
          for (let r = 0; r < batch; r++) {
            const o = r * nOut;
            let dot = 0;
            for (let j = 0; j < nOut; j++) dot += da[o + j]! * a[o + j]!;
            for (let j = 0; j < nOut; j++) {
              const av = a[o + j]!,
                zv = z[o + j]!,
                g = da[o + j]!;
              want.push(act === 'softmax' ? av * (g - dot) : ACTIVATIONS[act].backward!(g, zv, av, SLOPE));
            }
          }
          expectClose(be.read(DZ), want, bc.tol, `activateBackward ${act}`, nOut);
          free(Z, A, DA);
          if (!inPlace) free(DZ);
        }),
        FC,
      );
    });

    // every loss of the table, with the output activation it needs (mse: sigmoid)
    it.each<[Loss, Activation]>(LOSS_NAMES.map((l) => [l, LOSSES[l].output ?? 'sigmoid']))(
      `${bc.label} loss %s (output %s): value and gradient`,
      (loss, act) => {
        fc.assert(
          fc.property(dims, ({ batch, nOut, seed }) => {
            const rand = mulberry32(seed);
            const z = rows(rand, batch, nOut, -5, 5);
            const t =
              loss === 'cross-entropy'
                ? Array.from({ length: batch }, () => {
                    const q = rows(rand, 1, nOut, 0, 1);
                    const s = q.reduce((p, v) => p + v, 0);
                    return q.map((v) => v / s);
                  }).flat()
                : rows(rand, batch, nOut, 0, 1);
            const Z = mat(batch, nOut, z),
              A = mat(batch, nOut),
              T = mat(batch, nOut, t),
              D = mat(batch, nOut);
            be.activate(A, Z, act);
            const a = be.read(A);
            const value = be.loss(D, A, Z, T, loss);
            const n = batch * nOut;
            let want = 0;
            const grad: number[] = [];
            for (let r = 0; r < batch; r++) {
              const o = r * nOut;
              const m = Math.max(...z.slice(o, o + nOut));
              const lse = m + Math.log(z.slice(o, o + nOut).reduce((p, v) => p + Math.exp(v - m), 0));
              for (let j = 0; j < nOut; j++) {
                const i = o + j,
                  av = a[i]!,
                  tv = t[i]!,
                  zv = z[i]!;
                if (loss === 'mse') {
                  want += (av - tv) ** 2 / n;
                  grad.push((2 * (av - tv)) / n);
                } else if (loss === 'binary-cross-entropy') {
                  want += (Math.max(zv, 0) - tv * zv + Math.log1p(Math.exp(-Math.abs(zv)))) / n;
                  grad.push((av - tv) / n);
                } else {
                  want += (tv * (lse - zv)) / batch;
                  grad.push((av - tv) / batch);
                }
              }
            }
            expectClose([value], [want], bc.tol, `${loss} value`);
            expectClose(be.read(D), grad, bc.tol, `${loss} gradient`, nOut);
            free(Z, A, T, D);
          }),
          FC,
        );
      },
    );

    it(`${bc.label} sgdStep, momentumStep and adamStep follow their update rules (weight decay included); lr = 0 changes nothing`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.constantFrom(0, 0.01), (n, seed, decay) => {
          const rand = mulberry32(seed);
          const p = rows(rand, 1, n),
            g = rows(rand, 1, n),
            v = rows(rand, 1, n),
            m = rows(rand, 1, n),
            s = rows(rand, 1, n, 0, 1);
          const P = mat(1, n, p),
            G = mat(1, n, g);
          be.sgdStep(P, G, 0, decay);
          expectClose(be.read(P), p, { rtol: 0, atol: 0 }, 'sgd lr 0');
          be.sgdStep(P, G, 0.1, decay);
          expectClose(
            be.read(P),
            p.map((x, i) => x - 0.1 * (g[i]! + decay * x)),
            bc.tol,
            'sgd',
          );
          const P2 = mat(1, n, p),
            V = mat(1, n, v);
          be.momentumStep(P2, V, G, 0.1, 0.9, decay);
          const v2 = v.map((x, i) => 0.9 * x + (g[i]! + decay * p[i]!));
          expectClose(be.read(V), v2, bc.tol, 'momentum v');
          expectClose(
            be.read(P2),
            p.map((x, i) => x - 0.1 * v2[i]!),
            bc.tol,
            'momentum p',
          );
          const P3 = mat(1, n, p),
            M = mat(1, n, m),
            S = mat(1, n, s);
          const o = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: decay, step: 3 };
          be.adamStep(P3, M, S, G, o);
          const gp = g.map((x, i) => x + decay * p[i]!);
          const m2 = m.map((x, i) => 0.9 * x + 0.1 * gp[i]!);
          const s2 = s.map((x, i) => 0.999 * x + 0.001 * gp[i]! * gp[i]!);
          const c1 = 1 - 0.9 ** 3,
            c2 = 1 - 0.999 ** 3;
          expectClose(be.read(M), m2, bc.tol, 'adam m');
          expectClose(be.read(S), s2, bc.tol, 'adam v');
          expectClose(
            be.read(P3),
            p.map((x, i) => x - (0.01 * (m2[i]! / c1)) / (Math.sqrt(s2[i]! / c2) + 1e-8)),
            bc.tol,
            'adam p',
          );
          free(P, G, P2, V, P3, M, S);
        }),
        FC,
      );
    });

    it(`${bc.label} read(write(v)) is bitwise v (−0, subnormals, extremes)`, () => {
      const v = [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 1 / 3, Math.PI, -1e-310];
      const M = mat(3, 3, v);
      const back = be.read(M);
      expect(Array.from(new BigUint64Array(back.buffer))).toEqual(
        Array.from(new BigUint64Array(Float64Array.from(v).buffer)),
      );
      free(M);
    });

    it(`${bc.label} kernels check shapes and ownership`, async () => {
      const X = mat(2, 3),
        W = mat(4, 5),
        B = mat(1, 4),
        Z = mat(2, 4);
      expect(() => be.denseForward(Z, X, W, B)).toThrow(ShapeError);
      expect(() => be.denseForward(Z, X, W, B)).toThrow('x is 2×3 but w is 4×5 (x.cols must equal w.cols)');
      expect(() => be.write(X, [1, 2])).toThrow('write: source has length 2, expected 6 (2×3)');
      const other = await loadBackend('js');
      const foreign = other.alloc(2, 3);
      expect(() => be.activate(foreign, foreign, 'sigmoid')).toThrow(BackendError);
      expect(() => be.activate(X, X, 'elu' as Activation)).toThrow(
        `unknown activation 'elu' (expected ${ACTIVATION_NAMES.join('|')})`,
      );
      other.dispose();
      be.free(X);
      expect(() => be.read(X)).toThrow(DisposedError);
      free(W, B, Z);
    });
  });
}
