/**
 * fromONNX on fan-out files (one tensor read by every node), the shape that used to take quadratic time:
 *   npx tsx scripts/onnx-fanout.ts [repeats=5]
 * For each file: its size, and the median wall and CPU time of onnxToModel (decode + chain check, which is where the
 * time went) over the repeats. Run it on a quiet machine; on a shared one compare CPU time.
 */
import { onnxToModel } from '../src/onnx/import.js';
import { MAX_ONNX_NODES } from '../src/onnx/decode.js';
import { fanOutModel } from '../test/helpers/wire.js';
import { median } from '../bench/stats.js';

const repeats = Number(process.argv[2] ?? 5);
for (const [n, op] of [
  [30_000, 'Add'],
  [MAX_ONNX_NODES, 'Add'],
  [250_000, 'Add'],
  [150_000, 'Relu'],
] as const) {
  const bytes = fanOutModel(n, op);
  const wall: number[] = [],
    cpu: number[] = [];
  let message = '';
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage(),
      t0 = performance.now();
    try {
      onnxToModel(bytes);
      message = 'loaded';
    } catch (e) {
      message = `${(e as Error).name}: ${(e as Error).message.slice(0, 70)}…`;
    }
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(
    `${String(n).padStart(7)} ${op.padEnd(4)} ${(bytes.length / 1e6).toFixed(2)} MB: wall ${median(wall).toFixed(0)} ms, cpu ${median(cpu).toFixed(0)} ms (median of ${repeats}) -> ${message}`,
  );
}
