/**
 * `npm run bench`: the fastnn benchmark harness. Prints an environment header, loads every backend
 * row (a row that cannot load is printed FAILED with its error, and the run continues), runs the numpy baselines,
 * verifies every kernel against the js backend, then times the kernel grid, training, the tutorial network and
 * WASM instantiation, and prints the targets as ratios of medians. Results: bench/results/<timestamp>.json and
 * bench/results/latest.json. Numbers are only comparable within one run on one machine.
 *
 *   npx tsx bench/index.ts              full run (~5 minutes on 2 cores)
 *   BENCH_QUICK=1 npx tsx bench/index.ts   ~10x shorter smoke run
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRows, rowTitle, type BackendRow } from './backends.js';
import { QUICK, REPO_ROOT, environment, probeWasmFeatures, type Environment } from './env.js';
import { benchInstantiate } from './instantiate.bench.js';
import {
  KERNELS,
  PROBE_ITERATIONS,
  TOL,
  annotateCeiling,
  benchCeiling,
  benchKernels,
  ceilingOf,
  kernelTaskName,
  probeFlops,
  probeFlopsF32,
  probeWhat,
  sink as kernelSink,
  verifyKernels,
  type Failures,
} from './kernels.bench.js';
import {
  F32_SHAPES,
  TOL_F32,
  benchKernelsF32,
  groupF32,
  sinkF32,
  timedWideF32,
  verifyKernelsF32,
} from './kernels-f32.bench.js';
import { benchElementwise } from './elementwise.bench.js';
import { BASELINE_DIR, runNumpy, type NumpyResults } from './numpy.js';
import { Notes, ms, num, ratio, table, type Row } from './report.js';
import { BATCHES, SHAPES, TARGET_SHAPE, WIDE_BATCHES, WIDE_LAYERS, shapeLabel, TRAIN, type Shape } from './shapes.js';
import { PROBE_CHAINS, PROBE_CHAINS_F32 } from '../src/abi.js';
import {
  CONFIGS,
  REAL_CONFIGS,
  REAL_LOSS_RTOL,
  REAL_SAMPLES,
  SMALL_STEPS,
  benchRealData,
  benchTraining,
  realGroup,
  sink as trainSink,
  type RealLossCheck,
} from './train.bench.js';
import { GENERAL, SMALL_NETS, smallGroup, smallNetTargets } from './small.bench.js';
import {
  ADAM_F32_LOSS_RTOL,
  F32_LOSS_RTOL,
  WIDE_FLOPS_PER_SAMPLE,
  WIDE_GROUP,
  WIDE_GROUP_F32,
  WIDE_SAMPLES,
  benchWide,
} from './wide.bench.js';
import {
  DATASET_ROWS,
  benchRealF32,
  datasetBytes,
  realEvalGroupF32,
  realGroupF32,
  sink as f32Sink,
  type DatasetBytes,
} from './float32.bench.js';
import { renderReport } from './report-html.js';
import { PEER_PROBLEMS } from './peers/problem.js';
import { PEER_RTOL, runPeers, type PeerRun } from './peers/index.js';
import { benchControls, printControls, sink as controlsSink } from './controls.bench.js';

const notes = new Notes();
const failCell = (r: Row): string => notes.cell(r);
/**
 * A table row of a timed task: its name, build, median and rme, then the cells `more` gives; a task that did not run
 * gets its failure note there and as many blank cells.
 */
const timedRow = (r: Row, more: () => string[], name = r.backend): string[] =>
  r.status !== 'ok'
    ? [name, r.variant ?? '', failCell(r), '', ...more().map(() => '')]
    : [name, r.variant ?? '', ms(r.medianMs), `±${num(r.rme, 2)}%`, ...more()];

const wasm = probeWasmFeatures(); // first: may enable the relaxed-SIMD flag before any module compiles
const t0 = performance.now();
const log = (s: string): void => console.log(s);
const section = (s: string): void => console.log(`\n=== ${s} ${'='.repeat(Math.max(0, 76 - s.length))}`);
const elapsed = (): string => `[${((performance.now() - t0) / 1000).toFixed(0)} s]`;

function header(env: Environment, rows: readonly BackendRow[]): void {
  section(`fastnn bench${QUICK ? ' (BENCH_QUICK=1: short smoke run, noisy numbers)' : ''}`);
  const w = env.wasm;
  const relaxed = w.relaxedSimdDefault
    ? 'yes'
    : w.relaxedSimd
      ? `yes, with --experimental-wasm-relaxed-simd (set by the bench${w.relaxedFlagSet ? '' : '?'}; BENCH_RELAXED=0 to disable)`
      : 'no';
  const lines: [string, string][] = [
    ['date', env.date],
    ['node', `${env.node} (V8 ${env.v8}), ${env.arch}, ${env.platform}`],
    ['cpu', `${env.cpu} × ${env.cores}, ${env.memoryGiB} GiB`],
    ['git', `${env.gitCommit}${env.gitDirty ? ' (+ uncommitted changes)' : ''}`],
    ['wasm simd', w.simd ? 'validates' : 'does NOT validate'],
    ['relaxed simd', relaxed],
    [
      'tinybench',
      `${env.tinybench}; kernels ${JSON.stringify(env.options.kernel)}; training ${JSON.stringify(env.options.train)}; short ${JSON.stringify(env.options.short)}`,
    ],
    [
      'sampling',
      `kernel calls shorter than ${env.options.minSampleMs} ms are repeated inside one sample (mean per call); medians are reported`,
    ],
  ];
  for (const [k, v] of lines) log(`${k.padEnd(13)} ${v}`);
  log('');
  log(
    table(
      ['backend row', 'build loaded', 'cold load', 'status'],
      rows.map((r) => [
        r.label,
        r.variant ?? '—',
        r.coldLoadMs === null ? '—' : ms(r.coldLoadMs),
        r.error ? `FAILED: ${r.error}` : r.duplicateOf ? `same build as '${r.duplicateOf}' (not repeated)` : 'ok',
      ]),
      99,
    ),
  );
}

function find(rows: readonly Row[], name: string): Row | undefined {
  return rows.find((r) => r.name === name && r.status === 'ok');
}

