// A dedicated Worker that trains with fastnn (the page's check "training inside a dedicated Worker"): the tutorial
// on every backend and, where the page is cross-origin isolated, synchronous train() with threads: 2 — allowed
// here because a Worker may block — bit-identical to 1 thread.
import { Network, loadBackend } from 'fastnn';
import { bitsEqual, randomData, tutorialRun } from './shared.js';

self.onmessage = async (e) => {
  const wasm = e.data.wasm;
  const checks = [];
  const check = (name, ok, detail = '') => checks.push({ name, ok: !!ok, detail: String(detail) });
  const backendOf = async (name) => (wasm && wasm[name] ? loadBackend(name, { wasm: wasm[name] }) : name);
  for (const name of ['js', 'assemblyscript', 'rust']) {
    try {
      const r = await tutorialRun(Network, await backendOf(name));
      check(
        `tutorial ${name}`,
        r.emily > 0.9 && r.frank < 0.1,
        `${r.backend}/${r.variant}: Emily ${r.emily.toFixed(3)}, Frank ${r.frank.toFixed(3)}`,
      );
    } catch (err) {
      check(`tutorial ${name}`, false, `${err.name}: ${err.message}`);
    }
  }
  if (self.crossOriginIsolated) {
    for (const name of ['assemblyscript', 'rust']) {
      try {
        const { x, y } = randomData(300, 8, 3, 21);
        const opts = { layers: [8, 16, 3], seed: 2, outputActivation: 'softmax', loss: 'cross-entropy' };
        // steps of 16 × (8·16 + 16·3) = 2,816 multiply-adds: above MIN_THREAD_WORK (2,048), so the workers run
        const train = { epochs: 3, learningRate: 0.1, batchSize: 16 };
        const one = await Network.create({ ...opts, backend: await backendOf(name) });
        const two = await Network.create({ ...opts, backend: await backendOf(name), threads: 2 });
        const r1 = one.train(x, y, train);
        const r2 = two.train(x, y, train);
        const same =
          bitsEqual(one.getParameters(), two.getParameters()) && r1.losses.every((l, i) => Object.is(l, r2.losses[i]));
        check(
          `sync train threads 2 ${name}`,
          two.threads === 2 && same,
          `threads ${two.threads}, bit-identical ${same}`,
        );
        one.dispose();
        two.dispose();
      } catch (err) {
        check(`sync train threads 2 ${name}`, false, `${err.name}: ${err.message}`);
      }
    }
  }
  self.postMessage({ checks });
};
