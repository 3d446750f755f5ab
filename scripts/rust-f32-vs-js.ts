/** Float32 on the rust builds against the js float32 kernels (generated Math.fround code): max relative difference, equal bits, threads 1 vs 2. npx tsx scripts/rust-f32-vs-js.ts */
import type { Backend } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { setMinThreadWorkForTest } from '../src/internal/index.js';
import { cfgName, cfgs, runConfig, type Cfg } from './rust-configs.js';

setMinThreadWorkForTest(0);
const run = (be: Backend | 'js', c: Cfg, threads: number) => runConfig(be, c, threads, 'float32');
const nonF32 = (a: Float64Array) => a.findIndex((v) => Math.fround(v) !== v);
for (const c of cfgs) {
  const ref = await run('js', c, 1);
  const line: string[] = [];
  for (const variant of ['simd', 'scalar'] as const) {
    const t1 = await run(await loadBackend('rust', { variant }), c, 1);
    const t2 = await run(await loadBackend('rust', { variant }), c, 2);
    let maxRel = 0,
      same = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(t1[i]! - ref[i]!) / Math.max(1e-3, Math.abs(ref[i]!));
      if (d > maxRel) maxRel = d;
      if (t1[i] === ref[i]) same++;
    }
    const tEq = t1.every((v, i) => Object.is(v, t2[i]));
    line.push(
      `${variant}: maxRel ${maxRel.toExponential(2)} sameBits ${same}/${ref.length} threads1==2 ${tEq} nonF32@${nonF32(t1)}`,
    );
  }
  console.log(`${cfgName(c)}: ${line.join(' | ')}`);
}
