/**
 * fastnn AssemblyScript kernels: the ABI of src/abi.ts (names, argument order and formulas are the
 * contract; src/kernels/js/ is the readable spec, ported here function for function).
 *
 * Memory layout (one linear memory, imported as env.memory, shared, up to 32768 pages):
 *
 *   0 .. __data_end            static data of the module (AssemblyScript's Math tables, constants).
 *   align16(__heap_base) .. +MAX_THREADS × SCRATCH_BYTES (16 × 256 KiB = 4 MiB)
 *                              module scratch, one SCRATCH_BYTES region per thread id: the SIMD
 *                              kernels pack small tiles there (4-row blocks of x in denseForward, dz
 *                              tiles in denseBackward). trainBatchesThreaded thread `tid` uses region
 *                              tid (so tid < MAX_THREADS = 16: the host caps its threads at 16); the
 *                              stand-alone kernel exports, trainBatches and forwardBatch use region 0.
 *                              Contents are dead between calls. Instances sharing one memory must not
 *                              run two calls with the same tid (or two stand-alone calls) at once.
 *   heapBase() ..              the host's arena. Every matrix is row-major, 16-byte aligned, addressed by
 *                              byte offset: float64 for the Mat-level exports (float32 for their F32
 *                              twins), the plan's PLAN_DTYPE
 *                              (float64 or float32) for its data blocks; the plan (i32 words) and hp (f64
 *                              slots) too.
 *
 * The runtime is the stub and nothing allocates, so the module never grows the memory and never
 * touches bytes at or above heapBase() except through the pointers it is given.
 * Imports: env.memory only (abort is compiled out with `--use abort=`).
 */
import { MAX_THREADS, SCRATCH_BYTES, scratchBase } from './common';

/** First byte the host may use (16-byte aligned): above the static data and the scratch regions. */
export function heapBase(): usize {
  return scratchBase() + <usize>MAX_THREADS * SCRATCH_BYTES;
}

export { denseForward, denseBackward, denseForwardF32, denseBackwardF32 } from './dense';
export { activate, activateBackward } from './activation';
export { loss } from './loss';
export { sgdStep, momentumStep, adamStep } from './optim';
export { trainBatches, trainBatchesThreaded, forwardBatch, evaluateBatch, backwardBatch } from './train';
export { peakProbe, peakProbeF32 } from './probe';
