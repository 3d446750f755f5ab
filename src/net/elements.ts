/**
 * A network's element type in its backend's memory: the size of one element and the typed view its data blocks
 * are read and written through. Reads widen into Float64Array exactly (a float32 value is a float64 value); writes
 * into float32 blocks round to nearest (Float32Array's conversion, the same as Math.fround). The f64-only blocks
 * (hyper-parameters, losses, learning rates, sample weights, dropout rates, norms) never go through these.
 */
import { DTYPE_BYTES } from '../abi.js';
import type { Dtype } from '../backend.js';
import type { KernelHost } from '../backends/host.js';

/**
 * Large float64 arrays are rounded into float32 blocks in chunks through this ordinary (non-shared) buffer: V8's
 * set() converting straight into a shared memory's view is element by element and slows down most when other
 * processes compete for memory bandwidth (an 8000×784 training set on a busy 2-core machine: about 15 ms against 10 ms
 * this way, with the finiteness scan). The rounding is the same (nearest, ties to even, as Math.fround).
 */
const CHUNK = 16384;
let scratch: Float32Array | null = null;

function isShared(b: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

/** Bytes of one element of `dtype`. */
export function elemBytes(dtype: Dtype): number {
  return DTYPE_BYTES[dtype];
}

/** The view of the whole memory in `dtype` (short-lived, as host.f64()). */
export function elemView(host: KernelHost, dtype: Dtype): Float64Array | Float32Array {
  return dtype === 'float32' ? host.f32() : host.f64();
}

/** A Float64Array copy of the n elements at byte offset p. */
export function readElems(host: KernelHost, dtype: Dtype, p: number, n: number): Float64Array {
  const i = p / elemBytes(dtype);
  if (dtype === 'float64') return host.f64().slice(i, i + n);
  const out = new Float64Array(n);
  out.set(host.f32().subarray(i, i + n));
  return out;
}

/** Copies `src` to the elements at byte offset p (rounded to float32 for a float32 block). */
export function writeElems(host: KernelHost, dtype: Dtype, src: ArrayLike<number>, p: number): void {
  const i = p / elemBytes(dtype);
  const dst = elemView(host, dtype);
  // a source in shared memory (possibly this one, overlapping the block) goes straight to set(), which handles overlap
  if (
    !(dst instanceof Float32Array && src instanceof Float64Array) ||
    src.length < CHUNK ||
    !isShared(dst.buffer) ||
    isShared(src.buffer)
  ) {
    dst.set(src, i);
    return;
  }
  const buf = (scratch ??= new Float32Array(CHUNK));
  for (let k = 0, n = src.length; k < n; k += CHUNK) {
    const m = Math.min(CHUNK, n - k);
    const s = m === CHUNK ? buf : buf.subarray(0, m);
    s.set(src.subarray(k, k + m)); // the rounding, in ordinary memory
    dst.set(s, i + k); // a same-type copy into the shared memory
  }
}

/** The n elements at byte offset p as a view (no copy; valid until memory grows). */
export function elemSubarray(host: KernelHost, dtype: Dtype, p: number, n: number): Float64Array | Float32Array {
  const i = p / elemBytes(dtype);
  return elemView(host, dtype).subarray(i, i + n);
}
