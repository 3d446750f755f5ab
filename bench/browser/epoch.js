// One measurement shared by Node and Chromium (bench/browser.mjs), on one backend and thread count:
// - net 'mnist': the README benchmark's 784-128-10 epoch (sigmoid/MSE/SGD, batch 32, lr 0.5, 8000 seeded random
//   samples, shuffle off) through Network.train; samples/s of the median of `reps` epochs after one warm-up epoch.
// - net 'iris': an Iris-sized 4-10-3 softmax network (150 samples, batch 32: 2,240 multiply-adds a step), 200 epochs
//   of trainAsync in one call, as a page would train it; samples/s (150 × 200 / the median call's time).
export async function measure(fastnn, c) {
  return c.net === 'iris' ? measureIris(fastnn, c) : measureMnist(fastnn, c);
}

async function measureIris(fastnn, { backend, threads, reps = 5 }) {
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
  try {
    await net.trainAsync(x, y, train); // warm-up
    const ms = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      await net.trainAsync(x, y, train);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)];
    return {
      backend: `${net.backend.name} ${net.backend.variant}`,
      threads: net.threads,
      samplesPerSec: (n * epochs) / (median / 1000),
    };
  } finally {
    net.dispose();
  }
}

async function measureMnist(fastnn, { backend, threads, reps = 5, samples = 8000 }) {
  const { x, y } = data(samples);
  const net = await fastnn.Network.create({ layers: [784, 128, 10], seed: 1, backend, threads });
  const train = { epochs: 1, learningRate: 0.5, batchSize: 32, shuffle: false };
  try {
    net.train(x, y, train); // warm-up (and the workspace allocation)
    const ms = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      net.train(x, y, train);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)];
    return {
      backend: `${net.backend.name} ${net.backend.variant}`,
      threads: net.threads,
      samplesPerSec: samples / (median / 1000),
    };
  } finally {
    net.dispose();
  }
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

export const CASES = ['mnist', 'iris'].flatMap((net) => [
  { net, backend: 'assemblyscript', threads: 1 },
  { net, backend: 'assemblyscript', threads: 2 },
  { net, backend: 'rust', threads: 1 },
  { net, backend: 'rust', threads: 2 },
  { net, backend: 'js', threads: 1 },
  { net, backend: 'js', threads: 2 },
]);
