/**
 * Run configuration (the ONE place tinybench's time/warmupTime are fixed) and the environment header.
 *
 * BENCH_QUICK=1   ~10x shorter run for smoke tests (numbers are noisy; targets still printed).
 * BENCH_RELAXED=0 do not enable V8's relaxed-SIMD flag (Node 20 needs --experimental-wasm-relaxed-simd;
 *                 by default the bench sets it with v8.setFlagsFromString before any module compiles, so
 *                 the relaxed AssemblyScript build can be measured; the header says whether it was needed).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { BenchOptions } from 'tinybench';

export const QUICK = process.env.BENCH_QUICK === '1';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Kernel tasks: each sample is one kernel call, or (when one call is shorter than MIN_SAMPLE_MS) the mean of
 * a short inner loop of calls, so the timer's own cost stays below ~1% (see kernels.bench.ts).
 */
export const KERNEL_OPTS: BenchOptions = QUICK
  ? { time: 40, warmupTime: 10, iterations: 3, warmupIterations: 1 }
  : { time: 300, warmupTime: 50, iterations: 10, warmupIterations: 2 };

/**
 * Training tasks: one sample is one whole epoch (or tutorial run). No warm-up iteration: every training task first
 * runs its verification epoch on the same network, which warms the code paths; the median of 5 takes the rest.
 */
export const TRAIN_OPTS: BenchOptions = QUICK
  ? { time: 0, warmupTime: 0, iterations: 1, warmup: false }
  : { time: 0, warmupTime: 0, iterations: 5, warmup: false };

/** Short tasks (tutorial runs, warm instantiation): time-bounded like the kernels. */
export const SHORT_OPTS: BenchOptions = QUICK
  ? { time: 50, warmupTime: 10, iterations: 3, warmupIterations: 1 }
  : { time: 600, warmupTime: 100, iterations: 10, warmupIterations: 3 };

/** Target duration of one kernel sample; shorter calls are repeated inside the sample. */
export const MIN_SAMPLE_MS = 0.2;

/** Training samples per epoch (8000 like bench/numpy/mlp.py; 1600 in quick mode). */
export const TRAIN_SAMPLES = QUICK ? 1600 : 8000;

// WebAssembly feature probes: the smallest modules using one instruction of each proposal.
// SIMD: (func (result v128) v128.const i32x4 0 0 0 0)
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
]);
// relaxed SIMD: (func (result v128) v128.const ×3, f32x4.relaxed_madd)
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

export interface WasmFeatures {
  simd: boolean;
  relaxedSimdDefault: boolean;
  relaxedSimd: boolean;
  relaxedFlagSet: boolean;
}

/** Probes SIMD / relaxed SIMD, and enables V8's relaxed-SIMD flag unless BENCH_RELAXED=0. Call before any WASM compiles. */
export function probeWasmFeatures(): WasmFeatures {
  const simd = WebAssembly.validate(SIMD_PROBE);
  const relaxedSimdDefault = WebAssembly.validate(RELAXED_PROBE);
  let relaxedFlagSet = false;
  if (!relaxedSimdDefault && process.env.BENCH_RELAXED !== '0') {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxedFlagSet = true;
    } catch {
      // unknown flag on this engine
    }
  }
  return { simd, relaxedSimdDefault, relaxedSimd: WebAssembly.validate(RELAXED_PROBE), relaxedFlagSet };
}

export interface Environment {
  date: string;
  node: string;
  v8: string;
  arch: string;
  platform: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  gitCommit: string;
  gitDirty: boolean | null;
  tinybench: string;
  quick: boolean;
  wasm: WasmFeatures;
  options: {
    kernel: BenchOptions;
    train: BenchOptions;
    short: BenchOptions;
    minSampleMs: number;
    trainSamples: number;
  };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function environment(wasm: WasmFeatures): Environment {
  let tinybench = 'unknown';
  try {
    tinybench = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'tinybench', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    // not resolvable
  }
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    arch: process.arch,
    platform: `${os.platform()} ${os.release()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gitCommit: git(['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    gitDirty: status === null ? null : status.length > 0,
    tinybench,
    quick: QUICK,
    wasm,
    options: {
      kernel: KERNEL_OPTS,
      train: TRAIN_OPTS,
      short: SHORT_OPTS,
      minSampleMs: MIN_SAMPLE_MS,
      trainSamples: TRAIN_SAMPLES,
    },
  };
}
