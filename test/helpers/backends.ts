/**
 * One list of backends for every suite (STYLE.md §9): each entry loads exactly one build, and a build
 * that cannot load fails the suite (loadBackend rejects); nothing is skipped. Tolerances live here too.
 */
import { afterAll, beforeAll } from 'vitest';
import { loadBackend } from '../../src/backends/index.js';
import type { Backend, BackendName, BackendVariant } from '../../src/backend.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface BackendCase {
  /** test-title label: backend name, plus the build where there is more than one */
  label: string;
  name: BackendName;
  variant: BackendVariant;
  create(): Promise<Backend>;
  /** tolerance against the per-neuron oracle after training (sums may be reordered by blocked/SIMD kernels) */
  tol: Tolerance;
}

/** js: same loop order as the oracle; differences come only from where the 1/batch factor is applied. */
export const TOL_JS: Tolerance = { rtol: 1e-12, atol: 1e-14 };
/** WASM scalar builds: another libm for exp/log/tanh. */
export const TOL_WASM_SCALAR: Tolerance = { rtol: 1e-12, atol: 1e-14 };
/** WASM SIMD / blocked kernels: reordered sums. */
export const TOL_WASM_SIMD: Tolerance = { rtol: 1e-10, atol: 1e-12 };

function wasm(name: BackendName, variant: BackendVariant): BackendCase {
  return {
    label: `${name} ${variant}`,
    name,
    variant,
    create: () => loadBackend(name, { variant }),
    tol: variant === 'scalar' || variant === 'debug' ? TOL_WASM_SCALAR : TOL_WASM_SIMD,
  };
}

export const BACKENDS: readonly BackendCase[] = [
  { label: 'js', name: 'js', variant: 'js', create: () => loadBackend('js'), tol: TOL_JS },
  wasm('assemblyscript', 'scalar'),
  wasm('assemblyscript', 'simd'),
  wasm('assemblyscript', 'relaxed-simd'),
  wasm('assemblyscript', 'debug'),
  wasm('rust', 'scalar'),
  wasm('rust', 'simd'),
];

/** Only the best build of each backend: for slower suites where the variants add nothing new. */
export const BACKEND_DEFAULTS: readonly BackendCase[] = BACKENDS.filter(
  (b) =>
    b.variant === 'js' ||
    (b.name === 'assemblyscript' && b.variant === 'relaxed-simd') ||
    (b.name === 'rust' && b.variant === 'simd'),
);

/**
 * The per-suite setup every backend suite shares: loads the case's backend before the suite's tests (handing it to
 * `set`) and disposes it after them.
 */
export function useBackend(bc: BackendCase, set: (backend: Backend) => void): void {
  let backend: Backend | null = null;
  beforeAll(async () => {
    backend = await bc.create();
    set(backend);
  });
  afterAll(() => backend?.dispose());
}
