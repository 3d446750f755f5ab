/**
 * fastnn AssemblyScript kernels: the ABI of src/abi.ts (names, argument order and formulas are the
 * contract; src/backends/js-kernels.ts is the readable spec, ported here function for function).
 *
 * Memory layout (one linear memory, imported as env.memory, shared, up to 32768 pages):
 *
 *   0 .. __data_end            static data of the module (AssemblyScript's Math tables, constants).
 *   align16(__heap_base) .. +SCRATCH_BYTES (1 MiB)
 *                              module scratch: the SIMD kernels pack small tiles here (4-row blocks
 *                              of x in denseForward, dz tiles in denseBackward). Contents are dead
 *                              between calls; one instance per memory (two instances running at once
 *                              on one shared memory would share this scratch).
 *   heapBase() ..              the host's arena. Every matrix is row-major float64, 16-byte aligned,
 *                              addressed by byte offset; the plan (i32 words) and hp (f64 slots) too.
 *
 * The runtime is the stub and nothing allocates, so the module never grows the memory and never
 * touches bytes at or above heapBase() except through the pointers it is given.
 * Imports: env.memory only (abort is compiled out with `--use abort=`).
 */
import { SCRATCH_BYTES, scratchBase } from './common';

/** First byte the host may use (16-byte aligned): above the static data and the scratch region. */
export function heapBase(): usize {
  return scratchBase() + SCRATCH_BYTES;
}

export { denseForward, denseBackward } from './dense';
export { activate, activateBackward } from './activation';
export { loss } from './loss';
export { sgdStep, momentumStep, adamStep } from './optim';
export { trainBatches, forwardBatch } from './train';
