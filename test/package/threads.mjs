// A plain `node threads.mjs <backend> <async|sync>` script, top-level await, 2 worker threads: it must print its
// result and exit 0 on its own (trainAsync must keep the process alive while it runs; idle workers must not).
import { Network } from 'fastnn';

const [backend, mode] = process.argv.slice(2);
const x = [],
  y = [];
for (let i = 0; i < 4000; i++) {
  const a = Math.sin(i * 0.7),
    b = Math.cos(i * 1.3);
  x.push([a, b]);
  y.push([a * b > 0 ? 1 : 0]);
}
const net = await Network.create({ layers: [2, 32, 1], seed: 7, backend, threads: 2 });
if (net.threads !== 2) throw new Error(`expected 2 threads, the network trains with ${net.threads}`);
const options = { epochs: 60, learningRate: 0.5, batchSize: 32 };
const r = mode === 'async' ? await net.trainAsync(x, y, options) : net.train(x, y, options);
const { accuracy } = net.evaluate(x, y);
// The network is not disposed: its idle workers must not keep the process alive.
console.log(
  `threads ok: ${backend}/${net.backend.variant} ${mode} threads=${net.threads} epochs=${r.epochs} ` +
    `loss ${r.losses[0].toFixed(4)} -> ${r.losses.at(-1).toFixed(4)} accuracy ${accuracy.toFixed(3)}`,
);
