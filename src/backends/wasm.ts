/**
 * Loading the WASM backends: read the module next to this file (Node: the file system, through the `#platform`
 * module; browsers: fetch), pick the best build the engine validates, compile once per file (cached), and
 * instantiate it on a fresh linear memory. The AssemblyScript and Rust modules share this loader and the binder
 * in heap.ts. The modules' URLs are written literally in assemblyscript.ts and rust.ts
 * (new URL(<string>, import.meta.url)), which is what lets Vite and webpack find, copy and rewrite them.
 */
import { KERNEL_NAMES, type KernelExports } from '../abi.js';
import type { BackendName, BackendVariant } from '../backend.js';
import { BackendError, OptionError } from '../errors.js';
import { HeapBackend, createMemory } from './heap.js';

export interface WasmBuild {
  readonly variant: BackendVariant;
  /** URL of the .wasm file */
  readonly url: URL;
  /** how to rebuild it in a source checkout, for error messages */
  readonly rebuild: string;
  /** the caller named this module (loadBackend's `wasm` option) */
  readonly given?: boolean;
}

/**
 * Where a backend's WebAssembly module may come from (loadBackend's `wasm` option): a URL or a string (a URL, or a
 * path in Node), the module's bytes, or a compiled module.
 */
export type WasmSource = URL | string | ArrayBuffer | Uint8Array | WebAssembly.Module;

const modules = new Map<string, Promise<WebAssembly.Module>>();
const bytesCache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** What a package user can do about a module that cannot be read (and, in a source checkout, how to build it). */
function missingAdvice(build: WasmBuild): string {
  if (build.given) return 'check the `wasm` URL or path given to loadBackend';
  const inPackage = /\/dist\/wasm\/[^/]*$/.test(build.url.pathname);
  if (build.url.protocol === 'file:') {
    return inPackage
      ? 'the package ships it in dist/wasm/: reinstall fastnn, or pass the module yourself with loadBackend(name, { wasm }) ' +
          '(in a source checkout, `npm run build` writes dist/)'
      : `this is a source checkout: build it with \`${build.rebuild}\``;
  }
  return (
    'check that your bundler emits the .wasm files fastnn references with new URL(..., import.meta.url) and that your ' +
    'server serves them (Vite and webpack do by default; for esbuild see docs/browsers-and-threads.md in the package), or pass the module yourself ' +
    'with loadBackend(name, { wasm: url | bytes | WebAssembly.Module })'
  );
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function describeStart(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 16), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join(
    '',
  );
  return `${bytes.length} bytes starting with ${JSON.stringify(head)}`;
}

async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  if (url.protocol === 'file:') {
    if (!isNode()) throw new Error('file: URLs can only be read in Node');
    const platform = await import('#platform');
    return platform.readBytes(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function readBytes(build: WasmBuild, backend: BackendName): Promise<Uint8Array<ArrayBuffer>> {
  const key = build.url.href;
  let p = bytesCache.get(key);
  if (!p) {
    p = (async () => {
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await fetchBytes(build.url);
      } catch (cause) {
        throw new BackendError(
          `loadBackend('${backend}'): cannot load ${build.url.href} (${(cause as Error).message}); ${missingAdvice(build)}`,
          { cause },
        );
      }
      if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
        // e.g. a dev server's index.html fallback for a file it does not serve
        throw new BackendError(
          `loadBackend('${backend}'): ${build.url.href} is not a WebAssembly module (received ${describeStart(bytes)}); ${missingAdvice(build)}`,
        );
      }
      return bytes;
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
          `loadBackend('${backend}'): ${build.url.href} is not a valid module for this engine (${(cause as Error).message}); ${missingAdvice(build)}`,
          { cause },
        );
      }
    })();
    modules.set(key, p);
    p.catch(() => modules.delete(key));
  }
  return p;
}

export async function instantiateKernels(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  backend: BackendName,
  file: string,
): Promise<KernelExports> {
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (cause) {
    throw new BackendError(`loadBackend('${backend}'): cannot instantiate ${file} (${(cause as Error).message})`, {
      cause,
    });
  }
  const ex = instance.exports as Record<string, unknown>;
  const missing = KERNEL_NAMES.filter((n) => typeof ex[n] !== 'function');
  if (missing.length > 0) {
    throw new BackendError(
      `loadBackend('${backend}'): ${file} does not export ${missing.join(', ')} (it is stale or from another project; rebuild it)`,
    );
  }
  return ex as unknown as KernelExports;
}

