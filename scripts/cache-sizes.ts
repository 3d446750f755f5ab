/**
 * Cache sizes from timing (docs/benchmarks.md "Blocking for wide layers"): a dependent pointer chase over a random
 * cyclic permutation of 64-byte lines within working sets of 8 KiB .. 32 MiB; ns per load jumps where the set leaves
 * L1, then L2, then L3. Clock: this process's CPU time (the machine is shared). Usage: npx tsx scripts/cache-sizes.ts
 */
import { mulberry32 } from '../src/rng.js';

const cpuMs = (): number => process.cpuUsage().user / 1000;
const sizes = [8, 16, 24, 32, 40, 48, 64, 96, 128, 256, 512, 768, 1024, 1536, 2048, 4096, 8192, 16384, 32768]; // KiB
const rand = mulberry32(1);
let sink = 0;
for (const kib of sizes) {
  const lines = (kib * 1024) / 64;
  const next = new Int32Array(lines * 16); // one Int32 used per 64-byte line
  const order = Array.from({ length: lines }, (_, i) => i);
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let i = 0; i < lines; i++) next[order[i]! * 16] = order[(i + 1) % lines]! * 16;
  const steps = 4_000_000;
  const best: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    let p = 0;
    const t0 = cpuMs();
    for (let s = 0; s < steps; s++) p = next[p]!;
    best.push(((cpuMs() - t0) * 1e6) / steps);
    sink += p;
  }
  best.sort((a, b) => a - b);
  console.log(
    `${String(kib).padStart(6)} KiB: ${best[0]!.toFixed(2)} ns per dependent load (best of 5), median ${best[2]!.toFixed(2)}`,
  );
}
if (sink === -1) console.log('');