function printKernels(rows: readonly Row[], numpy: NumpyResults): void {
  for (const k of KERNELS) {
    section(
      `${k}  (GFLOP/s = ${k === 'denseForward' ? '2' : '4'}·batch·nIn·nOut / median${k === 'denseBackward' ? '; dw and dx both computed' : ''})`,
    );
    const body: string[][] = [];
    for (const s of SHAPES) {
      const naive = k === 'denseForward' ? find(rows, kernelTaskName('naive denseForward', s, 'naive js')) : undefined;
      const js = find(rows, kernelTaskName(k, s, 'js'));
      const np = numpy.gemm1[`${s.batch},${s.nIn},${s.nOut}`];
      for (const r of rows.filter((x) => x.group === k && x.name.startsWith(`${k} ${shapeLabel(s)} [`))) {
        if (r.status !== 'ok') {
          body.push([r.name, r.variant ?? '', failCell(r), '', '', '', '', '', '', '']);
          continue;
        }
        body.push([
          r.name,
          r.variant ?? '',
          num(r.opsPerSec),
          ms(r.medianMs),
          `±${num(r.rme, 2)}%`,
          num(r.gflops),
          r.ofCeiling ? num(r.ofCeiling) : '',
          js?.medianMs && r.medianMs ? ratio(js.medianMs / r.medianMs) : '',
          naive?.medianMs && r.medianMs ? ratio(naive.medianMs / r.medianMs) : '',
          k === 'denseForward' && np && r.gflops ? `${num(r.gflops / np)}` : '',
        ]);
      }
      body.push(['', '', '', '', '', '', '', '', '', '']);
    }
    body.pop();
    log(
      table(
        ['task', 'build', 'ops/s', 'median', 'rme', 'GFLOP/s', 'of ceiling', 'vs js', 'vs naive', 'vs numpy'],
        body,
        2,
      ),
    );
    log("'of ceiling' = GFLOP/s ÷ the row's own build's measured ceiling (peakProbe, section 'WASM f64 ceiling')");
    notes.flush(log);
    if (k === 'denseForward') {
      const g = Object.entries(numpy.gemm1)
        .map(([s, v]) => `(${s}) ${v} GFLOP/s`)
        .join(', ');
      log(`numpy matmul, 1 thread: ${g || 'unavailable'}   ('vs numpy' = GFLOP/s ÷ numpy's on the same shape)`);
    }
  }
}

/** The float32 GEMM rows (kernels-f32.bench.ts), each next to its own build's float32 ceiling and float64 row. */
function printKernelsF32(rows: readonly Row[], f64Rows: readonly Row[]): void {
  for (const k of KERNELS) {
    section(
      `${k} float32  (${k}F32; GFLOP/s = ${k === 'denseForward' ? '2' : '4'}·batch·nIn·nOut / median${k === 'denseBackward' ? '; dw and dx both computed' : ''})`,
    );
    const body: string[][] = [];
    for (const s of F32_SHAPES) {
      for (const r of rows.filter((x) => x.group === groupF32(k) && x.name.includes(` ${shapeLabel(s)} [`))) {
        if (r.status !== 'ok') {
          body.push([r.name, r.variant ?? '', failCell(r), '', '', '', '', '']);
          continue;
        }
        const f64 = find(f64Rows, kernelTaskName(k, s, r.backend));
        body.push([
          r.name,
          r.variant ?? '',
          ms(r.medianMs),
          `±${num(r.rme, 2)}%`,
          num(r.gflops),
          r.ofCeiling ? num(r.ofCeiling) : '',
          f64?.medianMs && r.medianMs ? ratio(f64.medianMs / r.medianMs) : '',
        ]);
      }
      body.push(['', '', '', '', '', '', '']);
    }
    body.pop();
    log(table(['task', 'build', 'median', 'rme', 'GFLOP/s', 'of f32 ceiling', 'vs float64'], body, 2));
    log(
      "'of f32 ceiling' = GFLOP/s ÷ the row's own build's float32 ceiling (peakProbeF32, section 'WASM f32 ceiling'); 'vs float64' = the same build's float64 median ÷ this one",
    );
    log(
      'js and the scalar builds: the wide shapes verified (section verification, float32 kernels), timed at 784→128 only',
    );
    notes.flush(log);
  }
}

/** The WASM ceiling section of one dtype: float32's next to the same build's float64 ceiling (`f64Rows`). */
function printCeiling(dtype: 'float64' | 'float32', rows: readonly Row[], f64Rows: readonly Row[] = rows): void {
  const f32 = dtype === 'float32';
  section(
    f32
      ? `WASM f32 ceiling: peakProbeF32, ${PROBE_CHAINS_F32} float32 chains = 12 f32x4 accumulators (GFLOP/s = ${probeFlopsF32(1)}·iterations / median)`
      : `WASM f64 ceiling: peakProbe, ${PROBE_CHAINS} independent multiply-add chains in registers (GFLOP/s = ${probeFlops(1)}·iterations / median)`,
  );
  const labels = [...new Set(rows.map((r) => r.backend))];
  log(
    table(
      [
        'build',
        'variant',
        'multiply-add',
        'before grid',
        'after grid',
        ...(f32 ? ['f32 ceiling', 'f64 ceiling', 'f32 ÷ f64'] : ['ceiling (higher)']),
      ],
      labels.map((l) => {
        const [a, b] = [
          rows.find((r) => r.backend === l && r.name.includes(' before ')),
          rows.find((r) => r.backend === l && r.name.includes(' after ')),
        ];
        const v = a?.variant ?? b?.variant ?? null;
        const cell = (r: Row | undefined): string =>
          !r ? '—' : r.status !== 'ok' ? failCell(r) : `${num(r.gflops)} GFLOP/s ±${num(r.rme, 2)}%`;
        const c = ceilingOf(rows, l),
          c64 = ceilingOf(f64Rows, l);
        return [
          l,
          v ?? '',
          probeWhat(v, dtype),
          cell(a),
          cell(b),
          num(c),
          ...(f32 ? [num(c64), c && c64 ? ratio(c / c64) : ''] : []),
        ];
      }),
      3,
    ),
  );
  notes.flush(log);
  const footer = f32
    ? [
        "the same register shape as peakProbe (12 vector accumulators) with twice the lanes: a SIMD build's f32 ceiling is about twice its f64 ceiling; scalar builds and js: four passes of 12 scalar chains",
      ]
    : [
        `one call = ${PROBE_ITERATIONS.toLocaleString('en-US')} updates of every chain; measured before and after the kernel grid, the higher median is the ceiling`,
        "mul + add builds: the chains carry the multiply's latency, a GEMM's multiply is off its accumulator chain, so GEMM rows can exceed the probe by a few percent",
      ];
  for (const line of footer) log(line);
}

