/**
 * An estimator as one ONNX graph: its input scaling as Sub/Div nodes in front of the network, and for a regressor
 * the target un-scaling as Mul/Add nodes after it (the same operations as in JavaScript, so float64 agrees exactly).
 * A classifier's output is the class probabilities, in the order of the class list written in the model's metadata.
 */
import { networkModel, type Network } from '../network.js';
import { toOnnx } from '../onnx/export.js';
import type { Label } from './input.js';
import type { Scaler } from './scaler.js';

export function estimatorToOnnx(
  op: string,
  net: Network,
  options: unknown,
  input: Scaler | null,
  output: Scaler | null,
  classes: readonly Label[] | null,
): Uint8Array {
  const metadata: Record<string, string> = {};
  if (classes) metadata['fastnn.classes'] = JSON.stringify(classes);
  return toOnnx(networkModel(op, net), options, { input, output, metadata });
}
