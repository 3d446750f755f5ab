/**
 * Reads: forward passes (predict, evaluate) and backprop without an update (gradients), on the network's `read`
 * workspace and with the parameters a caller names, so they never touch a running training's buffers.
 */
import type { Activation } from '../backend.js';
import type { Matrix } from '../matrix.js';
import { checkFits, type NetMemory, type ParamPtrs } from './memory.js';
import type { LayerParameters } from './options.js';

const PREDICT_ROWS = 256;

/**
 * Rows of values as a Matrix holds them, or as a Dataset stores them in the backend's memory (a view in the network's
 * element type, copied into the workspace as it is: a float32 dataset is never widened and rounded back).
 */
export interface Rows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array | Float32Array;
}

/** Forward pass in chunks of the read workspace's rows; with targets, also the mean loss. */
export function forwardAll(
  op: string,
  mem: NetMemory,
  params: ParamPtrs,
  X: Rows,
  Y: Rows | null,
): { out: Matrix; loss: number } {
  const rowsPerChunk = Math.max(1, Math.min(PREDICT_ROWS, X.rows));
  checkFits(op, mem.host, mem.workspaceNeed('read', rowsPerChunk));
  const ws = mem.workspace('read', rowsPerChunk);
  mem.writePlanLayers(ws, params);
  const { layers } = mem.shape;
  const L = mem.L,
    nIn = layers[0]!,
    nOut = layers[L]!;
  const out = new Float64Array(X.rows * nOut);
  const host = mem.host;
  let total = 0;
  for (let r0 = 0; r0 < X.rows; r0 += ws.cap) {
    const rows = Math.min(ws.cap, X.rows - r0);
    mem.writeElems(X.data.subarray(r0 * nIn, (r0 + rows) * nIn), ws.x0);
    if (Y) {
      mem.writeElems(Y.data.subarray(r0 * nOut, (r0 + rows) * nOut), ws.t);
      total += host.evaluateBatch(ws.plan, rows) * rows;
    } else host.forwardBatch(ws.plan, rows);
    out.set(mem.readElems(ws.a[L - 1]!, rows * nOut), r0 * nOut);
  }
  return { out: { rows: X.rows, cols: nOut, data: out }, loss: X.rows === 0 ? NaN : total / X.rows };
}

/** Accuracy: argmax for > 1 output, 0.5 threshold for 1 (for a classifier's outputs and targets: evaluateAll). */
export function accuracy(out: Rows, Y: Rows): number {
  const { rows, cols } = out;
  let hit = 0;
  for (let r = 0; r < rows; r++) {
    if (cols === 1) {
      if (out.data[r]! >= 0.5 === Y.data[r]! >= 0.5) hit++;
    } else {
      let pa = 0,
        ta = 0;
      for (let j = 1; j < cols; j++) {
        if (out.data[r * cols + j]! > out.data[r * cols + pa]!) pa = j;
        if (Y.data[r * cols + j]! > Y.data[r * cols + ta]!) ta = j;
      }
      if (pa === ta) hit++;
    }
  }
  return hit / rows;
}

/** The loss, and the accuracy where it means something: a classifier's output (isClassification). */
export function evaluateAll(
  op: string,
  mem: NetMemory,
  params: ParamPtrs,
  X: Rows,
  Y: Rows,
): { loss: number; accuracy?: number } {
  const { out, loss } = forwardAll(op, mem, params, X, Y);
  return isClassification(mem.shape.activations[mem.shape.activations.length - 1]!, Y)
    ? { loss, accuracy: accuracy(out, Y) }
    : { loss };
}

/**
 * True when outputs and targets are a classifier's: a sigmoid or softmax output, and targets that are 0/1 (one
 * output) or one-hot rows (several). A regression network (identity output, or targets between 0 and 1) has no
 * accuracy: a 0.5 threshold on its outputs would report a number that means nothing.
 */
export function isClassification(output: Activation, Y: Rows): boolean {
  if (output !== 'sigmoid' && output !== 'softmax') return false;
  const { rows, cols, data } = Y;
  for (let r = 0; r < rows; r++) {
    let ones = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[r * cols + j]!;
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (cols > 1 && ones !== 1) return false;
  }
  return true;
}

/**
 * The gradient of the mean loss over (X, Y) with respect to every parameter: the backwardBatch kernel over all
 * rows (forward, loss and backward exactly as one training step, no update).
 */
export function backprop(
  op: string,
  mem: NetMemory,
  params: ParamPtrs,
  X: Matrix,
  Y: Matrix,
): { loss: number; gradients: LayerParameters[] } {
  checkFits(op, mem.host, mem.workspaceNeed('read', X.rows));
  const ws = mem.workspace('read', X.rows);
  mem.writePlanLayers(ws, params);
  const { layers } = mem.shape;
  const host = mem.host;
  mem.writeElems(X.data, ws.x0);
  mem.writeElems(Y.data, ws.t);
  const loss = host.backwardBatch(ws.plan, X.rows);
  const gradients = ws.dw.map((dw, l) => ({
    weights: mem.readElems(dw, layers[l]! * layers[l + 1]!),
    biases: mem.readElems(ws.db[l]!, layers[l + 1]!),
  }));
  return { loss, gradients };
}