/** The float32 epochs next to the same build's float64 epoch of the same run, and the Dataset bytes per dtype. */
function printFloat32(
  rows: readonly Row[],
  realUntimed: readonly string[],
  wideUntimed: readonly string[],
  f32Ceiling: readonly Row[],
  bytes: readonly DatasetBytes[],
): void {
  const pairs: [string, string, string][] = [
    [realGroupF32, realGroup(REAL_CONFIGS[0]!), `${REAL_SAMPLES} real digits, batch ${TRAIN.batch}`],
    [realEvalGroupF32, '', `${REAL_SAMPLES} real digits, 256 rows per call`],
    [
      WIDE_GROUP_F32,
      WIDE_GROUP,
      `${WIDE_SAMPLES} real digits (${(WIDE_FLOPS_PER_SAMPLE / 1e6).toFixed(1)} MFLOP per sample)`,
    ],
  ];
  for (const [g32, g64, what] of pairs) {
    section(`${g32}, ${what}`);
    const wide = g32 === WIDE_GROUP_F32;
    const body = rows
      .filter((r) => r.group === g32)
      .map((r) =>
        timedRow(r, () => {
          const f64 =
            r.f64SamplesPerSec ??
            rows.find((x) => x.group === g64 && x.backend === r.backend && x.status === 'ok')?.samplesPerSec;
          const c = wide ? ceilingOf(f32Ceiling, r.backend.replace(/ ×2 threads$/, '')) : null;
          return [
            num(r.samplesPerSec),
            num(f64),
            f64 && r.samplesPerSec ? ratio(r.samplesPerSec / f64) : '',
            c && r.gflops ? num(r.gflops / c) : '',
          ];
        }),
      );
    log(
      table(
        [
          'implementation',
          'build',
          'median/epoch',
          'rme',
          'samples/s',
          'float64 samples/s',
          'f32 ÷ f64',
          '× 1-thread f32 ceiling',
        ],
        body,
        2,
      ),
    );
    notes.flush(log);
    if (g32 === realEvalGroupF32) {
      log('evaluate (loss and accuracy) of the trained float32 and float64 networks above, calls alternating');
      continue;
    }
    log(
      wide
        ? `every build checked against the js backend in float32: the first batch's loss (rtol ${F32_LOSS_RTOL}) and gradients (rtol 1e-3; at most 0.5% of a layer's may differ more: relu kinks), the first-epoch loss (rtol ${ADAM_F32_LOSS_RTOL}: Adam turns rounding into ±learningRate steps); 2 threads bit-identical to 1, else FAILED`
        : `first-epoch loss of every build checked against the js backend's float32 loss (rtol ${F32_LOSS_RTOL}, the float32 parity tolerance: the relaxed-SIMD build fuses multiply-adds)`,
    );
    log(
      `timed in float32: ${wide ? 'the SIMD builds' : 'every WASM build'} (the time budget of npm run bench); verified, not timed:`,
    );
    for (const u of wide ? wideUntimed : realUntimed) log(`  ${u}`);
  }
  section(
    `Dataset of ${DATASET_ROWS.toLocaleString('en-US')}×784 inputs and ×10 targets: backend.usedBytes() taken by net.dataset(x, y)`,
  );
  log(
    table(
      ['build', 'float64 bytes', 'float32 bytes', 'float64 ÷ float32'],
      bytes.map((b) =>
        b.error
          ? [b.backend, `FAILED: ${b.error}`, '', '']
          : [
              b.backend,
              String(b.float64),
              String(b.float32),
              b.float64 && b.float32 ? ratio(b.float64 / b.float32) : '',
            ],
      ),
      1,
    ),
  );
}

function printTraining(rows: readonly Row[], numpy: NumpyResults): void {
  for (const cfg of CONFIGS) {
    const group = `train epoch ${cfg.title}`;
    section(`${group}, batch ${TRAIN.batch}`);
    const naive = rows.find((r) => r.group === group && r.backend === 'naive js' && r.status === 'ok');
    const np1 = cfg.id === 'sgd' ? numpy.mlp1?.samplesPerSec : undefined;
    const body = rows
      .filter((r) => r.group === group)
      .map((r) =>
        timedRow(r, () => [
          num(r.samplesPerSec),
          naive?.samplesPerSec && r.samplesPerSec ? ratio(r.samplesPerSec / naive.samplesPerSec) : '',
          np1 && r.samplesPerSec ? num(r.samplesPerSec / np1) : '',
        ]),
      );
    if (cfg.id === 'sgd') {
      for (const [t, m] of [
        [1, numpy.mlp1],
        [2, numpy.mlp2],
      ] as const) {
        body.push([
          `numpy (OpenBLAS ${t} thread${t > 1 ? 's' : ''})`,
          '',
          m ? ms(m.epochS * 1000) : 'unavailable',
          '',
          m ? num(m.samplesPerSec) : '',
          naive?.samplesPerSec && m ? ratio(m.samplesPerSec / naive.samplesPerSec) : '',
          np1 && m ? num(m.samplesPerSec / np1) : '',
        ]);
      }
    }
    log(table(['implementation', 'build', 'median/epoch', 'rme', 'samples/s', 'vs naive', 'vs numpy 1t'], body, 2));
    notes.flush(log);
    if (cfg.id === 'sgd')
      log(
        'Network.train rows include copying x and y into backend memory; "fused kernel only" rows time one trainBatches call over the epoch. The oracle trains on a subset, scaled.',
      );
  }
  {
    const group = `small steps ${SMALL_STEPS.title}`;
    section(`${group}, ${SMALL_STEPS.rows} samples (threads: steps below MIN_THREAD_WORK run on the calling thread)`);
    const body = rows
      .filter((r) => r.group === group)
      .map((r) =>
        timedRow(r, () => {
          const one = rows.find(
            (o) => o.group === group && o.status === 'ok' && o.backend === r.backend.replace(/ ×2 threads.*$/, ''),
          );
          return [num(r.samplesPerSec), one?.medianMs && r.medianMs ? ratio(one.medianMs / r.medianMs) : ''];
        }),
      );
    log(table(['implementation', 'build', 'median/epoch', 'rme', 'samples/s', 'vs 1 thread'], body, 2));
    notes.flush(log);
  }
  section('tutorial 2-2-1: one train call of 1000 epochs, batch 1, lr 0.1');
  const group = 'tutorial 2-2-1, 1000 epochs';
  const scalar = rows.find((r) => r.group === group && r.backend === 'hand-written scalar js' && r.status === 'ok');
  const body = rows
    .filter((r) => r.group === group)
    .map((r) =>
      timedRow(r, () => [
        scalar?.medianMs && r.medianMs ? ratio(scalar.medianMs / r.medianMs) : '',
        numpy.tutorialMs && r.medianMs ? ratio(numpy.tutorialMs / r.medianMs) : '',
      ]),
    );
  body.push([
    'tutorial.py',
    '',
    numpy.tutorialMs ? ms(numpy.tutorialMs) : 'unavailable',
    '',
    scalar?.medianMs && numpy.tutorialMs ? ratio(scalar.medianMs / numpy.tutorialMs) : '',
    numpy.tutorialMs ? '1x' : '',
  ]);
  log(table(['implementation', 'build', 'median', 'rme', 'speed vs scalar js', 'speed vs numpy'], body, 2));
  notes.flush(log);
  for (const shape of SMALL_NETS) {
    const g = smallGroup(shape.layers);
    section(`${g}: one train call of ${shape.epochs} epochs over ${shape.samples} samples, sigmoid/mse/sgd`);
    const sc = rows.find((r) => r.group === g && r.backend === 'hand-written scalar js' && r.status === 'ok');
    const gen = (r: Row): Row | undefined =>
      rows.find((x) => x.group === g && x.backend === `${r.backend}${GENERAL}` && x.status === 'ok');
    log(
      table(
        ['implementation', 'build', 'median', 'rme', 'speed vs scalar js', 'speed vs general path'],
        rows
          .filter((r) => r.group === g)
          .map((r) =>
            timedRow(r, () => [
              sc?.medianMs && r.medianMs ? ratio(sc.medianMs / r.medianMs) : '',
              gen(r)?.medianMs && r.medianMs ? ratio(gen(r)!.medianMs! / r.medianMs) : '',
            ]),
          ),
        2,
      ),
    );
    notes.flush(log);
  }
  log(
    'Small-network rows: the default path of trainBatches (the small-layer path; every width is at most TINY_MAX) and "(general path)", the same call with the internal smallLayerPath switch off.',
  );
}

