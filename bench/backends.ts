/**
 * The backend rows of every table: js, assemblyscript (the best build this engine loads), the other
 * AssemblyScript builds by name, and Rust's two builds. A row that cannot load is kept, FAILED, with the error.
 *
 * Loading happens once, first thing, so each row's load time is the cold cost (read + validate + compile +
 * instantiate); later loads of the same build reuse the compiled module (the warm series, instantiate.bench.ts).
 */
import type { Backend, BackendName, BackendVariant } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';

export interface BackendRow {
  /** the name in task names: `[assemblyscript]`, `[assemblyscript:simd]`, `[rust:scalar]` */
  readonly label: string;
  readonly name: BackendName;
  /** requested variant (undefined: the best one) */
  readonly requested: BackendVariant | undefined;
  /** the build that loaded, or null */
  variant: BackendVariant | null;
  backend: Backend | null;
  /** why it failed to load, or (later) why its kernels failed verification */
  error: string | null;
  /** cold load time in ms (first load of this build in this process) */
  coldLoadMs: number | null;
  /** present when this row duplicates another row's build and is not benchmarked */
  duplicateOf?: string;
}

const ROW_SPECS: readonly { label: string; name: BackendName; variant?: BackendVariant }[] = [
  { label: 'js', name: 'js' },
  { label: 'assemblyscript', name: 'assemblyscript' },
  { label: 'assemblyscript:simd', name: 'assemblyscript', variant: 'simd' },
  { label: 'assemblyscript:scalar', name: 'assemblyscript', variant: 'scalar' },
  { label: 'rust:simd', name: 'rust', variant: 'simd' },
  { label: 'rust:scalar', name: 'rust', variant: 'scalar' },
];

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function loadRows(): Promise<BackendRow[]> {
  const rows: BackendRow[] = [];
  for (const spec of ROW_SPECS) {
    const row: BackendRow = {
      label: spec.label,
      name: spec.name,
      requested: spec.variant,
      variant: null,
      backend: null,
      error: null,
      coldLoadMs: null,
    };
    const t0 = performance.now();
    try {
      const b = await loadBackend(spec.name, spec.variant === undefined ? {} : { variant: spec.variant });
      row.coldLoadMs = performance.now() - t0;
      row.backend = b;
      row.variant = b.variant;
    } catch (e) {
      row.error = errorMessage(e);
    }
    rows.push(row);
  }
  // 'assemblyscript' (best) may be the same build as an explicit row, e.g. simd when relaxed SIMD is unavailable.
  for (const r of rows) {
    if (r.requested === undefined || !r.backend) continue;
    const best = rows.find(
      (o) => o.name === r.name && o.requested === undefined && o.backend && o.variant === r.variant,
    );
    if (best) {
      r.duplicateOf = best.label;
      r.backend.dispose();
      r.backend = null;
    }
  }
  return rows;
}

export const rowTitle = (r: BackendRow): string =>
  r.variant && r.name !== 'js' && r.requested === undefined ? `${r.label} (${r.variant})` : r.label;
