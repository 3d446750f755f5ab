/** bench/results/report.html: rendered from a small fixture (the full bench never runs in tests). */
import { describe, expect, it } from 'vitest';
import { renderReport, type BenchResults } from '../bench/report-html.js';
import type { Row } from '../bench/report.js';
import { lineChart, stackSvg } from '../bench/svg.js';

const ok = (group: string, name: string, backend: string, variant: string | null, extra: Partial<Row>): Row => ({
  group,
  name,
  backend,
  variant,
  status: 'ok',
  ...extra,
});
const TRAIN = 'train epoch 784-128-10 sigmoid/mse/sgd';
const TUT = 'tutorial 2-2-1, 1000 epochs';

function fixture(): BenchResults {
  return {
    environment: {
      date: '2026-11-30T12:00:00.000Z',
      node: 'v20.20.2',
      arch: 'x64',
      cpu: 'Test CPU',
      cores: 2,
      gitCommit: 'abc1234',
      gitDirty: false,
    },
    backends: [
      { label: 'js', variant: 'js', error: null },
      { label: 'assemblyscript', title: 'assemblyscript (relaxed-simd)', variant: 'relaxed-simd', error: null },
      { label: 'rust:simd', variant: 'simd', error: null },
    ],
    numpy: {
      available: true,
      python: '3.11',
      numpy: '2.4',
      gemm1: { '256,784,128': 61.2 },
      mlp1: { samplesPerSec: 87_800, epochS: 0.091 },
      mlp2: { samplesPerSec: 68_500, epochS: 0.117 },
      tutorialMs: 18.5,
      errors: [],
      wallMs: 1,
    },
    kernels: [
      ok('denseForward', 'denseForward B=256 784→128 [js]', 'js', 'js', { gflops: 5.5 }),
      ok('denseForward', 'denseForward B=256 784→128 [assemblyscript]', 'assemblyscript', 'relaxed-simd', {
        gflops: 26.7,
      }),
      ok('denseForward', 'denseForward B=256 784→128 [rust:simd]', 'rust:simd', 'simd', { gflops: 20.5 }),
      ok('denseForward', 'naive denseForward B=256 784→128 [naive js]', 'naive js', null, { gflops: 1.8 }),
      ok('denseBackward', 'denseBackward B=32 128→64 [assemblyscript]', 'assemblyscript', 'relaxed-simd', {
        gflops: 12.5,
      }),
      {
        group: 'denseBackward',
        name: 'denseBackward B=32 128→64 [rust:simd]',
        backend: 'rust:simd',
        variant: 'simd',
        status: 'FAILED',
        error: 'dw differs from js at 3',
      },
    ],
    training: [
      ok(TRAIN, `${TRAIN} [js]`, 'js', 'js', { samplesPerSec: 11_200, medianMs: 714 }),
      ok(TRAIN, `${TRAIN} [assemblyscript]`, 'assemblyscript', 'relaxed-simd', {
        samplesPerSec: 50_500,
        medianMs: 158,
      }),
      ok(TRAIN, `${TRAIN} [assemblyscript ×2 threads]`, 'assemblyscript ×2 threads', 'relaxed-simd', {
        samplesPerSec: 75_800,
        medianMs: 105,
      }),
      ok(
        TRAIN,
        `trainBatches epoch 784-128-10 sigmoid/mse/sgd [assemblyscript]`,
        'assemblyscript (fused kernel only)',
        'relaxed-simd',
        { samplesPerSec: 55_900 },
      ),
      ok(TRAIN, `${TRAIN} [rust:simd]`, 'rust:simd', 'simd', { samplesPerSec: 38_900 }),
      ok(TUT, 'tutorial 2-2-1 1000 epochs [assemblyscript]', 'assemblyscript', 'relaxed-simd', { medianMs: 0.45 }),
      ok(TUT, 'tutorial 2-2-1 1000 epochs [scalar js]', 'hand-written scalar js', null, { medianMs: 0.27 }),
    ],
    targets: [
      {
        target: 'assemblyscript (relaxed-simd) train epoch samples/s / numpy 1 thread',
        ratio: 0.575,
        need: 0.6,
        verdict: 'MISS',
        detail: '50.5k vs 87.8k',
      },
      {
        target: 'assemblyscript tutorial / numpy_tutorial',
        ratio: 41,
        need: 100,
        verdict: 'MISS',
        detail: '0.45 ms vs 18.5 ms',
      },
    ],
    wallSeconds: 240,
  };
}

/** The `data-series` names inside one chart (the SVG whose title contains `title`). */
function seriesIn(html: string, title: string): string[] {
  const svg = html.split('<svg').find((s) => s.includes(title));
  if (!svg) throw new Error(`no chart titled '${title}'`);
  return [...svg.matchAll(/<g class="series" data-series="([^"]*)"/g)].map((m) => m[1]!);
}