function printRealData(rows: readonly Row[], checks: readonly RealLossCheck[], numpy: NumpyResults): void {
  for (const cfg of REAL_CONFIGS) {
    const group = realGroup(cfg);
    section(`${group}, ${REAL_SAMPLES} real digits, batch ${TRAIN.batch}`);
    const np = numpy.real?.[cfg.id];
    const body = rows
      .filter((r) => r.group === group)
      .map((r) =>
        timedRow(r, () => [
          num(r.samplesPerSec),
          np && r.samplesPerSec ? ratio(r.samplesPerSec / np.samplesPerSec) : '',
        ]),
      );
    body.push([
      'numpy (OpenBLAS 1 thread, mlp_real.py)',
      '',
      np ? ms(np.epochS * 1000) : 'unavailable',
      '',
      np ? num(np.samplesPerSec) : '',
      np ? '1x' : '',
    ]);
    log(table(['implementation', 'build', 'median/epoch', 'rme', 'samples/s', 'vs numpy 1t'], body, 2));
    notes.flush(log);
    const c = checks.find((x) => x.config === cfg.id);
    log(
      c && c.numpy !== null && c.fastnn !== null
        ? `same digits, same initial parameters: first-epoch loss fastnn (js) ${c.fastnn}, numpy ${c.numpy}: relative difference ${c.relDiff!.toExponential(2)} (${c.agree ? 'agree' : 'DIFFER'}, rtol ${REAL_LOSS_RTOL})`
        : `first-epoch loss fastnn (js) ${c?.fastnn ?? '—'}; numpy ${c?.numpy ?? 'unavailable'} (no comparison)`,
    );
  }
}

function printWide(rows: readonly Row[], ceilingRows: readonly Row[]): void {
  section(`${WIDE_GROUP}, ${WIDE_SAMPLES} real digits (${(WIDE_FLOPS_PER_SAMPLE / 1e6).toFixed(1)} MFLOP per sample)`);
  const body = rows
    .filter((r) => r.group === WIDE_GROUP)
    .map((r) =>
      timedRow(r, () => {
        const c = ceilingOf(ceilingRows, r.backend.replace(/ ×2 threads$/, ''));
        return [num(r.samplesPerSec), num(r.gflops), c && r.gflops ? num(r.gflops / c) : ''];
      }),
    );
  log(table(['implementation', 'build', 'median/epoch', 'rme', 'samples/s', 'GFLOP/s', '× 1-thread ceiling'], body, 2));
}

/**
 * The peers next to fastnn's rows of the same run on each problem: fastnn's fastest 1-thread and 2-thread builds
 * (Network.train), then each peer with 'fastnn ÷ peer' against fastnn's fastest 1-thread row.
 */
function printPeers(rows: readonly Row[], peers: PeerRun): void {
  for (const p of PEER_PROBLEMS) {
    section(`peers: ${p.title}, ${p.samples} digits`);
    const group = p.id === 'mlp' ? realGroup(REAL_CONFIGS[0]!) : WIDE_GROUP;
    const ours = rows.filter(
      (r) => r.group === group && r.status === 'ok' && r.samplesPerSec && !r.backend.includes('fused kernel only'),
    );
    const best = (two: boolean): Row | undefined =>
      ours
        .filter((r) => r.backend.includes('×2 threads') === two)
        .sort((a, b) => b.samplesPerSec! - a.samplesPerSec!)[0];
    const b1 = best(false),
      b2 = best(true);
    const group32 = p.id === 'mlp' ? realGroupF32 : WIDE_GROUP_F32;
    const b32 = rows
      .filter((r) => r.group === group32 && r.status === 'ok' && r.samplesPerSec && !r.backend.includes('×2 threads'))
      .sort((a, b) => b.samplesPerSec! - a.samplesPerSec!)[0];
    const body: string[][] = [];
    for (const r of [b1, b2])
      if (r)
        body.push([
          `fastnn ${r.backend}`,
          'float64',
          r.backend.includes('×2') ? '2 threads' : '1 thread',
          num(r.samplesPerSec),
          '',
          ratio(1),
        ]);
    if (b32) body.push([`fastnn ${b32.backend}`, 'float32', '1 thread', num(b32.samplesPerSec), '', ratio(1)]);
    for (const x of peers.results.filter((y) => y.problem === p.id)) {
      const ref = x.dtype === 'float32' ? b32 : b1;
      body.push([
        `${x.peer} ${x.version}`,
        x.dtype,
        x.cores,
        x.agrees
          ? num(x.samplesPerSec)
          : `FAILED: first-epoch loss ${x.firstEpochLoss} vs fastnn ${x.fastnnLoss} (rtol ${PEER_RTOL[x.dtype]})`,
        x.firstEpochLoss.toPrecision(7),
        x.agrees && ref?.samplesPerSec ? ratio(ref.samplesPerSec / x.samplesPerSec) : '',
      ]);
    }
    log(
      table(
        ['implementation', 'dtype', 'cores', 'samples/s', 'first-epoch loss', 'fastnn 1t (same dtype) ÷ it'],
        body,
        2,
      ),
    );
    log(
      `same digits and initial parameters; fastnn's (js) first-epoch loss ${peers.results.find((y) => y.problem === p.id)?.fastnnLoss ?? '—'}; 'fastnn 1t (same dtype) ÷ it' > 1: fastnn is faster. Ratios use fastnn's fastest 1-thread row of the peer's dtype: ${b1?.backend ?? '—'} (float64) for float64 peers, ${b32?.backend ?? '—'} (float32) for float32 peers`,
    );
  }
  for (const s of peers.skipped) log(s);
}

