/** The backend registry: loadBackend / availableBackends (API.md "Backends"). */
import { BACKEND_NAMES, type Backend, type BackendName, type BackendVariant } from '../backend.js';
import { BackendError } from '../errors.js';
import { loadAssemblyScript } from './assemblyscript.js';
import { createJsBackend } from './js.js';
import { loadRust } from './rust.js';

export interface LoadOptions {
  /** A specific build ('scalar' | 'simd' | 'relaxed-simd' | 'debug'); default: the best one this engine supports. */
  variant?: BackendVariant;
}

/**
 * A fresh backend instance with its own memory. 'auto' picks the fastest that loads: assemblyscript, then rust, then js.
 * @throws BackendError when the backend (or the requested variant) cannot load here; the message says which file or
 *   feature is missing and how to build it.
 */
export async function loadBackend(name: BackendName | 'auto', options: LoadOptions = {}): Promise<Backend> {
  switch (name) {
    case 'js':
      if (options.variant !== undefined && options.variant !== 'js') {
        throw new BackendError(`loadBackend('js'): unknown variant '${options.variant}' (expected js)`);
      }
      return createJsBackend();
    case 'assemblyscript':
      return loadAssemblyScript(options.variant);
    case 'rust':
      return loadRust(options.variant);
    case 'auto': {
      for (const n of ['assemblyscript', 'rust'] as const) {
        try {
          return await loadBackend(n);
        } catch {
          // not loadable on this engine (e.g. no shared memory): try the next, js always works
        }
      }
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