describe('bench report.html', () => {
  const html = renderReport(fixture());

  it('is one self-contained page: inline SVG, no scripts, no external resources', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
    expect(html.match(/<svg /g)?.length).toBe(4); // training, denseForward, denseBackward, tutorial
  });

  it('draws samples/s per backend and thread count against numpy', () => {
    expect(seriesIn(html, 'Training throughput')).toEqual([
      'js',
      'assemblyscript (relaxed-simd)',
      'assemblyscript (relaxed-simd) ×2 threads',
      'assemblyscript (relaxed-simd), fused kernel only',
      'rust:simd',
      'numpy (OpenBLAS 1 thread)',
      'numpy (OpenBLAS 2 threads)',
    ]);
    expect(html).toContain(
      'data-series="numpy, 1 thread (the sigmoid/mse/sgd epoch; numpy has no adam row)" data-value="87800"',
    );
    expect(html).toMatch(
      /data-series="assemblyscript \(relaxed-simd\) ×2 threads"[^>]*><text[^>]*>[^<]*<\/text><rect [^>]*data-value="75800"/,
    );
  });

  it('draws GFLOP/s per kernel against the best kernel, saying there is no ceiling measurement', () => {
    expect(seriesIn(html, 'denseForward: GFLOP/s')).toEqual([
      'js',
      'assemblyscript (relaxed-simd)',
      'rust:simd',
      'naive js',
      'numpy matmul (1 thread)',
    ]);
    expect(seriesIn(html, 'denseBackward: GFLOP/s')).toEqual(['assemblyscript (relaxed-simd)', 'rust:simd']);
    expect(html).toContain(
      'data-series="best kernel in this run (no WASM ceiling probe in these results)" data-value="26.7"',
    );
    expect(html).toContain('FAILED: dw differs from js at 3');
    expect(html).toContain('These results hold no WASM ceiling measurement');
  });

  it('uses a measured ceiling when the results hold one', () => {
    const withCeiling = renderReport({ ...fixture(), ceiling: { gflops: 40.5, what: 'f64x2 FMA loop' } });
    expect(withCeiling).toContain('data-series="WASM ceiling (f64x2 FMA loop)" data-value="40.5"');
    expect(withCeiling).not.toContain('best kernel in this run');
  });

  it("lists every build's ceiling and each GEMM row as a fraction of its own build's", () => {
    const f = fixture();
    f.kernels = f.kernels.map((r) =>
      r.backend === 'assemblyscript' && r.gflops ? { ...r, ofCeiling: r.gflops / 28 } : r,
    );
    const h = renderReport({
      ...f,
      ceiling: { gflops: 28, what: 'peakProbe, assemblyscript (relaxed-simd): f64x2.relaxed_madd' },
      ceilings: {
        assemblyscript: { gflops: 28, what: 'f64x2.relaxed_madd' },
        'rust:simd': { gflops: 17.5, what: 'f64x2.mul + f64x2.add' },
      },
    });
    expect(h).toContain(
      'data-series="WASM ceiling (peakProbe, assemblyscript (relaxed-simd): f64x2.relaxed_madd)" data-value="28"',
    );
    expect(h).toContain('<tr><td>rust:simd</td><td>17.5</td><td>f64x2.mul + f64x2.add</td></tr>');
    expect(h).toContain('<tr><td>denseForward B=256 784→128 [assemblyscript]</td><td>26.7</td><td>0.954</td></tr>');
    expect(h).not.toContain('[rust:simd]</td><td>20.5'); // no ofCeiling on that row: not in the fraction table
  });

  it('draws the real-digit epochs next to numpy on the same problem, with the first-epoch losses', () => {
    const f = fixture();
    const G = 'real MNIST epoch 784-128-10 sigmoid/mse/sgd lr 1';
    f.training = [
      ...f.training,
      ok(G, `${G} [assemblyscript]`, 'assemblyscript', 'relaxed-simd', { samplesPerSec: 47_000 }),
    ];
    f.numpy = { ...f.numpy, real: { sgd: { samplesPerSec: 36_000, epochS: 0.22, firstEpochLoss: 0.0941 } } };
    const h = renderReport({ ...f, realLossChecks: [{ config: 'sgd', fastnn: 0.0941, numpy: 0.0941, agree: true }] });
    expect(seriesIn(h, 'Real MNIST digits')).toEqual(['assemblyscript (relaxed-simd)', 'numpy (OpenBLAS 1 thread)']);
    expect(h).toContain('data-value="36000"');
    expect(h).toContain('sgd: fastnn 0.0941, numpy 0.0941 (agree)');
    expect(html).not.toContain('Real MNIST digits'); // no real-digit rows: no chart
  });

  it('draws the tutorial times and the targets', () => {
    expect(seriesIn(html, '2-2-1 network, one train call')).toEqual([
      'assemblyscript (relaxed-simd)',
      'hand-written scalar js',
      'numpy_tutorial.py',
    ]);
    expect(html).toContain('data-value="18.5"');
    expect(html).toContain('<td>assemblyscript tutorial / numpy_tutorial</td><td>41.0x</td><td>100x</td><td>MISS</td>');
  });

  it('says when numpy was unavailable instead of drawing it', () => {
    const f = fixture();
    f.numpy = { available: false, reason: 'python3: not found', gemm1: {}, errors: [], wallMs: 0 };
    const h = renderReport(f);
    expect(h).toContain('numpy unavailable (python3: not found)');
    expect(h).not.toContain('data-series="numpy, 1 thread');
    expect(seriesIn(h, 'Training throughput')).toContain('numpy (OpenBLAS 1 thread)'); // the row is there, marked unavailable
  });
});

describe('line charts (the MNIST example)', () => {
  it('draws each series with its points and stacks charts into one SVG', () => {
    const a = lineChart({
      title: 'loss',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [
        {
          name: 'train loss',
          points: [
            [1, 0.5],
            [2, 0.3],
            [3, 0.2],
          ],
        },
      ],
    });
    const b = lineChart({
      title: 'accuracy',
      xLabel: 'epoch',
      yLabel: '%',
      series: [
        {
          name: 'held-out accuracy',
          points: [
            [1, 0.9],
            [2, 0.95],
          ],
        },
      ],
    });
    expect(a).toContain('data-series="train loss" data-points="3"');
    expect(a.match(/<circle /g)?.length).toBe(3);
    const s = stackSvg([a, b]);
    expect(s.match(/<svg /g)?.length).toBe(3);
    expect(s).toContain('data-series="held-out accuracy" data-points="2"');
    expect(s).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="520" height="540"/);
  });
});