/**
 * Loads the first build this engine supports (or exactly `variant` when given) as a HeapBackend.
 * @throws BackendError naming the missing file or feature and how to build it.
 */
export async function loadWasmBackend(
  name: BackendName,
  builds: readonly WasmBuild[],
  variant?: BackendVariant,
): Promise<HeapBackend> {
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
      (variant === 'relaxed-simd'
        ? ' (relaxed SIMD needs Node >= 22 or `node --experimental-wasm-relaxed-simd` on Node 20)'
        : ''),
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return typeof v;
}

/** The URL a string `wasm` names: an absolute URL as is; otherwise a path (Node: from the working directory) or a URL relative to the page or worker. */
function urlOf(op: string, s: string): URL {
  try {
    return new URL(s);
  } catch {
    // relative: resolved below
  }
  const loc = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  const base = isNode()
    ? `file://${process.cwd().replace(/\/?$/, '/')}`
    : (loc.document?.baseURI ?? loc.location?.href);
  try {
    return new URL(s, base);
  } catch (cause) {
    throw new OptionError(`${op}: wasm ${JSON.stringify(s)} is not a URL or path this engine can resolve`, { cause });
  }
}

/**
 * Checks loadBackend's `wasm` option.
 * @throws OptionError unless it is a URL, a string, an ArrayBuffer, a Uint8Array or a WebAssembly.Module.
 */
export function checkWasmSource(op: string, v: unknown): WasmSource {
  if (
    v instanceof URL ||
    typeof v === 'string' ||
    v instanceof ArrayBuffer ||
    v instanceof Uint8Array ||
    v instanceof WebAssembly.Module
  )
    return v;
  throw new OptionError(
    `${op}: wasm must be a URL, a string (URL or path), an ArrayBuffer, a Uint8Array or a WebAssembly.Module, received ${describe(v)}`,
  );
}

/** The known build a file name stands for (bundlers keep the name and add a hash: as-simd-3f9a.wasm). */
function variantOfName(url: URL, builds: readonly WasmBuild[]): BackendVariant | undefined {
  const file = url.pathname.split('/').pop() ?? '';
  const known = builds.map((b) => ({
    variant: b.variant,
    stem: (b.url.pathname.split('/').pop() ?? '').replace(/\.wasm$/, ''),
  }));
  return known.find(
    (k) =>
      k.stem !== '' && (file === `${k.stem}.wasm` || file.startsWith(`${k.stem}-`) || file.startsWith(`${k.stem}.`)),
  )?.variant;
}

/**
 * Loads `name` from the module the caller gives (loadBackend's `wasm` option) instead of the package's files.
 * The variant is `variant` when given; otherwise the build whose file name the URL carries, or 'custom'.
 * @throws BackendError when the module cannot be read, is not WebAssembly, or this engine cannot compile it.
 */
export async function loadWasmBackendFrom(
  name: BackendName,
  source: WasmSource,
  builds: readonly WasmBuild[],
  variant?: BackendVariant,
): Promise<HeapBackend> {
  const op = `loadBackend('${name}')`;
  if (variant !== undefined && !builds.some((b) => b.variant === variant)) {
    throw new BackendError(
      `${op}: unknown variant '${String(variant)}' (expected ${builds.map((b) => b.variant).join('|')})`,
    );
  }
  let module: WebAssembly.Module;
  let label: string;
  let inferred: BackendVariant | undefined;
  if (source instanceof WebAssembly.Module) {
    module = source;
    label = 'the given WebAssembly.Module';
  } else if (source instanceof URL || typeof source === 'string') {
    const url = source instanceof URL ? source : urlOf(op, source);
    const build: WasmBuild = { variant: variant ?? 'custom', url, rebuild: '', given: true };
    inferred = variantOfName(url, builds);
    module = await compile(build, name);
    label = url.href;
  } else {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
    label = `the given ${source instanceof ArrayBuffer ? 'ArrayBuffer' : 'Uint8Array'}`;
    if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
      throw new BackendError(`${op}: ${label} is not a WebAssembly module (received ${describeStart(bytes)})`);
    }
    try {
      module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    } catch (cause) {
      throw new BackendError(`${op}: ${label} is not a valid module for this engine (${(cause as Error).message})`, {
        cause,
      });
    }
  }
  const memory = createMemory();
  const kernels = await instantiateKernels(module, memory, name, label);
  return new HeapBackend(name, variant ?? inferred ?? 'custom', memory, kernels, module);
}
