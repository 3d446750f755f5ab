// A strict TypeScript consumer of the packed package (test/package/run.sh compiles it with the oldest TypeScript the
// README claims and with the newest 5.x, moduleResolution node16 and bundler, no skipLibCheck, then runs it).
import {
  Network,
  OptionError,
  availableBackends,
  loadBackend,
  matrix,
  reference,
  type Backend,
  type BackendName,
  type Input,
  type LayerParameters,
  type Matrix,
  type NetworkJSON,
  type TrainResult,
} from 'fastnn';

// Rows may be number arrays or typed arrays.
const x: Input = [new Float64Array([-2, -1]), [25, 6], Float32Array.of(17, 4), [-15, -6]];
const y: Input = matrix(4, 1, [1, 0, 0, 1]);

const names: BackendName[] = await availableBackends();
const results: string[] = [];
for (const name of names) {
  const backend: Backend = await loadBackend(name, name === 'js' ? {} : { variant: 'scalar' });
  const net = await Network.create({ layers: [2, 2, 1], init: 'normal', seed: 42, backend });
  const controller = new AbortController();
  const r: TrainResult = await net.trainAsync(x, y, {
    epochs: 200,
    learningRate: 0.1,
    batchSize: 1,
    shuffle: false,
    signal: controller.signal,
  });
  const p: Matrix = net.predict([
    [-7, -3],
    [20, 2],
  ]);
  const data: Float64Array = p.data;
  const params: LayerParameters[] = net.getParameters();
  const json: NetworkJSON = net.toJSON();
  const m = backend.alloc(2, 2);
  backend.write(m, [1, 2, 3, 4]);
  const view: Float64Array = backend.read(m);
  backend.free(m);
  // @ts-expect-error the pointer ABI is internal: the public Backend has no memory views
  void backend.f64;
  const checkpoint: NetworkJSON = net.toJSON({ optimizer: true });
  const onnx: Uint8Array = net.toONNX({ dtype: 'float32' });
  const streamed: TrainResult = await net.trainStream(
    function* () {
      yield { x, y };
    },
    { epochs: 1, learningRate: 0.1, shuffle: false },
  );
  if (checkpoint.version !== 2 || onnx.length === 0 || streamed.epochs !== 1)
    throw new Error('checkpoint, ONNX or trainStream failed');
  results.push(
    `${name}/${backend.variant} loss ${r.losses[0]!.toFixed(4)} -> ${r.losses.at(-1)!.toFixed(4)}, ` +
      `p ${data[0]!.toFixed(3)} ${data[1]!.toFixed(3)}, ${params.length} layers, v${json.version}, ${view.length > 0}`,
  );
  net.dispose();
  backend.dispose();
}

// An unknown option is a type error and, at run time, an OptionError.
try {
  // @ts-expect-error 'varient' is not an option of loadBackend
  await loadBackend('js', { varient: 'scalar' });
  throw new Error('loadBackend accepted an unknown option');
} catch (e) {
  if (!(e instanceof OptionError)) throw e;
}

const t = new reference.TutorialNetwork({ w1: 1, w2: 1, w3: 1, w4: 1, w5: 1, w6: 1, b1: 0, b2: 0, b3: 0 });
console.log(
  `typescript consumer ok: ${names.join(',')}; ${results.join('; ')}; tutorial ${t.feedforward([-7, -3]) > 0}`,
);
