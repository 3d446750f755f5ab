/** The `assemblyscript` backend: the kernels of assembly/ compiled by asc (npm run asbuild) into build/. */
import type { BackendVariant } from '../backend.js';
import type { HeapBackend } from './heap.js';
import { loadWasmBackend, loadWasmBackendFrom, type WasmBuild, type WasmSource } from './wasm.js';

const rebuild = 'npm run asbuild';
/**
 * Best first: relaxed SIMD (fused multiply-add), then SIMD, then scalar. The debug build is only loaded by name.
 * Each URL is a literal new URL(<string>, import.meta.url) so that bundlers copy the file and rewrite the URL. In the
 * source tree they point at build/; `npm run build` copies the modules to dist/wasm/ and rewrites these literals
 * to '../wasm/…' in dist/backends/assemblyscript.js (scripts/dist-wasm.mjs).
 */
export const AS_BUILDS: readonly WasmBuild[] = [
  { variant: 'relaxed-simd', url: new URL('../../build/as-relaxed.wasm', import.meta.url), rebuild },
  { variant: 'simd', url: new URL('../../build/as-simd.wasm', import.meta.url), rebuild },
  { variant: 'scalar', url: new URL('../../build/as-scalar.wasm', import.meta.url), rebuild },
  { variant: 'debug', url: new URL('../../build/as-debug.wasm', import.meta.url), rebuild },
];

export function loadAssemblyScript(variant?: BackendVariant, wasm?: WasmSource): Promise<HeapBackend> {
  if (wasm !== undefined) return loadWasmBackendFrom('assemblyscript', wasm, AS_BUILDS, variant);
  return loadWasmBackend(
    'assemblyscript',
    variant === undefined ? AS_BUILDS.filter((b) => b.variant !== 'debug') : AS_BUILDS,
    variant,
  );
}
