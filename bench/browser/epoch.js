// One measurement shared by Node and Chromium (bench/browser.mjs), per network and backend, 1 and 2 threads:
// - net 'mnist': the README benchmark's 784-128-10 epoch (sigmoid/MSE/SGD, batch 32, lr 0.5, 8000 seeded random
//   samples, shuffle off) through Network.train; samples/s of the median epoch after one warm-up epoch.
// - net 'iris': an Iris-sized 4-10-3 softmax network (150 samples, batch 32: 2,240 multiply-adds a step), 200 epochs
//   of trainAsync in one call, as a page would train it; samples/s (150 × 200 / the median call's time).
// The 1-thread and 2-thread networks of a pair are both created and warmed up first, then their calls alternate
// (ROUNDS rounds, the order flipping every round), so a change of load on a shared machine falls on both alike.
export const ROUNDS = 7;
/**
 * Iris calls take ~8 ms: the engine is still tiering up the training loop over the first dozen calls (±30% from call
 * to call in Node), so the Iris networks warm up with IRIS_WARMUP calls and their medians take IRIS_ROUNDS rounds.
 */
export const IRIS_WARMUP = 8;
export const IRIS_ROUNDS = 21;

/** Rows in this order: per network, per backend, 1 thread then 2 threads. */
export const CASES = ['mnist', 'iris'].flatMap((net) => [
  { net, backend: 'assemblyscript', threads: 1 },
  { net, backend: 'assemblyscript', threads: 2 },
  { net, backend: 'rust', threads: 1 },
  { net, backend: 'rust', threads: 2 },
  { net, backend: 'js', threads: 1 },
  { net, backend: 'js', threads: 2 },
]);

/** Every row of CASES, measured in interleaved 1-thread / 2-thread pairs. */
export async function measureAll(fastnn) {
  const out = [];
  for (let i = 0; i < CASES.length; i += 2) {
    const pair = [CASES[i], CASES[i + 1]];
    const rounds = pair[0].net === 'iris' ? IRIS_ROUNDS : ROUNDS;
    const runners = [];
    try {
      for (const c of pair) runners.push(await (c.net === 'iris' ? irisRunner : mnistRunner)(fastnn, c));
      const ms = runners.map(() => []);
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 ? [1, 0] : [0, 1];
        for (const k of order) {
          const t = performance.now();
          await runners[k].once();
          ms[k].push(performance.now() - t);
        }
      }
      runners.forEach((run, k) => {
        const sorted = [...ms[k]].sort((a, b) => a - b);
        out.push({
          ...pair[k],
          backend: run.label,
          threads: run.net.threads,
          samplesPerSec: run.samples / (sorted[Math.floor(sorted.length / 2)] / 1000),
        });
      });
    } finally {
      for (const run of runners) run.net.dispose();
    }
  }
  return out;
}

async function irisRunner(fastnn, { backend, threads }) {
  const n = 150,
    epochs = 200;
  let s = 777;
  const rnd = () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  const x = fastnnMatrix(n, 4, () => rnd() * 8);
  const y = fastnnMatrix(n, 3, () => 0);
  for (let i = 0; i < n; i++) y.data[i * 3 + (i % 3)] = 1;
  const net = await fastnn.Network.create({
    layers: [4, 10, 3],
    seed: 1,
    backend,
    threads,
    outputActivation: 'softmax',
    loss: 'cross-entropy',
  });
  const train = { epochs, learningRate: 0.05, batchSize: 32 };
  for (let w = 0; w < IRIS_WARMUP; w++) await net.trainAsync(x, y, train); // warm-up
  return {
    net,
    label: `${net.backend.name} ${net.backend.variant}`,
    samples: n * epochs,
    once: () => net.trainAsync(x, y, train),
  };
}

async function mnistRunner(fastnn, { backend, threads, samples = 8000 }) {
  const { x, y } = data(samples);
  const net = await fastnn.Network.create({ layers: [784, 128, 10], seed: 1, backend, threads });
  const train = { epochs: 1, learningRate: 0.5, batchSize: 32, shuffle: false };
  net.train(x, y, train); // warm-up (and the workspace allocation)
  return {
    net,
    label: `${net.backend.name} ${net.backend.variant}`,
    samples,
    once: async () => net.train(x, y, train),
  };
}

function data(n) {
  let s = 12345;
  const rnd = () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  const x = fastnnMatrix(n, 784, () => rnd());
  const y = fastnnMatrix(n, 10, () => 0);
  for (let i = 0; i < n; i++) y.data[i * 10 + Math.floor(rnd() * 10)] = 1;
  return { x, y };
}

function fastnnMatrix(rows, cols, f) {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = f();
  return { rows, cols, data };
}
