/**
 * Loading the WASM modules from elsewhere (API.md "Loading in browsers and bundlers"): loadBackend's `wasm` option
 * takes a URL, a string (URL or path), bytes or a compiled module; a wrong type is an OptionError; a missing or
 * non-WebAssembly file is a BackendError naming what was tried and what a package user can do. The browser side
 * (bundlers, Workers, the main-thread rule) is tested in Chromium by test/browser/run.mjs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackendError, Network, OptionError, loadBackend, type Backend } from '../src/index.js';
import { canBlock } from '../src/backends/threads.js';

const asSimd = new URL('../build/as-simd.wasm', import.meta.url);
const rustScalar = new URL('../rust/fastnn-scalar.wasm', import.meta.url);
const tutorial = {
  x: [
    [-2, -1],
    [25, 6],
    [17, 4],
    [-15, -6],
  ],
  y: [[1], [0], [0], [1]],
};

async function tutorialParams(backend: Backend): Promise<Float64Array[]> {
  const net = await Network.create({ layers: [2, 2, 1], init: 'normal', seed: 42, backend });
  net.train(tutorial.x, tutorial.y, { epochs: 200, learningRate: 0.1, batchSize: 1, shuffle: false });
  const out = net.getParameters().flatMap((l) => [l.weights, l.biases]);
  net.dispose();
  return out;
}

describe('loadBackend(name, { wasm })', () => {
  it('takes a URL, a path string, a file: URL string, an ArrayBuffer, a Uint8Array or a WebAssembly.Module, and trains exactly as the packaged build', async () => {
    const bytes = new Uint8Array(readFileSync(asSimd));
    const sources = [
      asSimd,
      fileURLToPath(asSimd),
      asSimd.href,
      bytes.slice().buffer,
      bytes,
      await WebAssembly.compile(bytes),
    ];
    const expected = await tutorialParams(await loadBackend('assemblyscript', { variant: 'simd' }));
    const variants: string[] = [];
    for (const wasm of sources) {
      const backend = await loadBackend('assemblyscript', { wasm });
      variants.push(backend.variant);
      expect(backend.name).toBe('assemblyscript');
      expect(await tutorialParams(backend)).toEqual(expected);
      backend.dispose();
    }
    // a URL or path names its build; bytes and modules are 'custom' unless the variant is given
    expect(variants).toEqual(['simd', 'simd', 'simd', 'custom', 'custom', 'custom']);
    const named = await loadBackend('assemblyscript', { wasm: bytes, variant: 'simd' });
    expect(named.variant).toBe('simd');
    named.dispose();
  });

  it('loads the rust module the same way, with threads', async () => {
    const backend = await loadBackend('rust', { wasm: rustScalar });
    expect(backend.variant).toBe('scalar');
    const net = await Network.create({ layers: [3, 4, 2], seed: 3, backend, threads: 2 });
    expect(net.threads).toBe(2);
    const r = await net.trainAsync(
      [
        [1, 2, 3],
        [3, 2, 1],
        [0, 1, 0],
      ],
      [
        [1, 0],
        [0, 1],
        [1, 0],
      ],
      { epochs: 3, learningRate: 0.1 },
    );
    expect(r.losses).toHaveLength(3);
    net.dispose();
    backend.dispose();
  });

  it('a wrong type is an OptionError naming what was received', async () => {
    for (const [wasm, received] of [
      [42, 'received number 42'],
      [null, 'received null'],
      [{}, 'received an object'],
      [[1, 2], 'received an array'],
      [() => 1, 'received a function'],
    ] as const) {
      const p = loadBackend('assemblyscript', { wasm: wasm as never });
      await expect(p).rejects.toThrow(OptionError);
      await expect(p).rejects.toThrow(received);
    }
    await expect(loadBackend('js', { wasm: asSimd })).rejects.toThrow(
      /wasm is an option of the 'assemblyscript' and 'rust' backends/,
    );
    await expect(loadBackend('auto', { wasm: asSimd })).rejects.toThrow(OptionError);
  });

  it('a missing file or bytes that are not WebAssembly are a BackendError naming what was tried', async () => {
    const missing = new URL('../build/no-such-module.wasm', import.meta.url);
    await expect(loadBackend('assemblyscript', { wasm: missing })).rejects.toThrow(BackendError);
    await expect(loadBackend('assemblyscript', { wasm: missing })).rejects.toThrow(`cannot load ${missing.href}`);
    await expect(loadBackend('assemblyscript', { wasm: missing })).rejects.toThrow('check the `wasm` URL or path');
    const html = new TextEncoder().encode('<!doctype html><p>index</p>');
    await expect(loadBackend('rust', { wasm: html })).rejects.toThrow(
      /the given Uint8Array is not a WebAssembly module \(received 27 bytes starting with "<!doctype html><"\)/,
    );
    // a WebAssembly module without the kernels
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    await expect(loadBackend('rust', { wasm: empty })).rejects.toThrow(/does not export/);
    // an unknown variant for a given module
    await expect(loadBackend('rust', { wasm: rustScalar, variant: 'relaxed-simd' })).rejects.toThrow(
      "unknown variant 'relaxed-simd'",
    );
  });
});

describe('threads', () => {
  it('Node may block (Atomics.wait is allowed), so sync train() uses the worker threads', () => {
    expect(canBlock()).toBe(true);
  });
});
