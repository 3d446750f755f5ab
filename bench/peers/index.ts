/**
 * The peers on fastnn's own problems (bench/peers/problem.ts): JAX (XLA on CPU, pinned to one core, float64 and
 * float32), jax-js 0.1.x (its wasm backend, float32) and TensorFlow.js (its wasm backend, float32). Each runs in its
 * own process from the same digits and initial parameters, and its first-epoch loss must agree with fastnn's (js
 * backend) — rtol 1e-6 in float64 (sums in another order), 1e-3 in float32 — or its row is FAILED with no ratio.
 * A peer that is not installed is skipped with one line. The ratios are printed by bench/index.ts against the fastnn
 * rows of the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMnist } from '../../examples/mnist-data.js';
import { Network } from '../../src/network.js';
import { REPO_ROOT } from '../env.js';
import { PEER_PROBLEMS, writePeerProblems, type PeerProblem } from './problem.js';

export interface PeerResult {
  peer: string;
  version: string;
  problem: PeerProblem['id'];
  dtype: 'float64' | 'float32';
  /** '1 core' for JAX (taskset), otherwise what the peer chose */
  cores: string;
  firstEpochLoss: number;
  epochS: number;
  samplesPerSec: number;
  /** fastnn's (js) first-epoch loss on the problem, and whether the peer's agrees with it */
  fastnnLoss: number;
  agrees: boolean;
}

export interface PeerRun {
  results: PeerResult[];
  /** one line per peer that did not run (not installed, failed) */
  skipped: string[];
}

export const PEER_RTOL = { float64: 1e-6, float32: 1e-3 } as const;
const here = path.join(REPO_ROOT, 'bench', 'peers');

function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

function run(
  label: string,
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  skipped: string[],
): Record<string, unknown>[] {
  const p = spawnSync(cmd, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 << 20,
    cwd: REPO_ROOT,
  });
  const lines = jsonLines(p.stdout ?? '');
  if (p.error || p.status !== 0 || lines.length === 0) {
    const why =
      p.error?.message ??
      `exited ${String(p.status ?? p.signal)}: ${
        (p.stderr || '')
          .trim()
          .split('\n')
          .filter((l) => !/^\s*at /.test(l))
          .pop()
          ?.slice(0, 200) ?? ''
      }`;
    skipped.push(`${label}: FAILED (${why})`);
  }
  return lines;
}

const installed = (pkg: string): boolean => {
  try {
    createRequire(path.join(REPO_ROOT, 'package.json')).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

/** fastnn's first-epoch loss on each problem (js backend, the reference the peers are checked against). */
async function fastnnLosses(): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const p of PEER_PROBLEMS) {
    const { train } = loadMnist(p.samples, 0);
    const net = await Network.create({ ...p.net, backend: 'js' });
    try {
      m.set(p.id, net.train(train.x, train.y, p.train).losses[0]!);
    } finally {
      net.dispose();
    }
  }
  return m;
}

export async function runPeers(log: (s: string) => void): Promise<PeerRun> {
  const skipped: string[] = [];
  const raw: Record<string, unknown>[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'fastnn-peers-'));
  try {
    await writePeerProblems(dir);
    const jax = spawnSync('python3', ['-c', 'import jax; print(jax.__version__)'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (jax.status !== 0) {
      skipped.push('JAX: skipped (python3 cannot import jax; `pip install -r bench/requirements.txt` adds it)');
    } else {
      const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
      for (const dtype of ['float64', 'float32']) {
        log(`  JAX ${jax.stdout.trim()} ${dtype} (${taskset ? 'taskset -c 0' : 'no taskset: all cores'})`);
        const args = [path.join(here, 'jax_peer.py'), dir, dtype];
        const lines = run(
          `JAX ${dtype}`,
          taskset ? 'taskset' : 'python3',
          taskset ? ['-c', '0', 'python3', ...args] : args,
          { XLA_FLAGS: '--xla_cpu_multi_thread_eigen=false' },
          skipped,
        );
        raw.push(...lines.map((l) => ({ ...l, cores: taskset ? '1 core' : 'all cores' })));
      }
    }
    for (const [name, pkg, file] of [
      ['jax-js', '@jax-js/jax', 'jaxjs.ts'],
      ['TensorFlow.js', '@tensorflow/tfjs-backend-wasm', 'tfjs.ts'],
    ] as const) {
      if (!installed(pkg) || (name === 'TensorFlow.js' && !installed('@tensorflow/tfjs'))) {
        skipped.push(`${name}: skipped (${pkg} is not installed; it is a dev dependency: npm ci adds it)`);
        continue;
      }
      log(`  ${name} (float32, wasm)`);
      raw.push(
        ...run(name, process.execPath, ['--import', 'tsx', path.join(here, file), dir], {}, skipped).map((l) => ({
          ...l,
          cores: '1 (its default)',
        })),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ref = await fastnnLosses();
  const results: PeerResult[] = [];
  for (const l of raw) {
    const problem = l.problem as PeerProblem['id'],
      dtype = l.dtype as 'float64' | 'float32';
    const fastnnLoss = ref.get(problem)!;
    const loss = Number(l.first_epoch_loss);
    const agrees = Math.abs(loss - fastnnLoss) <= PEER_RTOL[dtype] * Math.max(Math.abs(loss), Math.abs(fastnnLoss));
    results.push({
      peer: String(l.peer),
      version: String(l.version),
      problem,
      dtype,
      cores: String(l.cores),
      firstEpochLoss: loss,
      epochS: Number(l.epoch_s_median),
      samplesPerSec: Number(l.samples_per_s),
      fastnnLoss,
      agrees,
    });
  }
  return { results, skipped };
}

/** For running the peers alone: `npx tsx bench/peers/index.ts`. */
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const r = await runPeers(console.log);
  for (const x of r.results) console.log(JSON.stringify(x));
  for (const s of r.skipped) console.log(s);
}
