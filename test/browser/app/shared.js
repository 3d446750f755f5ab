// Helpers shared by the page suite and the worker (no imports, so every bundler and the direct page use it as is).
export const TUTORIAL = {
  // README usage: weight (minus 135 lb) and height (minus 66 in); 1 = female
  x: [
    [-2, -1],
    [25, 6],
    [17, 4],
    [-15, -6],
  ],
  y: [[1], [0], [0], [1]],
};

export async function tutorialRun(Network, backend) {
  const net = await Network.create({ layers: [2, 2, 1], init: 'normal', seed: 42, backend });
  net.train(TUTORIAL.x, TUTORIAL.y, { epochs: 1000, learningRate: 0.1, batchSize: 1, shuffle: false });
  const p = net.predict([
    [-7, -3],
    [20, 2],
  ]); // Emily, Frank
  const out = { emily: p.data[0], frank: p.data[1], backend: net.backend.name, variant: net.backend.variant };
  net.dispose();
  return out;
}

/** Seeded data: n rows of `inputs` features in [-1, 1), one-hot targets of `classes` classes. */
export function randomData(n, inputs, classes, seed) {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  const x = [],
    y = [];
  for (let i = 0; i < n; i++) {
    x.push(Array.from({ length: inputs }, () => rnd() * 2 - 1));
    const k = Math.floor(rnd() * classes);
    y.push(Array.from({ length: classes }, (_, j) => (j === k ? 1 : 0)));
  }
  return { x, y };
}

export function bitsEqual(a, b) {
  if (a.length !== b.length) return false;
  const same = (p, q) =>
    p.length === q.length &&
    new Uint8Array(p.buffer, p.byteOffset, p.byteLength).every(
      (v, i) => v === new Uint8Array(q.buffer, q.byteOffset, q.byteLength)[i],
    );
  return a.every((l, i) => same(l.weights, b[i].weights) && same(l.biases, b[i].biases));
}

/** Records console.warn calls (still printing them) so a check can count the warnings it caused. */
export function captureWarnings() {
  const original = console.warn;
  const list = [];
  console.warn = (...args) => {
    list.push(args.map(String).join(' '));
    original.apply(console, args);
  };
  return { list, restore: () => (console.warn = original) };
}
