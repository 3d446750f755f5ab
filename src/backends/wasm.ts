/**
 * Loading the WASM backends: read the module next to this file (Node: the file system; browsers: fetch),
 * pick the best build the engine validates, compile once per file (cached), and instantiate it on a
 * fresh linear memory. The AssemblyScript and Rust modules share this loader and the binder in heap.ts.
 */
import { KERNEL_NAMES, type KernelExports } from '../abi.js';
import type { BackendName, BackendVariant } from '../backend.js';
import { BackendError } from '../errors.js';
import { HeapBackend, createMemory } from './heap.js';

export interface WasmBuild {
  readonly variant: BackendVariant;
  /** URL of the .wasm file */
  readonly url: URL;
  /** how to rebuild it, for error messages */
  readonly rebuild: string;
}

const modules = new Map<string, Promise<WebAssembly.Module>>();
const bytesCache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

async function readBytes(build: WasmBuild, backend: BackendName): Promise<Uint8Array<ArrayBuffer>> {
  const key = build.url.href;
  let p = bytesCache.get(key);
  if (!p) {
    p = (async () => {
      try {
        if (build.url.protocol === 'file:') {
          const { readFile } = await import('node:fs/promises');
          return new Uint8Array(await readFile(build.url));
        }
        const res = await fetch(build.url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      } catch (cause) {
        throw new BackendError(
          `loadBackend('${backend}'): cannot read ${build.url.href} (${(cause as Error).message}); build it with \`${build.rebuild}\``,
          { cause },
        );
      }
    })();
    bytesCache.set(key, p);
    p.catch(() => bytesCache.delete(key));
  }
  return p;
}

/** True when this engine can compile the build (SIMD, relaxed SIMD and threads are feature-detected this way). */
export async function buildSupported(build: WasmBuild, backend: BackendName): Promise<boolean> {
  return WebAssembly.validate(await readBytes(build, backend));
}

async function compile(build: WasmBuild, backend: BackendName): Promise<WebAssembly.Module> {
  const key = build.url.href;
  let p = modules.get(key);
  if (!p) {
    p = (async () => {
      const bytes = await readBytes(build, backend);
      try {
        return await WebAssembly.compile(bytes);
      } catch (cause) {
        throw new BackendError(
          `loadBackend('${backend}'): ${build.url.href} is not a valid module for this engine (${(cause as Error).message}); rebuild it with \`${build.rebuild}\``,
          { cause },
        );
      }
    })();
    modules.set(key, p);
    p.catch(() => modules.delete(key));
  }
  return p;
}

export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory, backend: BackendName, file: string): Promise<KernelExports> {
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (cause) {
    throw new BackendError(`loadBackend('${backend}'): cannot instantiate ${file} (${(cause as Error).message})`, { cause });
  }
  const ex = instance.exports as Record<string, unknown>;
  const missing = KERNEL_NAMES.filter((n) => typeof ex[n] !== 'function');
  if (missing.length > 0) {
    throw new BackendError(`loadBackend('${backend}'): ${file} does not export ${missing.join(', ')} (it is stale or from another project; rebuild it)`);
  }
  return ex as unknown as KernelExports;
}

/**
 * Loads the first build this engine supports (or exactly `variant` when given) as a HeapBackend.
 * @throws BackendError naming the missing file or feature and how to build it.
 */
export async function loadWasmBackend(name: BackendName, builds: readonly WasmBuild[], variant?: BackendVariant): Promise<HeapBackend> {
  const candidates = variant === undefined ? builds : builds.filter((b) => b.variant === variant);
  if (candidates.length === 0) {
    throw new BackendError(
      `loadBackend('${name}'): unknown variant '${String(variant)}' (expected ${builds.map((b) => b.variant).join('|')})`,
    );
  }
  const unsupported: string[] = [];
  for (const build of candidates) {
    if (!(await buildSupported(build, name))) {
      unsupported.push(`${build.variant} (${build.url.pathname.split('/').pop()})`);
      continue;
    }
    const module = await compile(build, name);
    const memory = createMemory();
    const kernels = await instantiateKernels(module, memory, name, build.url.href);
    return new HeapBackend(name, build.variant, memory, kernels, module);
  }
  throw new BackendError(
    `loadBackend('${name}'): this engine supports none of the builds tried: ${unsupported.join(', ')}` +
      (variant === 'relaxed-simd' ? ' (relaxed SIMD needs Node >= 22 or `node --experimental-wasm-relaxed-simd` on Node 20)' : ''),
  );
}