function printElementwise(rows: readonly Row[]): void {
  section('element-wise kernels (activations 256×128, losses 256×10, optimizer steps 128×784)');
  const js = new Map(rows.filter((r) => r.backend === 'js' && r.medianMs).map((r) => [r.group, r.medianMs!]));
  log(
    table(
      ['task', 'build', 'median', 'rme', 'Gelem/s', 'vs js'],
      rows.map((r) =>
        timedRow(
          r,
          () => [num(r.gelems), js.get(r.group) && r.medianMs ? ratio(js.get(r.group)! / r.medianMs) : ''],
          r.name,
        ),
      ),
      2,
    ),
  );
}

function printInstantiate(rows: readonly Row[]): void {
  section('WASM instantiation (cold: first load, once; warm: compiled module cached)');
  log(
    table(
      ['task', 'build', 'median', 'rme', 'samples'],
      rows.map((r) =>
        r.status !== 'ok'
          ? [r.name, r.variant ?? '', failCell(r), '', '']
          : [
              r.name,
              r.variant ?? '',
              ms(r.medianMs),
              r.rme === undefined ? '' : `±${num(r.rme, 2)}%`,
              String(r.samples ?? ''),
            ],
      ),
      2,
    ),
  );
  notes.flush(log);
}

interface Target {
  target: string;
  ratio: number | null;
  need: number;
  verdict: 'PASS' | 'MISS' | 'n/a';
  detail: string;
}

