/**
 * What a peer program (jaxjs.ts, tfjs.ts) shares: reading the problems problem.ts wrote (meta.json and the float64
 * files, as float32) and timing and reporting one problem as the one JSON line runPeers reads. No fastnn imports: a
 * peer runs the other library alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One problem as meta.json describes it (problem.ts's `describe`). */
export interface Problem {
  id: string;
  samples: number;
  repeats: number;
  layers: number[];
  activation: string;
  outputActivation: string;
  loss: string;
  optimizer: string;
  learningRate: number;
  batch: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The problems in `dir`, and `f32(name, count)`: the first `count` values of float64 file `name` as float32. */
export function readProblems(dir: string): {
  problems: Problem[];
  f32: (name: string, count?: number) => Float32Array;
} {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { problems: Problem[] };
  const f32 = (name: string, count = Infinity): Float32Array => {
    const b = readFileSync(path.join(dir, name));
    const f = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
    return Float32Array.from(count === Infinity ? f : f.subarray(0, count));
  };
  return { problems: meta.problems, f32 };
}

/**
 * Runs `epoch` once (its loss is the first-epoch loss; it also compiles, in the peers that compile), then
 * `p.repeats` timed times, and prints the problem's JSON line with the median epoch time.
 */
export async function timeAndReport(
  peer: { name: string; version: string },
  p: Problem,
  epoch: () => number | Promise<number>,
): Promise<void> {
  const first = await epoch();
  const times: number[] = [];
  for (let r = 0; r < p.repeats; r++) {
    const t0 = performance.now();
    await epoch();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const s = times[times.length >> 1]!;
  console.log(
    JSON.stringify({
      peer: peer.name,
      version: peer.version,
      problem: p.id,
      dtype: 'float32',
      first_epoch_loss: first,
      epoch_s_median: s,
      samples_per_s: p.samples / s,
    }),
  );
}
