/** The backend registry: loadBackend / availableBackends (docs/API.md "Backends"). */
import { BACKEND_NAMES, type Backend, type BackendName, type BackendVariant } from '../backend.js';
import { checkOptions, optEnum } from '../check.js';
import { BackendError } from '../errors.js';
import { loadAssemblyScript } from './assemblyscript.js';
import { createJsBackend } from './js.js';
import { loadRust } from './rust.js';

export interface LoadOptions {
  /** A specific build ('scalar' | 'simd' | 'relaxed-simd' | 'debug'); default: the best one this engine supports. */
  variant?: BackendVariant;
}

const VARIANTS: readonly BackendVariant[] = ['js', 'scalar', 'simd', 'relaxed-simd', 'debug'];

/**
 * The options loadBackend understands, each with its validator (returns the checked value or throws OptionError).
 * Adding an option is one entry here and its field in LoadOptions.
 */
const LOAD_OPTIONS: { [K in keyof LoadOptions]-?: (op: string, v: unknown) => LoadOptions[K] } = {
  variant: (op, v) => optEnum(op, 'variant', v, VARIANTS),
};

function checkLoadOptions(op: string, options: unknown): LoadOptions {
  const o = checkOptions(op, options, Object.keys(LOAD_OPTIONS));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(LOAD_OPTIONS) as (keyof LoadOptions)[]) {
    if (o[key] !== undefined) out[key] = LOAD_OPTIONS[key](op, o[key]);
  }
  return out as LoadOptions;
}

/**
 * A fresh backend instance with its own memory. 'auto' picks the fastest that loads: assemblyscript, then rust, then
 * js; with a `variant`, the fastest of those that has that build and loads it (e.g. 'scalar': assemblyscript's).
 * @throws OptionError for options that are not an object, unknown option names, or an unknown variant name.
 * @throws BackendError when the backend (or the requested variant) cannot load here; the message says which file or
 *   feature is missing and how to build it.
 */
export async function loadBackend(name: BackendName | 'auto', options: LoadOptions = {}): Promise<Backend> {
  const op = `loadBackend('${String(name)}')`;
  const { variant } = checkLoadOptions(op, options);
  switch (name) {
    case 'js':
      if (variant !== undefined && variant !== 'js') {
        throw new BackendError(`loadBackend('js'): unknown variant '${variant}' (expected js)`);
      }
      return createJsBackend();
    case 'assemblyscript':
      return loadAssemblyScript(variant);
    case 'rust':
      return loadRust(variant);
    case 'auto': {
      const failures: string[] = [];
      for (const n of ['assemblyscript', 'rust'] as const) {
        try {
          return await loadBackend(n, variant === undefined ? {} : { variant });
        } catch (e) {
          // not loadable on this engine (e.g. no shared memory) or no such build: try the next
          failures.push((e as Error).message);
        }
      }
      if (variant === undefined || variant === 'js') return createJsBackend();
      throw new BackendError(`${op}: no backend loads variant '${variant}' here: ${failures.join('; ')}`);
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
