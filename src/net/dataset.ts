/**
 * Dataset: training data copied into a backend's memory once, validated once, and then used by train, trainAsync
 * and evaluate without the per-call check and copy (for users who call train once per epoch, or evaluate often).
 * It belongs to one backend and can serve every network on that backend whose input and output widths and element
 * type match (a float32 network's dataset is stored in float32: half the bytes).
 * It never changes after it is made; dispose() frees it (after any run that uses it has ended).
 */
import type { Dtype, Loss } from '../backend.js';
import type { KernelHost } from '../backends/host.js';
import { checkTargets } from '../check.js';
import { BackendError, DisposedError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { elemBytes, elemSubarray, writeElems } from './elements.js';
import { evaluateAll, type Rows } from './inference.js';
import { checkFits, type NetMemory, type ParamPtrs } from './memory.js';
import { checkTargetRange, type NetworkShape } from './options.js';

interface DatasetState {
  host: KernelHost;
  x: number;
  y: number;
  dtype: Dtype;
  users: number;
  disposed: boolean;
  /** per loss (and output activation, for training): null when y suits it, else the refusal's message */
  targets: Map<string, string | null>;
}

const states = new WeakMap<Dataset, DatasetState>();

/**
 * Training data copied into a backend's memory once and validated once, made by {@link Network.dataset}; train,
 * trainAsync and evaluate then use it without a per-call check and copy. It belongs to one backend and serves every
 * network on that backend whose input and output widths match. It never changes after it is made.
 */
export class Dataset {
  /** The number of samples (rows of x and y). */
  readonly rows: number;
  /** The columns of x: the input width of the networks that can use it. */
  readonly inputs: number;
  /** The columns of y: the output width of the networks that can use it. */
  readonly outputs: number;
  /** the element type its rows are stored in (the network's that made it) */
  readonly dtype: Dtype;

  /** @internal use Network.dataset(x, y) */
  constructor(op: string, host: KernelHost, X: Matrix, Y: Matrix, loss: Loss, dtype: Dtype = 'float64') {
    this.rows = X.rows;
    this.inputs = X.cols;
    this.outputs = Y.cols;
    this.dtype = dtype;
    const eb = elemBytes(dtype);
    checkFits(op, host, (X.data.length + Y.data.length) * eb + 32);
    const x = host.allocBytes(X.data.length * eb, false);
    let y: number;
    try {
      y = host.allocBytes(Y.data.length * eb, false);
    } catch (e) {
      host.freeBytes(x);
      throw e;
    }
    writeElems(host, dtype, X.data, x);
    writeElems(host, dtype, Y.data, y);
    states.set(this, {
      host,
      x,
      y,
      dtype,
      users: 0,
      disposed: false,
      targets: new Map<string, string | null>([[loss, null]]),
    });
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return stateOf(this).disposed;
  }

  /** Frees the data; later use throws DisposedError. A run that uses it keeps it until the run ends. */
  dispose(): void {
    const st = stateOf(this);
    if (st.disposed) return;
    st.disposed = true;
    if (st.users === 0) free(st);
  }
}

function stateOf(ds: Dataset): DatasetState {
  const st = states.get(ds);
  if (!st) throw new BackendError('Dataset: not a Dataset made by Network.dataset()');
  return st;
}

function free(st: DatasetState): void {
  if (st.host.disposed) return;
  st.host.freeBytes(st.x);
  st.host.freeBytes(st.y);
}

export function isDataset(v: unknown): v is Dataset {
  return typeof v === 'object' && v !== null && states.has(v as Dataset);
}

/**
 * Checks that `ds` can train or evaluate a network of `shape` on `host`, and takes a use of it (release with the
 * returned function). Returns its blocks and Matrix views of them (views are short-lived: memory may grow).
 * @throws DisposedError, BackendError (another backend), ShapeError (widths, or targets outside the loss's domain).
 */
export function useDataset(
  op: string,
  ds: Dataset,
  host: KernelHost,
  shape: NetworkShape,
  training: boolean,
): { x: number; y: number; release: () => void } {
  const st = stateOf(ds);
  if (st.disposed || st.host.disposed) throw new DisposedError(`${op}: the dataset was disposed`);
  if (st.host !== host)
    throw new BackendError(
      `${op}: the dataset lives in another backend's memory; make it with this network's dataset()`,
    );
  if (st.dtype !== shape.dtype) {
    throw new ShapeError(
      `${op}: the dataset is stored in ${st.dtype}, but the network computes in ${shape.dtype}; make it with this network's dataset()`,
    );
  }
  const nIn = shape.layers[0]!,
    nOut = shape.layers[shape.layers.length - 1]!;
  if (ds.inputs !== nIn || ds.outputs !== nOut) {
    throw new ShapeError(
      `${op}: the dataset is ${ds.rows}×${ds.inputs} → ${ds.outputs}, but the network takes ${nIn} inputs and gives ${nOut} outputs`,
    );
  }
  // the loss's domain for every use; for training also the output activation's range (mse)
  const keys: [string, (Y: Matrix) => void][] = [[shape.loss, (Y) => checkTargets(op, 'dataset y', Y, shape.loss)]];
  if (training)
    keys.push([
      `${shape.loss} ${shape.activations[shape.activations.length - 1]!}`,
      (Y) => checkTargetRange(op, 'dataset y', Y, shape),
    ]);
  for (const [key, check] of keys) {
    let verdict = st.targets.get(key);
    if (verdict === undefined) {
      try {
        check(datasetViews(ds).Y);
        verdict = null;
      } catch (e) {
        verdict = (e as Error).message;
      }
      st.targets.set(key, verdict);
    }
    // the cached message names the operation that first checked; name this one
    if (verdict !== null) throw new ShapeError(verdict.replace(/^[^:]*:/, `${op}:`));
  }
  st.users++;
  let released = false;
  return {
    x: st.x,
    y: st.y,
    release: () => {
      if (released) return;
      released = true;
      st.users--;
      if (st.disposed && st.users === 0) free(st);
    },
  };
}

/** Views of a dataset's rows in backend memory, in its element type (valid until the memory next grows). */
export function datasetRows(ds: Dataset): { X: Rows; Y: Rows } {
  const { host, dtype, x, y } = stateOf(ds);
  return {
    X: { rows: ds.rows, cols: ds.inputs, data: elemSubarray(host, dtype, x, ds.rows * ds.inputs) },
    Y: { rows: ds.rows, cols: ds.outputs, data: elemSubarray(host, dtype, y, ds.rows * ds.outputs) },
  };
}

/**
 * Matrix views of a dataset's rows in backend memory (valid until the memory next grows); a float32 dataset's rows
 * are widened into copies instead (exact).
 */
export function datasetViews(ds: Dataset): { X: Matrix; Y: Matrix } {
  const { X, Y } = datasetRows(ds);
  const wide = ({ rows, cols, data }: Rows): Matrix => ({
    rows,
    cols,
    data: data instanceof Float64Array ? data : new Float64Array(data),
  });
  return { X: wide(X), Y: wide(Y) };
}

/** evaluate(dataset): the read workspace is made first, so the views of the dataset stay valid while it runs. */
export function evaluateDataset(
  op: string,
  mem: NetMemory,
  params: ParamPtrs,
  ds: Dataset,
): { loss: number; accuracy?: number } {
  const use = useDataset(op, ds, mem.host, mem.shape, false);
  try {
    const rows = Math.max(1, Math.min(256, ds.rows));
    checkFits(op, mem.host, mem.workspaceNeed('read', rows));
    mem.workspace('read', rows);
    const { X, Y } = datasetRows(ds);
    return evaluateAll(op, mem, params, X, Y);
  } finally {
    use.release();
  }
}