function targets(
  kRows: readonly Row[],
  tRows: readonly Row[],
  numpy: NumpyResults,
  backends: readonly BackendRow[],
  ceilingRows: readonly Row[],
  realChecks: readonly RealLossCheck[],
  bytes: readonly DatasetBytes[],
  k32Rows: readonly Row[],
  ceilingRowsF32: readonly Row[],
): Target[] {
  const out: Target[] = [];
  const add = (target: string, ratio: number | null, need: number, detail: string): void => {
    out.push({ target, ratio, need, verdict: ratio === null ? 'n/a' : ratio >= need ? 'PASS' : 'MISS', detail });
  };
  const s = TARGET_SHAPE,
    sl = shapeLabel(s);
  const fwd = (label: string): Row | undefined => find(kRows, kernelTaskName('denseForward', s, label));
  const naiveF = find(kRows, kernelTaskName('naive denseForward', s, 'naive js'));
  const np = numpy.gemm1[`${s.batch},${s.nIn},${s.nOut}`];
  const ratioMs = (a?: Row, b?: Row): number | null => (a?.medianMs && b?.medianMs ? b.medianMs / a.medianMs : null);
  const why = (r: Row | undefined, label: string): string => (r ? '' : ` (${label}: no result)`);

  /** One build's GEMM kernels at each shape against its own ceiling (of the dtype); `note` ends the detail. */
  const ceilingTargets = (
    label: string,
    shapes: readonly Shape[],
    need: number,
    note: (row: BackendRow | undefined) => string,
    dtype: 'float64' | 'float32' = 'float64',
  ): void => {
    const row = backends.find((b) => b.label === label);
    const tag = `${label}${row?.variant ? ` (${row.variant})` : ''}`;
    const f32 = dtype === 'float32';
    const c = ceilingOf(f32 ? ceilingRowsF32 : ceilingRows, label);
    for (const sh of shapes) {
      for (const k of KERNELS) {
        const r = find(f32 ? k32Rows : kRows, kernelTaskName(k, sh, label, dtype));
        add(
          `${tag} ${k}${f32 ? ' float32' : ''} ${shapeLabel(sh)} / own WASM ${f32 ? 'f32 ' : ''}ceiling`,
          r?.ofCeiling ?? null,
          need,
          `${num(r?.gflops)} of ${num(c)} GFLOP/s${note(row)}`,
        );
      }
    }
  };

  // the WASM f64 ceiling: every SIMD build's GEMM rows at 784→128, batch ≥ 32, forward and backward
  for (const label of ['assemblyscript', 'assemblyscript:simd', 'rust:simd']) {
    if (backends.find((b) => b.label === label)?.duplicateOf) continue; // measured under the best build's label
    const shapes = BATCHES.filter((b) => b >= 32).map((batch) => ({ batch, nIn: 784, nOut: 128 }));
    ceilingTargets(
      label,
      shapes,
      0.85,
      (row) => ` (peakProbe, ${probeWhat(row?.variant ?? null)})${row?.error ? ` — ${label} FAILED to load` : ''}`,
    );
  }

  // real MNIST digits: Network.train and the fused kernel against numpy on the identical problem
  for (const label of ['assemblyscript', 'rust:simd']) {
    const row = backends.find((b) => b.label === label);
    const tag = `${label}${row?.variant ? ` (${row.variant})` : ''}`;
    for (const cfg of REAL_CONFIGS) {
      const np = numpy.real?.[cfg.id];
      const check = realChecks.find((c) => c.config === cfg.id);
      const agree = check?.agree === false ? ' — first-epoch losses DIFFER from numpy' : '';
      for (const [suffix, what] of [
        ['', 'Network.train'],
        [' (fused kernel only)', 'fused kernel'],
      ] as const) {
        const r = tRows.find(
          (x) => x.group === realGroup(cfg) && x.backend === `${label}${suffix}` && x.status === 'ok',
        );
        add(
          `${tag} real MNIST ${cfg.title} ${what} / numpy 1 thread`,
          r?.samplesPerSec && np ? r.samplesPerSec / np.samplesPerSec : null,
          1,
          `${num(r?.samplesPerSec)} vs ${num(np?.samplesPerSec)} samples/s, same digits and init${agree}`,
        );
      }
    }
  }

  const js = fwd('js');
  add(
    `js denseForward ${sl} / naive loop`,
    ratioMs(js, naiveF),
    3,
    `${num(js?.gflops)} vs ${num(naiveF?.gflops)} GFLOP/s${why(js, 'js')}`,
  );
  const group = `train epoch ${CONFIGS[0]!.title}`;
  const ep = (label: string): Row | undefined =>
    tRows.find((r) => r.group === group && r.backend === label && r.status === 'ok');
  const naiveE = ep('naive js');
  const jsE = ep('js');
  add(
    'js train epoch / naive batched JS',
    jsE?.samplesPerSec && naiveE?.samplesPerSec ? jsE.samplesPerSec / naiveE.samplesPerSec : null,
    3,
    `${num(jsE?.samplesPerSec)} vs ${num(naiveE?.samplesPerSec)} samples/s`,
  );

  const wasmRows: { label: string; row: BackendRow | undefined }[] = [
    { label: 'assemblyscript', row: backends.find((b) => b.label === 'assemblyscript') },
    { label: 'assemblyscript:simd', row: backends.find((b) => b.label === 'assemblyscript:simd') },
    { label: 'rust:simd', row: backends.find((b) => b.label === 'rust:simd') },
  ];
  const tut = 'tutorial 2-2-1, 1000 epochs';
  /** The thread targets: 2 threads through Network.train ≥ 1.8× one thread and ≥ 1.2× numpy with 2 OpenBLAS threads. */
  const threadTargets = (tag: string, effective: string, fail: string, vsNumpy = true): void => {
    const e = ep(effective),
      e2 = ep(`${effective} ×2 threads`);
    add(
      `${tag} train epoch 2 threads / 1 thread`,
      e2?.samplesPerSec && e?.samplesPerSec ? e2.samplesPerSec / e.samplesPerSec : null,
      1.8,
      `${num(e2?.samplesPerSec)} vs ${num(e?.samplesPerSec)} samples/s (Network.train(x, y): both pay the serial check and copy)${fail}`,
    );
    const d1 = ep(`${effective} (Dataset)`),
      d2 = ep(`${effective} ×2 threads (Dataset)`);
    add(
      `${tag} train epoch on a Dataset 2 threads / 1 thread`,
      d2?.samplesPerSec && d1?.samplesPerSec ? d2.samplesPerSec / d1.samplesPerSec : null,
      1.8,
      `${num(d2?.samplesPerSec)} vs ${num(d1?.samplesPerSec)} samples/s (Network.train(Dataset))${fail}`,
    );
    const k1 = ep(`${effective} (fused kernel only)`),
      k2 = ep(`${effective} ×2 threads (fused kernel only)`);
    add(
      `${tag} fused epoch kernel 2 threads / 1 thread`,
      k2?.samplesPerSec && k1?.samplesPerSec ? k2.samplesPerSec / k1.samplesPerSec : null,
      1.8,
      `${num(k2?.samplesPerSec)} vs ${num(k1?.samplesPerSec)} samples/s (data already in memory)${fail}`,
    );
    if (!vsNumpy) return;
    add(
      `${tag} train epoch 2 threads / numpy 2 threads`,
      e2?.samplesPerSec && numpy.mlp2 ? e2.samplesPerSec / numpy.mlp2.samplesPerSec : null,
      1.2,
      `${num(e2?.samplesPerSec)} vs ${num(numpy.mlp2?.samplesPerSec)} samples/s (Network.train(x, y))${fail}`,
    );
    add(
      `${tag} train epoch on a Dataset 2 threads / numpy 2 threads`,
      d2?.samplesPerSec && numpy.mlp2 ? d2.samplesPerSec / numpy.mlp2.samplesPerSec : null,
      1.2,
      `${num(d2?.samplesPerSec)} vs ${num(numpy.mlp2?.samplesPerSec)} samples/s (Network.train(Dataset))${fail}`,
    );
  };
  // small steps: threads: 2 must not be slower than 1 thread (such steps train on the calling thread)
  const sg = `small steps ${SMALL_STEPS.title}`;
  const small = (label: string): Row | undefined =>
    tRows.find((r) => r.group === sg && r.backend === label && r.status === 'ok');
  const s1 = small('js'),
    s2 = small('js ×2 threads');
  add(
    `js small steps (${SMALL_STEPS.title}) 2 threads / 1 thread`,
    s1?.medianMs && s2?.medianMs ? s1.medianMs / s2.medianMs : null,
    0.9,
    `${ms(s2?.medianMs)} vs ${ms(s1?.medianMs)} per epoch (Network.train; forced onto the workers: ${ms(small('js ×2 threads (forced onto the workers)')?.medianMs)})`,
  );
  threadTargets('js', 'js', '', false);
  for (const { label, row } of wasmRows) {
    // an explicit row that duplicates the best build is measured under the best build's label
    const effective = row?.duplicateOf ?? label;
    const variant = backends.find((b) => b.label === effective)?.variant ?? row?.variant ?? null;
    const fail = row?.error ? ` — ${label} FAILED to load (see above)` : row ? '' : ' — row missing';
    const r = fwd(effective);
    const tag = `${label}${variant ? ` (${variant})` : ''}`;
    if (label === 'assemblyscript:simd' || label === 'rust:simd') {
      add(
        `${tag} denseForward ${sl} / numpy 1-thread GFLOP/s`,
        r?.gflops && np ? r.gflops / np : null,
        0.4,
        `${num(r?.gflops)} vs ${num(np)} GFLOP/s${fail}`,
      );
    }
    if (label === 'assemblyscript') {
      if (variant === 'relaxed-simd') {
        add(
          `${tag} denseForward ${sl} / numpy 1-thread GFLOP/s`,
          r?.gflops && np ? r.gflops / np : null,
          0.5,
          `${num(r?.gflops)} vs ${num(np)} GFLOP/s${fail}`,
        );
      } else {
        add(
          `assemblyscript relaxed-simd denseForward ${sl} / numpy`,
          null,
          0.5,
          `relaxed build not loaded (best build: ${variant ?? 'none'})${fail}`,
        );
      }
    }
    if (label === 'assemblyscript:simd') continue; // the remaining targets use the best AS build and rust simd
    add(
      `${tag} denseForward ${sl} / naive loop`,
      ratioMs(r, naiveF),
      10,
      `${num(r?.gflops)} vs ${num(naiveF?.gflops)} GFLOP/s${fail}`,
    );
    const e = ep(effective);
    add(
      `${tag} train epoch samples/s / numpy 1 thread`,
      e?.samplesPerSec && numpy.mlp1 ? e.samplesPerSec / numpy.mlp1.samplesPerSec : null,
      0.6,
      `${num(e?.samplesPerSec)} vs ${num(numpy.mlp1?.samplesPerSec)} samples/s (Network.train)${fail}`,
    );
    const kf = ep(`${effective} (fused kernel only)`);
    add(
      `${tag} fused epoch kernel samples/s / numpy 1 thread`,
      kf?.samplesPerSec && numpy.mlp1 ? kf.samplesPerSec / numpy.mlp1.samplesPerSec : null,
      0.6,
      `${num(kf?.samplesPerSec)} vs ${num(numpy.mlp1?.samplesPerSec)} samples/s (data already in memory, like numpy's)${fail}`,
    );
    const ds = ep(`${effective} (Dataset)`);
    add(
      `${tag} Network.train epoch on a Dataset / fused kernel`,
      ds?.samplesPerSec && kf?.samplesPerSec ? ds.samplesPerSec / kf.samplesPerSec : null,
      0.95,
      `${num(ds?.samplesPerSec)} vs ${num(kf?.samplesPerSec)} samples/s (Network.train(x, y): ${num(e?.samplesPerSec)})${fail}`,
    );
    threadTargets(tag, effective, fail);
    const t = tRows.find((x) => x.group === tut && x.backend === effective && x.status === 'ok');
    add(
      `${tag} tutorial 1000 epochs / numpy tutorial.py`,
      t?.medianMs && numpy.tutorialMs ? numpy.tutorialMs / t.medianMs : null,
      100,
      `${ms(t?.medianMs)} vs ${ms(numpy.tutorialMs)}${fail}`,
    );
  }

  // wide layers: each SIMD build's GEMM at the wide network's shapes against its own ceiling
  const wideShapes = WIDE_LAYERS.flatMap(([nIn, nOut]) => WIDE_BATCHES.map((batch) => ({ batch, nIn, nOut })));
  for (const label of ['assemblyscript', 'rust:simd']) ceilingTargets(label, wideShapes, 0.8, () => '');
  // float32 GEMM at the same shapes against each build's float32 ceiling (peakProbeF32)
  for (const label of ['assemblyscript', 'assemblyscript:simd', 'rust:simd']) {
    if (backends.find((b) => b.label === label)?.duplicateOf) continue;
    ceilingTargets(
      label,
      wideShapes,
      0.8,
      (row) => ` (peakProbeF32, ${probeWhat(row?.variant ?? null, 'float32')})`,
      'float32',
    );
  }

  // the wide network: 2 threads against 1 on every build, in float64 and (the timed builds) in float32
  for (const [g, dt] of [
    [WIDE_GROUP, ''],
    [WIDE_GROUP_F32, ' float32'],
  ] as const) {
    for (const r1 of tRows.filter((r) => r.group === g && r.status === 'ok' && !r.backend.includes('×2'))) {
      const r2 = tRows.find((r) => r.group === g && r.status === 'ok' && r.backend === `${r1.backend} ×2 threads`);
      add(
        `${r1.backend}${r1.variant ? ` (${r1.variant})` : ''} wide network${dt} 2 threads / 1 thread`,
        r2?.samplesPerSec && r1.samplesPerSec ? r2.samplesPerSec / r1.samplesPerSec : null,
        1.8,
        `${num(r2?.samplesPerSec)} vs ${num(r1.samplesPerSec)} samples/s (Network.train)`,
      );
    }
  }

  // float32: twice the lanes, so ≥ 1.8× the float64 samples/s on both real-digit epochs (1 thread, each SIMD build)
  for (const label of ['assemblyscript', 'rust:simd']) {
    const row = backends.find((b) => b.label === label);
    const tag = `${label}${row?.variant ? ` (${row.variant})` : ''}`;
    for (const [g32, g64, what] of [
      [realGroupF32, realGroup(REAL_CONFIGS[0]!), REAL_CONFIGS[0]!.title],
      [WIDE_GROUP_F32, WIDE_GROUP, '784-1024-1024-10 adam'],
    ] as const) {
      const a = tRows.find((r) => r.group === g32 && r.backend === label && r.status === 'ok');
      const f64 =
        a?.f64SamplesPerSec ??
        tRows.find((r) => r.group === g64 && r.backend === label && r.status === 'ok')?.samplesPerSec;
      add(
        `${tag} float32 / float64 epoch ${what}`,
        a?.samplesPerSec && f64 ? a.samplesPerSec / f64 : null,
        1.8,
        `${num(a?.samplesPerSec)} vs ${num(f64)} samples/s (Network.train, 1 thread${a?.f64SamplesPerSec ? ', epochs alternating' : ''})${row?.error ? ` — ${label} FAILED to load` : ''}`,
      );
    }
  }
  // a float32 Dataset takes half the bytes of a float64 one (every build)
  for (const b of bytes) {
    add(
      `${b.backend} Dataset ${DATASET_ROWS}×784 float64 bytes / float32 bytes`,
      b.float64 && b.float32 ? b.float64 / b.float32 : null,
      2,
      b.error ? `FAILED: ${b.error}` : `${b.float64} vs ${b.float32} bytes (backend.usedBytes())`,
    );
  }

  // threads never cost speed: wherever a build has a 1-thread and a 2-thread row of the same training task, the
  // 2-thread row is at most 5% slower (the worst build per task is the target's row)
  for (const group of [...new Set(tRows.map((r) => r.group))]) {
    let worst: { ratio: number; detail: string } | null = null;
    for (const r2 of tRows.filter(
      (r) => r.group === group && r.status === 'ok' && / ×2 threads/.test(r.backend) && !r.backend.includes('forced'),
    )) {
      const r1 = tRows.find(
        (r) => r.group === group && r.status === 'ok' && r.backend === r2.backend.replace(' ×2 threads', ''),
      );
      if (!r1?.medianMs || !r2.medianMs) continue;
      const ratio = r1.medianMs / r2.medianMs;
      if (!worst || ratio < worst.ratio)
        worst = { ratio, detail: `worst: ${r2.backend}, ${ms(r2.medianMs)} vs ${ms(r1.medianMs)} with 1 thread` };
    }
    if (worst) add(`threads: 2 never slower: ${group}`, worst.ratio, 0.95, worst.detail);
  }
  // the small-network targets: the tutorial against hand-written scalar JS, small networks against the general path
  for (const t of smallNetTargets(tRows, backends)) add(t.target, t.ratio, t.need, t.detail);
  return out;
}

