/**
 * WASM instantiation cost. Cold: the first loadBackend of each build in this process (read, validate, compile,
 * instantiate), measured once with performance.now() in backends.ts. Warm: loadBackend again, with the compiled
 * module cached, so one call is a fresh memory + instantiate + binder (tinybench rows).
 */
import { Bench } from 'tinybench';
import { loadBackend } from '../src/backends/index.js';
import type { BackendRow } from './backends.js';
import { SHORT_OPTS } from './env.js';
import { fromTask, runBench, type Row } from './report.js';

export async function benchInstantiate(rows: readonly BackendRow[]): Promise<Row[]> {
  const out: Row[] = [];
  const bench = new Bench({
    name: 'instantiate',
    ...SHORT_OPTS,
    iterations: Math.min(SHORT_OPTS.iterations ?? 10, 10),
  });
  const pending: Row[] = [];
  for (const r of rows) {
    if (r.name === 'js') continue;
    const cold: Row = {
      group: 'instantiate',
      name: `loadBackend cold [${r.label}]`,
      backend: r.label,
      variant: r.variant,
      status: 'ok',
    };
    if (r.duplicateOf) continue;
    if (!r.backend || r.coldLoadMs === null) {
      out.push({ ...cold, status: 'FAILED', error: r.error ?? 'did not load' });
      continue;
    }
    out.push({
      ...cold,
      samples: 1,
      medianMs: r.coldLoadMs,
      meanMs: r.coldLoadMs,
      note: 'first load in the process: read + validate + compile + instantiate, once',
    });
    const warm: Row = { ...cold, name: `loadBackend warm [${r.label}]` };
    const opts = r.requested === undefined ? {} : { variant: r.requested };
    bench.add(
      warm.name,
      async () => {
        const b = await loadBackend(r.name, opts);
        b.dispose();
      },
      { async: true },
    );
    pending.push({ ...warm, note: 'compiled module cached: new memory + instantiate' });
  }
  const tasks = await runBench(bench);
  for (const p of pending) out.push(fromTask(p, tasks.get(p.name)));
  return out;
}
