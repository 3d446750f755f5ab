/**
 * Small networks, batch 1: per-sample SGD on sigmoid/MSE networks whose widths are all ≤ TINY_MAX, the
 * training most users of JS network libraries do. Each backend row runs one Network.train call (the small-layer
 * path of trainBatches), next to the same call forced through the general path (the internal
 * NetMemory.smallLayerPath = false: the code every step ran before the small-layer path existed), and a
 * hand-written per-sample JS trainer (bench/small-scalar.ts) as the plain-JS bar.
 *
 * Verification before timing: from the same parameters, every row's parameters after one call match the js
 * backend's (rtol 1e-8); the scalar trainer's too.
 */
import { Bench } from 'tinybench';
import { TINY_MAX } from '../src/abi.js';
import { networkInternals } from '../src/internal/index.js';
import { matrix } from '../src/matrix.js';
import { Network, type TrainOptions } from '../src/network.js';
import { mulberry32 } from '../src/rng.js';
import { errorMessage, type BackendRow } from './backends.js';
import { SHORT_OPTS } from './env.js';
import { fromTask, runBench, type Row } from './report.js';
import { ScalarMlp } from './small-scalar.js';

export let sink = 0;

/** The shapes: every width ≤ TINY_MAX, so the default path is the small-layer one. */
export const SMALL_NETS = [
  { layers: [2, 8, 8, 1], samples: 256, epochs: 5 },
  { layers: [4, 16, 16, 3], samples: 256, epochs: 5 },
] as const;
const LR = 0.1;

export const smallGroup = (layers: readonly number[]): string => `small net ${layers.join('-')}, batch 1`;
export const GENERAL = ' (general path)';

const relClose = (a: number, b: number, rtol: number): boolean =>
  Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b), 1e-300);
const flat = (net: Network): number[] => net.getParameters().flatMap((p) => [...p.weights, ...p.biases]);

export async function benchSmallNets(rows: readonly BackendRow[], log: (s: string) => void): Promise<Row[]> {
  const out: Row[] = [];
  for (const shape of SMALL_NETS) {
    const layers = [...shape.layers];
    if (layers.some((w) => w > TINY_MAX))
      throw new Error(`bench: ${layers.join('-')} is not a small network (TINY_MAX ${TINY_MAX})`);
    const group = smallGroup(layers);
    log(`  ${group} (${shape.samples} samples, ${shape.epochs} epochs per call, sigmoid/mse/sgd lr ${LR})`);
    const rand = mulberry32(11);
    const nIn = layers[0]!,
      nOut = layers[layers.length - 1]!;
    const X = matrix(shape.samples, nIn),
      Y = matrix(shape.samples, nOut);
    for (let i = 0; i < X.data.length; i++) X.data[i] = rand() * 2 - 1;
    for (let i = 0; i < Y.data.length; i++) Y.data[i] = rand();
    const opts: TrainOptions = { epochs: shape.epochs, learningRate: LR, batchSize: 1, shuffle: false };
    const bench = new Bench({ name: group, ...SHORT_OPTS });
    const ordered: Row[] = [];
    const pending = new Set<Row>();
    const nets: Network[] = [];
    let ref: number[] | null = null;
    let p0: ReturnType<Network['getParameters']> | null = null;
    const check = (got: number[], what: string): string | null => {
      if (!ref) return 'no js reference';
      const i = got.findIndex((v, k) => !relClose(v, ref![k]!, 1e-8));
      return i < 0
        ? null
        : `${what}: parameter ${i} after one call is ${got[i]}, the js backend has ${ref[i]} (rtol 1e-8)`;
    };
    for (const r of rows) {
      if (r.duplicateOf) continue;
      for (const general of [false, true]) {
        const row: Row = {
          group,
          name: `${group} [${r.label}]${general ? GENERAL : ''}`,
          backend: `${r.label}${general ? GENERAL : ''}`,
          variant: r.variant,
          status: 'ok',
        };
        if (!r.backend || r.error) {
          ordered.push({ ...row, status: 'FAILED', error: r.error ?? 'did not load' });
          continue;
        }
        try {
          const net = await Network.create({ layers, seed: 5, init: 'xavier', backend: r.backend });
          nets.push(net);
          networkInternals(net).mem.smallLayerPath = !general;
          if (p0) net.setParameters(p0);
          else p0 = net.getParameters();
          net.train(X, Y, opts);
          const got = flat(net);
          if (r.name === 'js' && !general) ref = got;
          const err = check(got, row.name);
          if (err) {
            ordered.push({ ...row, status: 'FAILED', error: err });
            continue;
          }
          const start = p0;
          bench.add(
            row.name,
            () => {
              sink += net.train(X, Y, opts).losses[0]!;
            },
            { async: false, beforeAll: () => net.setParameters(start) },
          );
          pending.add(row);
          ordered.push(row);
        } catch (e) {
          ordered.push({ ...row, status: 'errored', error: errorMessage(e) });
        }
      }
    }
    // the hand-written per-sample trainer, from the same parameters
    const scalarRow: Row = { group, name: `${group} [scalar js]`, backend: 'hand-written scalar js', status: 'ok' };
    if (p0) {
      const s = new ScalarMlp(p0);
      s.train(X.data, Y.data, shape.samples, LR, shape.epochs);
      const err = check(s.flat(), scalarRow.name);
      if (err) ordered.unshift({ ...scalarRow, status: 'FAILED', error: err });
      else {
        const t = new ScalarMlp(p0);
        bench.add(
          scalarRow.name,
          () => {
            sink += t.train(X.data, Y.data, shape.samples, LR, shape.epochs);
          },
          { async: false },
        );
        pending.add(scalarRow);
        ordered.unshift(scalarRow);
      }
    }
    const tasks = await runBench(bench);
    for (const r of ordered) out.push(pending.has(r) ? fromTask(r, tasks.get(r.name)) : r);
    for (const n of nets) n.dispose();
  }
  return out;
}

