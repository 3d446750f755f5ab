// ONNX, as users run it: the packed package installed in a fresh project, in plain Node, with onnxruntime-web (the WASM build, no native
// install). Two steps around scripts/check-onnx.py (the onnx Python package, a second implementation of the format):
//   node scripts/check-onnx.mjs export DIR   writes fastnn models (float64 and float32) and their JSON to DIR
//   node scripts/check-onnx.mjs import DIR   loads the models the Python step wrote with onnx.helper, and checks
//                                            fromONNX(...).predict against ONNX Runtime on the same file
// Run both with scripts/check-onnx.sh. Exits non-zero on any mismatch.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';

// FASTNN_ENTRY: a module that re-exports the installed package (`export * from 'fastnn'` in a fresh project that
// installed the packed tarball); without it, the repository's dist/.
const entry = process.env.FASTNN_ENTRY;
const { Network } = await import(entry ? pathToFileURL(entry).href : '../dist/index.js');
console.log(`fastnn from ${entry ? `${entry} (the installed tarball)` : 'dist/'}`);

ort.env.wasm.numThreads = 1;
const [mode, dir] = process.argv.slice(2);
if ((mode !== 'export' && mode !== 'import') || !dir) {
  console.error('usage: node scripts/check-onnx.mjs export|import DIR');
  process.exit(2);
}

let seed = 1;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const rows = (n, cols) => Array.from({ length: n }, () => Array.from({ length: cols }, () => rand() * 4 - 2));

/** Largest |a-b|/max(1,|a|,|b|) between ONNX Runtime on `bytes` and `predict`. */
async function compare(bytes, net, x, dtype) {
  const session = await ort.InferenceSession.create(bytes);
  const flat = x.flat();
  const t = new ort.Tensor(dtype, dtype === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat), [
    x.length,
    x[0].length,
  ]);
  const out = (await session.run({ [session.inputNames[0]]: t }))[session.outputNames[0]];
  await session.release();
  const want = net.predict(x).data;
  if (out.data.length !== want.length)
    throw new Error(`ONNX Runtime gave ${out.data.length} values, predict ${want.length}`);
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    const a = out.data[i],
      b = want[i];
    err = Math.max(err, Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b)));
    if (Number.isNaN(a - b)) err = Infinity;
  }
  return err;
}

const TOL = { float64: 1e-12, float32: 1e-5 };
let failed = 0;
const report = (what, err, dtype) => {
  const ok = err <= TOL[dtype];
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: largest relative error ${err.toExponential(2)} (tol ${TOL[dtype]})`);
};

if (mode === 'export') {
  const nets = [
    { name: 'tutorial', layers: [2, 2, 1] },
    {
      name: 'classifier',
      layers: [8, 16, 12, 4],
      activation: 'leaky-relu',
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      leakySlope: 0.1,
    },
    { name: 'regressor', layers: [5, 9, 3], activation: 'tanh', outputActivation: 'identity' },
    { name: 'relu', layers: [6, 7, 2], activation: 'relu', outputActivation: 'sigmoid', loss: 'binary-cross-entropy' },
  ];
  for (const { name, ...options } of nets) {
    const o = { name, ...options };
    const net = await Network.create({ ...options, seed: 7 });
    writeFileSync(join(dir, `${o.name}.json`), JSON.stringify(net.toJSON()));
    for (const dtype of ['float64', 'float32']) {
      const bytes = net.toONNX({ dtype });
      writeFileSync(join(dir, `${o.name}.${dtype}.onnx`), bytes);
      const x = rows(25, o.layers[0]).map((r) => (dtype === 'float32' ? r.map(Math.fround) : r));
      report(`export ${o.name} ${dtype} in ONNX Runtime`, await compare(bytes, net, x, dtype), dtype);
      const back = await Network.fromONNX(bytes);
      const same =
        dtype === 'float64'
          ? JSON.stringify(back.toJSON()) === JSON.stringify(net.toJSON())
          : back
              .getParameters()
              .every((p, l) => p.weights.every((v, i) => v === Math.fround(net.getParameters()[l].weights[i])));
      if (!same) failed++;
      console.log(
        `${same ? 'ok  ' : 'FAIL'} fromONNX(toONNX(${o.name}, ${dtype})) ${dtype === 'float64' ? 'is the same network' : 'has Math.fround of the parameters'}`,
      );
      back.dispose();
    }
    net.dispose();
  }
} else {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('foreign-') && f.endsWith('.onnx'))
    .sort();
  if (files.length === 0) {
    console.error(`no foreign-*.onnx files in ${dir} (run scripts/check-onnx.py first)`);
    process.exit(1);
  }
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    const expect = JSON.parse(readFileSync(join(dir, f.replace(/\.onnx$/, '.expect.json')), 'utf8'));
    if (expect.refused) {
      const err = await Network.fromONNX(bytes).then(
        () => null,
        (e) => e,
      );
      const ok = err !== null && err.name.endsWith('Error') && err.message.includes(expect.refused);
      if (!ok) failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${f} refused: ${err ? `${err.name}: ${err.message}` : 'it loaded'}`);
      continue;
    }
    const net = await Network.fromONNX(bytes, 'assemblyscript');
    const j = net.toJSON();
    const shapeOk =
      JSON.stringify(j.layers) === JSON.stringify(expect.layers) &&
      JSON.stringify(j.activations) === JSON.stringify(expect.activations) &&
      j.loss === expect.loss;
    if (!shapeOk) failed++;
    console.log(`${shapeOk ? 'ok  ' : 'FAIL'} ${f} loads as [${j.layers}] ${j.activations.join('/')} ${j.loss}`);
    report(
      `${f} predict vs ONNX Runtime`,
      await compare(
        bytes,
        net,
        rows(17, j.layers[0]).map((r) => r.map(Math.fround)),
        expect.dtype,
      ),
      expect.dtype,
    );
    net.dispose();
  }
}
if (failed > 0) {
  console.error(`${failed} ONNX check(s) failed`);
  process.exit(1);
}
