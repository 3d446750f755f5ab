// The in-page browser suite, the same source for every page (direct import, Vite, webpack, esbuild): it imports
// 'fastnn' as users do, runs the checks, shows them in a table (for the screenshot) and leaves the results on
// window.__fastnnResults for test/browser/run.mjs. Every check compares against an expected value; none can pass
// by not running.
import { Network, OptionError, loadBackend } from 'fastnn';
import { TUTORIAL, bitsEqual, captureWarnings, randomData, tutorialRun } from './shared.js';

const BACKENDS = ['js', 'assemblyscript', 'rust'];

/** `wasm`: { assemblyscript, rust } module URLs (absolute strings) for loadBackend's `wasm` option, or null. */
export async function runSuite({ wasm = null } = {}) {
  const warnings = captureWarnings();
  const checks = [];
  const check = (name, ok, detail = '') => checks.push({ name, ok: !!ok, detail: String(detail) });
  const attempt = async (name, fn) => {
    try {
      await fn();
    } catch (e) {
      check(name, false, `${e?.name}: ${e?.message}`);
    }
  };
  // the backend to use: its name, or (esbuild recipe) a backend loaded from the module URL the page passes
  const backendOf = async (name) => (wasm && wasm[name] ? loadBackend(name, { wasm: wasm[name] }) : name);
  const isolated = globalThis.crossOriginIsolated === true;
  // the page that simulates an engine without Atomics.waitAsync (run.mjs's no-wait-async.html): it must really be
  // gone, so the threaded trainAsync checks below run on the library's polling wait
  const noWaitAsync = globalThis.__fastnnNoWaitAsync === true;
  const waitAsyncGone = () => typeof Atomics.waitAsync === 'undefined' && !('waitAsync' in Atomics);

  // 1. the README's tutorial on every backend
  for (const name of BACKENDS) {
    await attempt(`tutorial ${name}`, async () => {
      const r = await tutorialRun(Network, await backendOf(name));
      check(
        `tutorial ${name}`,
        r.emily > 0.9 && r.frank < 0.1,
        `${r.backend}/${r.variant}: Emily ${r.emily.toFixed(3)}, Frank ${r.frank.toFixed(3)}`,
      );
    });
  }

  // 2. threads: 2 with trainAsync is bit-identical to 1 thread (isolated), or falls back to 1 thread with one warning
  for (const name of BACKENDS) {
    await attempt(`trainAsync threads ${name}`, async () => {
      const { x, y } = randomData(240, 8, 3, 11);
      const opts = { layers: [8, 16, 3], seed: 5, outputActivation: 'softmax', loss: 'cross-entropy' };
      const train = { epochs: 4, learningRate: 0.05, batchSize: 16 };
      const one = await Network.create({ ...opts, backend: await backendOf(name), threads: 1 });
      const before = warnings.list.length;
      const two = await Network.create({ ...opts, backend: await backendOf(name), threads: 2 });
      const r1 = await one.trainAsync(x, y, train);
      const r2 = await two.trainAsync(x, y, train);
      const same =
        bitsEqual(one.getParameters(), two.getParameters()) && r1.losses.every((l, i) => Object.is(l, r2.losses[i]));
      const newWarnings = warnings.list.slice(before);
      if (isolated) {
        check(
          `trainAsync threads ${name}`,
          two.threads === 2 && same && newWarnings.length === 0,
          `threads ${two.threads}, bit-identical ${same}, losses ${r2.losses.map((l) => l.toFixed(4)).join(' ')}`,
        );
      } else {
        // the isolation warning is printed once per page; 'js' is the first to ask for threads
        const want = name === 'js' ? 1 : 0;
        const ok =
          two.threads === 1 &&
          same &&
          newWarnings.length === want &&
          (want === 0 || /cross-origin isolated/.test(newWarnings[0]));
        check(
          `no isolation: threads 2 falls back to 1 ${name}`,
          ok,
          `threads ${two.threads}, bit-identical ${same}, warnings ${JSON.stringify(newWarnings)}`,
        );
      }
      one.dispose();
      two.dispose();
    });
  }

  // 3. the main-thread rule: sync train() with threads cannot block here; it trains on 1 thread with one warning,
  //    gives the 1-thread result, and the next trainAsync still settles (isolated pages: only there do threads start)
  if (isolated) {
    for (const name of ['assemblyscript', 'rust']) {
      await attempt(`main-thread rule ${name}`, async () => {
        // steps of 16 × (6·32 + 32·2) = 4,096 multiply-adds: above MIN_THREAD_WORK (2,048), so the threads are wanted
        const { x, y } = randomData(200, 6, 2, 3);
        const opts = { layers: [6, 32, 2], seed: 9 };
        const train = { epochs: 3, learningRate: 0.5, batchSize: 16 };
        const ref = await Network.create({ ...opts, backend: await backendOf(name) });
        const net = await Network.create({ ...opts, backend: await backendOf(name), threads: 2 });
        const before = warnings.list.length;
        const a = net.train(x, y, train);
        const b = net.train(x, y, train);
        const ra = ref.train(x, y, train);
        const rb = ref.train(x, y, train);
        const w = warnings.list.slice(before);
        const same =
          bitsEqual(ref.getParameters(), net.getParameters()) &&
          [...a.losses, ...b.losses].every((l, i) => Object.is(l, [...ra.losses, ...rb.losses][i]));
        const settled = await Promise.race([
          net
            .trainAsync(x, y, train)
            .then((r) =>
              ref
                .trainAsync(x, y, train)
                .then(
                  (q) =>
                    bitsEqual(ref.getParameters(), net.getParameters()) &&
                    r.losses.every((l, i) => Object.is(l, q.losses[i])),
                ),
            ),
          new Promise((resolve) => setTimeout(() => resolve('timeout'), 20000)),
        ]);
        check(
          `main-thread rule ${name}`,
          net.threads === 2 &&
            same &&
            w.length === 1 &&
            /Use trainAsync, or train in a Worker/.test(w[0]) &&
            settled === true,
          `threads ${net.threads}, sync result = 1 thread: ${same}, warnings ${JSON.stringify(w)}, next trainAsync: ${settled}`,
        );
        ref.dispose();
        net.dispose();
      });
    }
  }

  // 3b. steps below MIN_THREAD_WORK (here 8 × (6·12 + 12·2) = 768 multiply-adds) train on the calling thread: even on
  //     the page's main thread, sync train() with threads: 2 needs no worker, so it gives no warning
  if (isolated) {
    await attempt('small steps on the main thread', async () => {
      const { x, y } = randomData(200, 6, 2, 3);
      const opts = { layers: [6, 12, 2], seed: 9 };
      const train = { epochs: 3, learningRate: 0.5, batchSize: 8 };
      const ref = await Network.create({ ...opts, backend: await backendOf('assemblyscript') });
      const net = await Network.create({ ...opts, backend: await backendOf('assemblyscript'), threads: 2 });
      const before = warnings.list.length;
      const a = net.train(x, y, train);
      const ra = ref.train(x, y, train);
      const w = warnings.list.slice(before);
      const same =
        bitsEqual(ref.getParameters(), net.getParameters()) && a.losses.every((l, i) => Object.is(l, ra.losses[i]));
      check(
        'small steps on the main thread',
        net.threads === 2 && same && w.length === 0,
        `threads ${net.threads}, result = 1 thread: ${same}, warnings ${JSON.stringify(w)}`,
      );
      ref.dispose();
      net.dispose();
    });
  }

  // 4. training inside a dedicated Worker (tutorial on every backend; sync train with threads there when isolated)
  await attempt('dedicated Worker', async () => {
    // Firefox ESR 153 sometimes leaves this Worker without an answer (an isolated page in about one run of the suite
    // in two; not yet understood, an open defect): one more try in a fresh Worker, with the try count printed, so a
    // recurrence stays visible and two silent Workers in a row fail.
    let result = null,
      tries = 0;
    for (; result === null && tries < 2;) {
      tries++;
      const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
      try {
        result = await new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => (tries < 2 ? resolve(null) : reject(new Error('no answer from the worker in 60 s, twice'))),
            60000,
          );
          worker.onmessage = (e) => {
            clearTimeout(timer);
            resolve(e.data);
          };
          worker.onerror = (e) => {
            clearTimeout(timer);
            e.preventDefault();
            reject(new Error(`worker error: ${e.message}`));
          };
          worker.postMessage({ wasm });
        });
      } finally {
        worker.terminate();
      }
    }
    for (const c of result.checks) check(`worker: ${c.name}`, c.ok, c.detail);
    check(
      'worker: ran its checks',
      result.checks.length >= (isolated ? 5 : 3),
      `${result.checks.length} checks, ${tries === 1 ? 'first try' : 'SECOND try: the first Worker gave no answer in 60 s'}`,
    );
  });

  // 5. loadBackend options: 'auto' picks assemblyscript without a warning; `wasm` takes a compiled module; a wrong
  //    `wasm` type is an OptionError
  if (!wasm) {
    await attempt('auto', async () => {
      const before = warnings.list.length;
      const b = await loadBackend('auto');
      check(
        'auto = assemblyscript, no warning',
        b.name === 'assemblyscript' && warnings.list.length === before,
        `${b.name}/${b.variant}`,
      );
      const again = await loadBackend('rust', { wasm: (await loadBackend('rust')).module });
      const r = await tutorialRun(Network, again);
      check(
        'wasm: a WebAssembly.Module',
        again.variant === 'custom' && r.emily > 0.9 && r.frank < 0.1,
        `${again.name}/${again.variant}: Emily ${r.emily.toFixed(3)}`,
      );
      b.dispose();
    });
  }
  await attempt('wasm: wrong type', async () => {
    let err = null;
    try {
      await loadBackend('assemblyscript', { wasm: 42 });
    } catch (e) {
      err = e;
    }
    check(
      'wasm: wrong type is an OptionError',
      err instanceof OptionError && /received number 42/.test(err.message),
      err?.message,
    );
  });

  if (noWaitAsync) {
    // still absent after all the checks (nothing restored it), and threads really ran (isolated page, threads 2 above)
    const threaded = checks.filter((c) => /^trainAsync threads /.test(c.name));
    check(
      'Atomics.waitAsync is absent',
      waitAsyncGone() && isolated && threaded.length === 3 && threaded.every((c) => c.ok),
      `typeof Atomics.waitAsync ${typeof Atomics.waitAsync}, isolated ${isolated}, threaded trainAsync checks passed ${threaded.filter((c) => c.ok).length}/${threaded.length}`,
    );
  }
  warnings.restore();
  const results = { checks, warnings: warnings.list, isolated, ua: navigator.userAgent };
  render(results);
  return results;
}

function render({ checks, isolated }) {
  const rows = checks.map(
    (c) =>
      `<tr class="${c.ok ? 'ok' : 'fail'}"><td>${c.ok ? 'PASS' : 'FAIL'}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}</td></tr>`,
  );
  document.body.innerHTML =
    `<h1>fastnn browser suite</h1><p>${esc(location.pathname)} · crossOriginIsolated ${isolated} · ${checks.filter((c) => c.ok).length}/${checks.length} passed</p>` +
    `<style>td{font:12px monospace;padding:2px 6px}.ok td:first-child{color:green}.fail td:first-child{color:red;font-weight:bold}</style><table>${rows.join('')}</table>`;
}

const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
export { TUTORIAL };
