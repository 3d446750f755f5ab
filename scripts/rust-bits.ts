/**
 * Narrow check for rust/src changes: the rust modules in OLD (default /tmp/old: copies of the committed
 * rust/*.wasm taken before the change) against the current ones, bit for bit (losses, parameters, predict, gradients,
 * evaluate) on 13 configurations × threads 1 and 2 × both builds, per dtype (DTYPES, default float64). Exit code 1 on
 * any difference.
 * Usage: OLD=/tmp/old DTYPES=float64,float32 npx tsx scripts/rust-bits.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, Dtype } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { setMinThreadWorkForTest } from '../src/internal/index.js';
import { cfgName, cfgs, runConfig, type Cfg } from './rust-configs.js';

const OLD = process.env.OLD ?? '/tmp/old';
const DTYPES = (process.env.DTYPES ?? 'float64').split(',') as Dtype[]; // runConfig's Network.create refuses others
setMinThreadWorkForTest(0);
async function run(be: () => Promise<Backend>, c: Cfg, threads: number, dtype: Dtype): Promise<string> {
  const out = await runConfig(await be(), c, threads, dtype);
  return createHash('sha256').update(out).digest('hex').slice(0, 16);
}
let bad = 0;
for (const variant of ['simd', 'scalar'] as const) {
  const file = `fastnn-${variant}.wasm`;
  const oldB = () => loadBackend('rust', { variant, wasm: readFileSync(join(OLD, file)) });
  const newB = () => loadBackend('rust', { variant, wasm: readFileSync(join('rust', file)) });
  for (const dtype of DTYPES)
    for (const c of cfgs)
      for (const t of [1, 2]) {
        const a = await run(oldB, c, t, dtype),
          b = await run(newB, c, t, dtype);
        if (a !== b) bad++;
        console.log(`${variant} ${dtype} ${cfgName(c)} t${t}: ${a} ${b} ${a === b ? 'same' : 'DIFFERENT'}`);
      }
}
console.log(bad ? `${bad} DIFFERENT` : 'all same');
process.exit(bad ? 1 : 0);
