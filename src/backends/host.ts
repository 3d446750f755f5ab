/**
 * The internal side of a backend: the pointer ABI (src/abi.ts), the arena allocator and views of the linear
 * memory. Network, the training run and the worker threads drive a backend through this; users only see the
 * checked `Backend` (src/backend.ts). Every Backend that loadBackend returns is also a KernelHost.
 */
import type { KernelExports } from '../abi.js';
import type { Backend, BackendName, BackendVariant } from '../backend.js';
import { BackendError } from '../errors.js';

export interface KernelHost {
  readonly name: BackendName;
  readonly variant: BackendVariant;
  /** The compiled WebAssembly module of the kernels (null for js); worker threads instantiate it on `memory`. */
  readonly module: WebAssembly.Module | null;
  /** The linear memory every block lives in (shared where the engine allows, so worker threads can use it). */
  readonly memory: WebAssembly.Memory;
  /** The kernel module's raw pointer ABI. No validation: callers validate first. */
  readonly raw: KernelExports;
  readonly disposed: boolean;
  /** Aborted by dispose(): ends waits that do not run kernels (trainStream waiting on its source). */
  readonly disposal: AbortSignal;
  /** Raw byte block (16-byte aligned); zero-filled unless `zero` is false (for blocks the caller overwrites whole). */
  allocBytes(bytes: number, zero?: boolean): number;
  freeBytes(ptr: number): void;
  /** Views of the whole memory, rebuilt if it grew. Short-lived: never keep them across calls. */
  f64(): Float64Array;
  /** The float32 view (the blocks of a float32 network). */
  f32(): Float32Array;
  i32(): Int32Array;
  available(): number;
  usedBytes(): number;
  trainBatches(plan: number, first: number, count: number): number;
  forwardBatch(plan: number, rows: number): void;
  /** Forward and loss of `rows` rows from x0 and t; returns the batch loss (src/abi.ts). */
  evaluateBatch(plan: number, rows: number): number;
  /** Forward, loss and backward of `rows` rows from x0 and t, no update; returns the batch loss (src/abi.ts). */
  backwardBatch(plan: number, rows: number): number;
  /** The backend's pointer of a Mat it made (validated: owner and liveness). */
  ptrOf(op: string, m: import('../backend.js').Mat, what: string): number;
}

const hosts = new WeakMap<Backend, KernelHost>();

/** Registers the kernel host behind a Backend (done by the binder when it creates one). */
export function registerHost(backend: Backend, host: KernelHost): void {
  hosts.set(backend, host);
}

/** The kernel host behind a Backend from loadBackend(); BackendError for anything else. */
export function hostOf(op: string, backend: Backend): KernelHost {
  const h = hosts.get(backend);
  if (!h) throw new BackendError(`${op}: expected a Backend from loadBackend(), received an object that is not one`);
  return h;
}

export function isBackend(v: unknown): v is Backend {
  return typeof v === 'object' && v !== null && hosts.has(v as Backend);
}
