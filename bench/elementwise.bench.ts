/**
 * The element-wise kernels (every activation forward and backward, every loss, every optimizer step) for every
 * backend row, at the MNIST hidden layer's size: activations and losses on batch 256 × 128 (losses on 256 × 10,
 * the output layer), optimizer steps on the 784×128 weight matrix. Each backend's output is verified against
 * the js backend first (rtol 1e-10, atol 1e-12); a backend that fails is reported FAILED with no numbers.
 */
import { Bench } from 'tinybench';
import type { Activation, Backend, Loss, Mat } from '../src/backend.js';
import { mulberry32 } from '../src/rng.js';
import { ACTIVATION_NAMES, LOSSES, LOSS_NAMES } from '../src/spec/index.js';
import { errorMessage, type BackendRow } from './backends.js';
import { KERNEL_OPTS, MIN_SAMPLE_MS } from './env.js';
import { batched, fromTask, innerFor, runBench, type Row } from './report.js';

export let sink = 0;

/** every activation and loss of the spec tables (src/spec/), each loss with the output it needs (mse: sigmoid) */
const ACTS: readonly Activation[] = ACTIVATION_NAMES;
const LOSS_ROWS: [Loss, Activation][] = LOSS_NAMES.map((l) => [l, LOSSES[l].output ?? 'sigmoid']);
const ACT_SHAPE = [256, 128] as const;
const LOSS_SHAPE = [256, 10] as const;
const OPT_SHAPE = [128, 784] as const;
const TOL = { rtol: 1e-10, atol: 1e-12 };

interface Task {
  name: string;
  /** elements the kernel touches per call (for Gelem/s) */
  elements: number;
  setUp(be: Backend): { run: () => number | void; out: () => Float64Array; free: () => void };
}

