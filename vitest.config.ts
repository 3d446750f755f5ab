import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // small test networks still train on their worker threads (src/net/threads.ts MIN_THREAD_WORK)
    setupFiles: ['test/helpers/threads-always.ts'],
    // Relaxed SIMD is behind a flag on Node 20 (default on Node >= 22): turn it on so the relaxed-SIMD build is tested too.
    pool: 'forks',
    execArgv: process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [],
  },
});
