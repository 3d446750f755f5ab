/** The backend registry: loadBackend / availableBackends (docs/API.md "Backends"). */
import { BACKEND_NAMES, type Backend, type BackendName, type BackendVariant } from '../backend.js';
import { checkOptions, optEnum } from '../check.js';
import { BackendError, OptionError } from '../errors.js';
import { loadAssemblyScript } from './assemblyscript.js';
import { createJsBackend } from './js.js';
import { loadRust } from './rust.js';
import { checkWasmSource, type WasmSource } from './wasm.js';

/** The options of {@link loadBackend}. */
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

const VARIANTS: readonly BackendVariant[] = ['js', 'scalar', 'simd', 'relaxed-simd', 'debug'];

/**
 * The options loadBackend understands, each with its validator (returns the checked value or throws OptionError).
 * Adding an option is one entry here and its field in LoadOptions.
 */
const LOAD_OPTIONS: { [K in keyof LoadOptions]-?: (op: string, v: unknown) => LoadOptions[K] } = {
  variant: (op, v) => optEnum(op, 'variant', v, VARIANTS),
  wasm: (op, v) => checkWasmSource(op, v),
};

function checkLoadOptions(op: string, options: unknown): LoadOptions {
  const o = checkOptions(op, options, Object.keys(LOAD_OPTIONS));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(LOAD_OPTIONS) as (keyof LoadOptions)[]) {
    if (o[key] !== undefined) out[key] = LOAD_OPTIONS[key](op, o[key]);
  }
  return out;
}

let autoWarned = false;

/**
 * A fresh backend instance with its own memory. 'auto' picks the fastest that loads: assemblyscript, then rust, then
 * js; with a `variant`, the fastest of those that has that build and loads it (e.g. 'scalar': assemblyscript's).
 * A faster backend that does not load is skipped by 'auto', but never silently: the first time 'auto' falls back,
 * one console.warn lists why each faster backend failed.
 * @throws OptionError for options that are not an object, unknown option names, an unknown variant name, or a
 *   `wasm` source of the wrong type (or given for 'js' or 'auto').
 * @throws BackendError when the backend (or the requested variant) cannot load here; the message names the file or
 *   URL tried and what to do.
 */
export async function loadBackend(name: BackendName | 'auto', options: LoadOptions = {}): Promise<Backend> {
  const op = `loadBackend('${String(name)}')`;
  const { variant, wasm } = checkLoadOptions(op, options);
  if (wasm !== undefined && name !== 'assemblyscript' && name !== 'rust') {
    throw new OptionError(
      `${op}: wasm is an option of the 'assemblyscript' and 'rust' backends (name the backend the module belongs to)`,
    );
  }
  switch (name) {
    case 'js':
      if (variant !== undefined && variant !== 'js') {
        throw new BackendError(`loadBackend('js'): unknown variant '${variant}' (expected js)`);
      }
      return createJsBackend();
    case 'assemblyscript':
      return loadAssemblyScript(variant, wasm);
    case 'rust':
      return loadRust(variant, wasm);
    case 'auto': {
      const reasons: string[] = [];
      for (const n of ['assemblyscript', 'rust'] as const) {
        try {
          const backend = await loadBackend(n, variant === undefined ? {} : { variant });
          warnFallback(n, reasons);
          return backend;
        } catch (e) {
          // not loadable on this engine (e.g. no shared memory, a missing file) or no such build: try the next
          reasons.push((e as Error).message);
        }
      }
      if (variant === undefined || variant === 'js') {
        if (variant === undefined) warnFallback('js', reasons);
        return createJsBackend();
      }
      throw new BackendError(`${op}: no backend loads variant '${variant}' here: ${reasons.join('; ')}`);
    }
    default:
      throw new BackendError(
        `loadBackend: unknown backend '${String(name)}' (expected ${BACKEND_NAMES.join('|')}|auto)`,
      );
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
