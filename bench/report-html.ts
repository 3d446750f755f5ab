/**
 * bench/results/report.html: the bench's JSON results drawn as inline SVG (one self-contained file: no scripts,
 * no external styles, fonts or images). Charts:
 *   1. training samples/s per backend and thread count, against numpy (OpenBLAS, 1 and 2 threads);
 *   2. GFLOP/s per kernel and shape, against the WASM ceiling when the results hold one (`ceiling`: the highest
 *      build's peakProbe), otherwise against the best kernel measured in the same run, labelled as such; with
 *      per-build ceilings (`ceilings`) a table of every GEMM row as a fraction of its own build's ceiling;
 *   2b. real MNIST digits: samples/s per backend next to numpy on the same digits and initial parameters;
 *   3. the tutorial's 2-2-1 network, 1000 epochs: time per call (lower is better), against numpy.
 * Plus the targets table and the environment. Only rows of one run are ever compared.
 */
import type { NumpyResults } from './numpy.js';
import type { Row } from './report.js';
import { barChart, escapeXml, short, type BarGroup } from './svg.js';

export interface ReportTarget {
  target: string;
  ratio: number | null;
  need: number;
  verdict: string;
  detail: string;
}

/** The parts of bench/index.ts's JSON that the report reads. */
export interface BenchResults {
  environment: {
    date: string;
    node: string;
    cpu: string;
    cores: number;
    gitCommit: string;
    gitDirty?: boolean | null;
    arch?: string;
    quick?: boolean;
  };
  backends: { label: string; title?: string; variant: string | null; error: string | null }[];
  numpy: NumpyResults;
  kernels: Row[];
  training: Row[];
  targets: ReportTarget[];
  wallSeconds: number;
  /** the highest measured WASM peak of the run (peakProbe: multiply-add chains in registers, no memory traffic) */
  ceiling?: { gflops: number; what: string };
  /** fastnn's and numpy's first-epoch losses on the real digits (bench/train.bench.ts benchRealData) */
  realLossChecks?: { config: string; fastnn: number | null; numpy: number | null; agree: boolean | null }[];
  /** every build's measured ceiling, by backend row label */
  ceilings?: Record<string, { gflops: number; what: string }>;
}

const FAMILY_COLOURS: [RegExp, string][] = [
  [/^numpy/, '#555555'],
  [/^naive|^hand-written|^oracle|^reference/, '#b0b0b0'],
  [/^assemblyscript/, '#1f77b4'],
  [/^rust/, '#d62728'],
  [/^js/, '#ff7f0e'],
];

function colours(names: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const base = FAMILY_COLOURS.find(([re]) => re.test(n))?.[1] ?? '#2ca02c';
    // lighter shades for thread / fused / explicit-build variants of a family
    const light = /×2 threads/.test(n) ? 0.25 : 0;
    const fused = /fused kernel only/.test(n) ? 0.45 : 0;
    out[n] = shade(base, Math.min(0.7, light + fused + (/:(simd|scalar)/.test(n) ? 0.3 : 0)));
  }
  return out;
}

