/**
 * The two call forms of train / trainAsync — (x, y, options) or (dataset, options) — turned into what a TrainingRun
 * takes, with the validation split applied.
 */
import type { KernelHost } from '../backends/host.js';
import type { Input } from '../matrix.js';
import { datasetViews, isDataset, useDataset } from './dataset.js';
import { resolveTrain, resolveTrainOptions, type NetworkShape, type ResolvedTrain } from './options.js';
import type { RunData } from './run.js';
import { applySplit } from './split.js';

/**
 * The arguments of train / trainAsync: (x, y, options) or (dataset, options). Validates the options and the data
 * and returns what a TrainingRun takes, plus the release of a dataset's use (a no-op for copied data).
 */
export function trainArgs(
  op: string,
  shape: NetworkShape,
  host: KernelHost,
  a: unknown,
  b: unknown,
  c: unknown,
  extraKeys: readonly string[],
  copy: boolean,
  seed: number,
): { r: ResolvedTrain; o: Record<string, unknown>; data: RunData; release: () => void } {
  if (isDataset(a)) {
    const { r, o } = resolveTrainOptions(op, shape, b, extraKeys);
    const use = useDataset(op, a, host, shape, true);
    if (r.split) {
      // the training rows are copied out (the run copies them in again): the dataset's own blocks are not split
      try {
        const views = datasetViews(a);
        const { X, Y } = applySplit(op, r, views.X, views.Y, seed);
        return { r, o, data: { rows: X.rows, X, Y }, release: () => undefined };
      } finally {
        use.release();
      }
    }
    return { r, o, data: { rows: a.rows, x: use.x, y: use.y }, release: use.release };
  }
  const t = resolveTrain(op, shape, a as Input, b as Input, c, extraKeys, copy);
  const { X, Y } = t.r.split ? applySplit(op, t.r, t.X, t.Y, seed) : t;
  return { r: t.r, o: t.o, data: { rows: X.rows, X, Y }, release: () => undefined };
}
