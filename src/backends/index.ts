/** The backend registry: loadBackend / availableBackends (API.md "Backends"). */
import { BACKEND_NAMES, type Backend, type BackendName, type BackendVariant } from '../backend.js';
import { BackendError, OptionError } from '../errors.js';
import { loadAssemblyScript } from './assemblyscript.js';
import { createJsBackend } from './js.js';
import { loadRust } from './rust.js';
import { checkWasmSource, type WasmSource } from './wasm.js';

export interface LoadOptions {
  /** A specific build ('scalar' | 'simd' | 'relaxed-simd' | 'debug'); default: the best one this engine supports. */
  variant?: BackendVariant;
  /**
   * Where the module comes from instead of the package's own file: a URL or string (a URL, or a path in Node;
   * relative strings resolve against the page, the worker or the working directory), its bytes, or a compiled
   * module. Only for 'assemblyscript' and 'rust'. The variant is `variant`, else the build its file name names, else
   * 'custom'.
   */
  wasm?: WasmSource;
}

let autoWarned = false;

/**
 * A fresh backend instance with its own memory. 'auto' picks the fastest that loads: assemblyscript, then rust, then js.
 * @throws BackendError when the backend (or the requested variant) cannot load here; the message says which file or
 *   feature is missing and how to build it.
 */
export async function loadBackend(name: BackendName | 'auto', options: LoadOptions = {}): Promise<Backend> {
  const wasm = options?.wasm === undefined ? undefined : checkWasmSource(`loadBackend('${String(name)}')`, options.wasm);
  if (wasm !== undefined && name !== 'assemblyscript' && name !== 'rust') {
    throw new OptionError(`loadBackend('${String(name)}'): wasm is an option of the 'assemblyscript' and 'rust' backends (name the backend the module belongs to)`);
  }
  switch (name) {
    case 'js':
      if (options.variant !== undefined && options.variant !== 'js') {
        throw new BackendError(`loadBackend('js'): unknown variant '${options.variant}' (expected js)`);
      }
      return createJsBackend();
    case 'assemblyscript':
      return loadAssemblyScript(options.variant, wasm);
    case 'rust':
      return loadRust(options.variant, wasm);
    case 'auto': {
      // A WASM backend that does not load here (a missing or unserved file, no shared memory, ...) is skipped, but
      // never silently: the first time 'auto' falls back, one console.warn lists why each faster backend failed.
      const reasons: string[] = [];
      for (const n of ['assemblyscript', 'rust'] as const) {
        try {
          const backend = await loadBackend(n);
          warnFallback(n, reasons);
          return backend;
        } catch (e) {
          reasons.push((e as Error).message);
        }
      }
      warnFallback('js', reasons);
      return createJsBackend();
    }
    default:
      throw new BackendError(`loadBackend: unknown backend '${String(name)}' (expected ${BACKEND_NAMES.join('|')}|auto)`);
  }
}

/** The backends that load on this engine, fastest first. */
export async function availableBackends(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  for (const n of ['assemblyscript', 'rust', 'js'] as const) {
    try {
      const b = await loadBackend(n);
      b.dispose();
      out.push(n);
    } catch {
      // not available here
    }
  }
  return out;
}

function warnFallback(chosen: BackendName, reasons: readonly string[]): void {
  if (reasons.length === 0 || autoWarned) return;
  autoWarned = true;
  console.warn(`fastnn: backend 'auto' uses '${chosen}' because ${reasons.join('; and ')}`);
}
