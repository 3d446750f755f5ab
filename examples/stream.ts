/**
 * Training from a file larger than you want in memory: the MNIST digits are written once to an NDJSON file
 * (one `{"x":[784 pixels],"y":[10 one-hot]}` per line), then every epoch reads the file again with Node streams
 * (fs.createReadStream + readline) and hands fastnn chunks of rows through `trainStream`. fastnn holds only its
 * shuffle buffer, never the dataset.
 *
 *   npm run example:stream                                 # 8,000 digits, 5 epochs, assemblyscript
 *   npm run example:stream -- --backend rust --threads 2 --epochs 3 --file /tmp/digits.ndjson
 */
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Network, type BackendName, type Chunk } from '../src/index.js';
import { progress } from '../src/progress.js';
import { loadMnist } from './mnist-data.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'assemblyscript' },
    threads: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '5' },
    file: { type: 'string', default: join(tmpdir(), 'fastnn-mnist-train.ndjson') },
    chunk: { type: 'string', default: '500' },
  },
});

const { train, test } = loadMnist(8000, 2000);
if (!existsSync(values.file)) {
  const lines: string[] = [];
  for (let r = 0; r < train.x.rows; r++) {
    lines.push(
      JSON.stringify({
        x: Array.from(train.x.data.subarray(r * 784, (r + 1) * 784)),
        y: Array.from(train.y.data.subarray(r * 10, (r + 1) * 10)),
      }),
    );
  }
  writeFileSync(values.file, lines.join('\n') + '\n');
}
console.log(
  `data: ${values.file} (${(statSync(values.file).size / 2 ** 20).toFixed(1)} MiB of NDJSON, ${train.x.rows} rows)`,
);

/** One pass over the file: chunks of `size` rows parsed from its lines. */
async function* readChunks(file: string, size: number): AsyncIterable<Chunk> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let x: number[][] = [],
    y: number[][] = [];
  for await (const line of lines) {
    if (line.length === 0) continue;
    const row = JSON.parse(line) as { x: number[]; y: number[] };
    x.push(row.x);
    y.push(row.y);
    if (x.length === size) {
      yield { x, y };
      x = [];
      y = [];
    }
  }
  if (x.length > 0) yield { x, y };
}

const net = await Network.create({
  layers: [784, 128, 10],
  activation: 'relu',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  seed: 1,
  backend: values.backend as BackendName,
  threads: Number(values.threads),
});
const t0 = performance.now();
const epochs = Number(values.epochs);
// fastnn/progress: one updating line on a terminal, a line per epoch elsewhere (rows/s include parsing the file)
const bar = progress({ epochs, samplesPerEpoch: train.x.rows, label: 'stream' });
const result = await net.trainStream(() => readChunks(values.file, Number(values.chunk)), {
  epochs,
  learningRate: 1e-3,
  batchSize: 32,
  optimizer: 'adam',
  shuffleBuffer: 4000,
  validation: { x: test.x, y: test.y },
  onEpoch: bar.onEpoch,
});
bar.done();
console.log(
  `${result.epochs} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${net.backend.name} (${net.backend.variant}), ${net.threads} thread(s); fastnn's memory in use: ${(net.backend.usedBytes() / 2 ** 20).toFixed(1)} MiB`,
);
net.dispose();
