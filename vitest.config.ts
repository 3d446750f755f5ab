import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Relaxed SIMD is behind a flag on Node 20 (default on Node >= 22): turn it on so the relaxed-SIMD build is tested too.
    pool: 'forks',
    execArgv: process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [],
  },
});
