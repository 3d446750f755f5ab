/**
 * Internal API for this repository's tests, benches and scripts (not exported from the package root, no semver
 * promise): the kernel host behind a Backend, a network's memory plan and threads, and the training run, so that
 * nothing outside src/ reads private fields.
 */
export { hostOf, type KernelHost } from '../backends/host.js';
export { networkInternals, type NetworkInternals } from '../network.js';
export { NetMemory, lateFreesDone, paramBytes, type ParamPtrs, type Workspace } from '../net/memory.js';
export { TrainingRun, setPlanHookForTest } from '../net/run.js';
export { resolveTrain, type ResolvedTrain } from '../net/options.js';
export { readElems, writeElems } from '../net/elements.js';
export { evaluateAll } from '../net/inference.js';
export { armWorkerCrashForTest, asyncWaits, hideWaitAsyncForTest, setStallMsForTest } from '../backends/threads.js';
export { MIN_THREAD_WORK, setMinThreadWorkForTest, threadsPay } from '../net/threads.js';
export { POOL_CUT_FACTOR, RETRIAL_FACTOR, ThreadChoice, TRIAL_PHASE_MS, threadChoice } from '../net/thread-choice.js';
export { tinyCodegen, resetTinyCodegen, TINY_GEN_MAX_WEIGHTS } from '../kernels/js/tiny-gen.js';
export { splitIndices, heldOutCount, classIds, type SplitIndices } from '../net/split.js';
