/**
 * Long run: 100,000 training steps on each backend keep WASM memory, the arena and the
 * JS heap flat after warm-up. Measured in a child `node --expose-gc` process so the heap can be compared
 * after full collections.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { BACKEND_DEFAULTS } from './helpers/backends.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = `
  const { loadBackend } = await import(process.env.FASTNN_ROOT + '/src/backends/index.js');
  const { Network } = await import(process.env.FASTNN_ROOT + '/src/network.js');
  const v = process.env.FASTNN_VARIANT;
  const backend = await loadBackend(process.env.FASTNN_BACKEND, v === 'js' ? {} : { variant: v });
  const net = await Network.create({ layers: [2, 2, 1], seed: 42, backend });
  const x = [[-2, -1], [25, 6], [17, 4], [-15, -6]], y = [[1], [0], [0], [1]];
  let steps = 0;
  // 100 calls of 1,000 steps: every call allocates and frees its data, order, loss and snapshot blocks
  const call = (o) => { const r = net.train(x, y, { epochs: 250, learningRate: 0.1, batchSize: 1, shuffle: true, ...o }); steps += 4 * r.epochs; };
  const measure = () => { for (let i = 0; i < 5; i++) globalThis.gc(); return { heap: process.memoryUsage().heapUsed, wasm: backend.memoryBytes(), used: backend.usedBytes() }; };
  for (let i = 0; i < 5; i++) call({});
  call({ onEpoch: () => {} });
  const before = measure();
  steps = 0;
  for (let i = 0; i < 50; i++) call({});
  for (let i = 0; i < 50; i++) call({ onEpoch: () => {} }); // the epoch-by-epoch path too
  const after = measure();
  console.log(JSON.stringify({ steps, before, after }));
`;

for (const bc of BACKEND_DEFAULTS) {
  it(`${bc.label} 100,000 training steps keep WASM memory, arena and JS heap flat after warm-up`, async () => {
    const flags = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...flags, '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: root,
        env: { ...process.env, FASTNN_ROOT: root, FASTNN_BACKEND: bc.name, FASTNN_VARIANT: bc.variant },
        timeout: 120_000,
      },
    );
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
      steps: number;
      before: { heap: number; wasm: number; used: number };
      after: { heap: number; wasm: number; used: number };
    };
    expect(r.steps).toBe(100_000);
    expect(r.after.wasm).toBe(r.before.wasm);
    expect(r.after.used).toBe(r.before.used);
    // flat, not zero: V8 keeps some compiled code and caches (from -30 KB to +530 KB between runs of the same tree,
    // more under load); a leak of even one small array per step would be > 3 MB
    expect(r.after.heap - r.before.heap).toBeLessThan(1024 * 1024);
  });
}