function data(n: number, seed: number, lo: number, hi: number): Float64Array {
  const rand = mulberry32(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

function tasks(): Task[] {
  const out: Task[] = [];
  const [ar, ac] = ACT_SHAPE;
  const z = data(ar * ac, 1, -4, 4),
    da = data(ar * ac, 2, -1, 1);
  for (const act of ACTS) {
    out.push({
      name: `activate ${act} ${ar}×${ac}`,
      elements: ar * ac,
      setUp(be) {
        const Z = be.alloc(ar, ac),
          A = be.alloc(ar, ac);
        be.write(Z, z);
        return {
          run: () => be.activate(A, Z, act),
          out: () => be.read(A),
          free: () => {
            be.free(Z);
            be.free(A);
          },
        };
      },
    });
    out.push({
      name: `activateBackward ${act} ${ar}×${ac}`,
      elements: ar * ac,
      setUp(be) {
        const Z = be.alloc(ar, ac),
          A = be.alloc(ar, ac),
          DA = be.alloc(ar, ac),
          DZ = be.alloc(ar, ac);
        be.write(Z, z);
        be.write(DA, da);
        be.activate(A, Z, act);
        return {
          run: () => be.activateBackward(DZ, DA, Z, A, act),
          out: () => be.read(DZ),
          free: () => [Z, A, DA, DZ].forEach((m) => be.free(m)),
        };
      },
    });
  }
  const [lr, lc] = LOSS_SHAPE;
  const lz = data(lr * lc, 3, -4, 4);
  const t01 = data(lr * lc, 4, 0, 1);
  const tdist = Float64Array.from(t01, (v, i) => {
    const r = Math.floor(i / lc);
    let s = 0;
    for (let j = 0; j < lc; j++) s += t01[r * lc + j]!;
    return v / s;
  });
  for (const [loss, act] of LOSS_ROWS) {
    out.push({
      name: `loss ${loss} ${lr}×${lc}`,
      elements: lr * lc,
      setUp(be) {
        const Z = be.alloc(lr, lc),
          A = be.alloc(lr, lc),
          T = be.alloc(lr, lc),
          D = be.alloc(lr, lc);
        be.write(Z, lz);
        be.write(T, loss === 'cross-entropy' ? tdist : t01);
        be.activate(A, Z, act);
        return {
          run: () => be.loss(D, A, Z, T, loss),
          out: () => {
            const g = be.read(D);
            const r = new Float64Array(g.length + 1);
            r.set(g);
            r[g.length] = be.loss(D, A, Z, T, loss);
            return r;
          },
          free: () => [Z, A, T, D].forEach((m) => be.free(m)),
        };
      },
    });
  }
  const [or, oc] = OPT_SHAPE;
  const p0 = data(or * oc, 5, -1, 1),
    g0 = data(or * oc, 6, -1, 1);
  for (const opt of ['sgdStep', 'momentumStep', 'adamStep'] as const) {
    out.push({
      name: `${opt} ${or}×${oc}`,
      elements: or * oc,
      setUp(be) {
        const mats: Mat[] = [be.alloc(or, oc), be.alloc(or, oc), be.alloc(or, oc), be.alloc(or, oc)];
        const [P, G, S1, S2] = mats as [Mat, Mat, Mat, Mat];
        be.write(P, p0);
        be.write(G, g0);
        const hyper = { learningRate: 1e-9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4, step: 1 };
        // tiny steps keep the parameters near p0 over many timed calls; the verification run is the first call
        const run =
          opt === 'sgdStep'
            ? () => be.sgdStep(P, G, 1e-9, 1e-4)
            : opt === 'momentumStep'
              ? () => be.momentumStep(P, S1, G, 1e-9, 0.9, 1e-4)
              : () => be.adamStep(P, S1, S2, G, hyper);
        return { run, out: () => be.read(P), free: () => mats.forEach((m) => be.free(m)) };
      },
    });
  }
  return out;
}

function firstMismatch(got: Float64Array, ref: Float64Array): string | null {
  for (let i = 0; i < ref.length; i++) {
    const a = got[i]!,
      r = ref[i]!;
    if (!(Math.abs(a - r) <= TOL.atol + TOL.rtol * Math.abs(r))) return `element ${i}: ${a} vs js ${r}`;
  }
  return null;
}

export async function benchElementwise(rows: readonly BackendRow[], log: (s: string) => void): Promise<Row[]> {
  const out: Row[] = [];
  const js = rows.find((r) => r.name === 'js' && r.backend);
  for (const t of tasks()) {
    // verify: one call on each backend, compared with one call on js
    let ref: Float64Array | null = null;
    if (js?.backend) {
      const s = t.setUp(js.backend);
      s.run();
      ref = s.out();
      s.free();
    }
    const bench = new Bench({ name: t.name, ...KERNEL_OPTS });
    const pending: { row: Row; free: () => void; out: () => Float64Array }[] = [];
    for (const r of rows) {
      if (r.duplicateOf) continue;
      const row: Row = {
        group: t.name.split(' ').slice(0, -1).join(' '),
        name: `${t.name} [${r.label}]`,
        backend: r.label,
        variant: r.variant,
        status: 'ok',
      };
      if (!r.backend || r.error) {
        out.push({ ...row, status: 'FAILED', error: r.error ?? 'did not load' });
        continue;
      }
      try {
        const s = t.setUp(r.backend);
        s.run();
        const bad = ref ? firstMismatch(s.out(), ref) : 'no js reference';
        if (bad) {
          s.free();
          out.push({ ...row, status: 'FAILED', error: bad });
          continue;
        }
        const fn = (): void => {
          s.run();
        };
        const inner = innerFor(fn, MIN_SAMPLE_MS);
        bench.add(row.name, batched(bench.now, fn, inner), { async: false });
        pending.push({ row: { ...row, inner }, free: s.free, out: s.out });
      } catch (e) {
        out.push({ ...row, status: 'errored', error: errorMessage(e) });
      }
    }
    log(`  ${t.name}: ${pending.length} tasks`);
    const done = await runBench(bench);
    for (const p of pending) {
      const r = fromTask(p.row, done.get(p.row.name));
      if (r.medianMs) r.gelems = t.elements / (r.medianMs * 1e6);
      sink += p.out()[0]!;
      p.free();
      out.push(r);
    }
  }
  return out;
}
