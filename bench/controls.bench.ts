/**
 * The cost of the training controls (plan v2): one 784-128-10 relu/softmax-CE/Adam epoch on a Dataset, batch 32,
 * on each SIMD build, plain against dropout 0.2, clipNorm 1 and a cosine schedule (with warm-up), each printed as its
 * cost ratio to the plain epoch. The variants run interleaved (plain, dropout, clip, schedule, plain, ...) from the
 * same starting parameters, so machine load drifts hit them alike; the ratios are of medians.
 * Run alone: `npx tsx bench/controls.bench.ts` (BENCH_QUICK=1 for fewer repeats).
 */
import { fileURLToPath } from 'node:url';
import { Network, schedules, type TrainOptions } from '../src/index.js';
import { errorMessage, loadRows, type BackendRow } from './backends.js';
import { QUICK, TRAIN_SAMPLES } from './env.js';
import { ratio, table, type Row } from './report.js';
import { TRAIN } from './shapes.js';
import { median } from './stats.js';
import { trainingData } from './train.bench.js';

export let sink = 0;

const NET = {
  layers: [...TRAIN.layers],
  seed: TRAIN.seed,
  activation: 'relu',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  init: 'he',
} as const;
const BASE: TrainOptions = { epochs: 1, learningRate: 1e-3, batchSize: 32, shuffle: false, optimizer: 'adam' };
const REPEATS = QUICK ? 3 : 9;

export const CONTROL_VARIANTS: readonly { id: string; title: string; dropout: number; train: Partial<TrainOptions> }[] =
  [
    { id: 'plain', title: 'plain', dropout: 0, train: {} },
    { id: 'dropout', title: 'dropout 0.2', dropout: 0.2, train: {} },
    { id: 'clip', title: 'clipNorm 1', dropout: 0, train: { clipNorm: 1 } },
    {
      id: 'cosine',
      title: 'cosine schedule',
      dropout: 0,
      train: { learningRate: schedules.cosine({ initial: 1e-3, steps: 1000, warmup: 50 }) },
    },
  ];

/** Rows per SIMD build and variant (medianMs per epoch, `ratio` = median / the plain median in the same run). */
export async function benchControls(
  rows: readonly BackendRow[],
  log: (s: string) => void,
): Promise<(Row & { ratio?: number })[]> {
  const out: (Row & { ratio?: number })[] = [];
  const n = TRAIN_SAMPLES;
  const { X, Y } = trainingData(n);
  const group = `training controls 784-128-10 relu/softmax-ce/adam Dataset batch 32`;
  log(`  ${group} (${n} samples, ${REPEATS} interleaved repeats)`);
  for (const r of rows) {
    if (r.duplicateOf || !r.backend || r.error || !(r.variant === 'simd' || r.variant === 'relaxed-simd')) continue;
    const nets: Network[] = [];
    try {
      const start = await Network.create({ ...NET, backend: r.backend });
      const params = start.getParameters();
      start.dispose();
      const setups = [];
      for (const v of CONTROL_VARIANTS) {
        const net = await Network.create({ ...NET, backend: r.backend, ...(v.dropout ? { dropout: v.dropout } : {}) });
        nets.push(net);
        setups.push({ v, net, data: net.dataset(X, Y), times: [] as number[] });
      }
      for (let k = 0; k < REPEATS + 1; k++) {
        for (const s of setups) {
          s.net.setParameters(params); // every epoch from the same parameters (and a fresh optimizer)
          const t0 = performance.now();
          sink += s.net.train(s.data, { ...BASE, ...s.v.train }).losses[0]!;
          if (k > 0) s.times.push(performance.now() - t0); // the first round warms up
        }
      }
      const plain = median(setups[0]!.times);
      for (const s of setups) {
        const m = median(s.times);
        out.push({
          group,
          name: `train epoch controls ${s.v.title} [${r.label}] Dataset`,
          backend: r.label,
          variant: r.variant,
          status: 'ok',
          samples: s.times.length,
          medianMs: m,
          samplesPerSec: n / (m / 1000),
          ratio: m / plain,
          note: `Network.train on a Dataset, ${s.v.title}; ratio to the plain epoch of the same run`,
        });
        s.data.dispose();
      }
    } catch (e) {
      out.push({
        group,
        name: `train epoch controls [${r.label}]`,
        backend: r.label,
        variant: r.variant,
        status: 'errored',
        error: errorMessage(e),
      });
    } finally {
      for (const net of nets) net.dispose();
    }
  }
  return out;
}

export function printControls(
  rows: readonly (Row & { ratio?: number })[],
  log: (s: string) => void = console.log,
): void {
  const builds = [...new Set(rows.map((r) => r.backend))];
  log(
    '\nTraining controls: cost of one 784-128-10 relu/softmax-ce/adam epoch on a Dataset, batch 32 (median ms; ratio to plain)',
  );
  log(
    table(
      ['build', ...CONTROL_VARIANTS.map((v) => v.title)],
      builds.map((b) => [
        b,
        ...CONTROL_VARIANTS.map((v) => {
          const r = rows.find((x) => x.backend === b && x.name.includes(`controls ${v.title} [`));
          return r?.status === 'ok'
            ? `${r.medianMs!.toFixed(1)} ms ${ratio(r.ratio)}`
            : r
              ? `${r.status}: ${r.error}`
              : '—';
        }),
      ]),
    ),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await loadRows();
  const out = await benchControls(rows, console.log);
  printControls(out);
  for (const r of rows) r.backend?.dispose();
}
