/** The `assemblyscript` backend: the kernels of assembly/ compiled by asc (npm run asbuild) into build/. */
import type { BackendVariant } from '../backend.js';
import type { HeapBackend } from './heap.js';
import { loadWasmBackend, type WasmBuild } from './wasm.js';

const rebuild = 'npm run asbuild';
/** Best first: relaxed SIMD (fused multiply-add), then SIMD, then scalar. The debug build is only loaded by name. */
export const AS_BUILDS: readonly WasmBuild[] = [
  { variant: 'relaxed-simd', url: new URL('../../build/as-relaxed.wasm', import.meta.url), rebuild },
  { variant: 'simd', url: new URL('../../build/as-simd.wasm', import.meta.url), rebuild },
  { variant: 'scalar', url: new URL('../../build/as-scalar.wasm', import.meta.url), rebuild },
  { variant: 'debug', url: new URL('../../build/as-debug.wasm', import.meta.url), rebuild },
];

export function loadAssemblyScript(variant?: BackendVariant): Promise<HeapBackend> {
  return loadWasmBackend('assemblyscript', variant === undefined ? AS_BUILDS.filter((b) => b.variant !== 'debug') : AS_BUILDS, variant);
}
