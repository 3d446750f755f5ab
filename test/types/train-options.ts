/** Compile-time checks of the train options' types (npm run typecheck): onEpoch sees validationLoss exactly when the call has validation data. */
import { Network } from '../../src/index.js';
const net = await Network.create({ layers: [2, 2, 1] });
const X = [[0, 1]],
  Y = [[1]];
const r1 = net.train(X, Y, {
  epochs: 1,
  learningRate: 0.1,
  validation: { x: X, y: Y },
  onEpoch: (i) => {
    i.validationLoss.toFixed();
  },
});
r1.validationLosses.length;
const r2 = net.train(X, Y, {
  epochs: 1,
  learningRate: 0.1,
  validationSplit: 0.5,
  onEpoch: (i) => i.validationLoss > 1,
});
r2.validationLosses.length;
const r3 = net.train(X, Y, {
  epochs: 1,
  learningRate: 0.1,
  onEpoch: (i) => {
    void i.epoch;
    return i.loss < 1;
  },
});
// @ts-expect-error validationLoss may be undefined without validation
r3.validationLosses.length;
net.train(X, Y, {
  epochs: 1,
  learningRate: 0.1,
  onEpoch: (i) => {
    // @ts-expect-error no validation data: possibly undefined
    i.validationLoss.toFixed();
  },
});
const opts = { epochs: 1, learningRate: 0.1 };
net.train(X, Y, opts);
await net.trainAsync(X, Y, {
  epochs: 1,
  learningRate: 0.1,
  validationSplit: 0.5,
  signal: new AbortController().signal,
  onEpoch: (i) => {
    i.validationLoss.toFixed();
  },
});
await net.trainStream(() => [{ x: X, y: Y }], {
  epochs: 1,
  learningRate: 0.1,
  validation: { x: X, y: Y },
  onEpoch: (i) => {
    i.validationLoss.toFixed();
  },
});
