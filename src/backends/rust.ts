/** The `rust` backend: the kernels of rust/ compiled by cargo (npm run build:rust); the modules are committed. */
import type { BackendVariant } from '../backend.js';
import type { HeapBackend } from './heap.js';
import { loadWasmBackend, loadWasmBackendFrom, type WasmBuild, type WasmSource } from './wasm.js';

const rebuild = 'npm run build:rust';
/**
 * Best first. Rust 1.63 (Debian's toolchain) has no relaxed-SIMD intrinsics, so there is no relaxed build.
 * Literal URLs for bundlers; `npm run build` rewrites them to '../wasm/…' in dist/ (see assemblyscript.ts).
 */
export const RUST_BUILDS: readonly WasmBuild[] = [
  { variant: 'simd', url: new URL('../../rust/fastnn-simd.wasm', import.meta.url), rebuild },
  { variant: 'scalar', url: new URL('../../rust/fastnn-scalar.wasm', import.meta.url), rebuild },
];

export function loadRust(variant?: BackendVariant, wasm?: WasmSource): Promise<HeapBackend> {
  if (wasm !== undefined) return loadWasmBackendFrom('rust', wasm, RUST_BUILDS, variant);
  return loadWasmBackend('rust', RUST_BUILDS, variant);
}
