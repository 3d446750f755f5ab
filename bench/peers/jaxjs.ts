/**
 * jax-js (its WebAssembly backend, float32: the backend has SIMD for float32 only) on the peer problems
 * (bench/peers/problem.ts). Written as its MNIST demo trains: one jit-compiled step (valueAndGrad of the loss, then
 * the optimizer update) called per batch in order, parameters synchronised at the end of each epoch. Same math as
 * fastnn (see jax_peer.py). Prints one JSON line per problem.   Usage: tsx bench/peers/jaxjs.ts DIR
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readProblems, timeAndReport } from './peer-problems.js';

// jax-js references Float16Array, which Node 20 lacks (PLATFORM-NOTES: it runs after this stand-in)
(globalThis as { Float16Array?: unknown }).Float16Array ??= class {};
const jax = await import('@jax-js/jax');
const { numpy: np, nn, jit, valueAndGrad, init, defaultDevice, blockUntilReady } = jax;
type Arr = InstanceType<typeof jax.Array>;

const dir = process.argv[2]!;
const { problems, f32 } = readProblems(dir);

await init('wasm');
defaultDevice('wasm');
const version = (
  JSON.parse(readFileSync(path.join(process.cwd(), 'node_modules/@jax-js/jax/package.json'), 'utf8')) as {
    version: string;
  }
).version;

for (const p of problems) {
  const L = p.layers.length - 1,
    n = p.samples,
    B = p.batch;
  const act = (name: string, z: Arr): Arr => (name === 'sigmoid' ? nn.sigmoid(z) : name === 'relu' ? nn.relu(z) : z);
  // weights as [nIn, nOut] so that z = x @ w + b (the transpose of fastnn's rows, same values)
  const init0: Arr[] = [];
  for (let l = 0; l < L; l++) {
    const [i, o] = [p.layers[l]!, p.layers[l + 1]!];
    init0.push(
      np.array(f32(`${p.id}-w${l}.f64`), { shape: [o, i] }).transpose(),
      np.array(f32(`${p.id}-b${l}.f64`), { shape: [o] }),
    );
  }
  const lossFn = (params: Arr[], x: Arr, y: Arr): Arr => {
    let a = x;
    for (let l = 0; l < L; l++) {
      const z = np.dot(a, params[2 * l]!).add(params[2 * l + 1]!);
      a = l < L - 1 ? act(p.activation, z) : z;
    }
    if (p.loss === 'mse') return np.mean(np.square(act(p.outputActivation, a).sub(y)));
    return nn
      .logSoftmax(a)
      .mul(y)
      .sum()
      .mul(-1 / B);
  };
  const lr = p.learningRate;
  const sgdStep = jit((params: Arr[], x: Arr, y: Arr) => {
    const [l, g] = valueAndGrad(lossFn)(
      params.map((q) => q.ref),
      x,
      y,
    );
    return [l, params.map((q, i) => q.sub(g[i]!.mul(lr)))];
  });
  const adamStep = jit((params: Arr[], m: Arr[], v: Arr[], x: Arr, y: Arr, c1: Arr, c2: Arr) => {
    const [l, g] = valueAndGrad(lossFn)(
      params.map((q) => q.ref),
      x,
      y,
    );
    const m2 = m.map((mi, i) => mi.mul(p.beta1).add(g[i]!.ref.mul(1 - p.beta1)));
    const v2 = v.map((vi, i) => vi.mul(p.beta2).add(np.square(g[i]!).mul(1 - p.beta2)));
    const q2 = params.map((q, i) =>
      q.sub(
        m2[i]!.ref.div(c1.ref)
          .mul(lr)
          .div(np.sqrt(v2[i]!.ref.div(c2.ref)).add(p.epsilon)),
      ),
    );
    c1.dispose();
    c2.dispose();
    return [l, q2, m2, v2];
  });
  const X = np.array(f32('x.f64', n * 784), { shape: [n, 784] });
  const Y = np.array(f32('y.f64', n * 10), { shape: [n, 10] });
  let params = init0;
  let m = params.map((q) => np.zerosLike(q.ref));
  let v = params.map((q) => np.zerosLike(q.ref));
  let t = 0;
  const epoch = async (): Promise<number> => {
    const losses: Arr[] = [];
    for (let s = 0; s + B <= n; s += B) {
      const x = X.ref.slice([s, s + B]),
        y = Y.ref.slice([s, s + B]);
      if (p.optimizer === 'sgd') {
        const [l, q] = sgdStep(params, x, y) as [Arr, Arr[]];
        losses.push(l);
        params = q;
      } else {
        t++;
        const c1 = np.array([1 - p.beta1 ** t]).reshape([]),
          c2 = np.array([1 - p.beta2 ** t]).reshape([]);
        const [l, q, m2, v2] = adamStep(params, m, v, x, y, c1, c2) as [Arr, Arr[], Arr[], Arr[]];
        losses.push(l);
        [params, m, v] = [q, m2, v2];
      }
    }
    await blockUntilReady(params);
    let sum = 0;
    for (const l of losses) sum += (await l.jsAsync()) as number;
    return sum / losses.length;
  };
  await timeAndReport({ name: 'jax-js', version: `${version} (wasm)` }, p, epoch);
}
