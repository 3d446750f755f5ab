/**
 * The numpy (OpenBLAS) baselines in bench/numpy/, run in the same session: gemm.py and tutorial.py
 * single-threaded, mlp.py with 1 and 2 OpenBLAS threads, and mlp_real.py (1 thread) on the real MNIST digits and initial
 * parameters the training bench writes to a temp directory. Each prints JSON lines.
 * Without python3 or numpy the bench prints one line saying so and continues.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './env.js';

export const BASELINE_DIR = path.join(REPO_ROOT, 'bench', 'numpy');

export interface NumpyResults {
  available: boolean;
  reason?: string;
  python?: string;
  numpy?: string;
  /** shape "m,k,n" → GFLOP/s (1 thread) */
  gemm1: Record<string, number>;
  /** samples/s, epoch s */
  mlp1?: { samplesPerSec: number; epochS: number };
  mlp2?: { samplesPerSec: number; epochS: number };
  tutorialMs?: number;
  /** mlp_real.py: the real-digit epochs, by config id ('sgd', 'adam'), 1 OpenBLAS thread */
  real?: Record<string, { samplesPerSec: number; epochS: number; firstEpochLoss: number }>;
  errors: string[];
  wallMs: number;
}

function run(
  script: string,
  threads: number,
  args: readonly string[] = [],
): { lines: Record<string, unknown>[]; error?: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const p = spawnSync('python3', [path.join(BASELINE_DIR, script), ...args], {
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (p.error) return { lines: [], error: `${script}: ${p.error.message}` };
  if (p.status !== 0)
    return {
      lines: [],
      error: `${script} exited ${String(p.status ?? p.signal)}: ${(p.stderr || '').trim().split('\n').pop() ?? ''}`,
    };
  const lines: Record<string, unknown>[] = [];
  for (const l of p.stdout.split('\n')) {
    const t = l.trim();
    if (!t.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      // not a result line
    }
  }
  return lines.length ? { lines } : { lines, error: `${script}: no JSON output` };
}

export function runNumpy(log: (s: string) => void): NumpyResults {
  const t0 = performance.now();
  const res: NumpyResults = { available: false, gemm1: {}, errors: [], wallMs: 0 };
  const done = (): NumpyResults => ({ ...res, wallMs: performance.now() - t0 });
  if (!existsSync(BASELINE_DIR)) {
    res.reason = `baseline scripts not found at ${BASELINE_DIR}`;
    return done();
  }
  const probe = spawnSync('python3', ['-c', 'import sys, numpy; print(sys.version.split()[0], numpy.__version__)'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.error || probe.status !== 0) {
    res.reason = probe.error
      ? `python3: ${probe.error.message}`
      : `numpy: ${(probe.stderr || '').trim().split('\n').pop() ?? 'import failed'}`;
    return done();
  }
  const [py, np] = probe.stdout.trim().split(' ');
  res.python = py ?? '?';
  res.numpy = np ?? '?';
  res.available = true;

  log('  gemm.py (1 thread)');
  const g = run('gemm.py', 1);
  if (g.error) res.errors.push(g.error);
  for (const l of g.lines) {
    if (Array.isArray(l.shape) && typeof l.gflops_median === 'number')
      res.gemm1[(l.shape as number[]).join(',')] = l.gflops_median;
  }
  for (const threads of [1, 2] as const) {
    log(`  mlp.py (${threads} thread${threads > 1 ? 's' : ''})`);
    const m = run('mlp.py', threads);
    if (m.error) res.errors.push(m.error);
    const l = m.lines[0];
    if (l && typeof l.samples_per_s === 'number' && typeof l.epoch_s_median === 'number') {
      res[threads === 1 ? 'mlp1' : 'mlp2'] = { samplesPerSec: l.samples_per_s, epochS: l.epoch_s_median };
    }
  }
  log('  tutorial.py (1 thread)');
  const t = run('tutorial.py', 1);
  if (t.error) res.errors.push(t.error);
  const tl = t.lines[0];
  if (tl && typeof tl.ms_median === 'number') res.tutorialMs = tl.ms_median;
  return done();
}

/**
 * mlp_real.py on the directory `dir` (written by bench/train.bench.ts: the digits, targets and each config's initial
 * parameters), 1 OpenBLAS thread. Stores the results in `res.real`; an error goes to `res.errors` and is returned.
 */
export function runNumpyReal(res: NumpyResults, dir: string, log: (s: string) => void): string | null {
  log('  mlp_real.py (1 thread, real MNIST digits)');
  const m = run('mlp_real.py', 1, [dir]);
  if (m.error) {
    res.errors.push(m.error);
    return m.error;
  }
  res.real = {};
  for (const l of m.lines) {
    if (
      typeof l.config === 'string' &&
      typeof l.samples_per_s === 'number' &&
      typeof l.epoch_s_median === 'number' &&
      typeof l.first_epoch_loss === 'number'
    ) {
      res.real[l.config] = {
        samplesPerSec: l.samples_per_s,
        epochS: l.epoch_s_median,
        firstEpochLoss: l.first_epoch_loss,
      };
    }
  }
  return null;
}
