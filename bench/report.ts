/** Result records, tinybench result extraction, and plain-text tables. */
import type { Bench, FnReturnedObject, Task } from 'tinybench';
import { formatDuration } from '../src/progress.js';

export interface Row {
  group: string;
  /** task name, e.g. `denseForward B=256 784→128 [assemblyscript]` */
  name: string;
  backend: string;
  variant?: string | null;
  status: 'ok' | 'FAILED' | 'errored';
  error?: string;
  samples?: number;
  /** per call (per epoch for training rows), median of the samples */
  medianMs?: number;
  meanMs?: number;
  /** relative margin of error of the mean latency, % */
  rme?: number;
  /** median throughput (calls per second) */
  opsPerSec?: number;
  gflops?: number;
  /** kernel rows: gflops ÷ the measured ceiling (peakProbe) of the row's own build */
  ofCeiling?: number;
  samplesPerSec?: number;
  /** float32 rows: the same build's float64 samples/s, its epochs timed in alternation with this row's */
  f64SamplesPerSec?: number;
  /** element-wise kernels: elements per nanosecond (= G elements/s) */
  gelems?: number;
  /** calls per sample (short kernels are repeated inside one sample) */
  inner?: number;
  note?: string;
}

/** Copies a finished tinybench task's statistics into a row (medians: latency p50, throughput p50). */
export function fromTask(row: Row, task: Task | undefined): Row {
  const r = task?.result;
  if (!r) return { ...row, status: 'errored', error: 'task did not run' };
  if (r.state === 'errored') return { ...row, status: 'errored', error: r.error.message };
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics')
    return { ...row, status: 'errored', error: `task ${r.state}` };
  return {
    ...row,
    status: 'ok',
    samples: r.latency.samplesCount,
    medianMs: r.latency.p50,
    meanMs: r.latency.mean,
    rme: r.latency.rme,
    opsPerSec: r.throughput.p50,
  };
}

const benchStart = performance.now();

/**
 * Runs a bench and returns its tasks by name. On a terminal, one line shows the task being timed, k/N, and the
 * group's ETA while the bench runs, and is erased when it ends (the callers print a plain line per group, which is
 * all a log file gets).
 */
export async function runBench(bench: Bench): Promise<Map<string, Task>> {
  const out = process.stdout;
  const tty = out.isTTY === true && process.env.CI !== 'true';
  let onCycle: (() => void) | null = null;
  if (tty) {
    const t0 = performance.now();
    const n = bench.tasks.length;
    let done = 0;
    const draw = (): void => {
      const spent = performance.now() - t0;
      const next = bench.tasks[done]?.name ?? '';
      const eta = done > 0 && done < n ? `  ETA ${formatDuration((spent / done) * (n - done))}` : '';
      const line = `    [${done}/${n}] ${next}${eta}  (bench ${formatDuration(performance.now() - benchStart)})`;
      const width = out.columns && out.columns > 20 ? out.columns - 1 : 200;
      out.write(`\r${line.slice(0, width)}\x1b[K`);
    };
    onCycle = () => {
      done++;
      draw();
    };
    bench.addEventListener('cycle', onCycle);
    draw();
  }
  try {
    await bench.run();
  } finally {
    if (onCycle) {
      bench.removeEventListener('cycle', onCycle);
      out.write('\r\x1b[K');
    }
  }
  return new Map(bench.tasks.map((t) => [t.name, t]));
}

/**
 * A sync task body that calls `fn` `inner` times and records the mean per call (tinybench's
 * overriddenDuration), so sub-microsecond kernels are not dominated by the timer. inner = 1 is a plain call.
 */
export function batched(now: () => number, fn: () => void, inner: number): () => FnReturnedObject | undefined {
  if (inner <= 1)
    return () => {
      fn();
      return undefined;
    };
  return () => {
    const t0 = now();
    for (let i = 0; i < inner; i++) fn();
    const dt = now() - t0;
    return { overriddenDuration: dt / inner, overriddenIterationCost: dt };
  };
}

/** How many calls make one sample of at least `minMs` (after a short warm-up). */
export function innerFor(fn: () => void, minMs: number): number {
  for (let i = 0; i < 3; i++) fn();
  let calls = 0;
  const t0 = performance.now();
  let dt = 0;
  while (dt < 2 && calls < 1e6) {
    fn();
    calls++;
    dt = performance.now() - t0;
  }
  const per = dt / calls;
  return per >= minMs ? 1 : Math.min(1e6, Math.ceil(minMs / per));
}

// ------------------------------------------------------------------ formatting
export function num(x: number | undefined | null, digits = 3): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1e6) return x.toExponential(2);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(digits);
}

/** A ratio with enough digits that 2.996x does not print as 3.00x. */
export function ratio(x: number | null | undefined): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3)}x`;
}

export function ms(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (x < 1e-3) return `${(x * 1e6).toFixed(0)} ns`;
  if (x < 1) return `${(x * 1e3).toPrecision(3)} µs`;
  if (x < 1000) return `${x.toPrecision(3)} ms`;
  return `${(x / 1000).toPrecision(3)} s`;
}

export function table(headers: string[], rows: string[][], rightFrom = 1): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= rightFrom ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Failure footnotes: a failed row shows `FAILED [n]` in its table and the reason is printed once below it, so
 * long loader messages do not stretch the columns.
 */
export class Notes {
  private readonly msgs: string[] = [];
  cell(r: { status: string; error?: string | null | undefined }): string {
    const m = r.error ?? 'unknown error';
    let i = this.msgs.indexOf(m);
    if (i < 0) i = this.msgs.push(m) - 1;
    return `${r.status === 'errored' ? 'ERROR' : 'FAILED'} [${i + 1}]`;
  }
  toString(): string {
    return this.msgs.map((m, i) => `  [${i + 1}] ${m}`).join('\n');
  }
  flush(log: (s: string) => void): void {
    if (this.msgs.length) log(this.toString());
    this.msgs.length = 0;
  }
}
