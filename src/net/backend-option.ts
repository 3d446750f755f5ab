/**
 * The `backend` option of Network.create / fromJSON / fromONNX: a name (loaded, and owned by the network) or a Backend.
 * Omitted, it is 'auto': the fastest build that loads here (name one for bit-exact reruns across machines).
 */
import type { Backend } from '../backend.js';
import { isBackend } from '../backends/host.js';
import { loadBackend } from '../backends/index.js';
import { describeValue } from '../check.js';
import { BackendError, DisposedError, OptionError } from '../errors.js';

export async function resolveBackend(op: string, v: unknown): Promise<{ backend: Backend; owns: boolean }> {
  if (v === undefined) return { backend: await loadBackend('auto'), owns: true };
  if (typeof v === 'string') {
    if (v !== 'js' && v !== 'assemblyscript' && v !== 'rust' && v !== 'auto') {
      throw new OptionError(`${op}: unknown backend '${v}' (expected js|assemblyscript|rust|auto)`);
    }
    return { backend: await loadBackend(v), owns: true };
  }
  if (isBackend(v)) {
    if (v.disposed) throw new DisposedError(`${op}: the ${v.name} backend passed in was disposed`);
    return { backend: v, owns: false };
  }
  throw new BackendError(
    `${op}: backend must be 'js', 'assemblyscript', 'rust' or a Backend from loadBackend(), received ${describeValue(v)}`,
  );
}