/** A target line of the bench report (bench/index.ts prints them): ratio ≥ need passes. */
export interface SmallTarget {
  target: string;
  ratio: number | null;
  need: number;
  detail: string;
}

/**
 * The small-network targets, as ratios of medians in one run: the tutorial 2-2-1 network (1000 epochs) in at most 0.8× the
 * hand-written scalar JS time on assemblyscript and rust (speed ratio ≥ 1.25) and at most 1.2× on js (≥ 0.834), and
 * every small network at least 2× faster than the same call through the general path (the code before the
 * small-layer path) on js, assemblyscript (best build) and rust simd.
 */
export function smallNetTargets(tRows: readonly Row[], backends: readonly BackendRow[]): SmallTarget[] {
  const out: SmallTarget[] = [];
  const ok = (group: string, backend: string): Row | undefined =>
    tRows.find((r) => r.group === group && r.backend === backend && r.status === 'ok');
  const ms = (r?: Row): string => (r?.medianMs ? `${r.medianMs.toFixed(3)} ms` : 'no result');
  const speed = (a?: Row, b?: Row): number | null => (a?.medianMs && b?.medianMs ? b.medianMs / a.medianMs : null);
  const tut = 'tutorial 2-2-1, 1000 epochs';
  const scalarT = ok(tut, 'hand-written scalar js');
  for (const label of ['js', 'assemblyscript', 'rust:simd']) {
    const b = backends.find((x) => x.label === label);
    const effective = b?.duplicateOf ?? label;
    const tag = `${label}${b?.variant && b.variant !== 'js' ? ` (${b.variant})` : ''}`;
    const fail = b?.error ? ` — ${label} FAILED to load` : b ? '' : ' — row missing';
    const t = ok(tut, effective);
    // speed ratios: time ≤ 1.2× is speed ≥ 1/1.2 (rounded up to 0.834, the stricter side), time ≤ 0.8× is speed ≥ 1.25
    const need = label === 'js' ? 0.834 : 1.25;
    out.push({
      target: `${tag} tutorial 1000 epochs: time ≤ ${label === 'js' ? '1.2' : '0.8'}× hand-written scalar JS (speed ratio)`,
      ratio: speed(t, scalarT),
      need,
      detail: `${ms(t)} vs ${ms(scalarT)}${fail}`,
    });
    for (const shape of SMALL_NETS) {
      const g = smallGroup(shape.layers);
      const fast = ok(g, effective),
        slow = ok(g, `${effective}${GENERAL}`),
        sc = ok(g, 'hand-written scalar js');
      out.push({
        target: `${tag} ${g}: small-layer path / general path`,
        ratio: speed(fast, slow),
        need: 2,
        detail: `${ms(fast)} vs ${ms(slow)}; hand-written scalar js ${ms(sc)}${fail}`,
      });
    }
  }
  return out;
}