/** The highest build ceiling of the run (the report's kernel-chart reference line), with what it measures. */
function bestCeiling(
  backends: readonly BackendRow[],
  cRows: readonly Row[],
): { gflops: number; what: string } | undefined {
  let best: { gflops: number; what: string } | undefined;
  for (const b of backends) {
    const c = b.duplicateOf ? null : ceilingOf(cRows, b.label);
    if (c && (!best || c > best.gflops))
      best = {
        gflops: c,
        what: `peakProbe, ${b.label}${b.variant && !b.label.includes(':') ? ` (${b.variant})` : ''}: ${probeWhat(b.variant)}`,
      };
  }
  return best;
}

function printTargets(ts: readonly Target[]): void {
  section('Targets (ratios of medians; ≥ need → PASS)');
  log(
    table(
      ['target', 'ratio', 'need', 'verdict', 'detail'],
      ts.map((t) => [t.target, t.ratio === null ? '—' : ratio(t.ratio), `${t.need}x`, t.verdict, t.detail]),
      1,
    ),
  );
}

async function main(): Promise<void> {
  const env = environment(wasm);
  const backends = await loadRows();
  header(env, backends);

  section(`numpy baselines ${elapsed()}`);
  const numpy = runNumpy(log);
  if (!numpy.available) log(`numpy baselines skipped (they need python3 with numpy): ${numpy.reason ?? 'unknown'}`);
  else {
    log(`python ${numpy.python}, numpy ${numpy.numpy}, scripts ${BASELINE_DIR} (OPENBLAS_CORETYPE/L2_SIZE unset)`);
    for (const e of numpy.errors) log(`numpy error: ${e}`);
  }

  section(
    `verification (backend vs js: rtol ${TOL.backend.rtol}, atol ${TOL.backend.atol}; js vs naive loops: rtol ${TOL.naive.rtol}, atol ${TOL.naive.atol})`,
  );
  let failures: Failures = new Map();
  try {
    failures = verifyKernels(backends);
  } catch (e) {
    log(`verification could not run: ${(e as Error).message}`);
    for (const b of backends)
      failures.set(b.label, new Map(KERNELS.map((k) => [k, `not verified: ${(e as Error).message}`])));
  }
  for (const b of backends) {
    if (b.duplicateOf) continue;
    if (!b.backend) {
      log(`${b.label.padEnd(22)} FAILED to load: ${b.error ?? ''}`);
      continue;
    }
    const f = failures.get(b.label);
    log(`${b.label.padEnd(22)} ${KERNELS.map((k) => `${k} ${f?.get(k) ? `FAILED (${f.get(k)})` : 'ok'}`).join('; ')}`);
  }

  section(`verification, float32 kernels (backend vs js float32: rtol ${TOL_F32.rtol}, atol ${TOL_F32.atol})`);
  let failures32: Failures = new Map();
  try {
    failures32 = verifyKernelsF32(backends);
  } catch (e) {
    log(`float32 verification could not run: ${(e as Error).message}`);
    for (const b of backends)
      failures32.set(b.label, new Map(KERNELS.map((k) => [k, `not verified: ${(e as Error).message}`])));
  }
  for (const b of backends) {
    if (b.duplicateOf || !b.backend || b.name === 'js') continue;
    const f = failures32.get(b.label);
    log(
      `${b.label.padEnd(22)} ${KERNELS.map((k) => `${k}F32 ${f?.get(k) ? `FAILED (${f.get(k)})` : 'ok'}`).join('; ')}`,
    );
  }

  section(`timing kernels ${elapsed()}`);
  const cRows = await benchCeiling(backends, log, 'before grid');
  const c32Rows = await benchCeiling(backends, log, 'before grid', 'float32');
  const kRows = await benchKernels(backends, failures, log);
  const k32Rows = await benchKernelsF32(backends, failures32, log);
  cRows.push(...(await benchCeiling(backends, log, 'after grid')));
  c32Rows.push(...(await benchCeiling(backends, log, 'after grid', 'float32')));
  annotateCeiling(kRows, cRows);
  annotateCeiling(k32Rows, c32Rows);
  section(`timing element-wise kernels ${elapsed()}`);
  const eRows = await benchElementwise(backends, log);
  section(`timing training ${elapsed()}`);
  const tRows = await benchTraining(backends, log);
  const real = await benchRealData(backends, log, numpy);
  tRows.push(...real.rows);
  const wRows = await benchWide(backends, log);
  tRows.push(...wRows);
  section(`timing float32 ${elapsed()}`);
  const realUntimed: string[] = [];
  tRows.push(...(await benchRealF32(backends, log, realUntimed)));
  const wideUntimed: string[] = [];
  // float32 wide epochs are timed on the SIMD builds only (timedWideF32): the bench stays within its time budget
  const w32Rows = await benchWide(backends, log, 'float32', timedWideF32, wideUntimed);
  tRows.push(...w32Rows);
  const dsBytes = await datasetBytes(backends);
  const ctlRows = await benchControls(backends, log);
  section(`peers on the same problems ${elapsed()}`);
  const peers = await runPeers(log);
  log(`  instantiation ${elapsed()}`);
  const iRows = await benchInstantiate(backends);
  log(`  done ${elapsed()}`);

  printCeiling('float64', cRows);
  printCeiling('float32', c32Rows, cRows);
  printKernels(kRows, numpy);
  printKernelsF32(k32Rows, kRows);
  printTraining(tRows, numpy);
  printRealData(tRows, real.checks, numpy);
  printWide(wRows, cRows);
  printFloat32(tRows, realUntimed, wideUntimed, c32Rows, dsBytes);
  printPeers(tRows, peers);
  printControls(ctlRows, log);
  printElementwise(eRows);
  printInstantiate(iRows);
  const ts = targets(kRows, tRows, numpy, backends, cRows, real.checks, dsBytes, k32Rows, c32Rows);
  printTargets(ts);

  const wallSeconds = (performance.now() - t0) / 1000;
  const best = bestCeiling(backends, cRows);
  const result = {
    environment: env,
    backends: backends.map((b) => ({
      label: b.label,
      name: b.name,
      title: rowTitle(b),
      requested: b.requested ?? null,
      variant: b.variant,
      error: b.error,
      coldLoadMs: b.coldLoadMs,
      duplicateOf: b.duplicateOf ?? null,
    })),
    verification: Object.fromEntries([...failures].map(([k, v]) => [k, Object.fromEntries(v)])),
    numpy,
    ceilingRows: cRows,
    ceilingRowsF32: c32Rows,
    datasetBytes: dsBytes,
    realLossChecks: real.checks,
    ceilings: Object.fromEntries(
      backends
        .filter((b) => !b.duplicateOf && ceilingOf(cRows, b.label))
        .map((b) => [b.label, { gflops: ceilingOf(cRows, b.label)!, what: probeWhat(b.variant) }]),
    ),
    ...(best ? { ceiling: best } : {}),
    kernels: kRows,
    kernelsF32: k32Rows,
    verificationF32: Object.fromEntries([...failures32].map(([k, v]) => [k, Object.fromEntries(v)])),
    elementwise: eRows,
    training: tRows,
    controls: ctlRows,
    peers,
    instantiate: iRows,
    targets: ts,
    wallSeconds,
    sink: kernelSink + sinkF32 + trainSink + controlsSink + f32Sink,
  };
  const dir = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${env.date.replace(/[:.]/g, '-')}.json`);
  const json = JSON.stringify(result, null, 2);
  writeFileSync(file, json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  writeFileSync(path.join(dir, 'report.html'), renderReport(result));
  log(
    `\nresults: ${path.relative(REPO_ROOT, file)} (and bench/results/latest.json), charts: bench/results/report.html; wall time ${wallSeconds.toFixed(0)} s; sink ${Number.isFinite(result.sink) ? 'ok' : result.sink}`,
  );
  for (const b of backends) b.backend?.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
