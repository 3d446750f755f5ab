/** Narrow measurement: peakProbe vs peakProbeF32 GFLOP/s per rust build (CPU time, median of ROUNDS). npx tsx scripts/rust-peak.ts */
import { loadBackend } from '../src/backends/index.js';
import { hostOf } from '../src/internal/index.js';
import { PROBE_CHAINS, PROBE_CHAINS_F32 } from '../src/abi.js';
import { median } from '../bench/stats.js';
const ROUNDS = Number(process.env.ROUNDS ?? 21),
  IT = 200_000;
for (const variant of ['simd', 'scalar'] as const) {
  const ex = hostOf('p', await loadBackend('rust', { variant })).raw;
  const t: Record<'peakProbe' | 'peakProbeF32', number[]> = { peakProbe: [], peakProbeF32: [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const k of ['peakProbe', 'peakProbeF32'] as const) {
      const c0 = process.cpuUsage();
      ex[k](IT, 1, 2 ** -30);
      const c = process.cpuUsage(c0);
      t[k].push((c.user + c.system) / 1e6);
    }
  const g = (k: keyof typeof t) =>
    (2 * (k === 'peakProbeF32' ? PROBE_CHAINS_F32 : PROBE_CHAINS) * IT) / median(t[k]) / 1e9;
  console.log(
    `rust ${variant}: peakProbe ${g('peakProbe').toFixed(2)} GFLOP/s, peakProbeF32 ${g('peakProbeF32').toFixed(2)} GFLOP/s, ratio ${(g('peakProbeF32') / g('peakProbe')).toFixed(2)}`,
  );
}
