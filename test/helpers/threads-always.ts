/**
 * vitest setup file: networks with threads use their worker threads for every step, however small, so the tests'
 * small networks keep exercising the threaded kernels (in use, steps below MIN_THREAD_WORK multiply-adds run on the
 * calling thread; test/threads.test.ts tests that switch with the default threshold restored).
 */
import { setMinThreadWorkForTest } from '../../src/internal/index.js';

setMinThreadWorkForTest(0);