function shade(hex: string, towardsWhite: number): string {
  const v = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${v
    .map((c) =>
      Math.round(c + (255 - c) * towardsWhite)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * "assemblyscript (relaxed-simd) ×2 threads, fused kernel only": the row's backend label with the build it loaded
 * after the backend's name (when the label does not name the build already).
 */
function seriesName(r: Row): string {
  const space = r.backend.indexOf(' ');
  let head = space < 0 ? r.backend : r.backend.slice(0, space);
  const tail = space < 0 ? '' : r.backend.slice(space).replace(' (fused kernel only)', ', fused kernel only');
  if (r.variant && r.variant !== 'js' && !head.includes(':')) head = `${head} (${r.variant})`;
  return head + tail;
}

const failed = (r: Row): string =>
  `${r.status === 'errored' ? 'ERROR' : 'FAILED'}${r.error ? `: ${r.error.slice(0, 80)}` : ''}`;

function trainingChart(res: BenchResults): string {
  const groups = [...new Set(res.training.map((r) => r.group))].filter((g) => g.startsWith('train epoch'));
  const chartGroups: BarGroup[] = groups.map((g) => {
    const rows = res.training.filter((r) => r.group === g);
    const bars = rows.map((r) => ({
      series: seriesName(r),
      value: r.status === 'ok' ? (r.samplesPerSec ?? null) : null,
      missing: failed(r),
    }));
    if (g.includes('sgd')) {
      bars.push({
        series: 'numpy (OpenBLAS 1 thread)',
        value: res.numpy.mlp1?.samplesPerSec ?? null,
        missing: 'numpy unavailable',
      });
      bars.push({
        series: 'numpy (OpenBLAS 2 threads)',
        value: res.numpy.mlp2?.samplesPerSec ?? null,
        missing: 'numpy unavailable',
      });
    }
    return { label: g, bars };
  });
  const np1 = res.numpy.mlp1?.samplesPerSec;
  return barChart({
    title: 'Training throughput: one 784-128-10 epoch, batch 32 (higher is better)',
    unit: 'samples/s',
    groups: chartGroups,
    ...(np1
      ? { reference: { value: np1, label: 'numpy, 1 thread (the sigmoid/mse/sgd epoch; numpy has no adam row)' } }
      : {}),
    colours: colours(chartGroups.flatMap((g) => g.bars.map((b) => b.series))),
  });
}

function realChart(res: BenchResults): string {
  const groups = [...new Set(res.training.map((r) => r.group))].filter((g) => g.startsWith('real MNIST'));
  if (groups.length === 0) return '';
  const chartGroups: BarGroup[] = groups.map((g) => {
    const bars = res.training
      .filter((r) => r.group === g)
      .map((r) => ({
        series: seriesName(r),
        value: r.status === 'ok' ? (r.samplesPerSec ?? null) : null,
        missing: failed(r),
      }));
    const id = g.includes('/sgd') ? 'sgd' : g.includes('/adam') ? 'adam' : '';
    bars.push({
      series: 'numpy (OpenBLAS 1 thread)',
      value: res.numpy.real?.[id]?.samplesPerSec ?? null,
      missing: 'numpy unavailable',
    });
    return { label: g, bars };
  });
  const checks = (res.realLossChecks ?? [])
    .map(
      (c) =>
        `${escapeXml(c.config)}: fastnn ${c.fastnn ?? '—'}, numpy ${c.numpy ?? '—'}${c.agree === null ? '' : c.agree ? ' (agree)' : ' (<b>DIFFER</b>)'}`,
    )
    .join('; ');
  return (
    `<p>One epoch on real MNIST digits, numpy (bench/numpy/mlp_real.py) training the identical problem: the same digits and the same initial parameters. First-epoch losses: ${checks || 'not compared'}.</p>` +
    barChart({
      title: 'Real MNIST digits: one 784-128-10 epoch, batch 32 (higher is better)',
      unit: 'samples/s',
      groups: chartGroups,
      colours: colours(chartGroups.flatMap((g) => g.bars.map((b) => b.series))),
    })
  );
}

function kernelCharts(res: BenchResults): string[] {
  const kernels = [...new Set(res.kernels.map((r) => r.group))];
  const best = Math.max(
    0,
    ...res.kernels.filter((r) => r.status === 'ok' && !r.backend.startsWith('naive')).map((r) => r.gflops ?? 0),
  );
  const reference = res.ceiling
    ? { value: res.ceiling.gflops, label: `WASM ceiling (${res.ceiling.what})` }
    : best > 0
      ? { value: best, label: 'best kernel in this run (no WASM ceiling probe in these results)' }
      : undefined;
  return kernels.map((k) => {
    const rows = res.kernels.filter((r) => r.group === k);
    // shape label = the task name without the kernel prefix and the [backend] suffix
    const shapeOf = (r: Row): string =>
      r.name
        .replace(/^naive /, '')
        .replace(`${k} `, '')
        .replace(/ \[[^\]]*\]$/, '');
    const shapes = [...new Set(rows.map(shapeOf))];
    const groups: BarGroup[] = shapes.map((s) => {
      const bars = rows
        .filter((r) => shapeOf(r) === s)
        .map((r) => ({
          series: seriesName(r),
          value: r.status === 'ok' ? (r.gflops ?? null) : null,
          missing: failed(r),
        }));
      if (k === 'denseForward') {
        const m = /^B=(\d+) (\d+)→(\d+)$/.exec(s);
        const np = m ? res.numpy.gemm1[`${m[1]},${m[2]},${m[3]}`] : undefined;
        bars.push({
          series: 'numpy matmul (1 thread)',
          value: np ?? null,
          missing: 'numpy: not measured for this shape',
        });
      }
      return { label: s, bars };
    });
    return barChart({
      title: `${k}: GFLOP/s per shape (higher is better)`,
      unit: 'GFLOP/s',
      groups,
      log: true,
      ...(reference ? { reference } : {}),
      colours: colours(groups.flatMap((g) => g.bars.map((b) => b.series))),
    });
  });
}

/** Every GEMM row with a result as a fraction of its own build's ceiling (kernel rows carry `ofCeiling`). */
function ceilingTable(res: BenchResults): string {
  const cs = res.ceilings ?? {};
  if (Object.keys(cs).length === 0) return '';
  const head = `<table><tr><th>build</th><th>ceiling GFLOP/s</th><th>multiply-add</th></tr>${Object.entries(cs)
    .map(([l, c]) => `<tr><td>${escapeXml(l)}</td><td>${short(c.gflops)}</td><td>${escapeXml(c.what)}</td></tr>`)
    .join('')}</table>`;
  const rows = res.kernels.filter((r) => r.status === 'ok' && r.ofCeiling !== undefined);
  const body = rows
    .map((r) => `<tr><td>${escapeXml(r.name)}</td><td>${short(r.gflops ?? 0)}</td><td>${short(r.ofCeiling!)}</td></tr>`)
    .join('');
  return `<p>Each build's ceiling (peakProbe), and every GEMM row as a fraction of its own build's ceiling:</p>${head}<br><table><tr><th>task</th><th>GFLOP/s</th><th>of own ceiling</th></tr>${body}</table>`;
}

function tutorialChart(res: BenchResults): string {
  const group = res.training.filter((r) => r.group.startsWith('tutorial'));
  const label = group[0]?.group ?? 'tutorial 2-2-1, 1000 epochs';
  const bars = group.map((r) => ({
    series: seriesName(r),
    value: r.status === 'ok' ? (r.medianMs ?? null) : null,
    missing: failed(r),
  }));
  bars.push({ series: 'numpy_tutorial.py', value: res.numpy.tutorialMs ?? null, missing: 'numpy unavailable' });
  return barChart({
    title: "The tutorial's 2-2-1 network, one train call of 1000 epochs (time, lower is better)",
    unit: 'ms per call',
    groups: [{ label, bars }],
    log: true,
    ...(res.numpy.tutorialMs ? { reference: { value: res.numpy.tutorialMs, label: 'numpy' } } : {}),
    colours: colours(bars.map((b) => b.series)),
  });
}

function targetsTable(ts: readonly ReportTarget[]): string {
  const rows = ts.map(
    (t) =>
      `<tr class="${t.verdict.toLowerCase().replace('/', '')}"><td>${escapeXml(t.target)}</td><td>${t.ratio === null ? '—' : `${short(t.ratio)}x`}</td><td>${t.need}x</td><td>${escapeXml(t.verdict)}</td><td>${escapeXml(t.detail)}</td></tr>`,
  );
  return `<table><tr><th>target</th><th>ratio</th><th>need</th><th>verdict</th><th>detail</th></tr>${rows.join('')}</table>`;
}

export function renderReport(res: BenchResults): string {
  const e = res.environment;
  const loaded = res.backends
    .map(
      (b) =>
        `${escapeXml(b.title ?? b.label)}: ${b.error ? `<b>FAILED</b> (${escapeXml(b.error)})` : escapeXml(b.variant ?? '?')}`,
    )
    .join('; ');
  const numpy = res.numpy.available
    ? `numpy ${escapeXml(res.numpy.numpy ?? '?')} (python ${escapeXml(res.numpy.python ?? '?')})`
    : `numpy unavailable (${escapeXml(res.numpy.reason ?? 'unknown')})`;
  const ceilingNote = res.ceiling
    ? `The kernel charts' dashed line is the WASM ceiling measured in this run (${escapeXml(res.ceiling.what)}).`
    : "These results hold no WASM ceiling measurement, so the kernel charts' dashed line is the best GFLOP/s any kernel reached in this run, not a hardware or engine limit.";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fastnn bench ${escapeXml(e.date)}</title>
<style>
body { font: 13px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 820px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
svg { display: block; margin: 8px 0 18px; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ddd; padding: 3px 6px; text-align: left; }
tr.pass td:nth-child(4) { color: #176b2c; font-weight: 600; } tr.miss td:nth-child(4) { color: #a33; font-weight: 600; }
.env { color: #555; }
</style></head><body>
<h1>fastnn bench, ${escapeXml(e.date)}${e.quick ? ' (BENCH_QUICK=1: short smoke run, noisy numbers)' : ''}</h1>
<p class="env">Node ${escapeXml(e.node)}${e.arch ? `, ${escapeXml(e.arch)}` : ''}; ${escapeXml(e.cpu)} × ${e.cores}; git ${escapeXml(e.gitCommit)}${e.gitDirty ? ' (+ uncommitted changes)' : ''};
${numpy}; wall time ${res.wallSeconds.toFixed(0)} s.<br>Builds loaded: ${loaded}.<br>
Medians of one run on one machine; compare ratios within this page only.</p>
<h2>Training</h2>
${trainingChart(res)}
${realChart(res)}
<h2>Kernels</h2>
<p>${ceilingNote}</p>
${kernelCharts(res).join('\n')}
${ceilingTable(res)}
<h2>Tutorial network</h2>
${tutorialChart(res)}
<h2>Targets</h2>
${targetsTable(res.targets)}
</body></html>
`;
}
